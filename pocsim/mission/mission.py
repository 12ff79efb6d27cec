"""The UN mission: its resources, its threat picture, its units in the field, and how they act.

Every hour the mission senses (reports reach its picture, alerts come in), plans (once per
planning cycle, through its strategy's policy), and acts (units move and do their work; presence
on the ground becomes the deterrence field). It reads the world only through its sources: the
picture, alerts, and what its units see where they are.
"""

from __future__ import annotations

import numpy as np

from pocsim.kernels.travel import travel_times, travel_times_with_parents
from pocsim.mission.alerts import AlertNetwork
from pocsim.mission.civilian import (DDR, EXPOSURE, FOLLOW_UP_DAYS, LIAISON_REACH_HOURS, PLAN_EFFECT,
                                     VISIT_REACH_HOURS, Advocacy, Mediation, controlling_groups)
from pocsim.mission.military import Base, OffensiveOperation, ReactionForce
from pocsim.mission.outputs import Outputs
from pocsim.mission.picture import ThreatPicture
from pocsim.mission.presence import Presence
from pocsim.world.route import Route

LIAISON_REPORT_DELAY_HOURS = 12.0
ARREST_KM = 5.0
POLICE_PER_ARREST_SCALE = 80.0  # police at a site who stop half of the incidents around it
CROSSFIRE_KILL = 0.01  # share of people present killed when a group fights peacekeepers in a village
FIGHT_KM = 5.0
REVISIT_DAYS = 30.0
STATE_CONTROL_KM = 20.0  # the host state can refuse passage this close to its forces


