"""Common random numbers survive a decision: draws are keyed by what they decide, who and when
(pocsim/streams.py), so a mission decision about one group leaves the other groups' histories as
they were until the consequences physically reach them."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import make_config

from pocsim.model import POCModel
from pocsim.streams import Streams
from pocsim.view import MissionView

ROOT = Path(__file__).resolve().parents[1]
# Others are compared for 20 days after the decision; the mediated group is given 40 to act on it
# (a group resting through the first 20 days shows no change in its events yet).
DECISION_DAY, HORIZON_DAYS, RUN_DAYS = 30, 20, 40


def history(seed: int, mediate: bool) -> dict:
    """Events of each group (clashes aside) when group 0 is, or is not, mediated on day 30."""
    cfg = make_config("strategy=none", small=False)
    m = POCModel(cfg.scenario, cfg.strategy, seed=seed, mission=cfg.mission)
    m.run(DECISION_DAY)
    if mediate:  # one mission decision: a successful session that halves group 0's aggression
        MissionView(m, cfg.mission).mediate(0, 1.0, 0.5, 0.0)
    m.run(RUN_DAYS)
    ev = m.ledger.events_table().to_pandas()
    ev = ev[ev.kind != "clash"]
    return {g.name: ev[ev.side_a == g.name][["step", "village_id", "best"]].values.tolist() for g in m.groups}


def until_horizon(events: list) -> list:
    return [e for e in events if e[0] < (DECISION_DAY + HORIZON_DAYS) * 24]


def untouched(cfg_groups) -> list[str]:
    """Groups the decision cannot reach within the horizon except through the world: all but the
    mediated group and the militia that rises to defend the communities it preys on."""
    first = cfg_groups[0]
    return [g.name for g in cfg_groups[1:] if not (g.kind.value == "militia" and g.community in first.preys_on)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_decision_about_one_group_leaves_the_others_histories_alone(seed):
    before, after = history(seed, False), history(seed, True)
    groups = make_config("strategy=none", small=False).scenario.groups
    assert before[groups[0].name] != after[groups[0].name]  # the decision does change the mediated group
    for name in untouched(groups):
        assert until_horizon(before[name]) == until_horizon(after[name]), f"seed {seed}: {name}'s events changed"


def test_sequential_streams_would_fail_it(monkeypatch):
    """The same check with one sequential stream per purpose (draws in the order they come): a
    changed decision shifts every later draw, and other groups' histories change."""
    monkeypatch.setattr(Streams, "draw", lambda self, purpose, *ids: self[purpose])
    groups = make_config("strategy=none", small=False).scenario.groups
    changed = [name for seed in (0, 1) for name in untouched(groups)
               if until_horizon(history(seed, False)[name]) != until_horizon(history(seed, True)[name])]
    assert changed


def test_a_group_draws_its_target_from_its_target_law():
    """target_law is the law pick_target draws from (benchmarks/pairing.py reads it to bound how
    often any coupling could keep paired choices): over many keyed draws the picks follow it."""
    from scipy import stats

    cfg = make_config("strategy=none")
    m = POCModel(cfg.scenario, cfg.strategy, seed=0, mission=cfg.mission)
    group = next(g for g in m.groups if g.target_law(0.0) is not None)
    p = group.target_law(0.0)[0]
    assert p.min() >= 0 and abs(p.sum() - 1) < 1e-12
    likely = np.argsort(p)[::-1][:3]
    picks = []
    for _ in range(600):
        assert group.pick_target(0.0)
        picks.append(group.target)
    picks = np.array(picks)
    assert p[picks].min() > 0  # never a village the law rules out
    seen = [int((picks == v).sum()) for v in likely] + [int(np.isin(picks, likely, invert=True).sum())]
    expected = np.append(p[likely], 1 - p[likely].sum()) * len(picks)
    assert stats.chisquare(seen, expected).pvalue > 1e-3


def test_the_pairing_benchmark_reports_its_references(tmp_path):
    out = tmp_path / "pairing.json"
    r = subprocess.run([sys.executable, "benchmarks/pairing.py", "--seeds", "2", "--days", "3", "--jobs", "1",
                        "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    res = json.loads(out.read_text())
    assert set(res["ratio"]) == set(res["ratio_world_only"]) == set(res["first_choice_kept"])
    for kept in res["first_choice_kept"].values():
        assert kept["groups"] > 0 and 0 <= kept["mean"] <= 1
