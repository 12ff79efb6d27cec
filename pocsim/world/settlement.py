"""Where people live: villages strung along roads and rivers, clusters far off road, and tracks.

Settlement follows access: a share of villages lines the main roads (denser near towns), a share
the rivers, and the rest sits in clusters far from any road; some of those clusters are then joined
to the network by tracks along the cheapest ground. Attributes that matter for protection
(vulnerability, phone coverage, community) follow from where a village is.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from pocsim.config import ConfigError, VillagesConfig
from pocsim.kernels.travel import travel_times_with_parents
from pocsim.world.landscape import build_cost, fractal_noise
from pocsim.world.terrain import MAIN_ROAD, NO_ROAD, TRACK, Terrain
from pocsim.world.villages import Villages


def _sample_cells(rng, weight: np.ndarray, taken: np.ndarray, n: int) -> np.ndarray:
    w = np.where(taken, 0.0, weight).ravel()
    n = min(n, int(np.count_nonzero(w)))
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    cells = rng.choice(w.size, size=n, replace=False, p=w / w.sum())
    taken.ravel()[cells] = True
    return np.sort(cells).astype(np.int64)


def place_villages(terrain: Terrain, towns: np.ndarray, cfg: VillagesConfig, rng) -> dict:
    """Choose village cells around the existing main roads; returns cells and their kind."""
    km = terrain.cell_km
    ny, nx = terrain.shape
    land = terrain.land & ~terrain.river
    taken = np.zeros(terrain.shape, dtype=bool)
    taken.ravel()[towns] = True
    dist_road = ndimage.distance_transform_edt(terrain.road == NO_ROAD) * km
    dist_river = ndimage.distance_transform_edt(~terrain.river) * km
    town_img = np.zeros(terrain.shape)
    town_img.ravel()[towns] = 1.0
    dist_town = ndimage.distance_transform_edt(town_img == 0) * km

    m = cfg.count - len(towns)
    n_road = int(round(cfg.share_along_roads * m))
    n_river = int(round(cfg.share_along_rivers * m))
    n_off = m - n_road - n_river

    near_town = cfg.roadside_density_floor + np.exp(-dist_town / cfg.town_pull_km)  # denser near towns
    road_w = land * (dist_road <= cfg.roadside_km) * near_town
    river_w = land * (dist_river <= cfg.riverside_km) * (dist_road > cfg.roadside_km)
    # Off-road villages cluster around a few centres (lineages, fields, water points).
    remote = land * (dist_road > cfg.off_road_km)
    centres = _sample_cells(rng, remote.astype(float), np.zeros_like(taken), max(1, n_off // cfg.cluster_size))
    centre_img = np.zeros(terrain.shape)
    centre_img.ravel()[centres] = 1.0
    off_w = remote * ndimage.gaussian_filter(centre_img, cfg.cluster_spread_km / km, mode="constant")

    road_cells = _sample_cells(rng, road_w, taken, n_road)
    river_cells = _sample_cells(rng, river_w, taken, n_river)
    off_cells = _sample_cells(rng, off_w, taken, n_off)
    # If a small map cannot hold enough villages of one kind, fill up with any free land cell.
    short = m - len(road_cells) - len(river_cells) - len(off_cells)
    fill = _sample_cells(rng, land.astype(float), taken, short)
    if len(fill) < short:
        raise ConfigError(f"scenario.villages.count: must be at most {cfg.count - short + len(fill)}, "
                          f"the settlements this terrain has room for; got {cfg.count}")
    return {"town": towns, "road": road_cells, "river": river_cells, "off_road": np.concatenate([off_cells, fill])}


def build_tracks(terrain: Terrain, cells: np.ndarray, share: float, rng) -> None:
    """Join a share of the given villages to the road network by tracks (cheapest ground)."""
    if share <= 0 or len(cells) == 0:
        return
    joined = cells[rng.random(len(cells)) < share]
    roads = np.flatnonzero(terrain.road.ravel() != NO_ROAD)
    if len(joined) == 0 or len(roads) == 0:
        return
    _, parent = travel_times_with_parents(build_cost(terrain), roads, terrain.cell_km)
    road = terrain.road.ravel()
    for c in joined:
        while c >= 0 and road[c] == NO_ROAD:
            road[c] = TRACK
            c = parent.ravel()[c]
    terrain.invalidate_costs()


def population(kinds: dict, cfg: VillagesConfig, rng) -> np.ndarray:
    """Lognormal sizes: towns in the thousands, off-road villages smaller than roadside ones."""
    med = {"town": cfg.town_population_median, "road": cfg.village_population_median,
           "river": cfg.village_population_median,
           "off_road": cfg.off_road_size_factor * cfg.village_population_median}
    sigma = {"town": cfg.town_population_sigma}
    parts = []
    for k in kinds:
        size = med[k] * rng.lognormal(0.0, sigma.get(k, cfg.village_population_sigma), len(kinds[k]))
        parts.append(np.maximum(cfg.min_population, np.round(size)))
    return np.concatenate(parts).astype(np.int64)


def community_map(terrain: Terrain, cfg: VillagesConfig, rng) -> np.ndarray:
    """Each community's home area: noisy Voronoi regions around random centres, distances divided
    by the community's weight (a weighted Voronoi partition: a larger weight, a larger area)."""
    ny, nx = terrain.shape
    yy, xx = np.mgrid[0:ny, 0:nx]
    centres = rng.integers(0, [ny, nx], size=(len(cfg.communities), 2))
    # Each community's own noise bends the borders, so areas are not straight-edged cells.
    noise, scale = cfg.community_border_noise * max(ny, nx), cfg.community_border_scale_km / terrain.cell_km
    d = np.stack([np.hypot(yy - cy, xx - cx) + noise * fractal_noise(rng, terrain.shape, [scale], [1.0])
                  for cy, cx in centres])
    if cfg.community_weights:
        d = d / np.asarray(cfg.community_weights, dtype=float)[:, None, None]
    return np.argmin(d, axis=0)


