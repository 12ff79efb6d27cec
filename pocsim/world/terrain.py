"""The terrain grid: layers of what the ground is, and what it costs to cross.

Layers are plain numpy arrays of shape (height, width); cells are addressed by flat index
`y * width + x` everywhere in pocsim, so that kernels can work on raveled arrays.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # an annotation only: the config schema imports modules that import this one
    from pocsim.config import SeasonsConfig, TerrainConfig

SAVANNA, FOREST, WATER = 0, 1, 2
LANDCOVER_NAMES = {"savanna": SAVANNA, "forest": FOREST, "water": WATER}
NO_ROAD, TRACK, MAIN_ROAD = 0, 1, 2
DRY, WET = "dry", "wet"  # seasons (scenario.seasons): the ground costs more to cross in the rains
# searches kept by Terrain.reach: 64 of a country-sized grid (16 MB each), 256 of the default (640 KB)
REACH_CACHE_BYTES, REACH_CACHE_ENTRIES = 1024 * 2**20, 256


@dataclass
class Terrain:
    cell_km: float
    elevation: np.ndarray  # float64, metres
    landcover: np.ndarray  # uint8: SAVANNA, FOREST, WATER
    river: np.ndarray  # bool: a river runs through the cell
    road: np.ndarray  # uint8: NO_ROAD, TRACK, MAIN_ROAD
    cfg: TerrainConfig  # speeds over the ground and the cost of building roads
    seasons: SeasonsConfig | None = None  # what the rains slow (None: no seasons)
    season: str = DRY  # set each day by the model from the calendar (POCModel.update_season)
    _costs: dict = field(default_factory=dict, repr=False, compare=False)
    _reach: OrderedDict = field(default_factory=OrderedDict, repr=False, compare=False)

    @property
    def shape(self) -> tuple[int, int]:
        return self.elevation.shape

    @property
    def land(self) -> np.ndarray:
        return self.landcover != WATER

    def slope(self) -> np.ndarray:
        """Rise over run (dimensionless) from the elevation layer."""
        gy, gx = np.gradient(self.elevation, self.cell_km * 1000.0)
        return np.hypot(gx, gy)

    def cost(self, mode: str) -> np.ndarray:
        """Hours per km to cross each cell in a movement mode in the current season (cached per
        season; the layers do not change)."""
        key = (mode, self.season)
        if key not in self._costs:
            from pocsim.world.movement import movement_cost

            self._costs[key] = movement_cost(self, mode)
        return self._costs[key]

    def invalidate_costs(self) -> None:
        self._costs.clear()
        self._reach.clear()

    def remembered_reach(self, mode: str, origin: int, max_hours: float, engine: str):
        """`reach(...)` if it is in the cache, else None (without searching)."""
        key = (mode, int(origin), float(max_hours), engine, self.season)
        hit = self._reach.get(key)
        if hit is not None:
            self._reach.move_to_end(key)
        return hit

    def reach(self, mode: str, origin: int, max_hours: float, engine: str,
              at_least: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Travel times and the shortest-path tree from `origin` in a movement mode, out to
        `max_hours` (pocsim.kernels.travel.travel_times_with_parents), read-only. Cached: an armed
        group looks for a target from its camp again and again, and the ground does not change
        (a search of the default world costs ~5 ms and was a third of a run without a mission).
        With `at_least`, a remembered search that went further may serve: exact within
        `max_hours`, finite times beyond it (for callers to whom those cells are worth nothing)."""
        hit = self.remembered_reach(mode, origin, max_hours, engine)
        if hit is None and at_least:
            further = [k for k in self._reach if k[0] == mode and k[1] == int(origin) and k[3] == engine
                       and k[4] == self.season and k[2] >= max_hours]
            if further:
                hit = self.remembered_reach(mode, origin, min(k[2] for k in further), engine)
        if hit is not None:
            return hit
        key = (mode, int(origin), float(max_hours), engine, self.season)
        from pocsim.kernels.travel import travel_times_with_parents

        hit = travel_times_with_parents(self.cost(mode), np.array([origin]), self.cell_km, max_time=max_hours,
                                        engine=engine)
        for a in hit:
            a.flags.writeable = False
        self._reach[key] = hit
        # a byte budget rather than a count: one search of a country-sized grid holds 16 MB
        size = sum(a.nbytes for a in hit)
        while len(self._reach) > 1 and (len(self._reach) * size > REACH_CACHE_BYTES
                                        or len(self._reach) > REACH_CACHE_ENTRIES):
            self._reach.popitem(last=False)
        return hit

    def xy(self, flat: np.ndarray | int):
        """Flat index -> (x, y) cell coordinates."""
        y, x = np.divmod(flat, self.shape[1])
        return x, y

    def within_km(self, a: int, b: int, km: float) -> bool:
        """Whether two cells lie within `km` of each other in a straight line."""
        # plain integers: called for every pair of groups and every unit and group each hour,
        # where numpy's scalar divmod cost more than all the rest
        w = self.elevation.shape[1]
        ay, ax = divmod(int(a), w)
        by, bx = divmod(int(b), w)
        return (ax - bx) ** 2 + (ay - by) ** 2 <= (km / self.cell_km) ** 2
