"""A platoon on patrol: out to a goal its tool chooses, a while there, back, a rest, out again.
On the move and on site it reports what it sees and steps into any attack close by."""

from __future__ import annotations

from dataclasses import dataclass

from pocsim.mission.units import Unit
from pocsim.params import param


@dataclass
class PatrolParams:
    """What every patrol tool's parameters share (each tool's `Params` adds its own)."""

    retry_hours: float = param(12.0, unit="h", low=1.0, high=24.0,
                               source="assumption: a refused sortie is tried again next half-day")
    sighting_km: float = param(5.0, unit="km", low=1.0, high=10.0,
                               source="assumption: what a platoon sees from a vehicle and on foot around it")
    interrupt_km: float = param(3.0, unit="km", low=0.5, high=5.0,
                                source="assumption: troops this close hear and reach an attack")


class Patrol(Unit):
    def __init__(self, tool, home: int, troops: float, number: int):
        super().__init__(tool.mission, home, troops)
        self.number = number  # the platoon's number in its tool: the key of its own draws
        self.tool = tool
        self.p = tool.p
        self.kind = tool.name
        self.mode = tool.mode
        self.next_sortie = 0
        self.target_village = -1
        self.last_seen_from = -1

    def step(self) -> None:
        m = self.mission
        if self.state == "idle" and self.t >= self.next_sortie:
            self.sortie()
        super().step()
        if self.state != "idle":
            m.outputs.patrol_hours += self.view.step_hours
            m.patrol_hours_grid.ravel()[self.cell] += self.view.step_hours
            if self.cell != self.last_seen_from or self.state == "on_site":
                # what a patrol sees on the move or while it stays; nothing new at a standstill en route
                self.last_seen_from = self.cell
                m.look(self.cell, self.p.sighting_km, "patrol")
            m.intervene(self.cell, self.p.interrupt_km, by="patrol", source="patrol")

    def sortie(self) -> None:
        goal, village = self.tool.choose_goal(self)
        self.target_village = village
        if goal < 0 or not self.mission.movement_allowed(goal) or not self.go(goal, self.p.reach_hours):
            self.next_sortie = self.t + self.hours(self.p.retry_hours)
            return
        self.mission.outputs.patrols += 1
        self.mission.outputs.patrol_km += 2 * self.route.km  # out and back

    def arrive(self) -> None:
        self.stay(self.p.dwell_hours)
        if self.target_village >= 0 and self.mission.plans is not None:
            self.mission.plans.follow_up(self.target_village)

    def back_home(self) -> None:
        self.next_sortie = self.t + self.hours(self.p.rest_hours)


def raise_platoons(tool) -> None:
    """Platoons from the tool's share of the troops, homed round-robin at the field bases (or the
    headquarters if there are none)."""
    m = tool.mission
    size = m.cfg.platoon_size
    homes = m.field_bases or [m.hq]
    for k in range(tool.granted("troops") // size):
        m.units.append(Patrol(tool, homes[k % len(homes)].cell, float(size), number=k))
