"""Common random numbers survive a decision: draws are keyed by what they decide, who and when
(pocsim/streams.py), so a mission decision about one group leaves the other groups' histories as
they were until the consequences physically reach them."""

import pytest
from conftest import make_config

from pocsim.model import POCModel
from pocsim.streams import Streams
from pocsim.view import MissionView

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
