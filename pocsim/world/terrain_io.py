"""Load a real area described by a planner: a .npz of named layers and a CSV of settlements.

Layers file (.npz), arrays of one shape (height, width):
  elevation  float, metres (required)
  landcover  int codes 0 savanna, 1 forest, 2 water (required)
  road       int codes 0 none, 1 track, 2 main road (required)
  river      0/1 (optional; derived from the elevation's drainage when absent)
  lon0, lat0, dlon, dlat  scalars (optional): centre of cell (0, 0) and degrees per cell, needed
             only when settlements are given by lon/lat (dlat is negative for a north-up grid)
Settlements file (.csv), one row per settlement:
  name, population, and either x, y (cell column and row) or lon, lat (required)
  is_town (0/1), community (a name from scenario.villages.communities),
  vulnerability (0..1), phone_coverage (0/1)   (optional; generated from position when absent)
Every problem raises ConfigError naming the file and what is allowed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from pocsim.config import ConfigError, TerrainConfig, VillagesConfig
from pocsim.world.hydrology import drainage
from pocsim.world.settlement import describe
from pocsim.world.terrain import FOREST, MAIN_ROAD, NO_ROAD, SAVANNA, TRACK, WATER, Terrain
from pocsim.world.villages import Villages

REQUIRED_LAYERS = ("elevation", "landcover", "road")
GEOREF = ("lon0", "lat0", "dlon", "dlat")


def _fail(path, msg: str):
    raise ConfigError(f"{path}: {msg}")


def _existing(path: str | None, key: str) -> Path:
    p = Path(path).expanduser()
    if not p.is_file():
        raise ConfigError(f"{key}: file not found: {path}")
    return p


def load_layers(cfg: TerrainConfig) -> tuple[Terrain, dict]:
    path = _existing(cfg.layers_file, "scenario.terrain.layers_file")
    try:
        with np.load(path, allow_pickle=False) as npz:
            layers = {k: npz[k] for k in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile) as e:
        _fail(path, f"not a readable .npz of named arrays ({e.__class__.__name__})")
    missing = [k for k in REQUIRED_LAYERS if k not in layers]
    if missing:
        _fail(path, f"missing layer(s) {missing}; required: {list(REQUIRED_LAYERS)}")
    shape = layers["elevation"].shape
    if len(shape) != 2 or min(shape) < 2:
        _fail(path, f"layer 'elevation' must be a 2-D grid of at least 2x2 cells, got shape {shape}")
    for k in ("landcover", "road", "river"):
        if k in layers and layers[k].shape != shape:
            _fail(path, f"layer '{k}' has shape {layers[k].shape}, expected {shape} like 'elevation'")
    elevation = layers["elevation"].astype(np.float64)
    if not np.isfinite(elevation).all():
        _fail(path, "layer 'elevation' must be finite everywhere")
    for k, allowed in (("landcover", (SAVANNA, FOREST, WATER)), ("road", (NO_ROAD, TRACK, MAIN_ROAD)),
                       ("river", (0, 1))):
        if k in layers and not np.isin(layers[k], allowed).all():
            _fail(path, f"layer '{k}' must hold only the codes {list(allowed)}")
    landcover = layers["landcover"].astype(np.uint8)
    if "river" in layers:
        river = layers["river"].astype(bool)
    else:
        _, _, area = drainage(elevation)
        river = (area.reshape(shape) * cfg.cell_km**2 >= cfg.river_catchment_km2) & (landcover != WATER)
    georef = {k: float(layers[k]) for k in GEOREF if k in layers and np.ndim(layers[k]) == 0}
    terrain = Terrain(cfg.cell_km, np.ascontiguousarray(elevation), landcover, river, layers["road"].astype(np.uint8),
                      cfg)
    return terrain, georef


def load_settlements(cfg: TerrainConfig, vcfg: VillagesConfig, terrain: Terrain, georef: dict, rng) -> Villages:
    import pandas as pd  # only a scenario loaded from files needs it

    path = _existing(cfg.settlements_file, "scenario.terrain.settlements_file")
    try:
        df = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        _fail(path, f"not a readable CSV ({e.__class__.__name__})")
    cols = set(df.columns)
    if not {"name", "population"} <= cols or not ({"x", "y"} <= cols or {"lon", "lat"} <= cols):
        _fail(path, f"columns must include name, population and x, y or lon, lat; found {sorted(cols)}")
    if len(df) == 0:
        _fail(path, "holds no settlements")
    if df[["population"]].isna().any().any() or not pd.api.types.is_numeric_dtype(df["population"]):
        _fail(path, "column 'population' must be a number in every row")
    if (df["population"] < 0).any():
        _fail(path, f"column 'population' must be >= 0 (row {int(np.argmax(df['population'] < 0)) + 2})")
    ny, nx = terrain.shape
    if {"x", "y"} <= cols:
        x, y = df["x"].to_numpy(), df["y"].to_numpy()
    else:
        if set(GEOREF) - set(georef):
            _fail(path, f"lon/lat settlements need the scalars {list(GEOREF)} in the layers file")
        x = (df["lon"].to_numpy() - georef["lon0"]) / georef["dlon"]
        y = (df["lat"].to_numpy() - georef["lat0"]) / georef["dlat"]
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        _fail(path, "coordinates must be numbers in every row")
    x, y = np.round(x).astype(np.int64), np.round(y).astype(np.int64)
    outside = (x < 0) | (y < 0) | (x >= nx) | (y >= ny)
    if outside.any():
        _fail(path, f"settlement '{df['name'].iloc[int(np.argmax(outside))]}' lies outside the {nx}x{ny} grid")
    cells = y * nx + x
    if (terrain.landcover.ravel()[cells] == WATER).any():
        _fail(path, f"settlement '{df['name'].iloc[int(np.argmax(terrain.landcover.ravel()[cells] == WATER))]}' lies on water")
    if len(np.unique(cells)) != len(cells):
        _fail(path, "two settlements share one cell; merge them or use a finer grid")

    given = {}
    if "vulnerability" in cols:
        v = df["vulnerability"].to_numpy(dtype=float)
        if not ((v > 0) & (v <= 1)).all():
            _fail(path, "column 'vulnerability' must be in (0, 1]")
        given["vulnerability"] = v
    if "phone_coverage" in cols:
        given["phone_coverage"] = df["phone_coverage"].to_numpy().astype(bool)
    if "community" in cols:
        unknown = sorted(set(df["community"].astype(str)) - set(vcfg.communities))
        if unknown:
            _fail(path, f"column 'community' has {unknown}; allowed: {list(vcfg.communities)} (scenario.villages.communities)")
        given["community"] = df["community"].astype(str).map({c: i for i, c in enumerate(vcfg.communities)}).to_numpy()
    if "is_town" in cols:
        is_town = df["is_town"].to_numpy().astype(bool)
    else:
        # Without a flag, the largest places on a main road count as towns.
        on_main = terrain.road.ravel()[cells] == MAIN_ROAD
        is_town = on_main & (df["population"].to_numpy() >= vcfg.town_min_population)
    return describe(terrain, cells, is_town, df["population"].to_numpy().round().astype(np.int64),
                    df["name"].astype(str).to_numpy(), vcfg, rng, given)
