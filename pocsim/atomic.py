"""Files written whole or not at all: a reader (or an interrupted run) never sees half a table."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: Path, content: str) -> None:
    """A text file written whole or not at all."""
    replace_atomically(path, lambda tmp: tmp.write_text(content, encoding="utf-8"))


def replace_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """`write(tmp)` fills a temporary file beside the target, which is then moved over it."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # (not mkstemp: its file would be private)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
