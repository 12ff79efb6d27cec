"""Community alert networks: villages that can call the mission when they are attacked.

Villages join through a liaison assistant who keeps in touch with them (a share of those joins),
or through a radio left by a followed-up protection plan. Alerts arrive late (someone has to get
to a phone), some never come, and some are false alarms. An alert is worth only the response
behind it: it goes to the picture, and to whichever tool answers alerts (a reaction force)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pocsim.mission.tools.base import Deploy, Tool
from pocsim.params import param


@dataclass
class Alert:
    village: int
    raised: int  # step the mission received it
    true_alarm: bool


class AlertNetwork(Tool):
    name = "alert_network"
    order = Deploy.networks

    @dataclass
    class Params:
        coverage: float = param(1.0, unit="1", low=0.2, high=1.0,
                                source="strategy: share of the villages in liaison contact that join")
        p_raise: float = param(0.8, unit="1", low=0.3, high=1.0,
                               source="assumption: most attacks on a member village are reported "
                                      "(MONUSCO CAN evaluations: calls fail for lack of network or credit)")
        latency_hours: float = param(1.0, unit="h", low=0.25, high=6.0,
                                     source="assumption: mean time to get to a phone and through")
        false_alarms_per_village_year: float = param(0.5, unit="1/(village*year)", low=0.0, high=4.0,
                                                     source="assumption: rumours and misdialled alerts")

    def deploy(self) -> None:
        m = self.mission
        self.joined = m.contacts & (m.rng.random(len(m.contacts)) < self.p.coverage)
        self._due: list[tuple[int, int, bool]] = []  # (step, village, true alarm)
        self.false_alarms = self.mission.streams["mission/false_alarms"]
        self._false_rate = self.p.false_alarms_per_village_year / (365 * 24) * self.view.step_hours

    @property
    def members(self) -> np.ndarray:
        return self.joined | self.mission.radios

    def attack_started(self, village: int, group: int) -> None:
        """Villagers call for help (the caller cannot say for sure who attacks)."""
        rng = self.mission.draw("alert", village)
        if self.members[village] and rng.random() < self.p.p_raise:
            delay = int(np.ceil(rng.exponential(self.p.latency_hours) / self.view.step_hours))
            self._due.append((self.view.t + delay, village, True))

    def step(self) -> None:
        t = self.view.t
        members = self.members
        # one uniform per village every hour (a sequential stream stays paired, pocsim/streams.py)
        for v in np.flatnonzero(members & (self.false_alarms.random(len(members)) < self._false_rate)):
            self._due.append((t, int(v), False))
        now = [d for d in self._due if d[0] <= t]
        self._due = [d for d in self._due if d[0] > t]
        for _, v, true in now:
            self.mission.alert_received(Alert(v, t, true))