class Mission:
    def __init__(self, model, strategy, cfg):
        from pocsim.mission.strategy import make_policy

        self.model = model
        self.strategy = strategy
        self.cfg = cfg
        self.rng = model.streams["mission"]
        self.outputs = Outputs()
        self.picture = ThreatPicture(model, cfg, model.streams["picture"])
        self.presence = Presence(model, cfg)
        self.bases: list[Base] = []
        self.bases_opened: list[tuple[int, int, bool]] = []  # (cell, step, temporary), for maps
        self.patrol_hours_grid = np.zeros(model.terrain.shape, dtype=np.float32)
        self.units: list = []
        self.helicopters_free = cfg.helicopters
        self._searches: dict = {}
        self._routes: dict = {}
        self.plans: dict[int, int] = {}  # village -> step a protection plan was left there
        self.last_visit = np.full(len(model.villages), -(10**9), dtype=np.int64)  # step of the last team visit
        self.liaison_villages = np.zeros(len(model.villages), dtype=bool)
        self.alerts: AlertNetwork | None = None
        self.police_sites: list[tuple[int, float]] = []  # (village, police officers)
        self.unarmed_areas = np.zeros(len(model.villages), dtype=bool)  # set by a modular policy
        staff = cfg.civilian_staff
        self.mediation = Mediation(self, int(strategy.mediation_share * staff) // cfg.team_size)
        self.advocacy = Advocacy(self, int(strategy.advocacy_share * staff))
        self.ddr = DDR(self, int(strategy.ddr_share * staff))
        self.policy = make_policy(self)
        self.policy.deploy()

    # --- the mission's hour ------------------------------------------------------------------
    def step(self) -> None:
        """sense -> plan -> act."""
        self.sense()
        if self.model.t % max(1, int(self.cfg.planning_hours / self.model.step_hours)) == 0:
            self.policy.plan()
        self.act()

    def sense(self) -> None:
        for _, group in self.picture.step():
            self.advocacy.attack_reported(self.model.groups[group])
        if self.model.t % int(24 / self.model.step_hours) == 0 and self.liaison_villages.any():
            # liaison assistants phone their contacts each day
            self.picture.report_threat(np.flatnonzero(self.liaison_villages), LIAISON_REPORT_DELAY_HOURS)
        if self.alerts is not None:
            for alert in self.alerts.step():
                self.dispatch(alert)

    def act(self) -> None:
        for unit in list(self.units):
            unit.step()
        if self.model.t % int(24 / self.model.step_hours) == 0:
            self.mediation.daily()
            self.ddr.daily()
        self.model.deterrence = self.presence.compose(self.bases, self.units)

    # --- what the world tells the mission ----------------------------------------------------
    def attack_started(self, raid) -> None:
        if self.alerts is not None:
            self.alerts.attack_started(raid.village)
        if self.liaison_villages[raid.village]:
            # word reaches the liaison assistants, later and without a call for help
            self.picture.report_attack(raid.village, raid.group.index, LIAISON_REPORT_DELAY_HOURS)

    def prevents_incident(self, village: int) -> bool:
        """Police at a protection site arrest some of those who prey on people around it."""
        cell = self.model.villages.cell
        for site, officers in self.police_sites:
            if self.model.terrain.within_km(cell[site], cell[village], ARREST_KM):
                if self.rng.random() < officers / (officers + POLICE_PER_ARREST_SCALE):
                    self.outputs.arrests += 1
                    return True
        return False

    # --- shared abilities of units -----------------------------------------------------------
    def intervene(self, cell: int, km: float, by: str) -> bool:
        """Troops at `cell` step into any attack within `km`. Returns whether one was cut short."""
        m = self.model
        stopped = False
        for raid in list(m.violence.raids):
            i = raid.village
            if not m.terrain.within_km(m.villages.cell[i], cell, km):
                continue
            if raid.group.targets_peacekeepers:
                # they fight the peacekeepers instead of breaking off; civilians are caught between
                present = int(m.present[i])
                killed = int(self.rng.binomial(present, CROSSFIRE_KILL)) if present else 0
                m.kill(i, killed, 0, self.rng)
                raid.deaths += killed
                continue
            m.violence.interrupt(raid, by=by)
            stopped = True
        return stopped

    def see_groups(self, cell: int, km: float) -> None:
        for g in self.model.groups:
            if self.model.terrain.within_km(g.cell, cell, km):
                self.picture.report_sighting(g.index, g.cell, delay_hours=2.0)

    def movement_allowed(self, cell: int) -> bool:
        """Where host-state forces operate, the host state may refuse the mission passage."""
        fom = self.cfg.freedom_of_movement
        if fom >= 1.0:
            return True
        near_state = any(g.is_state and self.model.terrain.within_km(g.cell, cell, STATE_CONTROL_KM)
                         for g in self.model.groups)
        if near_state and self.rng.random() >= fom:
            self.outputs.movements_denied += 1
            return False
        return True

    def reachable(self, cell: int, hours: float) -> bool:
        """Whether `cell` lies within `hours` of driving (and walking) from any base."""
        origins = np.array([b.cell for b in self.bases] or [cell])
        t = travel_times(self.model.terrain.cost("vehicle"), origins, self.model.terrain.cell_km, max_time=hours,
                         engine=self.model.engine)
        return bool(np.isfinite(t.ravel()[cell]))

    def search(self, cell: int, mode: str, hours: float) -> tuple[np.ndarray, np.ndarray]:
        """Travel times and routes from `cell` within `hours`, remembered: units leave from the
        same few bases again and again, and the terrain does not change."""
        key = (cell, mode, hours)
        if key not in self._searches:
            if len(self._searches) >= 64:
                self._searches.pop(next(iter(self._searches)))
            self._searches[key] = travel_times_with_parents(self.model.terrain.cost(mode), np.array([cell]),
                                                            self.model.terrain.cell_km, max_time=hours,
                                                            engine=self.model.engine)
        return self._searches[key]

    def route(self, cell: int, mode: str, hours: float, goal: int):
        key = (cell, mode, hours, goal)
        if key not in self._routes:
            if len(self._routes) >= 4096:
                self._routes.clear()
            times, parent = self.search(cell, mode, hours)
            self._routes[key] = Route.from_search(times, parent, goal, self.model.terrain.cell_km)
        route = self._routes[key]
        return route.fresh() if route is not None else None

    def reach_hours(self, cell: int, mode: str, hours: float) -> np.ndarray:
        return self.search(cell, mode, hours)[0].ravel()[self.model.villages.cell]

    def pick_village_at_risk(self, cell: int, mode: str, hours: float) -> int:
        """The village within reach the picture shows most at risk; with no information at all,
        the biggest village within reach (where a planner without a picture would go)."""
        reach = np.isfinite(self.reach_hours(cell, mode, hours))
        if not reach.any():
            return -1
        risk = np.where(reach, self.picture.risk(), -1.0)
        if risk.max() <= 0:
            risk = np.where(reach, self.model.villages.population.astype(float), -1.0)
        best = np.flatnonzero(risk >= 0.8 * risk.max())  # several close calls: do not always pick the same
        return int(self.rng.choice(best))

    def pick_village_for_visit(self, cell: int, mode: str) -> int:
        reach = np.isfinite(self.reach_hours(cell, mode, VISIT_REACH_HOURS))
        if not reach.any():
            return -1
        due = [v for v, when in self.plans.items() if reach[v]]
        if self.strategy.follow_up and due:
            return int(min(due, key=lambda v: self.plans[v]))  # oldest plan first
        # not back to a village seen in the last month unless to follow a plan up
        recently = (self.model.t - self.last_visit) * self.model.step_hours < REVISIT_DAYS * 24
        risk = (self.picture.risk() + 1e-9 * self.model.villages.population) * (1.0 + self.unarmed_areas)
        risk = np.where(reach & ~recently, risk, -1.0)
        return int(np.argmax(risk)) if risk.max() >= 0 else -1

    # --- protection plans and their follow-up ------------------------------------------------
    def leave_plan(self, village: int) -> None:
        self.last_visit[village] = self.model.t
        if village in self.plans and self.strategy.follow_up:
            self.followed_up(village)
            return
        self.plans[village] = self.model.t
        # Being seen with the mission marks villagers as informers to the group that controls them.
        for g in controlling_groups(self.model, village):
            g.grievance[village] += EXPOSURE

    def followed_up(self, village: int) -> None:
        """The mission came back and acted on the plan: the village is less exposed from now on.
        A mission that does not follow plans up may pass by again, but does nothing with them."""
        if not self.strategy.follow_up:
            return
        when = self.plans.pop(village, None)
        if when is None:
            return
        if (self.model.t - when) * self.model.step_hours <= FOLLOW_UP_DAYS * 24:
            # The plan is put in place: villagers get ways to warn and to hide or flee in time,
            # and a radio that brings them into the alert network even without phone coverage.
            self.model.villages.vulnerability[village] *= PLAN_EFFECT
            if self.alerts is not None:
                self.alerts.members[village] = True
            self.outputs.follow_up_visits += 1

    # --- alerts and the reaction force -------------------------------------------------------
    def dispatch(self, alert) -> None:
        self.outputs.alerts_raised += 1
        if not alert.true_alarm:
            self.outputs.alerts_false += 1
        v = self.model.villages
        self.picture.estimate[alert.village] = max(self.picture.estimate[alert.village],
                                                   2.0 * self.model.scenario.threat.high_threshold)
        free = [u for u in self.units if isinstance(u, ReactionForce) and u.available]
        if not free:
            return
        x, y = v.x[alert.village], v.y[alert.village]
        nearest = min(free, key=lambda u: (self.model.terrain.xy(u.cell)[0] - x) ** 2
                      + (self.model.terrain.xy(u.cell)[1] - y) ** 2)
        nearest.respond(alert)

    # --- offensive operations ----------------------------------------------------------------
    def launch_operation(self, group, base: Base) -> bool:
        cell = int(self.picture.last_seen[group.index])
        if cell < 0 or base.troops < self.cfg.company_size or not self.movement_allowed(cell):
            return False
        op = OffensiveOperation(self, base, float(self.cfg.company_size), group)
        if not op.go(cell):
            op.remove()
            return False
        base.troops -= self.cfg.company_size
        self.units.append(op)
        self.outputs.offensive_operations += 1
        return True

    def engage(self, op, group) -> None:
        m, v = self.model, self.model.villages
        group.aggression = max(group.aggression, group.initial_aggression)  # talks are off
        if not m.terrain.within_km(op.cell, group.cell, FIGHT_KM):
            return  # the group had moved on
        group.lose(float(self.rng.poisson(0.1 * op.troops)))
        # Fighting among villages costs civilian lives, and the group blames nearby villagers.
        near = op.villages_within(FIGHT_KM)
        for i in near:
            present = int(m.present[i])
            killed = int(self.rng.binomial(present, 0.002)) if present else 0
            if killed:
                m.kill(i, killed, 0, self.rng)
                m.ledger.event(step=m.t, type_of_violence=3, side_a="UN mission", side_b="Civilians", best=killed,
                               cell=int(v.cell[i]), village_id=int(i), perpetrator_kind="mission", injuries=0,
                               displaced=0, hours=m.step_hours, interrupted_by="", kind="collateral")
        group.grievance[op.villages_within(3 * FIGHT_KM)] += EXPOSURE

    def end_operation(self, op) -> None:
        op.base.troops += op.troops
        self.units.remove(op)
        op.remove()

    # --- resources placed by the policy ------------------------------------------------------
    def open_base(self, cell: int, troops: float, temporary: bool = False) -> Base:
        base = Base(cell, troops, temporary)
        self.bases.append(base)
        self.base_opened(base)
        return base

    def base_opened(self, base: Base) -> None:
        self.outputs.bases += 1
        self.bases_opened.append((base.cell, self.model.t, base.temporary))

    def open_liaison(self, offices: list[int], assistants: int) -> None:
        """Liaison assistants at these places keep in touch with villages within reach that have
        phone coverage, and bring them into alert networks."""
        if assistants <= 0 or not offices:
            self.alerts = AlertNetwork(self, np.zeros(len(self.model.villages), dtype=bool))
            return
        v = self.model.villages
        cells = v.cell[offices]
        t = travel_times(self.model.terrain.cost("vehicle"), cells, self.model.terrain.cell_km,
                         max_time=LIAISON_REACH_HOURS, engine=self.model.engine).ravel()[v.cell]
        # each assistant keeps up with about 15 villages: more staff, wider contact
        in_reach = np.flatnonzero(np.isfinite(t) & v.phone_coverage)
        in_reach = in_reach[np.argsort(t[in_reach], kind="stable")][: 15 * assistants]
        self.liaison_villages[in_reach] = True
        members = self.liaison_villages & (self.rng.random(len(v)) < self.cfg.alert_coverage)
        self.alerts = AlertNetwork(self, members)
