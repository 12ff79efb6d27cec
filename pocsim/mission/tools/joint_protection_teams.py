"""Joint protection teams: civil affairs, human rights and protection staff visiting villages.
A visit gives a sharp picture of the area and leaves a protection plan. The plan helps only if
the mission comes back and acts on it (fewer people exposed when attacked, a radio into the alert
network); a visit to a village a group controls marks its people as informers, and without
follow-up nothing protects them from the reprisal."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pocsim.mission.tools.base import Deploy, Tool
from pocsim.mission.units import Unit
from pocsim.params import param, setting


class JointProtectionTeams(Tool):
    name = "joint_protection_teams"
    order = Deploy.teams

    @dataclass
    class Params:
        staff_share: float = param(0.35, unit="1 (of mission.civilian_staff)", low=0.0, high=1.0,
                                   source="strategy: share of the civilian staff in teams")
        escort_troop_share: float = param(0.1, unit="1 (of mission.troops)", low=0.0, high=0.3,
                                          source="strategy: troops kept as escort platoons, one per team")
        escorted: bool = setting(True, means="teams travel only with an escort platoon (UN security rules)")
        follow_up: bool = setting(True, means="the mission comes back and acts on the plans it leaves")
        visit_hours: float = param(8.0, unit="h", low=2.0, high=24.0,
                                   source="DPKO/DFS JPT handbook (2013): a day-long visit")
        reach_hours: float = param(24.0, unit="h", low=6.0, high=72.0,
                                   source="assumption: teams go up to a day's travel from the headquarters")
        hearsay_days: float = param(30.0, unit="days", low=7.0, high=90.0,
                                    source="assumption: villagers tell a visiting team of the last month's attacks")
        report_km: float = param(10.0, unit="km", low=3.0, high=25.0,
                                 source="assumption: a visit learns of the villages around")
        rest_hours: float = param(24.0, unit="h", low=12.0, high=168.0,
                                  source="assumption: a team writes up and prepares a day between visits")
        revisit_days: float = param(30.0, unit="days", low=7.0, high=90.0,
                                    source="assumption: not back to a village within a month except to follow up")
        follow_up_days: float = param(21.0, unit="days", low=7.0, high=90.0,
                                      source="assumption: a plan not acted on within three weeks is forgotten")
        vulnerability_kept: float = param(0.75, unit="1", low=0.5, high=1.0,
                                          source="assumption: a followed-up plan (early warning, safe routes) "
                                                 "spares a quarter of those who would be hit")
        exposure_grievance: float = param(1.0, unit="grievance", low=0.2, high=3.0,
                                          source="assumption: villagers seen with the mission are marked as "
                                                 "informers (Kalyvas 2006; IPI 2017 brief)")
        civilian_lead_weight: float = param(1.0, unit="1", low=0.0, high=3.0,
                                            source="strategy: extra priority of villages where troops stay out")

    def wants(self) -> list:
        cfg = self.mission.cfg
        return [("civilian_staff", self.p.staff_share, cfg.team_size),
                ("troops", self.p.escort_troop_share, cfg.platoon_size)]

    def deploy(self) -> None:
        m = self.mission
        self.plans = m.plans = ProtectionPlans(self)
        teams = self.granted("civilian_staff") // m.cfg.team_size
        escorts = self.granted("troops") // m.cfg.platoon_size
        for k in range(teams):
            if self.p.escorted and k >= escorts:
                m.resources.give_back("civilian_staff", m.cfg.team_size)  # no escort: the team cannot go out
                continue
            escort = float(m.cfg.platoon_size) if self.p.escorted else 0.0
            m.units.append(Team(self, m.hq.cell, escort))
        unused = escorts - sum(isinstance(u, Team) and u.troops > 0 for u in m.units)
        m.resources.give_back("troops", unused * m.cfg.platoon_size)

    def pick_village(self, cell: int, mode: str) -> int:
        m, v = self.mission, self.view.villages
        reach = np.isfinite(m.navigation.hours_to_villages(cell, mode, self.p.reach_hours))
        if not reach.any():
            return -1
        due = self.plans.due(reach)
        if self.p.follow_up and due:
            return due[0]
        recently = (self.view.t - self.plans.last_visit) * self.view.step_hours < self.p.revisit_days * 24
        tie_break = 1e-9 * v.population  # with no picture yet, the bigger village
        risk = (m.picture.risk() + tie_break) * (1.0 + self.p.civilian_lead_weight * m.civilian_lead)
        risk = np.where(reach & ~recently, risk, -1.0)
        return int(np.argmax(risk)) if risk.max() >= 0 else -1


class ProtectionPlans:
    """The plans teams left, and their follow-up (by a team coming back or a patrol sent there)."""

    def __init__(self, tool):
        self.tool = tool
        self.left: dict[int, int] = {}  # village -> step the plan was left
        self.last_visit = np.full(len(tool.view.villages), -(10**9), dtype=np.int64)

    def due(self, reach: np.ndarray) -> list[int]:
        return sorted((v for v in self.left if reach[v]), key=lambda v: self.left[v])  # oldest first

    def visited(self, village: int) -> None:
        view, p = self.tool.view, self.tool.p
        self.last_visit[village] = view.t
        if village in self.left and p.follow_up:
            self.follow_up(village)
            return
        self.left[village] = view.t
        view.expose_informers(village, p.exposure_grievance)

    def follow_up(self, village: int) -> None:
        """The mission came back and acted on the plan. A mission that does not follow plans up may
        pass by again, but does nothing with them."""
        view, p, m = self.tool.view, self.tool.p, self.tool.mission
        if not p.follow_up or village not in self.left:
            return
        when = self.left.pop(village)
        if (view.t - when) * view.step_hours <= p.follow_up_days * 24:
            view.follow_up_plan(village, p.vulnerability_kept)
            m.radios[village] = True
            m.outputs.follow_up_visits += 1


class Team(Unit):
    kind = "joint_protection_team"
    day_only = True

    def __init__(self, tool, home: int, escort: float):
        super().__init__(tool.mission, home, troops=escort)
        self.tool = tool
        self.deters = escort > 0  # the escort is armed; the team itself is not
        self.village = -1
        self.next_visit = 0

    def step(self) -> None:
        m, p = self.mission, self.tool.p
        if self.state == "idle" and self.t >= self.next_visit:
            v = self.tool.pick_village(self.cell, self.mode)
            cell = int(self.view.villages.cell[v]) if v >= 0 else -1
            if v >= 0 and m.movement_allowed(cell) and self.go(cell, p.reach_hours):
                self.village = v
            else:
                self.next_visit = self.t + self.hours(p.rest_hours)
        super().step()

    def arrive(self) -> None:
        m, p = self.mission, self.tool.p
        m.outputs.jpt_visits += 1
        m.look(self.cell, p.report_km, "team", p.hearsay_days * 24)
        self.tool.plans.visited(self.village)
        self.stay(p.visit_hours)

    def back_home(self) -> None:
        self.next_visit = self.t + self.hours(self.tool.p.rest_hours)
