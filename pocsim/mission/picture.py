"""The mission's threat picture: what the mission believes, never the truth itself.

Per village: estimated threat and the displaced people staying there; per armed group: attacks
blamed on it, where it was last seen, where it seems to camp, and whether it has fought
peacekeepers. Everything arrives as a report from a source (patrol, liaison assistant, team,
alert, observer, reaction force, police), each with its own delay and error
(`mission.reports.<source>`), and the threat estimate fades back towards nothing when not
refreshed. Every mission decision reads this, which is what gives the information tools their
value: a mission with no sources plans blind.
"""

from __future__ import annotations

import heapq

import numpy as np


class ThreatPicture:
    def __init__(self, view, cfg, streams):
        self.view = view
        self.cfg = cfg
        self.streams = streams
        n, g = len(view.villages), len(view.groups)
        self.estimate = np.zeros(n)
        self.updated = np.full(n, -np.inf)  # step of the last report on each village
        self.displaced = np.zeros(n)  # displaced people believed to be staying at each village
        self.blame = np.zeros(g)  # attacks reported, by perpetrator
        self.last_seen = np.full(g, -1, dtype=np.int64)  # cell where each group was last sighted
        self.camp = np.full(g, -1, dtype=np.int64)  # where each group was last seen at rest
        self.fights_peacekeepers = np.zeros(g, dtype=bool)  # it stood and fought when troops came
        self.attacks_known: set = set()  # (village, start step) of attacks already learnt of
        self._pending: list = []  # heap of (arrival step, sequence, kind, payload)
        self._seq = 0
        self._delay_steps: dict[str, int] = {}
        self._fade = np.exp(-view.step_hours / cfg.picture_fade_hours)
        self.attack_threat = cfg.reported_attack_threat * view.high_threat

    def _queue(self, source: str, kind: str, payload) -> None:
        delay = self._delay_steps.get(source)
        if delay is None:  # asked for every report: worked out once per source
            hours = getattr(self.cfg.reports, source).delay_hours
            delay = self._delay_steps[source] = int(np.ceil(max(hours, 0.0) / self.view.step_hours))
        heapq.heappush(self._pending, (self.view.t + delay, self._seq, kind, payload))
        self._seq += 1

    def _errors(self, source: str, what: str, about: int, n: int) -> np.ndarray:
        """n multiplicative errors (mean one) of the source's report of `what` about a village now:
        one keyed draw per report (pocsim/streams.py)."""
        sigma = getattr(self.cfg.reports, source).noise
        rng = self.streams.draw(f"report/{source}/{what}", int(about), self.view.t)
        return rng.lognormal(-0.5 * sigma**2, sigma, n)

    # --- what sources report -----------------------------------------------------------------
    def report_sight(self, sight, source: str) -> None:
        """What a unit saw where it is: threat and the displaced at villages near it, groups near it."""
        if len(sight.villages):
            n = len(sight.villages)
            errors = self._errors(source, "sight", sight.villages[0], 2 * n)  # threat, then the displaced
            self._queue(source, "threat", (sight.villages, sight.threat * errors[:n]))
            self._queue(source, "displaced", (sight.villages, sight.displaced * errors[n:]))
        for group, cell, resting in sight.groups:
            self._queue(source, "sighting", (group, cell, resting))
        for village, start, group in sight.attacks:
            self.report_attack(village, group, source, start)

    def report_threat(self, villages: np.ndarray, threat: np.ndarray, source: str) -> None:
        if len(villages):
            errors = self._errors(source, "threat", villages[0], len(villages))
            self._queue(source, "threat", (np.asarray(villages), threat * errors))

    def report_displaced(self, villages: np.ndarray, people: np.ndarray, source: str) -> None:
        if len(villages):
            errors = self._errors(source, "displaced", villages[0], len(villages))
            self._queue(source, "displaced", (np.asarray(villages), people * errors))

    def report_attack(self, village: int, group: int, source: str, start: int | None = None) -> None:
        """An attack on the village by the group, which started at step `start` (now if None);
        the same attack told by several sources counts once."""
        self._queue(source, "attack", (village, group, self.view.t if start is None else start))

    def report_resistance(self, groups, source: str) -> None:
        """These groups fought the troops who stepped into their attack instead of breaking off."""
        for g in groups:
            self._queue(source, "resistance", g)

    def report_alert(self, village: int) -> None:
        """An alert call: danger at the village, whatever the picture said (as late and as
        uncertain as `mission.reports.alert` says)."""
        error = float(self._errors("alert", "danger", village, 1)[0])
        self._queue("alert", "danger", (village, self.attack_threat * error))

    def mark_danger(self, village: int, threat: float) -> None:
        self.estimate[village] = max(self.estimate[village], threat)
        self.updated[village] = self.view.t

    # --- each hour ---------------------------------------------------------------------------
    def step(self) -> list:
        """Fade, then take in every report that has arrived; returns the attacks learnt of."""
        self.estimate *= self._fade
        attacks = []
        while self._pending and self._pending[0][0] <= self.view.t:
            _, _, kind, payload = heapq.heappop(self._pending)
            if kind == "threat":
                villages, seen = payload
                self.estimate[villages] = seen
                self.updated[villages] = self.view.t
            elif kind == "displaced":
                villages, seen = payload
                self.displaced[villages] = seen
            elif kind == "attack":
                village, group, start = payload
                if (village, start) in self.attacks_known:
                    continue
                self.attacks_known.add((village, start))
                self.blame[group] += 1
                self.mark_danger(village, self.attack_threat)  # an attack reported means danger there
                attacks.append((village, group))
            elif kind == "danger":
                self.mark_danger(*payload)
            elif kind == "sighting":
                group, cell, resting = payload
                self.last_seen[group] = cell
                if resting:
                    self.camp[group] = cell
            else:
                self.fights_peacekeepers[payload] = True
        return attacks

    def risk(self) -> np.ndarray:
        """Where the mission thinks people are in danger: estimated threat times people."""
        return self.estimate * np.sqrt(self.view.villages.population + self.displaced)
