"""`pocsim-params`: every parameter of a composed config with its unit, plausible range and source.

    pocsim-params scenario=forest_many_groups strategy=modular
    pocsim-params --format csv --output params.csv
    pocsim-params --all-strategies --output docs/parameters.md   # how docs/parameters.md is made

Rows are grouped by section: the first two parts of the key's parent (`scenario.violence`,
`scenario.groups`, `mission`). Run-control keys (seed, days, step_hours, engine, quiet, resume)
are listed too, in a section `run` (the top-level keys), since a reader looking for `days` should
find it. `--all-strategies` adds the keys each strategy in configs/strategy brings that the
composed config lacks (the parameters of tools that are null where a tool is off), one section
per tool with the values of the first strategy that fields it, so every tool's parameters are
documented. Bad input: one line on stderr and exit status 2.
"""

from __future__ import annotations

import csv
import io
import os
import shlex
import sys
from pathlib import Path

from hydra import compose, initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import HydraException
from omegaconf.errors import OmegaConfBaseException

from pocsim import arguments
from pocsim.atomic import write_atomically
from pocsim.cli import one_line, to_config
from pocsim.config import ConfigError, register_configs
from pocsim.params import Row, walk

RUN = "run"
ADDED = ", as in strategy="  # marks a section that --all-strategies took from a strategy
INTRO = """\
Every number the model uses is a field of a typed config dataclass (in `pocsim/config.py`, or
beside the code that uses it, like each mission tool's parameters) that says what it means:

- **value**: the value in this composed config.
- **unit**: the unit of the quantity; `1` marks a dimensionless share or ratio.
- **plausible range**: the range a sensitivity analysis should vary the value over, from what
  is known about it. Validation allows ten times more each way (a what-if beyond the range, not
  a typo such as 1e300 people): at most ten times the top and, unless 0, at least a tenth of the
  bottom, besides each field's own checks (signs, shares in [0, 1], cross-field constraints);
  NaN and infinity are never allowed (`pocsim/validate.py`).
- **source**: a citation (doctrine, a study, a dataset), or `assumption:` followed by the
  reasoning. For a setting (a choice rather than a quantity: a name, a file, a switch) it says
  what the setting means, and there is no unit or range.

Override any value on the command line, e.g. `pocsim scenario.violence.lethality=0.1`; entries of
a list by position, e.g. `pocsim scenario.groups.0.strength=300` for the first group.
"""
ALL_STRATEGIES = """\
The sections marked `as in strategy=...` list the keys a strategy in `configs/strategy/` adds to
this config (the parameters of tools it lacks), with the values that strategy gives them.
"""


def fail(message: str):
    arguments.fail("pocsim-params", message)


def parser() -> arguments.OneLineParser:
    p = arguments.OneLineParser(prog="pocsim-params", description="Print every parameter of the composed pocsim config.")
    p.add_argument("overrides", nargs="*", help="Hydra overrides, as for pocsim (e.g. scenario=forest_many_groups)")
    p.add_argument("--format", choices=("markdown", "csv"), default="markdown")
    p.add_argument("--output", metavar="FILE", help="write to FILE (atomically) instead of standard output")
    p.add_argument("--all-strategies", action="store_true",
                   help="add the tool parameters of every strategy in configs/strategy (for docs/parameters.md)")
    return p


def parent(key: str) -> str:
    return key.rpartition(".")[0]


def section(key: str) -> str:
    """The first two parts of the key's parent: scenario.violence.lethality -> scenario.violence."""
    return ".".join(parent(key).split(".")[:2]) or RUN


def sections(overrides: list[str], all_strategies: bool) -> dict[str, list[Row]]:
    """Rows by section, sections in order of first appearance. With `all_strategies`, the keys a
    strategy adds follow the section where the composed config lists them as null, in its order."""
    register_configs()
    out: dict[str, list[Row]] = {}
    added: dict[str, list[Row]] = {}  # "<parent key>, as in strategy=<name>" -> rows
    with initialize_config_module(config_module="pocsim.configs", version_base="1.3"):
        rows = list(walk(to_config(compose("config", overrides=overrides))))
        for row in rows:
            out.setdefault(section(row.key), []).append(row)
        if all_strategies:
            seen = {row.key for row in rows}
            for name in GlobalHydra.instance().config_loader().get_group_options("strategy"):
                for row in walk(to_config(compose("config", overrides=[*overrides, f"strategy={name}"]))):
                    if row.key not in seen:
                        seen.add(row.key)
                        added.setdefault(f"{parent(row.key)}{ADDED}{name}", []).append(row)
    position = {row.key: i for i, row in enumerate(rows)}
    ordered: dict[str, list[Row]] = {}
    for name, members in out.items():
        ordered[name] = members
        own = [title for title in added if section(added[title][0].key) == name]
        for title in sorted(own, key=lambda t: position.get(parent(added[t][0].key), len(position))):
            ordered[title] = added.pop(title)
    return ordered | added  # any left sit under a section the composed config does not have


def text(value) -> str:
    """A value as one would write it in a Hydra override."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(text(v) for v in value) + "]"
    if value == "":
        return '""'
    return str(value)


def plausible_range(row: Row) -> str:
    low = row.info.low if row.info else None
    high = row.info.high if row.info else None
    if low is not None and high is not None:
        return f"[{text(low)}, {text(high)}]"
    if low is not None:
        return f">= {text(low)}"
    return f"<= {text(high)}" if high is not None else ""


def cell(s: str) -> str:
    """A Markdown table cell is one line without a bare pipe."""
    return s.replace("|", "\\|").replace("\n", " ")


def markdown(by_section: dict[str, list[Row]], command: str) -> str:
    lines = ["# Parameters", "", f"Generated by `{command}`; edit the config dataclasses, not this file.", "",
             INTRO]
    if any(ADDED in name for name in by_section):
        lines.append(ALL_STRATEGIES)
    for name, rows in by_section.items():
        title = "run (run control, not model assumptions)" if name == RUN else name
        lines += [f"## {title}", "", "| key | value | unit | plausible range | source |", "|---|---|---|---|---|"]
        for r in rows:
            unit, source = (r.info.unit, r.info.source) if r.info else ("", "")
            lines.append(f"| `{cell(r.key)}` | {cell(text(r.value))} | {cell(unit)} | {plausible_range(r)} "
                         f"| {cell(source)} |")
        lines.append("")
    return "\n".join(lines)


def table_csv(by_section: dict[str, list[Row]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["section", "key", "value", "unit", "low", "high", "source", "kind"])
    for name, rows in by_section.items():
        for r in rows:
            i = r.info
            kind = "" if i is None else "param" if i.quantity else "setting"
            w.writerow([name, r.key, text(r.value), i.unit if i else "",
                        "" if i is None or i.low is None else text(i.low),
                        "" if i is None or i.high is None else text(i.high), i.source if i else "", kind])
    return buf.getvalue()


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    try:
        by_section = sections(args.overrides, args.all_strategies)
    except (HydraException, OmegaConfBaseException, ConfigError) as exc:
        if os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        fail(one_line(exc))
    if args.format == "csv":
        content = table_csv(by_section)
    else:
        content = markdown(by_section, shlex.join(["pocsim-params", *argv]))
    if args.output is None:
        sys.stdout.write(content)
        return
    try:
        write_atomically(Path(args.output), content)
    except OSError as exc:
        fail(f"--output {args.output}: {exc.strerror or exc}")


if __name__ == "__main__":
    main()
