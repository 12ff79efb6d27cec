"""A run folder holds one run: whether it finished, what an interrupted write left, and a lock.

Two runs given one `hydra.run.dir` used to both exit 0, the second's config over the first's
results. `RunFolderLock` (a Hydra callback, configs/config.yaml) runs before Hydra writes anything
into the folder: it takes the folder's lock, so a second run started while the first is running
stops at once, and it refuses a folder holding a finished run of another configuration. Rerunning
the same configuration into its folder is allowed: it writes the same bytes again.
"""

from __future__ import annotations

import fcntl
import json
import shutil
from pathlib import Path

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf, read_write

from pocsim.config import ConfigError

LOCK = ".lock"
REFUSAL: list[ConfigError] = []  # why RunFolderLock refused this process's run, if it did
ACTIVE: list["RunFolderLock"] = []  # the lock of the single run this process is running


def _refuse(config: DictConfig, message: str) -> None:
    REFUSAL[:] = [ConfigError(message)]
    with read_write(config.hydra):
        config.hydra.output_subdir = None  # Hydra then writes no .hydra files over the folder's own


def finished(run_dir: Path) -> dict | None:
    """A run's summary if it finished, None if not: no summary.json, or one that is damaged (cut
    short by a full disk, edited by hand), which a resumed sweep runs again."""
    summary = read_json(Path(run_dir) / "summary.json", None)
    return summary if isinstance(summary, dict) else None


def read_json(path: Path, missing):
    """A JSON file's content; `missing` if it is absent or not readable JSON."""
    try:
        return json.loads(Path(path).read_bytes())
    except (FileNotFoundError, ValueError):
        return missing


def clear_unfinished_writes(run_dir: Path) -> None:
    """Hidden folders an interrupted write left behind (pocsim.run.write_run): nothing in them was
    ever a result."""
    for tmp in Path(run_dir).glob(".writing-*"):
        shutil.rmtree(tmp, ignore_errors=True)


class RunFolderLock(Callback):
    """A single run's folder is its own: locked while the run lasts, never another run's results.

    Hydra turns a callback's exception into a warning, so a refusal is kept in REFUSAL for the run
    to report (pocsim/cli.py), and Hydra is told not to write its .hydra files into the folder."""

    def __init__(self) -> None:
        self.lock = None
        self.folder: Path | None = None

    def on_run_start(self, config: DictConfig, **kwargs) -> None:
        REFUSAL.clear()
        folder = Path(str(config.hydra.run.dir))
        folder.mkdir(parents=True, exist_ok=True)
        lock = open(folder / LOCK, "a+")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            return _refuse(config, f"hydra.run.dir: {folder} is in use by another run; give this run another folder")
        self.lock, self.folder = lock, folder
        ACTIVE[:] = [self]
        differs = _differs(config, folder)
        if differs:
            _refuse(config, f"hydra.run.dir: {folder} holds a finished run of another configuration (it differs in "
                            f"{', '.join(differs[:5])}{' ...' if len(differs) > 5 else ''}); give this run another "
                            "folder or remove that one")

    def on_run_end(self, config: DictConfig, **kwargs) -> None:
        ACTIVE.clear()
        if self.lock is None:
            return
        _release(self.folder)  # while still held: no one else is between the two; a refused run leaves no folder
        self.lock.close()
        self.lock = None


def remove_hydra_files(folder: Path) -> None:
    """A run that never started, or was cut short, leaves nothing: drop what Hydra wrote and the
    folder's lock (held by this process until it exits), and the folder if that empties it."""
    hydra_dir = folder / ".hydra"
    if hydra_dir.is_dir():
        for f in hydra_dir.iterdir():
            f.unlink()
        hydra_dir.rmdir()
    _release(folder)


def _release(folder: Path) -> None:
    """Drop the folder's lock file, and the folder if that empties it (never one holding anything else)."""
    (folder / LOCK).unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:
        pass


def abandon() -> bool:
    """After Ctrl-C: the single run in progress leaves nothing, unless its folder holds a finished
    run (the same configuration run before). True if a run was abandoned."""
    if not ACTIVE:
        return False
    folder = ACTIVE.pop().folder
    if finished(folder) is None:
        clear_unfinished_writes(folder)
        remove_hydra_files(folder)
    return True


def _differs(config: DictConfig, folder: Path) -> list[str]:
    """The keys in which a finished run in the folder was configured otherwise ([] if there is none)."""
    saved = folder / ".hydra" / "config.yaml"
    if finished(folder) is None or not saved.exists():
        return []
    new = OmegaConf.to_container(config, resolve=False, enum_to_str=True)
    new.pop("hydra", None)
    new, old = _flat(new), _flat(OmegaConf.to_container(OmegaConf.load(saved), resolve=False))
    return [key for key in sorted(set(new) | set(old)) if new.get(key) != old.get(key)]


def _flat(tree, prefix: str = "") -> dict:
    if isinstance(tree, dict):
        return {k: v for key, sub in tree.items() for k, v in _flat(sub, f"{prefix}{key}.").items()}
    if isinstance(tree, list):
        return {k: v for i, sub in enumerate(tree) for k, v in _flat(sub, f"{prefix}{i}.").items()} or {prefix[:-1]: []}
    return {prefix[:-1]: tree}

