"""Temporary operating bases: companies that move, each planning cycle, to where the picture
shows threat; optionally (a tailored, modular plan) holding the places where the displaced
gather and leaving areas to civilian tools where troops would draw fire or be resented."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pocsim.mission.tools.base import Deploy, Tool
from pocsim.params import param, setting


class TemporaryBases(Tool):
    name = "temporary_bases"
    order = Deploy.bases

    @dataclass
    class Params:
        troop_share: float = param(0.5, unit="1 (of mission.troops)", low=0.0, high=1.0,
                                   source="strategy: share of the troops in temporary operating bases")
        spacing_km: float = param(20.0, unit="km", low=5.0, high=50.0,
                                  source="assumption: two bases closer than this cover the same villages")
        follow_movement: bool = setting(False, means="also chase where the picture changed since the last cycle")
        hold_displacement_sites: int = param(0, unit="sites", low=0, high=4,
                                             source="strategy: bases kept where the displaced gather")
        displacement_site_people: float = param(1000.0, unit="people", low=200.0, high=5000.0,
                                                source="assumption: a gathering this large needs protection")
        civilian_lead_km: float = param(0.0, unit="km", low=0.0, high=60.0,
                                        source="strategy: troops stay this far from groups known to fight "
                                               "peacekeepers or state forces blamed for abuse (0: never)")

    def wants(self) -> list:
        return [("troops", self.p.troop_share, self.mission.cfg.company_size)]

    def deploy(self) -> None:
        m = self.mission
        size = m.cfg.company_size
        companies = self.granted("troops") // size
        self.bases = []
        for k in range(companies):  # at the towns until the picture says where threat is
            base = m.open_base(m.company_town(k), float(size), temporary=True)
            if base not in self.bases:
                self.bases.append(base)
                m.field_bases.append(base)
        self.previous_risk = np.zeros(len(self.view.villages))

    def plan(self) -> None:
        m, v = self.mission, self.view.villages
        if self.view.t == 0 or not self.bases:
            return
        risk = m.picture.risk()
        target = risk.copy()
        if self.p.follow_movement:
            target += np.abs(risk - self.previous_risk)
        self.previous_risk = risk.copy()
        if self.p.civilian_lead_km > 0:
            m.civilian_lead = self.areas_to_avoid()
            target[m.civilian_lead] = 0.0
        shelters = np.argsort(-m.picture.displaced, kind="stable")[: self.p.hold_displacement_sites]
        sites = [int(v.cell[i]) for i in shelters if m.picture.displaced[i] > self.p.displacement_site_people]
        order = [int(v.cell[i]) for i in np.argsort(-target, kind="stable") if target[i] > 0]
        wanted = sites + [c for c in order if c not in sites]
        taken = {b.cell for b in m.bases if b not in self.bases}
        for base, spot in zip(self.bases, self.spaced(wanted, len(self.bases), taken)):
            self.relocate(base, spot)

    def areas_to_avoid(self) -> np.ndarray:
        """Villages near where a group known to fight peacekeepers, or state forces the mission
        blames for attacks, was last seen."""
        m, v, km = self.mission, self.view.villages, self.view.terrain.cell_km
        avoid = np.zeros(len(v), dtype=bool)
        for g in self.view.groups:
            seen = m.picture.last_seen[g.index]
            hostile = m.picture.fights_peacekeepers[g.index] or (g.is_state and m.picture.blame[g.index] > 0)
            if hostile and seen >= 0:
                sx, sy = self.view.terrain.xy(seen)
                avoid |= (v.x - sx) ** 2 + (v.y - sy) ** 2 <= (self.p.civilian_lead_km / km) ** 2
        return avoid

    def spaced(self, cells: list[int], n: int, taken: set) -> list[int]:
        """The first n cells, skipping any taken or within the spacing of one already chosen."""
        chosen: list[int] = []
        for c in cells:
            if len(chosen) == n:
                break
            if c in taken or any(self.view.terrain.within_km(c, o, self.p.spacing_km) for o in chosen):
                continue
            chosen.append(c)
        return chosen

    def relocate(self, base, spot: int) -> bool:
        """Move a base with its units, once they are all home (troops leave no patrol behind)."""
        m = self.mission
        units = [u for u in m.units if u.home == base.cell]
        if base.cell == spot or any(u.state != "idle" for u in units) or not m.movement_allowed(spot):
            return False
        base.cell = spot
        for u in units:
            u.home = u.cell = spot
        m.base_opened(base)
        return True
