"""Mission units in the field: one small state machine shared by patrols, reaction forces,
offensive operations and joint protection teams.

idle (at home) -> outbound -> on_site (for a while) -> returning -> idle. A unit that may not
move at night waits where it is. Subclasses decide where to go and what to do on arrival.
"""

from __future__ import annotations

import mesa
import numpy as np

from pocsim.world.route import Route


class Unit(mesa.Agent):
    mode = "vehicle"  # movement-cost field the unit plans on
    deters = True  # armed troops deter while present; unarmed teams do not
    day_only = False

    def __init__(self, mission, home: int, troops: float):
        super().__init__(mission.model)
        self.mission = mission
        self.home = home
        self.cell = home
        self.troops = troops
        self.state = "idle"
        self.route: Route | None = None
        self.goal = -1
        self.leave_at = 0

    @property
    def cost(self) -> np.ndarray:
        return self.model.terrain.cost(self.mode)

    def go(self, goal: int, max_hours: float = np.inf) -> bool:
        if np.isfinite(max_hours):  # searches and routes from a base are shared by all its units
            route = self.mission.route(self.cell, self.mode, max_hours, goal)
        else:
            route = Route.plan(self.cost, self.cell, goal, self.model.terrain.cell_km, engine=self.model.engine)
        if route is None:
            return False
        self.route, self.goal, self.state = route, goal, "outbound"
        return True

    def go_home(self) -> None:
        if self.route is not None and self.cell == self.route.path[-1] and self.home == self.route.path[0]:
            route = self.route.reversed()
        else:
            route = Route.plan(self.cost, self.cell, self.home, self.model.terrain.cell_km, engine=self.model.engine)
        if route is None or len(route.path) == 1:
            self.cell, self.state = self.home, "idle"
            self.back_home()
            return
        self.route, self.state = route, "returning"

    def can_move_now(self) -> bool:
        if not self.day_only or self.mission.cfg.civilian_night_movement:
            return True
        return 6 <= (self.model.hour % 24) < 18

    def step(self) -> None:
        if self.state in ("outbound", "returning"):
            if not self.can_move_now():
                return
            self.cell, arrived = self.route.advance(self.model.step_hours)
            if arrived and self.state == "outbound":
                self.state = "on_site"
                self.arrive()
            elif arrived:
                self.state = "idle"
                self.back_home()
        elif self.state == "on_site" and self.model.t >= self.leave_at:
            self.go_home()

    def stay(self, hours: float) -> None:
        self.leave_at = self.model.t + int(np.ceil(hours / self.model.step_hours))

    def arrive(self) -> None:  # on reaching the goal
        self.stay(0)

    def back_home(self) -> None:  # on returning
        pass

    def villages_within(self, km: float) -> np.ndarray:
        return self.model.villages_near(self.cell, km)
