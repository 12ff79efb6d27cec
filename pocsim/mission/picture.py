"""The mission's threat picture: what the mission believes, never the truth itself.

An estimate per village, refreshed only by what the mission's sources report (patrol sightings,
liaison assistants' calls, team visits, alerts), each report late and noisy, and fading back
towards nothing when not refreshed. Every mission decision reads this, which is what gives the
information tools their value: a mission with no sources plans blind.
"""

from __future__ import annotations

import heapq

import numpy as np


class ThreatPicture:
    def __init__(self, model, cfg, rng):
        self.model = model
        self.cfg = cfg
        self.rng = rng
        n = len(model.villages)
        self.estimate = np.zeros(n)
        self.updated = np.full(n, -np.inf)  # step of the last report on each village
        self.blame = np.zeros(len(model.groups))  # attacks reported, by perpetrator
        self.last_seen = np.full(len(model.groups), -1, dtype=np.int64)  # cell where each group was last sighted
        self._pending: list = []  # heap of (arrival step, sequence, kind, payload)
        self._seq = 0
        self._fade = np.exp(-model.step_hours / cfg.picture_fade_hours)

    def _queue(self, delay_hours: float, kind: str, payload) -> None:
        arrival = self.model.t + int(np.ceil(max(delay_hours, 0.0) / self.model.step_hours))
        heapq.heappush(self._pending, (arrival, self._seq, kind, payload))
        self._seq += 1

    def report_threat(self, villages: np.ndarray, delay_hours: float, noise: float | None = None) -> None:
        """A source saw the threat at these villages now; the mission learns it after a delay."""
        if len(villages) == 0:
            return
        sigma = self.cfg.report_noise if noise is None else noise
        truth = self.model.threat_at_villages[villages]
        seen = truth * self.rng.lognormal(-0.5 * sigma**2, sigma, len(villages))
        self._queue(delay_hours, "threat", (np.asarray(villages), seen))

    def report_attack(self, village: int, group: int, delay_hours: float) -> None:
        self._queue(delay_hours, "attack", (village, group))

    def report_sighting(self, group: int, cell: int, delay_hours: float) -> None:
        self._queue(delay_hours, "sighting", (group, cell))

    def step(self) -> list:
        """Fade, then take in every report that has arrived; returns the attacks learnt of."""
        self.estimate *= self._fade
        attacks = []
        while self._pending and self._pending[0][0] <= self.model.t:
            _, _, kind, payload = heapq.heappop(self._pending)
            if kind == "threat":
                villages, seen = payload
                self.estimate[villages] = seen
                self.updated[villages] = self.model.t
            elif kind == "attack":
                village, group = payload
                self.blame[group] += 1
                # an attack reported means danger there, whatever the threat field said
                self.estimate[village] = max(self.estimate[village], 2.0 * self.model.scenario.threat.high_threshold)
                self.updated[village] = self.model.t
                attacks.append(payload)
            else:
                group, cell = payload
                self.last_seen[group] = cell
        return attacks

    def risk(self) -> np.ndarray:
        """Where the mission thinks people are in danger: estimated threat times people."""
        return self.estimate * np.sqrt(self.model.villages.population)
