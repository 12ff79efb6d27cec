"""The console scripts' entry points: a Ctrl-C while a command is still importing its libraries
(hydra, numba, matplotlib, solara: a second or more) ends with one line and status 130, like a
Ctrl-C later on, instead of a traceback from deep inside an import."""

from __future__ import annotations

import importlib
import sys


def _run(module: str, prog: str):
    try:
        main = importlib.import_module(module).main
    except KeyboardInterrupt:
        print(f"{prog}: interrupted while starting", file=sys.stderr)
        sys.exit(130)
    return main()


def pocsim():
    return _run("pocsim.cli", "pocsim")


def app():
    return _run("pocsim.app", "pocsim-app")
