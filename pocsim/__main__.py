from pocsim.entry import pocsim

if __name__ == "__main__":
    pocsim()
