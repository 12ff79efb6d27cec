"""Mission units in the field: one small state machine shared by patrols, reaction forces,
offensive operations, observers and joint protection teams.

idle (at home) -> outbound -> on_site (for a while) -> returning -> idle. A unit that may not
move at night waits where it is. Subclasses decide where to go and what to do on arrival. Units
know the world only through the mission's view (terrain, clock) and what they see where they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pocsim.world.route import Route


@dataclass(eq=False)
class Base:
    cell: int
    troops: float  # stationed (the garrison; patrols and escorts are drawn from it)
    temporary: bool = False
    police_presence: float = 0.0  # formed police at the base, in company-equivalents of presence


class Unit:
    mode = "vehicle"  # movement-cost field the unit plans on
    deters = True  # armed troops deter while present; unarmed teams and observers do not
    day_only = False
    kind = ""  # for maps and legends

    def __init__(self, mission, home: int, troops: float):
        self.mission = mission
        self.view = mission.view
        self.home = home
        self.cell = home
        self.troops = troops
        self.state = "idle"
        self.route: Route | None = None
        self.goal = -1
        self.leave_at = 0

    @property
    def t(self) -> int:
        return self.view.t

    def hours(self, h: float) -> int:
        """Steps that cover `h` hours."""
        return int(np.ceil(h / self.view.step_hours))

    def go(self, goal: int, max_hours: float = np.inf) -> bool:
        route = self.mission.navigation.route(self.cell, self.mode, max_hours, goal)
        if route is None:
            return False
        self.route, self.goal, self.state = route, goal, "outbound"
        return True

    def go_home(self) -> None:
        if self.route is not None and self.cell == self.route.path[-1] and self.home == self.route.path[0]:
            route = self.route.reversed()
        else:
            route = self.mission.navigation.route(self.cell, self.mode, np.inf, self.home)
        if route is None or len(route.path) == 1:
            self.cell, self.state = self.home, "idle"
            self.back_home()
            return
        self.route, self.state = route, "returning"

    def can_move_now(self) -> bool:
        cfg = self.mission.cfg
        if not self.day_only or cfg.civilian_night_movement:
            return True
        return cfg.day_starts_hour <= (self.view.hour % 24) < cfg.day_ends_hour

    def step(self) -> None:
        if self.state in ("outbound", "returning"):
            if not self.can_move_now():
                return
            self.cell, arrived = self.route.advance(self.view.step_hours)
            if arrived and self.state == "outbound":
                self.state = "on_site"
                self.arrive()
            elif arrived:
                self.state = "idle"
                self.back_home()
        elif self.state == "on_site" and self.t >= self.leave_at:
            self.go_home()

    def stay(self, hours: float) -> None:
        self.leave_at = self.t + self.hours(hours)

    def arrive(self) -> None:  # on reaching the goal
        self.stay(0)

    def back_home(self) -> None:  # on returning
        pass
