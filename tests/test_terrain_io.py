"""A planner's own area: layers from .npz, settlements from CSV, and clear errors for bad files."""

import numpy as np
import pandas as pd
import pytest

from pocsim.config import ConfigError
from pocsim.model import POCModel
from pocsim.streams import Streams
from pocsim.world.world import build_world
from tests.conftest import make_config


@pytest.fixture(scope="module")
def world():
    return build_world(make_config().scenario, Streams(2))


def write_files(tmp_path, world, layers=None, rows=None):
    t, v = world.terrain, world.villages
    data = dict(elevation=t.elevation, landcover=t.landcover, road=t.road, river=t.river.astype(np.uint8))
    data.update(layers or {})
    npz = tmp_path / "area.npz"
    np.savez(npz, **{k: val for k, val in data.items() if val is not None})
    df = pd.DataFrame({"name": v.name, "x": v.x, "y": v.y, "population": v.population,
                       "is_town": v.is_town.astype(int)})
    if rows is not None:
        df = rows(df)
    csv = tmp_path / "settlements.csv"
    df.to_csv(csv, index=False)
    return npz, csv


def file_config(npz, csv):
    return make_config("scenario.terrain.source=file", f"scenario.terrain.layers_file={npz}",
                       f"scenario.terrain.settlements_file={csv}")


def test_loaded_area_matches_the_files_and_runs(tmp_path, world):
    npz, csv = write_files(tmp_path, world)
    cfg = file_config(npz, csv)
    loaded = build_world(cfg.scenario, Streams(0))
    np.testing.assert_array_equal(loaded.terrain.road, world.terrain.road)
    np.testing.assert_array_equal(loaded.villages.cell, world.villages.cell)
    np.testing.assert_array_equal(loaded.villages.population, world.villages.population)
    model = POCModel(cfg.scenario, seed=0)
    model.run(days=2)
    assert model.villages.alive + model.villages.deaths.sum() == model.villages.population.sum()


def test_settlements_by_lon_lat_and_rivers_derived(tmp_path, world):
    georef = dict(lon0=np.float64(20.0), lat0=np.float64(6.0), dlon=np.float64(0.01), dlat=np.float64(-0.01))
    npz, csv = write_files(tmp_path, world, layers={"river": None, **georef}, rows=lambda df: df.assign(
        lon=20.0 + df.x * 0.01, lat=6.0 - df.y * 0.01).drop(columns=["x", "y"]))
    loaded = build_world(file_config(npz, csv).scenario, Streams(0))
    np.testing.assert_array_equal(loaded.villages.cell, world.villages.cell)
    assert loaded.terrain.river.any()


BAD = [
    ("missing layer", dict(layers={"road": None}), "missing layer"),
    ("shape", dict(layers={"road": np.zeros((5, 5), np.uint8)}), "has shape"),
    ("codes", dict(layers={"landcover": np.full((60, 60), 7, np.uint8)}), "codes"),
    ("negative population", dict(rows=lambda df: df.assign(population=-df.population)), "population"),
    ("outside", dict(rows=lambda df: df.assign(x=df.x + 1000)), "outside"),
    ("no coordinates", dict(rows=lambda df: df.drop(columns=["y"])), "columns must include"),
    ("lon/lat without georef", dict(rows=lambda df: df.rename(columns={"x": "lon", "y": "lat"})), "lon0"),
    ("unknown community", dict(rows=lambda df: df.assign(community="Zed")), "community"),
]


@pytest.mark.parametrize("case,kwargs,message", BAD, ids=[b[0] for b in BAD])
def test_bad_files_are_rejected_naming_the_file(tmp_path, world, case, kwargs, message):
    npz, csv = write_files(tmp_path, world, **kwargs)
    with pytest.raises(ConfigError, match=message) as err:
        build_world(file_config(npz, csv).scenario, Streams(0))
    assert str(npz) in str(err.value) or str(csv) in str(err.value)


def test_unreadable_and_missing_files(tmp_path, world):
    npz, csv = write_files(tmp_path, world)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match="not a readable .npz"):
        build_world(file_config(junk, csv).scenario, Streams(0))
    with pytest.raises(ConfigError, match="layers_file: file not found"):
        build_world(file_config(tmp_path / "nope.npz", csv).scenario, Streams(0))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ConfigError, match="not a readable CSV"):
        build_world(file_config(npz, empty).scenario, Streams(0))
