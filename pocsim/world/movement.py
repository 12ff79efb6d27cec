"""Movement cost per cell for each mode, in hours per km.

Speeds are scenario.terrain.movement: walking on open savanna, in forest and on roads, slowed on
slopes by Tobler's hiking function; vehicles on main roads, on tracks and across flat savanna,
and not at all through forest, rivers without a bridge, or water. In the rainy season
(`terrain.season == "wet"`, scenario.seasons) walking off the main roads is slower by
`foot_slowdown`, driving on tracks by `track_slowdown`, and vehicles cannot leave the roads.
"""

from __future__ import annotations

import numpy as np

from pocsim.world.terrain import FOREST, MAIN_ROAD, NO_ROAD, SAVANNA, TRACK, WATER, WET, Terrain

MODES = ("foot", "vehicle_road", "vehicle_offroad", "vehicle")


def movement_cost(terrain: Terrain, mode: str) -> np.ndarray:
    """Hours per km to cross each cell in `mode`, in the terrain's current season."""
    if mode not in MODES:
        raise ValueError(f"movement mode must be one of {MODES}, got {mode!r}")
    cfg = terrain.cfg.movement
    wet, rain = terrain.season == WET and terrain.seasons is not None, terrain.seasons
    lc, road, river = terrain.landcover, terrain.road, terrain.river
    water = lc == WATER
    on_road = road != NO_ROAD
    if mode == "vehicle":
        # Groups with vehicles drive where they can and walk the rest.
        return np.minimum(terrain.cost("foot"), terrain.cost("vehicle_offroad"))

    speed = np.zeros(terrain.shape)
    if mode == "foot":
        speed[lc == SAVANNA] = cfg.foot_savanna_kmh
        speed[lc == FOREST] = cfg.foot_forest_kmh
        # Tobler: speed = 6 exp(-3.5 |s + 0.05|) km/h; here relative to flat ground, direction-free.
        speed *= np.exp(-cfg.slope_decay * terrain.slope())
        speed[on_road] = cfg.foot_road_kmh
        if wet:
            speed[road != MAIN_ROAD] /= rain.foot_slowdown
    else:
        speed[road == MAIN_ROAD] = cfg.vehicle_main_road_kmh
        speed[road == TRACK] = cfg.vehicle_track_kmh / (rain.track_slowdown if wet else 1.0)
        if mode == "vehicle_offroad" and not wet:  # in the rains nobody drives across country
            drivable = (lc == SAVANNA) & ~on_road & ~river & (terrain.slope() < cfg.vehicle_max_slope)
            speed[drivable] = cfg.vehicle_savanna_kmh
    # A road crossing water is a causeway or bridge; open water without one is impassable.
    speed[water & ~on_road] = 0.0
    with np.errstate(divide="ignore"):
        cost = np.where(speed > 0, 1.0 / np.where(speed > 0, speed, 1.0), np.inf)
    if mode == "foot":
        cost = cost + np.where(river & ~on_road & ~water, cfg.ford_hours_per_km, 0.0)
    return np.ascontiguousarray(cost, dtype=np.float64)
