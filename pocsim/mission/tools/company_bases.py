"""Company operating bases: static deterrence by presence at the largest towns, held all run."""

from __future__ import annotations

from dataclasses import dataclass

from pocsim.mission.tools.base import Deploy, Tool
from pocsim.params import param


class CompanyBases(Tool):
    """Companies garrison bases at the largest towns, one per town (largest first, wrapping
    round if there are more companies than towns; `towns` keeps them to the few largest). A base
    deters around itself, fading with travel time (pocsim/mission/presence.py); its garrison is
    where patrols go out from."""

    name = "company_bases"
    order = Deploy.bases

    @dataclass
    class Params:
        troop_share: float = param(0.5, unit="1 (of mission.troops)", low=0.0, high=1.0,
                                   source="strategy: share of the troops garrisoning company bases")
        # A deployed mission often holds a prefecture with one battalion at its main town (Geo-PKO:
        # MINUSCA in Ouaka and Ouham, 2014-2018), not a company at every town.
        towns: int = param(0, unit="towns (0 = all)", low=0, high=50,
                           source="strategy: how many of the largest towns get bases (all, or e.g. 1 as deployed)")

    def wants(self) -> list:
        return [("troops", self.p.troop_share, self.mission.cfg.company_size)]

    def deploy(self) -> None:
        m = self.mission
        size = m.cfg.company_size
        companies = self.granted("troops") // size
        for k in range(companies):
            base = m.open_base(m.company_town(k, among=self.p.towns), float(size))
            if base not in m.field_bases:
                m.field_bases.append(base)
