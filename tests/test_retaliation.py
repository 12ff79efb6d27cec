"""Retaliation between communities (pocsim/world/retaliation.py) and campaigns (ArmedGroup.press_on):
who is called to revenge, against whom, how soon; when a group strikes again before going home; and
what both leave in the event log over several worlds."""

import math

import numpy as np
import pandas as pd
import pytest

from pocsim import patterns
from pocsim.config import GroupKind
from pocsim.model import POCModel
from pocsim.world.armed_groups import Activity
from pocsim.world.retaliation import retaliate
from tests.conftest import make_config


def model(*overrides):
    return POCModel(make_config("+dynamics=conflict", *overrides).scenario, seed=1)


def named(m, name):
    return next(g for g in m.groups if g.name == name)


def test_groups_of_the_victims_blame_the_perpetrators_community_near_the_attack():
    m = model()
    fpl, militia = named(m, "FPL"), named(m, "Bero self-defence")  # FPL is Ama's, the militia Bero's
    v = m.villages
    village = int(np.flatnonzero(v.community == militia.community)[0])
    before = {g.name: g.revenge.copy() for g in m.groups}
    retaliate(m, village, fpl, deaths=6)
    cfg = m.scenario.group_behaviour.retaliation
    near = set(m.villages_near(int(v.cell[village]), cfg.radius_km).tolist())
    added = militia.revenge - before[militia.name]
    blamed = set(np.flatnonzero(added > 0).tolist())
    assert blamed, "there are Ama villages near this Bero village in this world"
    assert blamed == {i for i in near if v.community[i] == fpl.community}
    assert np.allclose(added[list(blamed)], cfg.grievance * math.log1p(6))
    for g in m.groups:  # only the victims' own non-state groups are called
        if g is not militia:
            assert np.array_equal(g.revenge, before[g.name]), g.name


def test_state_forces_do_not_retaliate_but_their_abuses_are_answered():
    m = model()
    state = next(g for g in m.groups if g.kind == GroupKind.state)  # recruits from Tolo, preys on Ama
    fpl = named(m, "FPL")  # Ama's rebels
    v = m.villages
    village = int(np.flatnonzero(v.community == fpl.community)[0])
    retaliate(m, village, state, deaths=3)
    assert fpl.revenge[v.community == state.community].sum() > 0
    assert fpl.revenge[v.community != state.community].sum() == 0
    tolo_village = int(np.flatnonzero(v.community == state.community)[0])
    before = state.revenge.copy()
    retaliate(m, tolo_village, fpl, deaths=3)
    assert np.array_equal(state.revenge, before)


@pytest.mark.parametrize("overrides, deaths", [([], 0), (["scenario.group_behaviour.retaliation.grievance=0"], 5)])
def test_no_deaths_or_no_grievance_calls_nobody(overrides, deaths):
    m = model(*overrides)
    fpl, militia = named(m, "FPL"), named(m, "Bero self-defence")
    village = int(np.flatnonzero(m.villages.community == militia.community)[0])
    rest = militia.rest_until
    retaliate(m, village, fpl, deaths=deaths)
    assert militia.revenge.sum() == 0 and militia.rest_until == rest


def test_a_resting_group_mobilises_sooner_and_a_busy_one_does_not():
    m = model("scenario.group_behaviour.retaliation.mobilise_hours=6")
    fpl, militia = named(m, "FPL"), named(m, "Bero self-defence")
    village = int(np.flatnonzero(m.villages.community == militia.community)[0])
    militia.activity, militia.rest_until = Activity.resting, 10_000
    retaliate(m, village, fpl, deaths=4)
    assert m.t < militia.rest_until < 10_000
    assert militia.rest_until - m.t < 24 * 5  # exponential with a 6 h mean: beyond 120 h has odds e^-20
    militia.activity, militia.rest_until = Activity.advancing, 10_000
    retaliate(m, village, fpl, deaths=4)
    assert militia.rest_until == 10_000


