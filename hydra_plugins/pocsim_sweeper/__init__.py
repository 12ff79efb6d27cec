"""pocsim's own Hydra plugins: a sequential sweeper that runs seeds until the answer is clear
(sequential_sweeper.py), Hydra's basic sweeper composing each choice of config groups once
(compose_once.py, the default), and the launcher of +launcher=ray, Hydra's Ray launcher on a local
instance that listens on loopback only (local_ray.py)."""
