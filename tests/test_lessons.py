"""Each teaching lesson, run as a trainer runs it (`pocsim +lesson=NAME`, several seeds), shows
its contrast in the outcomes. The point must come from the mechanisms: nothing here is scripted."""

import os
import subprocess
import sys

import pandas as pd

ENV = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "CI": "1"}


def lesson(name, tmp_path) -> pd.DataFrame:
    r = subprocess.run([sys.executable, "-m", "pocsim", f"+lesson={name}", f"hydra.sweep.dir={tmp_path / 'sw'}"],
                       cwd=tmp_path, capture_output=True, text=True, env=ENV, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    results = pd.read_parquet(tmp_path / "sw" / "results.parquet")
    assert (results.status == "ok").all() and results.seed.nunique() >= 3
    assert (tmp_path / "sw" / "report.md").exists()
    return results


def by(results, key, metric):
    return results.groupby(key)[metric].sum()


def test_main_road_patrols(tmp_path):
    """Many more patrols on the roads, and the villages off the road are no safer for them than
    with no patrol at all (seeds 0-2, 150 days: 1,189 off-road deaths with route patrols, 745 without)."""
    r = lesson("main_road_patrols", tmp_path)
    patrols, off_road = by(r, "patrolling", "patrols"), by(r, "patrolling", "deaths_off_road")
    assert patrols["route"] > 3 * patrols["threat"] and patrols["none"] == 0
    assert off_road["route"] >= 0.9 * off_road["none"]


def test_visit_without_follow_up(tmp_path):
    r = lesson("visit_without_follow_up", tmp_path)
    key = "strategy.tools.joint_protection_teams.follow_up"
    visits, reprisals = by(r, key, "jpt_visits"), by(r, key, "reprisal_deaths")
    assert abs(visits[False] - visits[True]) < 0.1 * visits[True]  # as many visits either way
    assert reprisals[False] > 0 and reprisals[False] > 2 * reprisals[True]


def test_alert_without_response(tmp_path):
    r = lesson("alert_without_response", tmp_path)
    key = "strategy.tools.reaction_force.enabled"  # no reaction force (False) or two companies (True)
    assert by(r, key, "alerts_raised")[False] > 0
    assert by(r, key, "alerts_answered_in_time")[False] == 0 and by(r, key, "responses")[False] == 0
    assert by(r, key, "attacks_interrupted_by_mission")[False] == 0
    assert by(r, key, "alerts_answered_in_time")[True] > 0
    assert by(r, key, "civilian_deaths")[True] < by(r, key, "civilian_deaths")[False]


def test_peacekeepers_targeted(tmp_path):
    """The same bases protect the towns in one world and draw the fighting to them in the other."""
    r = lesson("peacekeepers_targeted", tmp_path)
    near = r.groupby(["scenario", "strategy"]).deaths_near_towns.sum()
    assert near["default", "static_deterrence"] < near["default", "none"]
    assert near["peacekeepers_targeted", "static_deterrence"] > near["peacekeepers_targeted", "none"]


def test_state_as_perpetrator(tmp_path):
    """Presence deters the rebels more than the state's own forces (Fjelde, Hultman & Nilsson)."""
    r = lesson("state_as_perpetrator", tmp_path)
    rebels, state = by(r, "strategy", "deaths_by_rebels"), by(r, "strategy", "deaths_by_state_forces")
    change = lambda s: s["static_deterrence"] / max(s["none"], 1)  # noqa: E731
    assert change(rebels) < change(state)
    assert by(r, "strategy", "movements_denied")["static_deterrence"] > 0
