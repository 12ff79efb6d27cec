"""Community alert networks: villages that can phone the mission when they are attacked.

A village can raise an alert only if it has phone coverage and a liaison assistant has brought it
into a network. Alerts arrive late (someone has to get to a phone), some never come, and some are
false alarms. An alert is worth only what the response behind it is worth: it goes to the picture,
and to a reaction force if one is free.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

P_RAISE = 0.8  # an attack in a member village is reported
LATENCY_HOURS = 1.0  # mean delay before the call gets through
FALSE_ALARMS_PER_VILLAGE_YEAR = 0.5


@dataclass
class Alert:
    village: int
    raised: int  # step the mission received it
    true_alarm: bool


class AlertNetwork:
    def __init__(self, mission, members: np.ndarray):
        self.mission = mission
        self.model = mission.model
        self.members = members  # bool per village
        self._due: list[tuple[int, int, bool]] = []  # (step, village, true alarm)
        self._false_rate = FALSE_ALARMS_PER_VILLAGE_YEAR / (365 * 24) * self.model.step_hours

    def attack_started(self, village: int) -> None:
        rng = self.mission.rng
        if self.members[village] and rng.random() < P_RAISE:
            delay = int(np.ceil(rng.exponential(LATENCY_HOURS) / self.model.step_hours))
            self._due.append((self.model.t + delay, village, True))

    def step(self) -> list[Alert]:
        rng = self.mission.rng
        for v in np.flatnonzero(self.members & (rng.random(len(self.members)) < self._false_rate)):
            self._due.append((self.model.t, int(v), False))
        now = [d for d in self._due if d[0] <= self.model.t]
        self._due = [d for d in self._due if d[0] > self.model.t]
        return [Alert(v, self.model.t, true) for _, v, true in now]
