"""The strategy table in the README and docs/strategies.md is the one the configs make."""

from pathlib import Path

from pocsim.strategy_table import END, START, table

ROOT = Path(__file__).parents[1]


def test_strategy_tables_are_current():
    want = table()
    for path in (ROOT / "README.md", ROOT / "docs" / "strategies.md"):
        text = path.read_text()
        assert START in text and END in text, f"{path.name}: no strategy table markers"
        got = text.split(START, 1)[1].split(END, 1)[0].strip("\n") + "\n"
        assert got == want, f"{path.name} is stale: run python -m pocsim.strategy_table --write"


def test_unarmed_fields_no_armed_unit_outside_its_bases():
    from pocsim.strategy_table import strategies

    tools = strategies()["unarmed"].tools
    for name in ("route_patrols", "threat_patrols", "reaction_force", "offensive_operations", "temporary_bases"):
        assert not getattr(tools, name).enabled, name
    assert not tools.joint_protection_teams.escorted
