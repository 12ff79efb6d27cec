"""Mediation (tier 1, dialogue and engagement): teams hold sessions with the leaders of the
non-state groups the mission blames for attacks (most blamed first), if they can reach where the group camps. A session can fail; one that
works lowers the group's appetite for violence; an offensive against the group undoes it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pocsim.mission.tools.base import Deploy, Tool
from pocsim.params import param


class Mediation(Tool):
    name = "mediation"
    order = Deploy.dialogue

    @dataclass
    class Params:
        staff_share: float = param(0.1, unit="1 (of mission.civilian_staff)", low=0.0, high=0.5,
                                   source="strategy: share of the civilian staff in mediation teams")
        interval_days: float = param(7.0, unit="days", low=2.0, high=30.0,
                                     source="assumption: a weekly round of talks")
        reach_hours: float = param(24.0, unit="h", low=6.0, high=72.0,
                                   source="assumption: mediators travel up to a day to meet a group")
        success: float = param(0.25, unit="1", low=0.05, high=0.6,
                               source="assumption: one session in four yields a commitment "
                                      "(local agreements in CAR often broke down: Vinck 2018-era PBSO reviews)")
        aggression_kept: float = param(0.85, unit="1", low=0.6, high=1.0,
                                       source="assumption: a commitment lowers a group's attacks by 15%")
        aggression_floor: float = param(0.3, unit="1 (of initial aggression)", low=0.0, high=0.8,
                                        source="assumption: talks never take a group below 30% of its "
                                               "initial appetite for violence")

    def wants(self) -> list:
        return [("civilian_staff", self.p.staff_share, self.mission.cfg.team_size)]

    def deploy(self) -> None:
        m = self.mission
        self.teams = self.granted("civilian_staff") // m.cfg.team_size
        self.next_session = 0

    def step(self) -> None:
        m = self.mission
        if self.teams <= 0 or not m.start_of_day or self.view.t < self.next_session:
            return
        self.next_session = self.view.t + int(self.p.interval_days * 24 / self.view.step_hours)
        bases = np.array([b.cell for b in m.bases])
        reach = m.navigation.hours_from(bases, "vehicle", self.p.reach_hours)
        # talk first to the groups the mission blames most, as far as teams go
        # talks are with non-state groups' leaders; the host state's forces answer to advocacy
        blamed = [g for g in np.argsort(-m.picture.blame, kind="stable")
                  if m.picture.blame[g] > 0 and not self.view.groups[g].is_state]
        for g in blamed[: self.teams]:
            where = m.picture.camp[g] if m.picture.camp[g] >= 0 else m.picture.last_seen[g]
            if where < 0 or not np.isfinite(reach[where]) or not m.movement_allowed(int(where)):
                continue  # the mission does not know where to find them, or cannot get there
            m.outputs.mediation_sessions += 1
            self.view.mediate(int(g), self.p.success, self.p.aggression_kept, self.p.aggression_floor)
