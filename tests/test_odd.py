"""docs/ODD.md names parameters by their dotted keys; every key it names exists in the config
(so the description cannot drift from the model unnoticed), and it covers every tool."""

import re
from pathlib import Path

from conftest import make_config

from pocsim.mission.tools import registry
from pocsim.params import walk

ODD = Path(__file__).parents[1] / "docs" / "ODD.md"
KEY = re.compile(r"`((?:scenario|mission|strategy)\.[A-Za-z_.<>*|]+)`")


def test_every_key_the_odd_names_exists():
    keys = {row.key for row in walk(make_config("strategy=modular"))}
    missing = []
    for named in sorted(set(KEY.findall(ODD.read_text()))):
        # placeholders (<s>, <tool>, <field>, ...) and * stand for any part of a key
        pattern = re.sub(r"<[a-z]+>", "[^.]+", re.escape(named.rstrip(".")).replace(r"\<", "<").replace(r"\>", ">"))
        pattern = pattern.replace(r"\*", ".*").replace(r"\|", "|")
        if not any(re.fullmatch(f"{pattern}(\\..*)?", k) for k in keys):
            missing.append(named)
    assert not missing, f"docs/ODD.md names keys the config does not have: {missing}"


def test_the_odd_describes_every_tool():
    text = ODD.read_text()
    assert [t for t in registry() if f"`{t}`" not in text] == []
