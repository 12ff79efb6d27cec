"""Military component: bases, patrols, the quick reaction force and offensive operations.

Each tool protects only through mechanisms the world already has: presence feeds the deterrence
field that armed groups weigh, a unit that reaches an attack in progress cuts it short, and an
operation that finds a group costs it fighters (and may cost civilians, and invite reprisals).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pocsim.mission.units import Unit
from pocsim.world.terrain import MAIN_ROAD

SIGHTING_KM = 5.0  # patrols see villages and armed groups this far
INTERRUPT_KM = 3.0  # and can intervene in an attack this close
ROUTE_PATROL_HOURS = (0.5, 2.0)  # one-way drive of a route-bound circuit
THREAT_PATROL_REACH_HOURS = 12.0
THREAT_PATROL_DWELL_HOURS = 8.0


@dataclass(eq=False)
class Base:
    cell: int
    troops: float  # stationed (the garrison; patrols and escorts are drawn from it)
    temporary: bool = False
    police: float = 0.0


class Patrol(Unit):
    """A platoon on patrol. Route-bound patrols drive circuits on main roads near the base
    (easy to count, easy to repeat); threat-informed patrols go to the villages the picture shows
    at risk, driving where they can and walking the rest, and stay a while."""

    def __init__(self, mission, home: int, troops: float, kind: str):
        super().__init__(mission, home, troops)
        self.kind = kind
        self.mode = "vehicle_road" if kind == "route" else "vehicle"
        self.next_sortie = 0
        self.target_village = -1
        self.last_seen_from = -1
        if kind == "route":
            self.circuit_ends = self._road_cells_in_reach()

    def _road_cells_in_reach(self) -> np.ndarray:
        t = self.mission.search(self.home, self.mode, ROUTE_PATROL_HOURS[1])[0].ravel()
        road = self.model.terrain.road.ravel() == MAIN_ROAD
        return np.flatnonzero(road & (t >= ROUTE_PATROL_HOURS[0]) & np.isfinite(t))

    def step(self) -> None:
        m = self.mission
        if self.state == "idle" and self.model.t >= self.next_sortie:
            self.sortie()
        super().step()
        if self.state != "idle":
            m.outputs.patrol_hours += self.model.step_hours
            m.patrol_hours_grid.ravel()[self.cell] += self.model.step_hours
            if self.cell != self.last_seen_from or self.state == "on_site":
                # what a patrol sees on the move or while it stays; nothing new at a standstill en route
                self.last_seen_from = self.cell
                m.picture.report_threat(self.villages_within(SIGHTING_KM), delay_hours=2.0)
                m.see_groups(self.cell, SIGHTING_KM)
            m.intervene(self.cell, INTERRUPT_KM, by="patrol")

    def sortie(self) -> None:
        m = self.mission
        if self.kind == "route":
            if len(self.circuit_ends) == 0:
                self.next_sortie = self.model.t + 10**9
                return
            goal = int(m.rng.choice(self.circuit_ends))
            ok = m.movement_allowed(goal) and self.go(goal, ROUTE_PATROL_HOURS[1])
        else:
            goal = m.pick_village_at_risk(self.cell, self.mode, THREAT_PATROL_REACH_HOURS)
            ok = goal >= 0 and m.movement_allowed(int(self.model.villages.cell[goal])) and \
                self.go(int(self.model.villages.cell[goal]), THREAT_PATROL_REACH_HOURS)
            self.target_village = goal
        if not ok:
            self.next_sortie = self.model.t + int(12 / self.model.step_hours)
            return
        m.outputs.patrols += 1
        m.outputs.patrol_km += 2 * self.route.km  # out and back

    def arrive(self) -> None:
        self.stay(THREAT_PATROL_DWELL_HOURS if self.kind == "threat" else 0.0)
        if self.target_village >= 0:
            self.mission.followed_up(self.target_village)

    def back_home(self) -> None:
        # Route circuits go out again at once (two or three a day); long-range patrols rest first.
        rest = 1.0 if self.kind == "route" else 12.0
        self.next_sortie = self.model.t + int(np.ceil(rest / self.model.step_hours))


class ReactionForce(Unit):
    """A company on standby. An alert sets it moving once the authorisation chain has cleared:
    response time = clearance + travel on the terrain (or by helicopter where the mission has
    lift). It helps only if it arrives while the attack is still going on."""

    def __init__(self, mission, home: int, troops: float):
        super().__init__(mission, home, troops)
        self.alert = None
        self.depart_at = -1
        self.flying = False

    @property
    def available(self) -> bool:
        return self.state == "idle" and self.alert is None

    def respond(self, alert) -> bool:
        if not self.available:
            return False
        self.alert = alert
        self.depart_at = self.model.t + int(np.ceil(self.mission.cfg.authorisation_hours / self.model.step_hours))
        return True

    def step(self) -> None:
        if self.alert is not None and self.state == "idle" and self.model.t >= self.depart_at:
            goal = int(self.model.villages.cell[self.alert.village])
            if not (self.mission.movement_allowed(goal) and self.depart(goal)):
                self.alert = None
        super().step()

    def depart(self, goal: int) -> bool:
        m = self.mission
        if m.helicopters_free > 0:
            from pocsim.world.route import Route

            (x0, y0), (x1, y1) = self.model.terrain.xy(self.cell), self.model.terrain.xy(goal)
            km = float(np.hypot(x1 - x0, y1 - y0)) * self.model.terrain.cell_km
            self.route = Route(np.array([self.cell, goal]), np.array([0.0, 0.5 + km / m.cfg.helicopter_kmh]),
                               self.model.terrain.shape[1], self.model.terrain.cell_km)
            self.goal, self.state, self.flying = goal, "outbound", True
            m.helicopters_free -= 1
            return True
        return self.go(goal)

    def arrive(self) -> None:
        m, alert = self.mission, self.alert
        if self.flying:  # the helicopter is free again once the troops are on the ground
            m.helicopters_free += 1
            self.flying = False
        hours = (self.model.t - alert.raised) * self.model.step_hours
        m.outputs.response_hours.append(hours)
        if m.intervene(self.cell, INTERRUPT_KM, by="reaction force"):
            m.outputs.alerts_answered_in_time += 1
        m.picture.report_threat(self.villages_within(SIGHTING_KM), delay_hours=0.0)
        self.alert = None
        self.stay(6.0)  # stay to secure the village, then go back


class OffensiveOperation(Unit):
    """A company sent after the group the picture blames most, to where it was last seen."""

    OP_HOURS = 48.0

    def __init__(self, mission, base: Base, troops: float, group):
        super().__init__(mission, base.cell, troops)
        self.base = base
        self.group = group

    def arrive(self) -> None:
        self.mission.engage(self, self.group)
        self.stay(12.0)

    def back_home(self) -> None:
        self.mission.end_operation(self)
