"""pocsim's own Hydra sweeper: a sequential comparison that runs seeds until the answer is clear."""
