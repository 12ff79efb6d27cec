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

BASE_ELEVATION_M = 400.0


def fractal_noise(rng: np.random.Generator, shape, scales_cells, weights) -> np.ndarray:
    """Sum of smoothed white noise at several scales, each normalised to unit spread."""
    out = np.zeros(shape)
    for scale, weight in zip(scales_cells, weights):
        layer = ndimage.gaussian_filter(rng.standard_normal(shape), max(scale, 0.5), mode="reflect")
        out += weight * (layer - layer.mean()) / (layer.std() + 1e-12)
    return out


def build_cost(terrain: Terrain) -> np.ndarray:
    """Hours-equivalent cost of building a road across each cell: steep ground, forest and
    bridges are expensive; existing roads are cheap to follow."""
    cost = 1.0 + 40.0 * terrain.slope()
    cost = cost + np.where(terrain.landcover == FOREST, 1.5, 0.0) + np.where(terrain.river, 6.0, 0.0)
    cost = np.where(terrain.landcover == WATER, np.inf, cost)
    return np.ascontiguousarray(np.where(terrain.road != NO_ROAD, 0.3, cost))


def generate_landscape(cfg: TerrainConfig, rng: np.random.Generator) -> Terrain:
    """Relief, lakes, rivers and land cover; no roads yet."""
    shape = (cfg.height, cfg.width)
    km = cfg.cell_km
    relief = fractal_noise(rng, shape, [s / km for s in (40, 20, 10, 5)], [1.0, 0.5, 0.25, 0.12])
    # A regional tilt makes the rivers drain towards one side, as on a real plateau.
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    tilt = (np.cos(angle) * xx + np.sin(angle) * yy) / max(shape)
    relief = relief + 3.0 * tilt
    relief = (relief - relief.min()) / (np.ptp(relief) + 1e-12)
    elevation = BASE_ELEVATION_M + cfg.relief_m * relief

    filled, _, area = drainage(elevation)
    area = area.reshape(shape) * km * km
    river = area >= cfg.river_catchment_km2
    depth = filled - elevation
    lake = depth > 0.5
    if lake.mean() > cfg.lake_share:
        lake = depth > np.quantile(depth, 1.0 - cfg.lake_share)
    river &= ~lake

    # Forest grows where it is moist: near rivers and in wetter patches.
    dist_river_km = ndimage.distance_transform_edt(~river) * km
    moisture = fractal_noise(rng, shape, [s / km for s in (30, 8)], [1.0, 0.4]) + 1.5 * np.exp(-dist_river_km / 3)
    landcover = np.full(shape, SAVANNA, dtype=np.uint8)
    if cfg.forest_share > 0:
        landcover[moisture > np.quantile(moisture[~lake], 1.0 - cfg.forest_share)] = FOREST
    landcover[lake] = WATER
    return Terrain(km, elevation, landcover, river, np.zeros(shape, dtype=np.uint8))


def place_towns(terrain: Terrain, cfg: TerrainConfig, rng: np.random.Generator) -> np.ndarray:
    """Flat indices of towns: on flat savanna near rivers, at least town_spacing_km apart
    (the spacing is relaxed if the map is too small to hold them all)."""
    ny, nx = terrain.shape
    km = terrain.cell_km
    dist_river_km = ndimage.distance_transform_edt(~terrain.river) * km
    suit = np.exp(-20 * terrain.slope()) * (1 + 2 * np.exp(-dist_river_km / 5))
    suit *= np.where(terrain.landcover == FOREST, 0.3, 1.0) * terrain.land * ~terrain.river
    margin = max(1, int(round(5 / km)))
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
