"""Disarmament, demobilisation and reintegration: where a peace process exists, fighters leave the
non-state groups at a rate that grows with staff (and, in the world, with how little appetite
for violence a group has left)."""

from __future__ import annotations

from dataclasses import dataclass

from pocsim.mission.tools.base import Deploy, Tool
from pocsim.params import param


class DDR(Tool):
    name = "ddr"
    order = Deploy.dialogue

    @dataclass
    class Params:
        staff_share: float = param(0.1, unit="1 (of mission.civilian_staff)", low=0.0, high=0.5,
                                   source="strategy: share of the civilian staff in DDR")
        rate_per_staff_day: float = param(0.0005, unit="1/(staff*day)", low=0.0001, high=0.002,
                                          source="assumption: four staff demobilise about 6% of a calm "
                                                 "group a month")

    def wants(self) -> list:
        return [("civilian_staff", self.p.staff_share, 1)]

    def deploy(self) -> None:
        self.staff = self.granted("civilian_staff")

    def step(self) -> None:
        if self.staff > 0 and self.view.peace_process and self.mission.start_of_day:
            self.view.demobilise(self.p.rate_per_staff_day * self.staff)
