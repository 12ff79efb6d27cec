"""Company operating bases: static deterrence by presence at the largest towns, held all run."""

from __future__ import annotations

from dataclasses import dataclass

from pocsim.mission.tools.base import Deploy, Tool
from pocsim.params import param


class CompanyBases(Tool):
    """Companies garrison bases at the largest towns, one per town (largest first, wrapping
    round if there are more companies than towns). A base deters around itself, fading with
    travel time (pocsim/mission/presence.py); its garrison is where patrols go out from."""

    name = "company_bases"
    order = Deploy.bases

    @dataclass
    class Params:
        troop_share: float = param(0.5, unit="1 (of mission.troops)", low=0.0, high=1.0,
                                   source="strategy: share of the troops garrisoning company bases")

    def wants(self) -> list:
        return [("troops", self.p.troop_share, self.mission.cfg.company_size)]

    def deploy(self) -> None:
        m = self.mission
        size = m.cfg.company_size
        companies = self.granted("troops") // size
        for k in range(companies):
            base = m.open_base(int(self.view.villages.cell[m.towns[k % len(m.towns)]]), float(size))
            if base not in m.field_bases:
                m.field_bases.append(base)
