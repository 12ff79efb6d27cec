"""Where the mission's units can get to, and by which route: travel-time searches on the terrain,
remembered, because units leave from the same few bases again and again and the terrain does
not change."""

from __future__ import annotations

import numpy as np

from pocsim.kernels.travel import travel_times
from pocsim.world.route import Route

ROUTES_KEPT = 4096  # memory bounds, not behaviour (searches from one cell are kept by Terrain.reach)
ORIGIN_SETS_KEPT = 8
VILLAGE_VECTORS_KEPT = 1024


class Navigation:
    def __init__(self, terrain, village_cells: np.ndarray, engine: str):
        self.terrain = terrain
        self.village_cells = village_cells
        self.engine = engine
        self._routes: dict = {}
        self._hours_from: dict = {}
        self._to_villages: dict = {}

    def search(self, cell: int, mode: str, hours: float) -> tuple[np.ndarray, np.ndarray]:
        return self.terrain.reach(mode, cell, hours, self.engine)

    def route(self, cell: int, mode: str, hours: float, goal: int) -> Route | None:
        key = (cell, mode, hours, goal, self.terrain.season)
        if key not in self._routes:
            if len(self._routes) >= ROUTES_KEPT:
                self._routes.clear()
            searched = self.terrain.remembered_reach(mode, cell, hours, self.engine) if np.isfinite(hours) else None
            if searched is not None:
                self._routes[key] = Route.from_search(*searched, goal, self.terrain.cell_km)
            else:  # a search that stops at the goal: the same route, and only the ground nearer than it
                self._routes[key] = Route.plan(self.terrain.cost(mode), cell, goal, self.terrain.cell_km,
                                               max_hours=hours, engine=self.engine)
        route = self._routes[key]
        return route.fresh() if route is not None else None

    def hours_to_villages(self, cell: int, mode: str, hours: float) -> np.ndarray:
        """Travel hours from `cell` to every village (inf beyond `hours`; read-only). Remembered
        apart from the searches: a village vector is small, where a search of a country-sized
        grid holds 16 MB and only a few of them fit in Terrain.reach's budget."""
        key = (cell, mode, hours, self.terrain.season)
        if key not in self._to_villages:
            if len(self._to_villages) >= VILLAGE_VECTORS_KEPT:
                self._to_villages.pop(next(iter(self._to_villages)))
            t = self.search(cell, mode, hours)[0].ravel()[self.village_cells]
            t.flags.writeable = False
            self._to_villages[key] = t
        return self._to_villages[key]

    def hours_from(self, cells, mode: str, hours: float) -> np.ndarray:
        """Travel hours to every cell from the nearest of `cells` (read-only; remembered for the
        last few sets of cells: tools ask from the same bases until the plan moves them)."""
        cells = np.asarray(cells, dtype=np.int64)
        key = (tuple(cells.tolist()), mode, hours, self.terrain.season)
        if key not in self._hours_from:
            if len(self._hours_from) >= ORIGIN_SETS_KEPT:
                self._hours_from.pop(next(iter(self._hours_from)))
            t = travel_times(self.terrain.cost(mode), cells, self.terrain.cell_km, max_time=hours,
                             engine=self.engine).ravel()
            t.flags.writeable = False
            self._hours_from[key] = t
        return self._hours_from[key]
