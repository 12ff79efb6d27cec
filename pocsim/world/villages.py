"""The population: villages and towns as arrays, with their harm ledger.

Per-village state lives in numpy arrays (one entry per settlement) so that hourly updates are
vectorised; the displaced of each village move as one cohort to a refuge village, so where people
are is always `residents` at home plus the cohorts each village hosts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Villages:
    name: np.ndarray  # str
    cell: np.ndarray  # int64 flat index
    x: np.ndarray  # int64 cell column
    y: np.ndarray  # int64 cell row
    population: np.ndarray  # int64 at the start
    is_town: np.ndarray  # bool
    vulnerability: np.ndarray  # float64 in (0, 1]: how exposed people are when attacked
    phone_coverage: np.ndarray  # bool: can raise an alert by phone
    community: np.ndarray  # int64 index into communities
    road_km: np.ndarray  # float64 distance to the nearest road (main or track)
    communities: tuple[str, ...]

    def __post_init__(self):
        n = len(self.cell)
        # the harm ledger and where people are
        self.residents = self.population.copy()  # at home
        self.away = np.zeros(n, dtype=np.int64)  # displaced residents, staying at `refuge`
        self.refuge = np.full(n, -1, dtype=np.int64)
        self.deaths = np.zeros(n, dtype=np.int64)
        self.injuries = np.zeros(n, dtype=np.int64)
        self.flights = np.zeros(n, dtype=np.int64)  # people who fled, cumulative

    def __len__(self) -> int:
        return len(self.cell)

    def hosted(self) -> np.ndarray:
        """Displaced people each village is hosting."""
        has = self.refuge >= 0
        return np.bincount(self.refuge[has], weights=self.away[has], minlength=len(self)).astype(np.int64)

    def present(self) -> np.ndarray:
        """Everyone in each village now: its residents at home and the displaced it hosts."""
        return self.residents + self.hosted()

    @property
    def displaced(self) -> int:
        return int(self.away.sum())

    @property
    def alive(self) -> int:
        return int(self.residents.sum() + self.away.sum())

    def plan_followed_up(self, village: int, vulnerability_kept: float) -> None:
        """A protection plan put in place (ways to warn, hide or flee in time): people there are
        less exposed when attacked."""
        self.vulnerability[village] *= vulnerability_kept
