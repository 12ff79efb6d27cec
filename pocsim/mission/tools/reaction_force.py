"""Quick reaction force: companies on standby at the largest towns (`towns`: only the few
largest). An alert sets one moving once the authorisation chain has cleared: response time =
clearance + travel by road (or by helicopter where the mission has lift). It helps only if it
arrives while the attack goes on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pocsim.mission.tools.base import Deploy, Tool
from pocsim.mission.units import Unit
from pocsim.params import param
from pocsim.world.route import Route


class ReactionForce(Tool):
    name = "reaction_force"
    order = Deploy.reserves

    @dataclass
    class Params:
        troop_share: float = param(0.125, unit="1 (of mission.troops)", low=0.0, high=0.5,
                                   source="strategy: share of the troops on standby, in companies")
        stay_hours: float = param(6.0, unit="h", low=1.0, high=24.0,
                                  source="assumption: the force secures the village for a few hours")
        interrupt_km: float = param(3.0, unit="km", low=0.5, high=5.0,
                                    source="assumption: troops this close hear and reach an attack")
        sighting_km: float = param(5.0, unit="km", low=1.0, high=10.0,
                                   source="assumption: what a company sees around the village it reached")
        towns: int = param(0, unit="towns (0 = all)", low=0, high=50,
                           source="strategy: how many of the largest towns hold standby companies (as company_bases)")

    def wants(self) -> list:
        return [("troops", self.p.troop_share, self.mission.cfg.company_size)]

    def deploy(self) -> None:
        m = self.mission
        size = m.cfg.company_size
        self.helicopters_free = m.cfg.helicopters
        for k in range(self.granted("troops") // size):
            hub = m.company_town(k, among=self.p.towns)
            m.open_base(hub, 0.0)  # the company's own standby base (no garrison beyond it)
            m.units.append(Standby(self, hub, float(size)))

    def answer(self, alert) -> bool:
        free = [u for u in self.mission.units if isinstance(u, Standby) and u.tool is self and u.available]
        if not free:
            return False
        v = self.view.villages
        x, y = v.x[alert.village], v.y[alert.village]

        def dist2(u):
            ux, uy = self.view.terrain.xy(u.cell)
            return (ux - x) ** 2 + (uy - y) ** 2

        min(free, key=dist2).respond(alert)
        return True


class Standby(Unit):
    kind = "reaction_force"

    def __init__(self, tool, home: int, troops: float):
        super().__init__(tool.mission, home, troops)
        self.tool = tool
        self.alert = None
        self.depart_at = -1
        self.flying = False

    @property
    def available(self) -> bool:
        return self.state == "idle" and self.alert is None

    def respond(self, alert) -> None:
        self.alert = alert
        self.depart_at = self.t + self.hours(self.mission.cfg.authorisation_hours)

    def step(self) -> None:
        if self.alert is not None and self.state == "idle" and self.t >= self.depart_at:
            goal = int(self.view.villages.cell[self.alert.village])
            if not (self.mission.movement_allowed(goal) and self.depart(goal)):
                self.alert = None
        super().step()

    def depart(self, goal: int) -> bool:
        cfg = self.mission.cfg
        if self.tool.helicopters_free > 0:
            terrain = self.view.terrain
            (x0, y0), (x1, y1) = terrain.xy(self.cell), terrain.xy(goal)
            km = float(np.hypot(x1 - x0, y1 - y0)) * terrain.cell_km
            hours = np.array([0.0, cfg.helicopter_prep_hours + km / cfg.helicopter_kmh])
            self.route = Route(np.array([self.cell, goal]), hours, terrain.shape[1], terrain.cell_km)
            self.goal, self.state, self.flying = goal, "outbound", True
            self.tool.helicopters_free -= 1
            return True
        return self.go(goal)

    def arrive(self) -> None:
        m, alert = self.mission, self.alert
        if self.flying:  # the helicopter is free again once the troops are on the ground
            self.tool.helicopters_free += 1
            self.flying = False
        m.outputs.response_hours.append((self.t - alert.raised) * self.view.step_hours)
        if m.intervene(self.cell, self.tool.p.interrupt_km, by="reaction force", source="reaction_force"):
            m.outputs.alerts_answered_in_time += 1
        m.look(self.cell, self.tool.p.sighting_km, "reaction_force")
        self.alert = None
        self.stay(self.tool.p.stay_hours)
