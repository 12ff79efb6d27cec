"""Offensive operations: a company sent after the non-state group the picture blames most, to
where it was last seen. If the group is still there it loses fighters; fighting among villages costs civilian
lives, talks with the group are off, and the group blames the villagers around the fight (the
world decides all of that: pocsim/world/encounters.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pocsim.mission.tools.base import Deploy, Tool
from pocsim.mission.units import Unit
from pocsim.params import param


class OffensiveOperations(Tool):
    name = "offensive_operations"
    order = Deploy.reserves

    @dataclass
    class Params:
        troop_share: float = param(0.125, unit="1 (of mission.troops)", low=0.0, high=0.5,
                                   source="strategy: share of the troops kept for operations, in companies")
        stay_hours: float = param(12.0, unit="h", low=2.0, high=72.0,
                                  source="assumption: an operation searches the area for half a day")
        fight_km: float = param(5.0, unit="km", low=1.0, high=10.0,
                                source="assumption: the group is engaged if still within this of its last sighting")
        fighters_hit_per_troop: float = param(
            0.1, unit="fighters/soldier", low=0.02, high=0.3,
            source="assumption: a company engagement costs a group some 15 fighters (killed, wounded, captured)")
        collateral_share: float = param(
            0.002, unit="1", low=0.0, high=0.01,
            source="assumption: share of people present killed in villages where the fighting happens")
        blame_km: float = param(15.0, unit="km", low=5.0, high=30.0,
                                source="assumption: the group blames villages within a few hours' walk of the fight")
        grievance: float = param(1.0, unit="grievance", low=0.2, high=3.0,
                                 source="assumption: one unit of grievance per village; Kalyvas 2006 on reprisals")

    def wants(self) -> list:
        return [("troops", self.p.troop_share, self.mission.cfg.company_size)]

    def deploy(self) -> None:
        m = self.mission
        size = m.cfg.company_size
        self.companies = [float(size)] * (self.granted("troops") // size)
        m.hq.troops += sum(self.companies)  # at the headquarters between operations

    def plan(self) -> None:
        m = self.mission
        if not self.companies or any(isinstance(u, Operation) for u in m.units):
            return
        # A mission operates with the host state's consent: it fights non-state groups, never the
        # host state's own forces (their abuses are for advocacy).
        non_state = np.array([not g.is_state for g in self.view.groups], dtype=bool)
        blamed = np.flatnonzero((m.picture.blame > 0) & (m.picture.last_seen >= 0) & non_state)
        if len(blamed) == 0:
            return
        group = int(blamed[np.argmax(m.picture.blame[blamed])])
        cell = int(m.picture.last_seen[group])
        if not m.movement_allowed(cell):
            return
        op = Operation(self, m.hq.cell, self.companies[0], group)
        if op.go(cell):
            m.hq.troops -= op.troops
            m.units.append(op)
            m.outputs.offensive_operations += 1


class Operation(Unit):
    kind = "offensive_operation"

    def __init__(self, tool, home: int, troops: float, group: int):
        super().__init__(tool.mission, home, troops)
        self.tool = tool
        self.group = group

    def arrive(self) -> None:
        self.view.strike(self.group, self.cell, self.troops, self.tool.p)
        self.stay(self.tool.p.stay_hours)

    def back_home(self) -> None:
        self.mission.hq.troops += self.troops
        self.mission.units.remove(self)