def settle(terrain: Terrain, towns: np.ndarray, cfg: VillagesConfig, rng) -> Villages:
    kinds = place_villages(terrain, towns, cfg, rng)
    # Tracks reach some remote clusters; the rest stay hours from any road.
    build_tracks(terrain, kinds["off_road"], cfg.track_share, rng)
    cells = np.concatenate(list(kinds.values()))
    is_town = np.zeros(len(cells), dtype=bool)
    is_town[: len(towns)] = True
    names = np.array([f"T{i:02d}" if t else f"V{i:04d}" for i, t in enumerate(is_town)])
    return describe(terrain, cells, is_town, population(kinds, cfg, rng), names, cfg, rng)


def describe(terrain: Terrain, cells, is_town, pop, names, cfg: VillagesConfig, rng, given: dict | None = None):
    """Give settlements the attributes that matter for protection, from where they are.
    `given` holds columns a planner supplied (vulnerability, phone_coverage, community); those win."""
    given = given or {}
    n = len(cells)
    y, x = np.divmod(cells, terrain.shape[1])
    km = terrain.cell_km
    road_km = (ndimage.distance_transform_edt(terrain.road == NO_ROAD) * km).ravel()[cells]
    main_km = (ndimage.distance_transform_edt(terrain.road != MAIN_ROAD) * km).ravel()[cells]

    # Remote places get warning and help late: more vulnerable; the rest is local means to warn,
    # hide or flee, which vary widely.
    remoteness = 1 - np.exp(-road_km / cfg.vulnerability_remoteness_km)
    w = cfg.vulnerability_remoteness_weight
    local = rng.beta(cfg.vulnerability_beta_a, cfg.vulnerability_beta_b, n)
    vulnerability = np.clip((1 - w) * local + w * remoteness, cfg.min_vulnerability, 1.0)
    vulnerability[is_town] *= cfg.town_vulnerability_factor
    # Phone masts stand in towns and cover a radius; reception also follows the main roads a little.
    town_img = np.zeros(terrain.shape, dtype=bool)
    town_img.ravel()[cells[is_town]] = True
    town_km = (ndimage.distance_transform_edt(~town_img) * km).ravel()[cells] if is_town.any() else np.full(n, np.inf)
    r = cfg.coverage_radius_km
    p_cover = np.exp(-((town_km / r) ** 2)) if r > 0 else np.zeros(n)
    p_cover = np.maximum(p_cover, cfg.road_coverage * np.exp(-main_km / cfg.road_coverage_km) * (r > 0))
    coverage = rng.random(n) < p_cover

    area = community_map(terrain, cfg, rng).ravel()[cells]
    mixed = rng.random(n) < cfg.community_mixing
    community = np.where(mixed, rng.integers(0, len(cfg.communities), n), area)
    vulnerability = given.get("vulnerability", vulnerability)
    coverage = given.get("phone_coverage", coverage)
    community = given.get("community", community)
    return Villages(np.asarray(names), cells.astype(np.int64), x.astype(np.int64), y.astype(np.int64),
                    np.asarray(pop, dtype=np.int64), np.asarray(is_town, dtype=bool),
                    np.asarray(vulnerability, dtype=np.float64), np.asarray(coverage, dtype=bool),
                    np.asarray(community, dtype=np.int64), road_km, tuple(cfg.communities))
