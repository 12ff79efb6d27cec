"""Parameters with their provenance: every behavioural number is a config field that says what
it means, in which unit, over which plausible range, and where the number comes from.

    lethality: float = param(0.07, unit="1/(fighter*h)", low=0.02, high=0.2,
                             source="assumption: calibrated so a median raid kills a few people")

`low`/`high` are the plausible range a sensitivity analysis varies the value over (not the range
validation allows). `source` is a citation (doctrine, a study, a dataset) or the word
"assumption" followed by one line of reasoning. `setting()` marks a field that is a choice rather
than a quantity (a name, a file, a switch): it carries a one-line meaning and no range.

`walk(config)` yields every field of a composed config with its metadata, lists of groups
included, which is what `pocsim-params` prints and what docs/parameters.md is made from.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from enum import Enum
from typing import Any, Iterator

PARAM = "pocsim_param"


@dataclass(frozen=True)
class ParamInfo:
    unit: str
    low: Any
    high: Any
    source: str
    quantity: bool  # a number with a unit and range (param) or a choice (setting)


def param(default=MISSING, *, unit: str, low, high, source: str, default_factory=MISSING):
    """A behavioural number: its default, unit, plausible range and source."""
    if not source.strip():
        raise ValueError("param: a source is required (a citation, or 'assumption: <reasoning>')")
    if low is not None and high is not None and any(lo > hi for lo, hi in bounds(low, high)):
        raise ValueError(f"param: low {low} > high {high}")
    info = ParamInfo(unit, low, high, source, True)
    if default_factory is not MISSING:
        return field(default_factory=default_factory, metadata={PARAM: info})
    return field(default=default, metadata={PARAM: info})


def bounds(low, high, n: int = 1):
    """Pairs of bounds, one per element of a list parameter of n elements (which may give one pair
    for all elements, or one per element)."""
    if isinstance(low, (list, tuple)) or isinstance(high, (list, tuple)):
        n = len(low) if isinstance(low, (list, tuple)) else len(high)
        lows = low if isinstance(low, (list, tuple)) else [low] * n
        highs = high if isinstance(high, (list, tuple)) else [high] * n
        return list(zip(lows, highs))
    return [(low, high)] * n


def setting(default=MISSING, *, means: str, default_factory=MISSING):
    """A choice rather than a quantity (a name, a file, a switch, a list of names)."""
    info = ParamInfo("", None, None, means, False)
    if default_factory is not MISSING:
        return field(default_factory=default_factory, metadata={PARAM: info})
    return field(default=default, metadata={PARAM: info})


def info(dc_field) -> ParamInfo | None:
    return dc_field.metadata.get(PARAM)


@dataclass(frozen=True)
class Row:
    key: str  # dotted, e.g. scenario.violence.lethality or scenario.groups.FPL.strength
    value: Any
    info: ParamInfo | None


def walk(config, prefix: str = "", indexed: bool = False) -> Iterator[Row]:
    """Every leaf field of a config dataclass (nested dataclasses and lists of them included). A
    list's items are named by their name (scenario.groups.UPC.strength, as the parameter table
    does), or with `indexed` by their place, as a command line sets them (scenario.groups[0].strength)."""
    for f in fields(config):
        value = getattr(config, f.name)
        key = f"{prefix}{f.name}"
        if is_dataclass(value):
            yield from walk(value, key + ".", indexed)
        elif isinstance(value, (list, tuple)) and value and all(is_dataclass(v) for v in value):
            for i, item in enumerate(value):
                label = f"[{i}]" if indexed else "." + (getattr(item, "name", None) or str(i))
                yield from walk(item, f"{key}{label}.", indexed)
        else:
            yield Row(key, value.value if isinstance(value, Enum) else value, info(f))
