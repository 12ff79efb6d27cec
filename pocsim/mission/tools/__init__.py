"""The mission's toolkit: one protection tool per module, each a `Tool` subclass (see base.py).

Every module in this package is imported on first use of the registry, so adding a tool means
adding one module; the strategy schema (pocsim/mission/config.py) picks it up by its `name`.
"""

from __future__ import annotations

import importlib
import pkgutil


def registry() -> dict:
    """name -> Tool class, in deployment order (bases before the units drawn from them)."""
    from pocsim.mission.tools.base import Tool

    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
    tools = sorted(Tool.__subclasses__(), key=lambda cls: (cls.order, cls.name))
    return {cls.name: cls for cls in tools}
