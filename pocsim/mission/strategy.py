"""Strategies: policies that allocate the same resources differently.

A strategy never gets more troops, police or staff than the scenario gives the mission; it only
decides where they go and what they do. The named strategies (configs/strategy/*.yaml) are
settings of one policy, except `modular`, which re-plans area by area from the picture.
"""

from __future__ import annotations

import numpy as np

from pocsim.config import BasePolicy, PatrolPolicy
from pocsim.mission.civilian import JointProtectionTeam
from pocsim.mission.military import OffensiveOperation, Patrol, ReactionForce

HOTSPOT_SPACING_KM = 20.0


class Policy:
    def __init__(self, mission):
        self.mission = mission
        self.model = mission.model
        self.cfg = mission.cfg
        self.strategy = mission.strategy
        v = self.model.villages
        towns = np.flatnonzero(v.is_town)
        if len(towns) == 0:  # a loaded area with no town flagged: its biggest places serve
            towns = np.argsort(-v.population, kind="stable")[:3]
        self.towns = towns[np.argsort(-v.population[towns], kind="stable")]  # largest first
        self.companies = self.cfg.troops // self.cfg.company_size
        self.spare_troops = self.cfg.troops - self.companies * self.cfg.company_size

    # --- initial deployment ------------------------------------------------------------------
    def deploy(self) -> None:
        m, s = self.mission, self.strategy
        qrf = min(s.qrf_companies, self.companies)
        field = self.companies - qrf
        hubs = [int(self.model.villages.cell[t]) for t in self.towns]
        hq = m.open_base(hubs[0], float(self.spare_troops))
        for k in range(qrf):  # reaction forces at the largest towns, spread out
            hub = hubs[k % len(hubs)]
            base = hq if hub == hq.cell else self._base_at(hub)
            m.units.append(ReactionForce(m, base.cell, float(self.cfg.company_size)))
        self.field_bases = self.place_field_companies(field, hq)
        self.place_police()
        self.raise_patrols(self.field_bases)
        self.raise_teams()
        # Liaison assistants work in pairs from field offices in the largest towns, whatever the troops do.
        assistants = int(s.liaison_share * self.cfg.civilian_staff)
        m.open_liaison([int(t) for t in self.towns[: max(1, assistants // 2)]], assistants)

    def _base_at(self, cell: int, temporary: bool = False):
        for b in self.mission.bases:
            if b.cell == cell:
                return b
        return self.mission.open_base(cell, 0.0, temporary)

    def _villages_at(self, cells):
        lookup = {int(c): i for i, c in enumerate(self.model.villages.cell)}
        return [lookup[c] for c in cells if c in lookup]

    def place_field_companies(self, n: int, hq) -> list:
        """Company bases at the largest towns (static) or, until the picture says where threat
        is, at the towns too (temporary bases that will move). No bases: they stay at HQ."""
        if n <= 0:
            return []
        if self.strategy.bases == BasePolicy.none:
            hq.troops += n * self.cfg.company_size
            return [hq]
        sites = [int(self.model.villages.cell[t]) for t in self.towns[:n]]
        bases = []
        for k in range(n):
            cell = sites[k % len(sites)]
            base = self._base_at(cell, temporary=self.strategy.bases == BasePolicy.threat)
            base.troops += self.cfg.company_size
            if base not in bases:
                bases.append(base)
        return bases

    def place_police(self) -> None:
        """Formed police units hold protection sites at the largest bases, where the displaced gather."""
        m = self.mission
        units = self.cfg.police // self.cfg.police_unit_size
        if units <= 0 or not m.bases:
            return
        sites = sorted(m.bases, key=lambda b: -b.troops)[: max(1, units)]
        for k in range(units):
            sites[k % len(sites)].police += self.cfg.police_unit_size
        m.police_sites = [(i, b.police) for b in sites for i in self._villages_at([b.cell])]

    def raise_patrols(self, bases) -> None:
        s, m = self.strategy, self.mission
        if s.patrols == PatrolPolicy.none:
            return
        for b in bases:
            n = int(round(s.patrol_share * b.troops / self.cfg.platoon_size))
            for _ in range(n):
                b.troops -= self.cfg.platoon_size
                m.units.append(Patrol(m, b.cell, float(self.cfg.platoon_size), s.patrols.value))

    def raise_teams(self) -> None:
        """Joint protection teams work from the headquarters; where security rules require it,
        each takes an escort platoon from the largest garrison (fewer troops for anything else)."""
        m = self.mission
        n = int(self.strategy.teams_share * self.cfg.civilian_staff) // self.cfg.team_size
        for _ in range(n):
            escort = 0.0
            if self.cfg.civilian_escort:
                garrison = max(m.bases, key=lambda b: b.troops)
                if garrison.troops < self.cfg.platoon_size:
                    continue  # no escort to be had: the team cannot go out
                garrison.troops -= self.cfg.platoon_size
                escort = float(self.cfg.platoon_size)
            m.units.append(JointProtectionTeam(m, m.bases[0].cell, self.cfg.team_size, escort))

    # --- each planning cycle -----------------------------------------------------------------
    def plan(self) -> None:
        if self.strategy.bases == BasePolicy.threat and self.model.t > 0:
            self.move_temporary_bases()
        if self.strategy.offensive:
            self.consider_offensive()

    def hotspots(self, n: int) -> list[int]:
        """Cells of the n villages the picture shows most at risk, spaced apart."""
        risk = self.mission.picture.risk()
        order = [int(self.model.villages.cell[i]) for i in np.argsort(-risk, kind="stable") if risk[i] > 0]
        return self.spaced(order, n, taken=set())

    def spaced(self, cells: list[int], n: int, taken: set) -> list[int]:
        """The first n cells of `cells`, skipping any taken or within the spacing of one chosen."""
        chosen: list[int] = []
        for c in cells:
            if len(chosen) == n:
                break
            if c in taken or any(self.model.terrain.within_km(c, o, HOTSPOT_SPACING_KM) for o in chosen):
                continue
            chosen.append(c)
        return chosen

    def move_temporary_bases(self) -> None:
        """Temporary bases follow the threat: each moves to a hotspot no base covers yet."""
        m = self.mission
        movable = [b for b in m.bases if b.temporary]
        spots = [c for c in self.hotspots(len(movable)) if c not in {b.cell for b in m.bases}]
        for base, spot in zip(movable, spots):
            self.relocate(base, spot)

    def relocate(self, base, spot: int) -> bool:
        """Move a base with its units, once they are all home (troops do not leave patrols behind)."""
        m = self.mission
        units = [u for u in m.units if u.home == base.cell]
        if base.cell == spot or any(u.state != "idle" for u in units) or not m.movement_allowed(spot):
            return False
        base.cell = spot
        for u in units:
            u.home = u.cell = spot
        m.base_opened(base)
        return True

    def consider_offensive(self) -> None:
        m = self.mission
        if any(isinstance(u, OffensiveOperation) for u in m.units):
            return
        blamed = np.flatnonzero((m.picture.blame > 0) & (m.picture.last_seen >= 0))
        if len(blamed) == 0 or not m.bases:
            return
        target = self.model.groups[int(blamed[np.argmax(m.picture.blame[blamed])])]
        m.launch_operation(target, max(m.bases, key=lambda b: b.troops))


class Modular(Policy):
    """Re-plans each cycle, area by area, from the picture: where groups that attack
    peacekeepers or state forces are blamed, troops stay out and civilian tools lead; where
    threat moves, temporary bases and threat-informed patrols follow it; where the displaced
    gather, a base holds the site."""

    def deploy(self) -> None:
        super().deploy()
        self.previous_risk = np.zeros(len(self.model.villages))

    def plan(self) -> None:
        m, v = self.mission, self.model.villages
        if self.model.t == 0:
            return
        risk = m.picture.risk()
        moving = np.abs(risk - self.previous_risk)
        self.previous_risk = risk.copy()
        avoid = np.zeros(len(v), dtype=bool)  # areas where troops would draw fire or are resented
        for g in self.model.groups:
            seen = m.picture.last_seen[g.index]
            if (g.targets_peacekeepers or g.is_state) and m.picture.blame[g.index] > 0 and seen >= 0:
                sx, sy = self.model.terrain.xy(seen)
                avoid |= (v.x - sx) ** 2 + (v.y - sy) ** 2 <= (30 / self.model.terrain.cell_km) ** 2
        m.unarmed_areas = avoid
        # Bases: hold the sites where the displaced gather; send the rest after moving threat.
        hosted = v.hosted()
        sites = [int(v.cell[i]) for i in np.argsort(-hosted, kind="stable")[:2] if hosted[i] > 1000]
        targets = np.where(avoid, 0.0, moving + risk)
        order = [int(v.cell[i]) for i in np.argsort(-targets, kind="stable") if targets[i] > 0]
        movable = [b for b in m.bases if b.temporary or b in self.field_bases]
        wanted = sites + [c for c in order if c not in sites]
        taken = {b.cell for b in m.bases if b not in movable}
        for base, spot in zip(movable, self.spaced(wanted, len(movable), taken)):
            self.relocate(base, spot)


def make_policy(mission) -> Policy:
    return Modular(mission) if mission.strategy.modular else Policy(mission)
