"""Where a result came from: the package version and, when pocsim runs from a git checkout, the commit."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

from pocsim import __version__


@functools.lru_cache(maxsize=1)
def git_commit() -> str | None:
    repo = Path(__file__).resolve().parents[1]
    if not (repo / ".git").exists():
        return None  # an installed wheel: the version says it all
    try:
        out = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def provenance() -> dict:
    return {"pocsim_version": __version__, "git_commit": git_commit()}
