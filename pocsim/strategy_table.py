"""The table of which tools each strategy fields, with which shares of the mission's resources,
made from the strategy configs so it cannot drift from them.

    python -m pocsim.strategy_table          # print it
    python -m pocsim.strategy_table --write  # refresh README.md and docs/strategies.md
"""

from __future__ import annotations

import sys
from dataclasses import fields
from pathlib import Path

ROOT = Path(__file__).parents[1]
START, END = "<!-- strategies:start (python -m pocsim.strategy_table --write) -->", "<!-- strategies:end -->"
SHARES = (("troop_share", "troops"), ("escort_troop_share", "troops as escorts"), ("police_share", "police"),
          ("staff_share", "civilian staff"))


def strategies() -> dict:
    from hydra import compose, initialize_config_module
    from omegaconf import OmegaConf

    from pocsim.config import register_configs

    register_configs()
    out = {}
    with initialize_config_module(config_module="pocsim.configs", version_base="1.3"):
        for path in sorted((ROOT / "configs" / "strategy").glob("*.yaml"), key=lambda p: (p.stem != "none", p.stem)):
            out[path.stem] = OmegaConf.to_object(compose("config", overrides=[f"strategy={path.stem}"])).strategy
    return out


def cell(params) -> str:
    if not params.enabled:
        return ""
    parts = [f"{100 * getattr(params, k):g}% {what}" for k, what in SHARES if getattr(params, k, 0)]
    return ", ".join(parts) or "on"


def table() -> str:
    chosen = strategies()
    names = list(chosen)
    tools = [f.name for f in fields(next(iter(chosen.values())).tools)]
    lines = ["| tool | " + " | ".join(f"`{n}`" for n in names) + " |", "|---" * (len(names) + 1) + "|"]
    for tool in tools:
        row = [cell(getattr(chosen[n].tools, tool)) for n in names]
        if any(row):
            lines.append(f"| {tool} | " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def replace_between_markers(text: str, body: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{body}{END}{tail}"


def main() -> None:
    body = table()
    if "--write" not in sys.argv[1:]:
        print(body, end="")
        return
    for path in (ROOT / "README.md", ROOT / "docs" / "strategies.md"):
        path.write_text(replace_between_markers(path.read_text(), body))


if __name__ == "__main__":
    main()
