"""Procedural landscape: relief, rivers and lakes, land cover, towns and the main-road network.

Everything is drawn from the `terrain` random stream, so the landscape depends on the seed only.
The order follows how a real landscape comes about: relief shapes drainage, drainage shapes where
forest grows and where towns sit, and main roads join the towns along the cheapest ground to build on.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import minimum_spanning_tree

from pocsim.config import ConfigError, TerrainConfig
from pocsim.kernels.travel import path_from_parents, travel_times_with_parents
from pocsim.world.hydrology import drainage
from pocsim.world.terrain import FOREST, MAIN_ROAD, NO_ROAD, SAVANNA, WATER, Terrain


def fractal_noise(rng: np.random.Generator, shape, scales_cells, weights) -> np.ndarray:
    """Sum of smoothed white noise at several scales, each normalised to unit spread."""
    out = np.zeros(shape)
    for scale, weight in zip(scales_cells, weights):
        layer = ndimage.gaussian_filter(rng.standard_normal(shape), max(scale, 0.5), mode="reflect")
        out += weight * (layer - layer.mean()) / (layer.std() + 1e-12)
    return out


def build_cost(terrain: Terrain) -> np.ndarray:
    """Cost of building a road across each cell, per km, relative to flat open savanna (1):
    steep ground, forest and bridges are expensive; existing roads are cheap to follow."""
    cfg = terrain.cfg
    cost = 1.0 + cfg.road_cost_slope * terrain.slope()
    cost = cost + np.where(terrain.landcover == FOREST, cfg.road_cost_forest, 0.0)
    cost = cost + np.where(terrain.river, cfg.road_cost_bridge, 0.0)
    cost = np.where(terrain.landcover == WATER, np.inf, cost)
    return np.ascontiguousarray(np.where(terrain.road != NO_ROAD, cfg.road_cost_existing, cost))


def generate_landscape(cfg: TerrainConfig, rng: np.random.Generator) -> Terrain:
    """Relief, lakes, rivers and land cover; no roads yet."""
    shape = (cfg.height, cfg.width)
    km = cfg.cell_km
    # Octaves of halving wavelength, from the coarsest down.
    weights = cfg.relief_octave_weights
    relief = fractal_noise(rng, shape, [cfg.relief_scale_km / 2**k / km for k in range(len(weights))], weights)
    # A regional tilt makes the rivers drain towards one side, as on a real plateau.
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    tilt = (np.cos(angle) * xx + np.sin(angle) * yy) / max(shape)
    relief = relief + cfg.relief_tilt * tilt
    relief = (relief - relief.min()) / (np.ptp(relief) + 1e-12)
    elevation = cfg.base_elevation_m + cfg.relief_m * relief

    filled, _, area = drainage(elevation)
    area = area.reshape(shape) * km * km
    river = area >= cfg.river_catchment_km2
    depth = filled - elevation
    lake = depth > cfg.lake_min_depth_m
    if lake.mean() > cfg.lake_share:
        lake = depth > np.quantile(depth, 1.0 - cfg.lake_share)
    river &= ~lake

    # Forest grows where it is moist: near rivers and in wetter patches.
    dist_river_km = ndimage.distance_transform_edt(~river) * km
    moisture = (fractal_noise(rng, shape, [cfg.moisture_scale_km / km, cfg.moisture_detail_km / km],
                              [1.0, cfg.moisture_detail_weight])
                + cfg.river_moisture * np.exp(-dist_river_km / cfg.river_moisture_km))
    landcover = np.full(shape, SAVANNA, dtype=np.uint8)
    if cfg.forest_share > 0:
        landcover[moisture > np.quantile(moisture[~lake], 1.0 - cfg.forest_share)] = FOREST
    landcover[lake] = WATER
    return Terrain(km, elevation, landcover, river, np.zeros(shape, dtype=np.uint8), cfg)


def place_towns(terrain: Terrain, cfg: TerrainConfig, rng: np.random.Generator) -> np.ndarray:
    """Flat indices of towns: on flat savanna near rivers, at least town_spacing_km apart
    (the spacing is relaxed if the map is too small to hold them all)."""
    ny, nx = terrain.shape
    km = terrain.cell_km
    dist_river_km = ndimage.distance_transform_edt(~terrain.river) * km
    near_river = 1 + cfg.town_river_pull * np.exp(-dist_river_km / cfg.town_river_km)
    suit = np.exp(-cfg.town_slope_aversion * terrain.slope()) * near_river
    suit *= np.where(terrain.landcover == FOREST, cfg.town_forest_factor, 1.0) * terrain.land * ~terrain.river
    margin = max(1, int(round(cfg.town_margin_km / km)))
    suit[:margin], suit[-margin:], suit[:, :margin], suit[:, -margin:] = 0, 0, 0, 0
    yy, xx = np.mgrid[0:ny, 0:nx]
    spacing = cfg.town_spacing_km / km
    towns: list[int] = []
    while len(towns) < cfg.n_towns:
        w = suit.copy()
        for t in towns:
            ty, tx = divmod(t, nx)
            w[(yy - ty) ** 2 + (xx - tx) ** 2 < spacing**2] = 0
        if w.sum() <= 0:
            if spacing < 1:
                raise ConfigError(f"scenario.terrain.n_towns: the terrain has no room for {cfg.n_towns} towns")
            spacing /= 2
            continue
        flat = w.ravel()
        towns.append(int(rng.choice(flat.size, p=flat / flat.sum())))
    return np.array(towns, dtype=np.int64)


def build_main_roads(terrain: Terrain, towns: np.ndarray, extra_links: int) -> None:
    """Join the towns by main roads: the minimum spanning tree of least-cost routes, plus the
    cheapest extra links (a network with loops, as real ones have). Writes terrain.road."""
    cost = build_cost(terrain)
    n = len(towns)
    routes = np.full((n, n), np.inf)
    parents = []
    for i, t in enumerate(towns):
        times, parent = travel_times_with_parents(cost, np.array([t]), terrain.cell_km)
        routes[i] = times.ravel()[towns]
        parents.append(parent)
    routes[~np.isfinite(routes)] = 0  # unreachable pairs (towns on islands) get no road
    tree = minimum_spanning_tree(csr_matrix(np.triu(routes))).toarray()
    links = [(i, j) for i, j in zip(*np.nonzero(tree))]
    spare = sorted((routes[i, j], i, j) for i in range(n) for j in range(i + 1, n)
                   if routes[i, j] > 0 and tree[i, j] == 0 and tree[j, i] == 0)
    links += [(i, j) for _, i, j in spare[:extra_links]]
    road = terrain.road.ravel()
    for i, j in links:
        road[path_from_parents(parents[i], towns[j])] = MAIN_ROAD
    terrain.invalidate_costs()
