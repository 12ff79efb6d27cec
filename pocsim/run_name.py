"""A sweep's run folder name: its overrides (Hydra's `override_dirname`), shortened when the file
system could not take it.

A run folder is named by its overrides so that a resumed sweep finds the runs already done. Every
override on the command line goes into the name, the ones all runs share too, and a folder name
longer than 255 bytes cannot be made (Linux's NAME_MAX): nine overrides of car_ouaka's groups and
violence were enough. A longer name keeps its first whole overrides and ends with a hash of the
full name, so the same overrides always give the same folder (a resumed sweep still finds it) and
different ones different folders. The run's overrides are in full in its .hydra/overrides.yaml.
"""

from __future__ import annotations

import hashlib

from omegaconf import OmegaConf

NAME_MAX = 255  # bytes of one path component on Linux, macOS and Windows' NTFS (255 UTF-16 units)
RESOLVER = "pocsim.run_name"


def run_name(override_dirname: str) -> str:
    raw = override_dirname.encode()
    if len(raw) <= NAME_MAX:
        return override_dirname
    tail = ",~" + hashlib.sha256(raw).hexdigest()[:16]
    kept = ""
    for item in override_dirname.split(","):
        longer = f"{kept},{item}" if kept else item
        if len((longer + tail).encode()) > NAME_MAX:
            break
        kept = longer
    if not kept:  # one override longer than a name can be: its first bytes
        kept = raw[:NAME_MAX - len(tail)].decode(errors="ignore")
    return kept + tail


def register() -> None:
    """`${pocsim.run_name:${hydra.job.override_dirname}}` (configs/config.yaml), in every process
    that resolves a run's folder: the sweep's, and each worker, which imports pocsim.config
    with the task function."""
    if not OmegaConf.has_resolver(RESOLVER):
        OmegaConf.register_new_resolver(RESOLVER, run_name)
