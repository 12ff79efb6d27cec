"""Movement cost per cell for each mode, in hours per km.

Speeds are ordinary field figures: walking 4 km/h on open savanna and 2.5 km/h in forest, slowed on
slopes by Tobler's hiking function; vehicles at 40 km/h on main roads, 15 km/h on tracks, 12 km/h
across flat savanna and not at all through forest, rivers without a bridge, or water.
"""

from __future__ import annotations

import numpy as np

from pocsim.world.terrain import FOREST, MAIN_ROAD, NO_ROAD, SAVANNA, TRACK, WATER, Terrain

MODES = ("foot", "vehicle_road", "vehicle_offroad", "vehicle")

FOOT_KMH = {SAVANNA: 4.0, FOREST: 2.5}
FOOT_ROAD_KMH = 5.0
FORD_HOURS_PER_KM = 1.0  # wading or finding a canoe where no road bridges the river
VEHICLE_ROAD_KMH = {MAIN_ROAD: 40.0, TRACK: 15.0}
VEHICLE_SAVANNA_KMH = 12.0
VEHICLE_MAX_SLOPE = 0.15


def _tobler_factor(slope: np.ndarray) -> np.ndarray:
    # Tobler: speed = 6 exp(-3.5 |s + 0.05|) km/h; relative to flat ground, direction-free.
    return np.exp(-3.5 * slope)


def movement_cost(terrain: Terrain, mode: str) -> np.ndarray:
    if mode not in MODES:
        raise ValueError(f"movement mode must be one of {MODES}, got {mode!r}")
    lc, road, river = terrain.landcover, terrain.road, terrain.river
    water = lc == WATER
    on_road = road != NO_ROAD
    if mode == "vehicle":
        # Groups with vehicles drive where they can and walk the rest.
        return np.minimum(terrain.cost("foot"), terrain.cost("vehicle_offroad"))

    speed = np.zeros(terrain.shape)
    if mode == "foot":
        speed[lc == SAVANNA] = FOOT_KMH[SAVANNA]
        speed[lc == FOREST] = FOOT_KMH[FOREST]
        speed *= _tobler_factor(terrain.slope())
        speed[on_road] = FOOT_ROAD_KMH
    else:
        for kind, kmh in VEHICLE_ROAD_KMH.items():
            speed[road == kind] = kmh
        if mode == "vehicle_offroad":
            drivable = (lc == SAVANNA) & ~on_road & ~river & (terrain.slope() < VEHICLE_MAX_SLOPE)
            speed[drivable] = VEHICLE_SAVANNA_KMH
    # A road crossing water is a causeway or bridge; open water without one is impassable.
    speed[water & ~on_road] = 0.0
    with np.errstate(divide="ignore"):
        cost = np.where(speed > 0, 1.0 / np.where(speed > 0, speed, 1.0), np.inf)
    if mode == "foot":
        cost = cost + np.where(river & ~on_road & ~water, FORD_HOURS_PER_KM, 0.0)
    return np.ascontiguousarray(cost, dtype=np.float64)
