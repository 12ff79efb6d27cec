"""The rainy season (scenario.seasons): the calendar sets it, and it slows everyone on the ground."""

import numpy as np
import pytest

from pocsim.config import ConfigError
from pocsim.model import POCModel
from pocsim.world.terrain import DRY, MAIN_ROAD, NO_ROAD, TRACK, WET
from tests.conftest import make_config

RAINS = "scenario.seasons.rainy_months=[5,6,7,8,9,10]"


def model(*overrides, seed=0, small=True):
    cfg = make_config(RAINS, *overrides, small=small)
    return POCModel(cfg.scenario, seed=seed)


def both(m, mode):
    m.terrain.season = DRY
    dry = m.terrain.cost(mode).copy()
    m.terrain.season = WET
    return dry, m.terrain.cost(mode)


def test_rain_slows_walking_off_the_main_roads_and_keeps_vehicles_on_the_roads():
    m = model()
    rain, road = m.scenario.seasons, m.terrain.road
    dry, wet = both(m, "foot")
    assert np.array_equal(wet[road == MAIN_ROAD], dry[road == MAIN_ROAD])
    off_main = (road != MAIN_ROAD) & np.isfinite(dry)
    ford = m.scenario.terrain.movement.ford_hours_per_km * (m.terrain.river & (road == NO_ROAD))
    assert np.allclose((wet - ford)[off_main], rain.foot_slowdown * (dry - ford)[off_main])
    dry, wet = both(m, "vehicle_offroad")
    assert np.isfinite(dry[road == NO_ROAD]).any() and not np.isfinite(wet[road == NO_ROAD]).any()
    assert np.allclose(wet[road == TRACK], rain.track_slowdown * dry[road == TRACK])
    assert np.array_equal(wet[road == MAIN_ROAD], dry[road == MAIN_ROAD])
    dry, wet = both(m, "vehicle")  # drives where it can, walks the rest: never faster in the rains
    assert (wet >= dry).all() and (wet > dry).any()


@pytest.mark.parametrize("start, days, season", [("2024-04-29", 0, DRY), ("2024-04-29", 2, WET),
                                                  ("2024-10-30", 1, WET), ("2024-10-30", 2, DRY)])
def test_the_calendar_sets_the_season(start, days, season):
    m = model(f"scenario.start_date={start}")
    m.run(days=days)
    assert m.terrain.season == season


def test_without_rainy_months_the_ground_never_changes():
    cfg = make_config("scenario.start_date=2024-06-01")
    m = POCModel(cfg.scenario, seed=0)
    m.run(days=2)
    assert m.terrain.season == DRY and m.terrain.seasons is None
    m.terrain.season = WET  # even if asked: no rains configured, no change in cost
    assert np.array_equal(m.terrain.cost("foot"), both(m, "foot")[0])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_in_the_rains_groups_on_foot_reach_fewer_villages(seed):
    """Within the same search range, the rains take villages out of reach of groups on foot; groups
    with vehicles, who walk where they cannot drive, reach no more than in the dry season."""
    m = model(seed=seed, small=False)
    hours = m.scenario.violence.search_hours
    cells = m.villages.cell
    for g in m.groups:
        reached = {}
        for season in (DRY, WET):
            m.terrain.season = season
            reached[season] = np.isfinite(m.terrain.reach(g.mode, g.home, hours, m.engine)[0].ravel()[cells]).sum()
        assert reached[WET] <= reached[DRY], g.name
        if g.mode == "foot":
            assert reached[WET] < reached[DRY], g.name


@pytest.mark.parametrize("months", ["[0,5]", "[5,5]", "[13]"])
def test_bad_months_are_refused(months):
    with pytest.raises(ConfigError, match="scenario.seasons.rainy_months"):
        make_config(f"scenario.seasons.rainy_months={months}")
