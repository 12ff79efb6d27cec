"""Displacement as movement: people flee threat to safer places nearby, and go home when it is safe.

The displaced of a village travel as one cohort and stay at one refuge (a nearby village or town)
where they are exposed to whatever happens there; if it becomes dangerous, the cohort moves on.
A refuge is chosen by what people can know: yesterday's threat there, distance, and that towns
offer more safety in numbers.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree
from scipy.stats import binom


class Displacement:
    def __init__(self, model):
        self.model = model
        self.cfg = model.scenario.displacement
        v = model.villages
        km = model.terrain.cell_km
        xy = np.column_stack([v.x, v.y]) * km
        tree = cKDTree(xy)
        self.neighbours = [np.array(sorted(set(nb) - {i}), dtype=np.int64)
                           for i, nb in enumerate(tree.query_ball_point(xy, self.cfg.refuge_radius_km))]
        self.neighbour_km = [np.hypot(*(xy[nb] - xy[i]).T) for i, nb in enumerate(self.neighbours)]
        self.threat_sum = np.zeros(len(v))  # hourly threat summed over the current day
        self.daily_threat = np.zeros(len(v))  # yesterday's mean: what people act on
        self.fled_today = 0
        self.returned_today = 0

    def choose_refuge(self, at: int) -> int:
        """The most attractive place within reach of `at`, or -1 if there is none."""
        nb = self.neighbours[at]
        if len(nb) == 0:
            return -1
        v = self.model.villages
        # People know where peacekeepers are: protected places draw the displaced (and, with
        # them, whoever preys on crowds).
        cfg = self.cfg
        protection = np.minimum(self.model.deterrence.ravel()[v.cell[nb]], cfg.protection_cap)
        score = (self.daily_threat[nb] / max(cfg.flee_threshold, 1e-9) + self.neighbour_km[at] / cfg.refuge_radius_km
                 - cfg.town_preference * v.is_town[nb] - cfg.protection_weight * protection)
        return int(nb[np.argmin(score)])

    def flee(self, i: int, n: int) -> int:
        """n residents of village i leave home; returns how many could go somewhere."""
        v = self.model.villages
        if n <= 0:
            return 0
        if v.refuge[i] < 0:
            v.refuge[i] = self.choose_refuge(i)
            if v.refuge[i] < 0:
                return 0
        v.residents[i] -= n
        v.away[i] += n
        v.flights[i] += n
        self.fled_today += n
        self.model.refresh_present()
        return n

    def move_on(self, i: int) -> int:
        """The displaced staying at village i leave for another refuge; returns how many."""
        v = self.model.villages
        cohorts = np.flatnonzero((v.refuge == i) & (v.away > 0))
        moved = 0
        dest = self.choose_refuge(i) if len(cohorts) else -1
        for c in cohorts if dest >= 0 else ():
            if dest == c:  # the way on leads back home: they return
                self._return(c, int(v.away[c]))
            else:
                v.refuge[c] = dest
                moved += int(v.away[c])
        if len(cohorts):
            self.model.refresh_present()
        return moved

    def kill_hosted(self, i: int, n: int, rng: np.random.Generator) -> None:
        """n of the displaced staying at village i were killed: take them from their cohorts."""
        v = self.model.villages
        cohorts = np.flatnonzero((v.refuge == i) & (v.away > 0))
        if n <= 0 or len(cohorts) == 0:
            return
        sizes = v.away[cohorts]
        dead = rng.multivariate_hypergeometric(sizes, min(n, int(sizes.sum())))
        v.away[cohorts] -= dead
        v.refuge[cohorts[v.away[cohorts] == 0]] = -1

    def _return(self, c: int, n: int) -> None:
        v = self.model.villages
        v.away[c] -= n
        v.residents[c] += n
        if v.away[c] == 0:
            v.refuge[c] = -1
        self.returned_today += n

    def accumulate(self, threat_at_villages: np.ndarray) -> None:
        self.threat_sum += threat_at_villages * self.model.step_hours

    def daily(self) -> None:
        """Once a day: people leave places that stayed threatening and return where it is calm."""
        v, cfg = self.model.villages, self.cfg
        self.daily_threat = self.threat_sum / 24.0
        self.threat_sum[:] = 0.0
        excess = self.daily_threat / max(cfg.flee_threshold, 1e-9) - 1.0
        share = np.clip(cfg.flee_share * excess, 0.0, 1.0)
        # One uniform per village and purpose each day, turned into counts by the binomial quantile:
        # how many leave village i never depends on what happened in other villages.
        draw = lambda purpose: self.model.streams.draw(purpose, self.model.day).random(len(v))  # noqa: E731
        u_flee, u_move, u_return = draw("flee"), draw("move_on"), draw("return")
        leaving = np.flatnonzero(share > 0)
        counts = binomial_quantile(u_flee[leaving], v.residents[leaving], share[leaving])
        for i, n in zip(leaving, counts):
            self.flee(i, n)
            if u_move[i] < share[i]:
                self.move_on(i)
        calm = np.flatnonzero((v.away > 0) & (self.daily_threat < cfg.return_threshold))
        for c, n in zip(calm, binomial_quantile(u_return[calm], v.away[calm], cfg.return_share)):
            self._return(c, n)
        self.model.refresh_present()

    def reset_day_counts(self) -> tuple[int, int]:
        out = (self.fled_today, self.returned_today)
        self.fled_today = self.returned_today = 0
        return out


def binomial_quantile(u: np.ndarray, n: np.ndarray, p) -> list[int]:
    """Binomial(n, p) counts by inverse transform of the uniforms u, one each."""
    return [int(k) for k in np.maximum(binom.ppf(u, n, p), 0)]
