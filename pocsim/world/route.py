"""A route along the grid: a shortest path and the hours at which each of its cells is reached.

Armed groups and mission units alike move by following a route hour by hour; the route comes from
one Dijkstra search (pocsim.kernels.travel) on the mover's own movement-cost field.
"""

from __future__ import annotations

import bisect

import numpy as np

from pocsim.kernels.travel import path_from_parents, travel_times_with_parents

_DIAGONAL = np.sqrt(2.0)


class Route:
    def __init__(self, path: np.ndarray, hours: np.ndarray, nx: int, cell_km: float):
        self.path = path
        self.hours = hours  # hours from the start to each cell of the path
        self.elapsed = 0.0
        self._hours_list = None  # the same, as a list, for bisect (see advance)
        steps = np.abs(np.diff(path))
        self.km = float(np.where((steps == 1) | (steps == nx), 1.0, _DIAGONAL).sum() * cell_km) if len(path) > 1 else 0.0

    @classmethod
    def plan(cls, cost: np.ndarray, start: int, goal: int, cell_km: float,
             max_hours: float = np.inf, engine: str = "numba") -> "Route | None":
        """The fastest route from start to goal, or None if goal is out of reach."""
        times, parent = travel_times_with_parents(cost, np.array([start]), cell_km, max_time=max_hours,
                                                  target=goal, engine=engine)
        return cls.from_search(times, parent, goal, cell_km)

    @classmethod
    def from_search(cls, times: np.ndarray, parent: np.ndarray, goal: int, cell_km: float) -> "Route | None":
        path = path_from_parents(parent, goal)
        if len(path) == 0:
            return None
        t = times.ravel()
        return cls(path, t[path] - t[path[0]], times.shape[1], cell_km)

    def fresh(self) -> "Route":
        """The same route, not yet started (routes are shared; their progress is not)."""
        copy = Route.__new__(Route)
        copy.path, copy.hours, copy.km, copy.elapsed = self.path, self.hours, self.km, 0.0
        copy._hours_list = self._hours_list
        return copy

    def reversed(self) -> "Route":
        """The way back. Edge times are symmetric, so the reverse of a fastest route is one too."""
        back = Route.__new__(Route)
        back.path, back.km, back.elapsed = self.path[::-1].copy(), self.km, 0.0
        back.hours = self.hours[-1] - self.hours[::-1]
        back._hours_list = None
        return back

    def advance(self, hours: float) -> tuple[int, bool]:
        """Move on by `hours`; returns the cell reached and whether the route is done."""
        self.elapsed += hours
        if self._hours_list is None:
            self._hours_list = self.hours.tolist()
        # bisect_right on a list = searchsorted(side="right"), without numpy's per-call overhead
        # (every moving unit and group calls this every hour)
        k = bisect.bisect_right(self._hours_list, self.elapsed) - 1
        k = min(max(k, 0), len(self.path) - 1)
        return int(self.path[k]), k >= len(self.path) - 1
