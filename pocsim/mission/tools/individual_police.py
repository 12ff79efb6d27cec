"""Individual police officers: unarmed UN police co-located with host-state police in the largest
towns. Together they patrol the town and its outskirts (a crime or abuse there may end in an
arrest on the spot), and they follow up attacks reported to the mission within the jurisdiction
of their station: the host-state police may act on a case and arrest a suspect, which costs the
group a fighter (rule of law as protection, tier 3)."""

from __future__ import annotations

from dataclasses import dataclass

from pocsim.mission.tools.base import Deploy, Tool
from pocsim.mission.tools.formed_police import officers_near, respond
from pocsim.params import param


class IndividualPolice(Tool):
    name = "individual_police"
    order = Deploy.police

    @dataclass
    class Params:
        police_share: float = param(0.125, unit="1 (of mission.police)", low=0.0, high=1.0,
                                    source="strategy: share of the police as individual officers")
        officers_per_town: int = param(10, unit="officers", low=4, high=40,
                                       source="assumption: at most a co-location team at a town's police station "
                                              "(officers are spread over as many towns as they can staff)")
        town_km: float = param(10.0, unit="km", low=3.0, high=20.0,
                               source="assumption: joint patrols cover a town and its outskirts")
        host_police_cooperation: float = param(
            0.5, unit="1", low=0.1, high=0.9,
            source="assumption: share of cases host-state police act on (capacity, will; OIOS 2014)")
        jurisdiction_km: float = param(40.0, unit="km", low=15.0, high=80.0,
                                       source="assumption: a prefecture police station's area")
        arrest_half_officers: float = param(20.0, unit="officers", low=5.0, high=80.0,
                                            source="assumption: officers at which half the cases "
                                                   "the host police act on end in an arrest")

    def wants(self) -> list:
        return [("police", self.p.police_share, 1)]

    def deploy(self) -> None:
        m = self.mission
        officers = self.granted("police")
        # spread evenly over the towns' police stations (largest towns first), at most
        # officers_per_town at each: as many stations as there are officers for
        towns = m.towns[: max(1, min(len(m.towns), officers))]
        share, extra = divmod(officers, len(towns))
        staffed = [min(share + (k < extra), self.p.officers_per_town) for k in range(len(towns))]
        self.posts: list[tuple[int, float]] = [  # (cell, officers)
            (int(self.view.villages.cell[t]), float(n)) for t, n in zip(towns, staffed) if n > 0]
        m.resources.give_back("police", officers - sum(staffed))  # more than the towns can use

    def post_near(self, village: int, km: float) -> float:
        """Officers at the first post within `km` of the village (0 if none)."""
        return officers_near(self.view, self.posts, village, km)

    def police_response(self, village: int, raid: bool) -> tuple[int, bool]:
        officers = self.post_near(village, self.p.town_km)
        rng = self.mission.draw(self.name, village)
        if officers <= 0 or rng.random() >= self.p.host_police_cooperation:
            return 0, False
        return respond(rng, self.mission, officers, self.p.arrest_half_officers, 0.0)

    def attack_reported(self, village: int, group: int) -> None:
        officers = self.post_near(village, self.p.jurisdiction_km)
        rng = self.mission.draw(f"{self.name}/case", village)
        if officers <= 0 or rng.random() >= self.p.host_police_cooperation:
            return
        arrested, _ = respond(rng, self.mission, officers, self.p.arrest_half_officers, 0.0)
        if arrested:
            self.view.arrest(group, arrested)
