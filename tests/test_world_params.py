"""The world's numbers act through scenario.* config: speeds, threat by activity, camp placement
and settlement sizes follow their parameters, and a value that would break the model fails
validation with one line naming its key."""

import re

import numpy as np
import pytest

from pocsim.config import ConfigError
from pocsim.model import POCModel
from pocsim.world.armed_groups import Activity
from pocsim.world.terrain import NO_ROAD
from tests.conftest import make_config


def test_walking_speeds_and_fords_come_from_the_config():
    cfg = make_config("scenario.terrain.movement.foot_road_kmh=2.5",
                      "scenario.terrain.movement.ford_hours_per_km=3").scenario
    t = POCModel(cfg, seed=0).terrain
    foot, on_road = t.cost("foot"), t.road != NO_ROAD
    assert np.allclose(foot[on_road], 1 / 2.5)
    ford = t.river & ~on_road & t.land
    assert ford.any() and (foot[ford] >= 3).all()


def test_threat_by_activity_comes_from_the_config():
    g = POCModel(make_config("scenario.group_behaviour.intent.raiding=3").scenario, seed=0).groups[0]
    g.activity = Activity.advancing
    advancing = g.threat_emission()
    g.activity = Activity.raiding
    assert g.threat_emission() == pytest.approx(3 * advancing)


def test_camps_lie_within_camp_radius_km_of_a_village_of_their_community():
    """The radius is in km: on 2 km cells, 4 km is two cells."""
    cfg = make_config("scenario.terrain.cell_km=2", "scenario.group_behaviour.camp_radius_km=4").scenario
    m = POCModel(cfg, seed=1)
    v = m.villages
    remote = [g for g, c in zip(m.groups, cfg.groups) if c.home == "remote"]
    assert remote
    for g in remote:
        own = v.community == g.community
        hx, hy = m.terrain.xy(g.home)
        assert np.maximum(abs(v.x[own] - hx), abs(v.y[own] - hy)).min() <= 2


def test_settlements_are_at_least_min_population():
    v = POCModel(make_config("scenario.villages.min_population=200").scenario, seed=0).villages
    assert v.population.min() >= 200


@pytest.mark.parametrize("override", [
    "scenario.group_behaviour.choice_temperature=0",
    "scenario.group_behaviour.intent.raiding=-1",
    "scenario.terrain.movement.foot_forest_kmh=0",
    "scenario.terrain.town_river_km=0",
    "scenario.villages.cluster_size=0",
    "scenario.villages.min_vulnerability=0",
    "scenario.violence.incident_deaths_mean=-0.5",
    "scenario.threat.projected_ahead=-0.1",
])
def test_a_value_that_would_break_the_model_is_refused_by_name(override):
    key = override.split("=")[0]
    with pytest.raises(ConfigError, match=f"^{re.escape(key)}: "):
        make_config(override)
