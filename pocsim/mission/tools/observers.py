"""Unarmed military observers: small teams of officers who drive out to where the mission's
picture is oldest, look and report, and come back. They deter nothing and stop nothing; their
whole value is information (a sharper, fresher picture for every other tool)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pocsim.mission.tools.base import Deploy, Tool
from pocsim.mission.units import Unit
from pocsim.params import param


class MilitaryObservers(Tool):
    name = "observers"
    order = Deploy.field_units

    @dataclass
    class Params:
        troop_share: float = param(0.0, unit="1 (of mission.troops)", low=0.0, high=0.1,
                                   source="strategy: share of the troops as unarmed military observers")
        team_size: int = param(2, unit="officers", low=2, high=4,
                               source="UNMO team sites: observers work in pairs or fours (DPKO UNMO handbook)")
        reach_hours: float = param(12.0, unit="h", low=4.0, high=24.0,
                                   source="assumption: a day's patrol out and back")
        sighting_km: float = param(8.0, unit="km", low=2.0, high=15.0,
                                   source="assumption: observers ask around a wider area than a platoon sees")
        hearsay_days: float = param(14.0, unit="days", low=3.0, high=60.0,
                                    source="assumption: observers ask about the last fortnight")
        dwell_hours: float = param(4.0, unit="h", low=1.0, high=24.0,
                                   source="assumption: time to talk to villagers and look around")
        rest_hours: float = param(24.0, unit="h", low=6.0, high=72.0,
                                  source="assumption: a patrol a day per team at most")

    def wants(self) -> list:
        return [("troops", self.p.troop_share, self.p.team_size)]

    def deploy(self) -> None:
        m = self.mission
        homes = m.field_bases or [m.hq]
        for k in range(self.granted("troops") // self.p.team_size):
            m.units.append(Observers(self, homes[k % len(homes)].cell, float(self.p.team_size)))

    def stalest_village(self, cell: int) -> int:
        """The village within reach the mission has heard least recently about (biggest first)."""
        m = self.mission
        reach = np.isfinite(m.navigation.hours_to_villages(cell, "vehicle", self.p.reach_hours))
        if not reach.any():
            return -1
        heard = np.where(np.isfinite(m.picture.updated), m.picture.updated, -1.0)  # never: before the start
        age = self.view.t - heard + 1e-9 * self.view.villages.population
        return int(np.argmax(np.where(reach, age, -np.inf)))


class Observers(Unit):
    kind = "observers"
    deters = False  # unarmed

    def __init__(self, tool, home: int, officers: float):
        super().__init__(tool.mission, home, officers)
        self.tool = tool
        self.next_patrol = 0

    def step(self) -> None:
        if self.state == "idle" and self.t >= self.next_patrol:
            v = self.tool.stalest_village(self.cell)
            goal = int(self.view.villages.cell[v]) if v >= 0 else -1
            if goal >= 0 and self.mission.movement_allowed(goal) and self.go(goal, self.tool.p.reach_hours):
                self.mission.outputs.observer_patrols += 1
            else:
                self.next_patrol = self.t + self.hours(self.tool.p.rest_hours)
        super().step()

    def arrive(self) -> None:
        self.mission.look(self.cell, self.tool.p.sighting_km, "observer", self.tool.p.hearsay_days * 24)
        self.stay(self.tool.p.dwell_hours)

    def back_home(self) -> None:
        self.next_patrol = self.t + self.hours(self.tool.p.rest_hours)
