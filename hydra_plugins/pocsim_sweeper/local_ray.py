"""The launcher of `+launcher=ray`: Hydra's Ray launcher, on a local Ray instance that listens on
loopback only.

On Linux, Ray (2.60) turns a node address of 127.0.0.1 (`ray.init(_node_ip_address="127.0.0.1")`,
what configs/launcher/ray.yaml asks for) into the machine's network address, and its servers
listened on every interface. In Ray's single-machine mode (RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0,
its default on Windows and macOS) the node stays on 127.0.0.1 and every Ray process listens there
only. The mode is set before the launcher starts Ray, in this process's environment, so every
process Ray starts inherits it; a local instance has no other node to talk to.
`+launcher=ray_cluster` uses Hydra's launcher as it is.
"""

from __future__ import annotations

import os
import sys

SINGLE_MACHINE = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


def loopback_only() -> None:
    os.environ[SINGLE_MACHINE] = "0"
    constants = sys.modules.get("ray._private.ray_constants")
    if constants is not None:  # Ray already imported in this process: its setting too
        constants.ENABLE_RAY_CLUSTER = False


try:  # Hydra imports every module of hydra_plugins; Ray's launcher is an optional extra ([cluster])
    from hydra_plugins.hydra_ray_launcher.ray_launcher import RayLauncher
except ImportError:  # pragma: no cover
    RayLauncher = None

if RayLauncher is not None:

    class LocalRayLauncher(RayLauncher):
        def launch(self, job_overrides, initial_job_idx):
            loopback_only()
            return super().launch(job_overrides, initial_job_idx)
