"""Civilian component: joint protection teams, liaison assistants, mediation, human rights
advocacy and DDR. None of these deters by force; each works through information, a group's
aggression or strength, the state's cost of abuse, or a village's vulnerability.
"""

from __future__ import annotations

import numpy as np

from pocsim.mission.units import Unit

VISIT_HOURS = 8.0
VISIT_REACH_HOURS = 24.0
VISIT_REPORT_KM = 10.0
CONTROL_KM = 15.0  # a village this close to a non-state group's home is under its control
EXPOSURE = 1.0  # grievance a visit without follow-up raises against a controlled village
FOLLOW_UP_DAYS = 21.0  # a protection plan not acted on within this is forgotten
PLAN_EFFECT = 0.75  # vulnerability kept when the mission follows a plan up (safe routes, warning)
LIAISON_REACH_HOURS = 6.0
MEDIATION_INTERVAL_DAYS = 7.0
MEDIATION_SUCCESS = 0.25
MEDIATION_EFFECT = 0.85  # aggression kept after a successful session
ADVOCACY_PER_ABUSE = 0.02
DDR_RATE_PER_STAFF_DAY = 0.0005


class JointProtectionTeam(Unit):
    """Civil affairs, human rights and protection staff visiting a village: a sharp picture of
    the area, and a protection plan that helps only if the mission comes back and acts on it."""

    deters = False
    day_only = True

    def __init__(self, mission, home: int, staff: int, escort: float):
        super().__init__(mission, home, troops=escort)
        self.staff = staff
        self.deters = escort > 0  # the escort is armed; the team itself is not
        self.village = -1
        self.next_visit = 0

    def step(self) -> None:
        m = self.mission
        if self.state == "idle" and self.model.t >= self.next_visit:
            v = m.pick_village_for_visit(self.cell, self.mode)
            cell = int(self.model.villages.cell[v]) if v >= 0 else -1
            if v >= 0 and m.movement_allowed(cell) and self.go(cell, max_hours=VISIT_REACH_HOURS):
                self.village = v
            else:
                self.next_visit = self.model.t + int(24 / self.model.step_hours)
        super().step()

    def arrive(self) -> None:
        m, v = self.mission, self.village
        m.outputs.jpt_visits += 1
        m.picture.report_threat(self.villages_within(VISIT_REPORT_KM), delay_hours=24.0, noise=0.2)
        m.see_groups(self.cell, VISIT_REPORT_KM)
        m.leave_plan(v)
        self.stay(VISIT_HOURS)

    def back_home(self) -> None:
        self.next_visit = self.model.t + int(np.ceil(24 / self.model.step_hours))


def controlling_groups(model, village: int) -> list:
    """Non-state groups whose home area includes the village."""
    cell = model.villages.cell[village]
    return [g for g in model.groups if not g.is_state and model.terrain.within_km(g.home, cell, CONTROL_KM)]


class Mediation:
    """Tier-1 engagement: sessions with a group's leaders lower its aggression, if the mediators
    can reach it; sessions can fail, and an offensive operation undoes what they achieved."""

    def __init__(self, mission, teams: int):
        self.mission = mission
        self.teams = teams
        self.next_session = 0

    def daily(self) -> None:
        m = self.mission
        if self.teams <= 0 or m.model.t < self.next_session:
            return
        self.next_session = m.model.t + int(MEDIATION_INTERVAL_DAYS * 24 / m.model.step_hours)
        # talk first to the groups the mission blames most, as far as teams go
        order = np.argsort(-m.picture.blame, kind="stable")
        for gi in order[: self.teams]:
            g = m.model.groups[gi]
            if not m.movement_allowed(g.home) or not m.reachable(g.home, 24.0):
                continue
            m.outputs.mediation_sessions += 1
            if m.rng.random() < MEDIATION_SUCCESS:
                g.aggression = max(g.aggression * MEDIATION_EFFECT, 0.3 * g.initial_aggression)


class Advocacy:
    """Human rights monitoring: each abuse by state forces that the mission learns of is
    documented and raised with the authorities, which raises the political cost of the next."""

    def __init__(self, mission, officers: int):
        self.mission = mission
        self.weight = officers / (officers + 5.0)  # diminishing returns of more officers

    def attack_reported(self, group) -> None:
        if self.weight > 0 and group.is_state:
            self.mission.outputs.abuses_documented += 1
            group.abuse_cost += ADVOCACY_PER_ABUSE * self.weight


class DDR:
    """Disarmament, demobilisation and reintegration: where a peace process exists, fighters
    leave the groups at a rate that grows with staff and with how little appetite for violence a
    group has left."""

    def __init__(self, mission, staff: int):
        self.mission = mission
        self.staff = staff

    def daily(self) -> None:
        m = self.mission
        if self.staff <= 0 or not m.model.scenario.peace_process:
            return
        for g in m.model.groups:
            if not g.is_state:
                g.lose(g.strength * DDR_RATE_PER_STAFF_DAY * self.staff * (1.0 - g.aggression))
