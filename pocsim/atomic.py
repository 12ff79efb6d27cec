"""Files written whole or not at all: a reader (or an interrupted run) never sees half a table."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: Path, content: str) -> None:
    """A temporary file beside the target, moved over it."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # (not mkstemp: its file would be private)
    try:
        tmp.write_text(content, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