def test_after_a_raid_a_group_presses_on_while_it_pays_and_goes_home_when_broken_off():
    m = model()
    fpl = named(m, "FPL")
    bero = np.flatnonzero(m.villages.community == named(m, "Bero self-defence").community)
    village = int(bero[0])
    fpl.cell = int(m.villages.cell[village])
    fpl.grievance[bero[1:6]] = 5.0  # a grudge against villages near enough: worth a raid more
    fpl.activity = Activity.raiding
    m.violence.start_raid(fpl, village)
    m.violence.end_raid(fpl.raid)
    assert fpl.activity == Activity.advancing and fpl.campaign == 1 and fpl.target in bero[1:6]
    # each raid in a row costs more: with a toll above any utility on offer, the group goes home
    m.scenario.group_behaviour.campaign_fatigue = 100.0
    fpl.activity = Activity.raiding
    m.violence.start_raid(fpl, fpl.target)
    m.violence.end_raid(fpl.raid)
    assert fpl.activity in (Activity.withdrawing, Activity.resting) and fpl.campaign == 0
    # a raid broken off by force ends the campaign whatever is on offer
    m.scenario.group_behaviour.campaign_fatigue = 0.1
    fpl.grievance[bero[1:6]] = 5.0
    fpl.activity = Activity.raiding
    m.violence.start_raid(fpl, village)
    m.violence.interrupt(fpl.raid, by="police")
    assert fpl.activity in (Activity.withdrawing, Activity.resting) and fpl.campaign == 0


def test_a_raid_that_ran_its_course_pays_the_grudge_against_that_village():
    m = model()
    fpl = named(m, "FPL")
    village = int(np.flatnonzero(m.villages.community == named(m, "Bero self-defence").community)[0])
    fpl.grievance[village] = fpl.revenge[village] = 3.0
    fpl.cell = int(m.villages.cell[village])
    fpl.activity = Activity.raiding
    m.violence.start_raid(fpl, village)
    m.violence.end_raid(fpl.raid)
    assert fpl.grievance[village] == fpl.revenge[village] == 0.0


SEEDS = range(6)


@pytest.fixture(scope="module")
def logs():
    """The default world for a year on the same seeds, with the conflict dynamics (+dynamics=conflict)
    and as it is by default, without them (no grievance from violence; every raid followed by the
    way home)."""
    arms = {"on": ["+dynamics=conflict"], "off": []}
    out = {}
    for label, overrides in arms.items():
        cfg = make_config(*overrides, small=False)
        out[label] = []
        for seed in SEEDS:
            m = POCModel(cfg.scenario, seed=seed)
            m.run(days=365)
            out[label].append(m.ledger.events_table().to_pandas())
    return out


def pattern_table(events_list):
    rows = []
    for events in events_list:
        log = patterns.from_run(events, 1.0)
        start = patterns.to_day(pd.Timestamp("2024-01-01"))
        rows.append({**patterns.patterns(log, start, start + 365, None),
                     "retaliations": (events["kind"] == "retaliation").sum()})
    return pd.DataFrame(rows)


def test_reprisal_cycles_and_campaigns_leave_bursts_and_space_time_clusters(logs):
    """Over six worlds, paired by seed: with retaliation and campaigns, one-sided violence comes in
    bursts (B > 0), its weekly counts are overdispersed and it clusters in space and time (Knox
    ratio) more than without them, in most worlds and on average."""
    on, off = pattern_table(logs["on"]), pattern_table(logs["off"])
    assert (on["retaliations"] > 0).all() and (off["retaliations"] == 0).all()
    assert (on["burstiness"] > off["burstiness"]).sum() >= 5
    assert on["burstiness"].mean() > off["burstiness"].mean() + 0.1
    assert (on["weekly_var_mean"] > off["weekly_var_mean"]).sum() >= 5
    assert on["weekly_var_mean"].mean() > 1.5 * off["weekly_var_mean"].mean()
    assert (on["knox_ratio"] > off["knox_ratio"]).sum() >= 4
    assert on["knox_ratio"].mean() > off["knox_ratio"].mean() + 0.1
