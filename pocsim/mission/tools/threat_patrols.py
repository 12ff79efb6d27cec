"""Threat-informed patrols: platoons sent to the villages the picture shows at risk, driving
where they can and walking the rest, staying a while; they also act on protection plans."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pocsim.mission.patrol import PatrolParams, raise_platoons
from pocsim.mission.tools.base import Deploy, Tool
from pocsim.params import param


class ThreatPatrols(Tool):
    name = "threat_patrols"
    order = Deploy.field_units
    mode = "vehicle"

    @dataclass
    class Params(PatrolParams):
        troop_share: float = param(0.3, unit="1 (of mission.troops)", low=0.0, high=1.0,
                                   source="strategy: share of the troops out on threat-informed patrols")
        reach_hours: float = param(12.0, unit="h", low=4.0, high=24.0,
                                   source="assumption: long-range patrols go up to half a day out")
        dwell_hours: float = param(8.0, unit="h", low=2.0, high=48.0,
                                   source="assumption: a patrol stays the day in the village it was sent to")
        rest_hours: float = param(12.0, unit="h", low=4.0, high=48.0,
                                  source="assumption: a platoon rests after a long-range patrol")
        close_call_share: float = param(0.8, unit="1 (of the highest risk)", low=0.5, high=1.0,
                                        source="assumption: planners treat risks within 20% of the worst alike")

    def wants(self) -> list:
        return [("troops", self.p.troop_share, self.mission.cfg.platoon_size)]

    def deploy(self) -> None:
        raise_platoons(self)

    def choose_goal(self, patrol) -> tuple[int, int]:
        """The village within reach the picture shows most at risk (one of the close calls, within
        `close_call_share` of the worst, so platoons do not all go to the same place); with no
        information at all, one of the biggest villages within reach (where a planner without a
        picture would send them)."""
        m = self.mission
        reach = np.isfinite(m.navigation.hours_to_villages(patrol.cell, self.mode, self.p.reach_hours))
        if not reach.any():
            return -1, -1
        risk = np.where(reach, m.picture.risk(), -1.0)
        if risk.max() <= 0:
            risk = np.where(reach, self.view.villages.population.astype(float), -1.0)
        rng = m.draw(self.name, patrol.number)
        close_calls = np.flatnonzero(risk >= self.p.close_call_share * risk.max())
        v = int(close_calls[rng.integers(len(close_calls))])  # = rng.choice(close_calls), cheaper
        return int(self.view.villages.cell[v]), v
