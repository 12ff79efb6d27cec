"""Human rights monitoring and advocacy: each abuse by state forces that the mission learns of is
documented and raised with the authorities, which raises the political cost of the next."""

from __future__ import annotations

from dataclasses import dataclass

from pocsim.mission.tools.base import Deploy, Tool
from pocsim.params import param


class HumanRightsAdvocacy(Tool):
    name = "advocacy"
    order = Deploy.dialogue

    @dataclass
    class Params:
        staff_share: float = param(0.15, unit="1 (of mission.civilian_staff)", low=0.0, high=0.5,
                                   source="strategy: share of the civilian staff as human rights officers")
        cost_per_abuse: float = param(0.02, unit="risk units", low=0.0, high=0.1,
                                      source="assumption: one documented abuse raised with the authorities")
        half_officers: float = param(5.0, unit="officers", low=1.0, high=20.0,
                                     source="assumption: diminishing returns; five officers do half what "
                                            "many could")

    def wants(self) -> list:
        return [("civilian_staff", self.p.staff_share, 1)]

    def deploy(self) -> None:
        officers = self.granted("civilian_staff")
        self.weight = officers / (officers + self.p.half_officers)

    def attack_reported(self, village: int, group: int) -> None:
        if self.weight > 0 and self.view.groups[group].is_state:
            self.mission.outputs.abuses_documented += 1
            self.view.document_abuse(group, self.p.cost_per_abuse * self.weight)
