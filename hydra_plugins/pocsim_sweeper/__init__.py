"""pocsim's own Hydra plugins: a sequential sweeper that runs seeds until the answer is clear
(sequential_sweeper.py), and the launcher of +launcher=ray, Hydra's Ray launcher on a local
instance that listens on loopback only (local_ray.py)."""
