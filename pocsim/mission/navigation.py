"""Where the mission's units can get to, and by which route: travel-time searches on the terrain,
remembered, because units leave from the same few bases again and again and the terrain does
not change."""

from __future__ import annotations

import numpy as np

from pocsim.kernels.travel import travel_times, travel_times_with_parents
from pocsim.world.route import Route

SEARCHES_KEPT = 64  # memory bounds of the caches, not behaviour
ROUTES_KEPT = 4096


class Navigation:
    def __init__(self, terrain, village_cells: np.ndarray, engine: str):
        self.terrain = terrain
        self.village_cells = village_cells
        self.engine = engine
        self._searches: dict = {}
        self._routes: dict = {}

    def search(self, cell: int, mode: str, hours: float) -> tuple[np.ndarray, np.ndarray]:
        key = (cell, mode, hours)
        if key not in self._searches:
            if len(self._searches) >= SEARCHES_KEPT:
                self._searches.pop(next(iter(self._searches)))
            self._searches[key] = travel_times_with_parents(
                self.terrain.cost(mode), np.array([cell]), self.terrain.cell_km,
                max_time=hours, engine=self.engine)
        return self._searches[key]

    def route(self, cell: int, mode: str, hours: float, goal: int) -> Route | None:
        if not np.isfinite(hours):  # an open-ended trip (home, or to an alert): a direct search
            return Route.plan(self.terrain.cost(mode), cell, goal, self.terrain.cell_km, engine=self.engine)
        key = (cell, mode, hours, goal)
        if key not in self._routes:
            if len(self._routes) >= ROUTES_KEPT:
                self._routes.clear()
            times, parent = self.search(cell, mode, hours)
            self._routes[key] = Route.from_search(times, parent, goal, self.terrain.cell_km)
        route = self._routes[key]
        return route.fresh() if route is not None else None

    def hours_to_villages(self, cell: int, mode: str, hours: float) -> np.ndarray:
        """Travel hours from `cell` to every village (inf beyond `hours`)."""
        return self.search(cell, mode, hours)[0].ravel()[self.village_cells]

    def hours_from(self, cells, mode: str, hours: float) -> np.ndarray:
        """Travel hours to every cell from the nearest of `cells` (not remembered: rare calls)."""
        return travel_times(self.terrain.cost(mode), np.asarray(cells, dtype=np.int64), self.terrain.cell_km,
                            max_time=hours, engine=self.engine).ravel()
