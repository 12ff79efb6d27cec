"""Command-line options of pocsim's console scripts: bad input is one line, not argparse's usage.

    parser = OneLineParser(prog="pocsim-report", description=...)

A wrong option or value prints `<prog>: error: <what is wrong>` on stderr and exits with status 2,
as every other bad input does; `--help` still prints the full usage.
"""

from __future__ import annotations

import argparse
import sys


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        fail(self.prog, message)


def fail(prog: str, message: str, status: int = 2):
    print(f"{prog}: error: {message}", file=sys.stderr)
    sys.exit(status)
