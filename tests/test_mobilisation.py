"""Mobilisation (pocsim/world/mobilisation.py): groups grow where their community suffers, capped, and
rest by their strength; state forces do neither; off by default."""

import math

import numpy as np
import pytest

from pocsim.config import GroupKind
from pocsim.model import POCModel
from tests.conftest import make_config

ON = "scenario.group_behaviour.mobilisation.enabled=true"


def model(*overrides):
    return POCModel(make_config(*overrides).scenario, seed=2)


def test_deaths_add_to_their_communitys_losses_which_fade():
    m = model(ON)
    village = 5
    community = m.villages.community[village]
    m.harm(village, 3, 0, 0, np.random.default_rng(0))
    assert m.mobilisation.losses[community] == 3 and m.mobilisation.losses.sum() == 3
    m.mobilisation.daily()
    half_life = m.scenario.group_behaviour.grievance_half_life_days
    assert m.mobilisation.losses[community] == pytest.approx(3 * 0.5 ** (1 / half_life))


def test_groups_recruit_from_a_suffering_community_up_to_their_ceiling():
    m = model(ON)
    cfg = m.scenario.group_behaviour.mobilisation
    g = next(g for g in m.groups if g.kind != GroupKind.state)
    state = next(g for g in m.groups if g.kind == GroupKind.state)
    m.mobilisation.losses[:] = 0.0
    m.mobilisation.losses[g.community] = 20.0
    m.mobilisation.losses[state.community] = 20.0
    before, state_before = g.strength, state.strength
    m.mobilisation.daily()
    room = 1 - before / (cfg.strength_cap * g.initial_strength)
    assert g.strength == pytest.approx(before + room * cfg.recruit_rate * math.log1p(20.0) * before)
    assert state.strength == state_before
    for _ in range(5000):  # a long war: growth slows and stops at the ceiling
        m.mobilisation.losses[g.community] = 20.0
        m.mobilisation.daily()
    assert g.strength == pytest.approx(cfg.strength_cap * g.initial_strength, rel=1e-3)
    assert g.strength <= cfg.strength_cap * g.initial_strength


def test_off_by_default_nobody_recruits_and_rests_are_as_before():
    m = model()
    g = next(g for g in m.groups if g.kind != GroupKind.state)
    m.mobilisation.losses[g.community] = 50.0
    before = g.strength
    m.mobilisation.daily()
    assert g.strength == before
    g.strength = before / 2  # weakened, it still rests as long as ever
    assert m.mobilisation.rest_factor(g) == 1.0


def test_a_weakened_group_rests_longer_a_grown_one_less():
    """The same keyed draw (the group's k-th rest) at full, half and double strength."""
    rests = {}
    for share in (1.0, 0.5, 2.0):
        m = model(ON)
        g = next(g for g in m.groups if g.kind != GroupKind.state)
        g.strength = share * g.initial_strength
        g.schedule_rest()
        rests[share] = g.rest_until - m.t
    assert abs(rests[0.5] - 2 * rests[1.0]) <= 1 and abs(rests[2.0] - rests[1.0] / 2) <= 1
