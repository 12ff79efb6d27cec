"""Route-bound patrols: platoons driving circuits on the main roads near their base. Easy to
count and to repeat; abuse is rarely on the main road in the first place."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pocsim.mission.patrol import PatrolParams, raise_platoons
from pocsim.mission.tools.base import Deploy, Tool
from pocsim.params import param
from pocsim.world.terrain import MAIN_ROAD

class RoutePatrols(Tool):
    name = "route_patrols"
    order = Deploy.field_units
    mode = "vehicle_road"

    @dataclass
    class Params(PatrolParams):
        troop_share: float = param(0.3, unit="1 (of mission.troops)", low=0.0, high=1.0,
                                   source="strategy: share of the troops out on route patrols, in platoons")
        min_hours: float = param(0.5, unit="h", low=0.0, high=2.0,
                                 source="assumption: a circuit goes at least half an hour out")
        reach_hours: float = param(2.0, unit="h", low=1.0, high=6.0,
                                   source="assumption: day patrols turn round within a couple of hours' drive")
        dwell_hours: float = param(0.0, unit="h", low=0.0, high=2.0, source="assumption: drive through")
        rest_hours: float = param(1.0, unit="h", low=0.5, high=12.0,
                                  source="assumption: two or three circuits a day")

    def wants(self) -> list:
        return [("troops", self.p.troop_share, self.mission.cfg.platoon_size)]

    def deploy(self) -> None:
        raise_platoons(self)
        self.circuit_ends: dict[int, np.ndarray] = {}

    def choose_goal(self, patrol) -> tuple[int, int]:
        ends = self.circuit_ends.get(patrol.home)
        if ends is None:  # main-road cells between min_hours and reach_hours from the base
            t = self.mission.navigation.search(patrol.home, self.mode, self.p.reach_hours)[0].ravel()
            road = self.view.terrain.road.ravel() == MAIN_ROAD
            ends = self.circuit_ends[patrol.home] = np.flatnonzero(road & (t >= self.p.min_hours) & np.isfinite(t))
        if len(ends) == 0:
            return -1, -1
        # ends[integers(n)] is the draw Generator.choice(ends) makes, without its overhead
        return int(ends[self.mission.draw(self.name, patrol.home, patrol.number).integers(len(ends))]), -1
