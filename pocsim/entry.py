"""The console scripts' entry points: a Ctrl-C while a command is still importing its libraries
(hydra, numba, matplotlib, solara: a second or more) ends with one line and status 130, like a
Ctrl-C later on, instead of a traceback from deep inside an import."""

from __future__ import annotations

import importlib
import sys


def interrupted(error: BaseException | None) -> bool:
    """Whether Ctrl-C caused `error`: Python wraps an exception raised inside a class body's
    `__set_name__` (matplotlib's axes have them) in a RuntimeError whose cause is the KeyboardInterrupt."""
    seen = set()
    while error is not None and id(error) not in seen:  # a chain can loop back (raise e from e)
        if isinstance(error, KeyboardInterrupt):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _run(module: str, prog: str):
    try:
        main = importlib.import_module(module).main
    except BaseException as error:
        if not interrupted(error):
            raise
        print(f"{prog}: interrupted while starting", file=sys.stderr)
        sys.exit(130)
    return main()


def pocsim():
    return _run("pocsim.cli", "pocsim")


def app():
    return _run("pocsim.app", "pocsim-app")
