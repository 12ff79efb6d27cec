"""Terrain, roads and settlements: the structure planners rely on."""

import numpy as np
import pytest
from scipy import ndimage

from pocsim.kernels.travel import travel_times
from pocsim.streams import Streams
from pocsim.world.hydrology import drainage
from pocsim.world.terrain import FOREST, MAIN_ROAD, NO_ROAD, SAVANNA, WATER
from pocsim.world.world import build_world
from tests.conftest import make_config


def mean_nearest(xy):
    d = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) + np.eye(len(xy)) * 1e9
    return d.min(1).mean()


@pytest.fixture(scope="module")
def default_world():
    return build_world(make_config(small=False).scenario, Streams(0))


def test_layers_have_the_grid_shape_and_valid_codes(default_world):
    t = default_world.terrain
    assert t.shape == (200, 200)
    assert set(np.unique(t.landcover)) <= {SAVANNA, FOREST, WATER}
    assert set(np.unique(t.road)) == {0, 1, 2}
    for code in (SAVANNA, FOREST):
        assert (t.landcover == code).mean() > 0.1
    assert 0 < t.river.mean() < 0.1


def test_every_cell_drains_to_the_border():
    elev = np.random.default_rng(1).random((30, 40))
    filled, downstream, area = drainage(elev)
    assert (filled >= elev).all()
    border = np.zeros_like(elev, dtype=bool)
    border[0], border[-1], border[:, 0], border[:, -1] = True, True, True, True
    # all drainage area ends at the border, none is lost or created
    assert area[border.ravel()].sum() == pytest.approx(elev.size)


def test_main_roads_connect_all_towns_by_vehicle(default_world):
    t, v = default_world.terrain, default_world.villages
    towns = v.cell[v.is_town]
    assert (t.road.ravel()[towns] == MAIN_ROAD).all()
    times = travel_times(t.cost("vehicle_road"), towns[:1], t.cell_km)
    assert np.isfinite(times.ravel()[towns]).all()


def test_roads_are_faster_than_open_country(default_world):
    t = default_world.terrain
    foot, car = t.cost("foot"), t.cost("vehicle_road")
    assert np.median(car[t.road == MAIN_ROAD]) < np.median(foot[t.road == NO_ROAD]) / 5
    assert np.isinf(foot[(t.landcover == WATER) & (t.road == NO_ROAD)]).all()
    assert np.isinf(car[t.road == NO_ROAD]).all()


def test_villages_cluster_on_roads_and_rivers_with_many_far_off_road(default_world):
    t, v = default_world.terrain, default_world.villages
    assert len(v) == 600 and v.is_town.sum() == 8
    assert len(np.unique(v.cell)) == len(v)
    assert (t.landcover.ravel()[v.cell] != WATER).all()
    near_road = (v.road_km <= 2).mean()
    far = (v.road_km > 5).mean()
    assert near_road > 0.35  # strung along roads and tracks
    assert far > 0.2  # a substantial share hours' walk from any road
    # off-road villages are clustered: nearer to each other than villages placed at random
    # on the same remote land would be
    remote = t.land & (ndimage.distance_transform_edt(t.road == NO_ROAD) * t.cell_km > 5)
    xy = np.column_stack([v.x, v.y])[v.road_km > 5].astype(float)
    rng = np.random.default_rng(0)
    ry, rx = np.nonzero(remote)
    pick = rng.choice(len(rx), size=len(xy), replace=False)
    assert mean_nearest(xy) < 0.75 * mean_nearest(np.column_stack([rx[pick], ry[pick]]).astype(float))
    assert v.population[v.is_town].min() > np.median(v.population[~v.is_town])
    assert v.phone_coverage[v.road_km <= 2].mean() > v.phone_coverage[v.road_km > 5].mean()


def test_world_depends_on_the_seed_only():
    cfg = make_config().scenario
    a = build_world(cfg, Streams(4))
    streams = Streams(4)
    streams["mission"].random(1000)  # other parts drawing first must not change the world
    streams["groups"].random(10)
    b = build_world(cfg, streams)
    c = build_world(cfg, Streams(5))
    for layer in ("elevation", "landcover", "river", "road"):
        np.testing.assert_array_equal(getattr(a.terrain, layer), getattr(b.terrain, layer))
    np.testing.assert_array_equal(a.villages.cell, b.villages.cell)
    np.testing.assert_array_equal(a.villages.population, b.villages.population)
    assert not np.array_equal(a.terrain.elevation, c.terrain.elevation)
