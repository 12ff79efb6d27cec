"""Formed police units: armed, self-contained police units (about 140 officers) guarding the
protection sites at the mission's largest bases, where the displaced gather. Around a site they
arrest those who prey on people (an incident becomes an arrest instead) and, being armed, can stop
an attack inside the site; they report daily on the displaced they guard."""

from __future__ import annotations

from dataclasses import dataclass

from pocsim.mission.tools.base import Deploy, Tool
from pocsim.params import param

FPU = "DPKO/DFS Policy on Formed Police Units in UN Peacekeeping Operations (2017): an FPU is 140 officers"


class FormedPolice(Tool):
    name = "formed_police"
    order = Deploy.police

    @dataclass
    class Params:
        police_share: float = param(0.875, unit="1 (of mission.police)", low=0.0, high=1.0,
                                    source="strategy: share of the police in formed units")
        unit_size: int = param(140, unit="officers", low=120, high=160, source=FPU)
        site_km: float = param(3.0, unit="km", low=1.0, high=5.0,
                               source="assumption: a protection site and its approaches")
        presence_per_unit: float = param(0.5, unit="company-equivalents", low=0.0, high=1.0,
                                         source="assumption: armed for public order, not combat: "
                                                "deters like half a company")
        arrest_half_officers: float = param(80.0, unit="officers", low=20.0, high=300.0,
                                            source="assumption: officers at which half the incidents "
                                                   "at a site end in an arrest")
        hearsay_days: float = param(1.0, unit="days", low=0.5, high=7.0,
                                    source="assumption: the displaced at a site tell the police of the day's attacks")
        stop_per_hour: float = param(0.5, unit="1/h", low=0.1, high=1.0,
                                     source="assumption: an armed unit on site stops an attack within hours")

    def wants(self) -> list:
        return [("police", self.p.police_share, self.p.unit_size)]

    def deploy(self) -> None:
        m = self.mission
        units = self.granted("police") // self.p.unit_size
        officers: dict = {}
        bases = m.garrisons()
        for k in range(units):  # one unit to each of the largest bases, round again if more units
            base = bases[k % len(bases)]
            base.police_presence += self.p.presence_per_unit
            officers[base] = officers.get(base, 0.0) + self.p.unit_size
        self.sites = list(officers.items())  # (base, officers): a site moves with its base

    def step(self) -> None:
        if self.mission.start_of_day:
            for base, _ in self.sites:
                self.mission.look(base.cell, self.p.site_km, "police", self.p.hearsay_days * 24)

    def police_response(self, village: int, raid: bool) -> tuple[int, bool]:
        officers = officers_near(self.view, [(b.cell, n) for b, n in self.sites], village, self.p.site_km)
        if officers <= 0:
            return 0, False
        p_stop = 1 - (1 - self.p.stop_per_hour) ** self.view.step_hours if raid else 0.0
        return respond(self.mission.draw(self.name, village), self.mission, officers, self.p.arrest_half_officers,
                       p_stop)


def officers_near(view, posts, village: int, km: float) -> float:
    """Officers at the first post (cell, officers) within `km` of the village (0 if none)."""
    cell = int(view.villages.cell[village])
    return next((officers for post, officers in posts if view.terrain.within_km(post, cell, km)), 0.0)


def respond(rng, mission, officers: float, half: float, p_stop: float) -> tuple[int, bool]:
    """Police on the spot: one arrest with probability officers / (officers + half); an attack
    stopped with probability p_stop (armed units only)."""
    arrested = int(rng.random() < officers / (officers + half))
    stopped = p_stop > 0 and rng.random() < p_stop
    mission.outputs.arrests += arrested
    mission.outputs.attacks_stopped_by_police += stopped
    return arrested, stopped
