"""Armed groups: the perpetrators, each a Mesa agent that decides where to go and whom to attack.

A group rests, then looks for a target within `search_hours` of travel. Each reachable village is
weighed by expected gain (people present, how exposed they are, how hostile the group is to their
community) against expected risk (the protection actually present around it: the deterrence
field and hostile armed groups nearby) and the time it takes to get there. Nothing in this file
knows about strategies: the mission acts on groups only through that deterrence field, through
interrupting raids, and through the groups' strength.
"""

from __future__ import annotations

from enum import Enum

import mesa
import numpy as np

from pocsim.config import GroupConfig, GroupKind
from pocsim.world.route import Route
from pocsim.world.terrain import FOREST


class Activity(str, Enum):
    resting = "resting"
    advancing = "advancing"  # on the way to a target
    responding = "responding"  # on the way to defend a village of its community
    raiding = "raiding"
    withdrawing = "withdrawing"  # on the way home


class ArmedGroup(mesa.Agent):
    def __init__(self, model, cfg: GroupConfig, index: int, home: int):
        super().__init__(model)
        self.name = cfg.name
        self.index = index
        self.kind = cfg.kind
        self.community = model.villages.communities.index(cfg.community)
        self.strength = float(cfg.strength)
        self.initial_strength = float(cfg.strength)
        self.aggression = cfg.aggression
        self.initial_aggression = cfg.aggression
        self.targets_peacekeepers = cfg.targets_peacekeepers
        # Villages this group wants to punish (seen with the mission, near an operation against it),
        # and villages of a community whose fighters killed its people (retaliation.py).
        self.grievance = np.zeros(len(model.villages))
        self.revenge = np.zeros(len(model.villages))
        self.motive = "raid"  # why the current target was chosen: raid, reprisal or retaliation
        self.deterrence_sensitivity = cfg.deterrence_sensitivity
        self.risk_aversion = cfg.risk_aversion
        self.abuse_cost = cfg.abuse_cost
        self.mode = "foot" if cfg.mobility.value == "foot" else "vehicle"
        communities = model.villages.communities
        # Hostility to each community: full to those it preys on, none to its own, a little to others.
        self.hostility = np.full(len(communities), model.scenario.violence.opportunism)
        self.hostility[[communities.index(c) for c in cfg.preys_on]] = 1.0
        self.hostility[self.community] = 0.0
        self.preys_on = frozenset(communities.index(c) for c in cfg.preys_on)
        self.home = home
        self.cell = home
        self.activity = Activity.resting
        self.rest_until = 0  # step
        self.route: Route | None = None
        self.target = -1  # village index while advancing or raiding
        self.raid = None
        self.campaign = 0  # raids in a row without going home (press_on)
        self.engaged_until = -1  # no new clash before this step (after a fight, groups disengage)
        self.behaviour = model.scenario.group_behaviour
        # What is left of a grudge after one step: half of it after grievance_half_life_days.
        self.grievance_kept = (0.5 ** (1 / (self.behaviour.grievance_half_life_days * 24))) ** model.step_hours
        self._decisions: dict[str, int] = {}  # draws made per purpose (see draw)
        self.schedule_rest()

    def draw(self, purpose: str) -> np.random.Generator:
        """This group's draw for its next decision of this kind (pocsim/streams.py): keyed by how many
        it has made, not by the hour, so its k-th rest, target and raid draw the same numbers in
        every run of the seed. A mission that delays one raid then shifts the group's later history
        in time instead of redrawing it, and paired runs stay paired for longer."""
        number = self._decisions.get(purpose, 0)
        self._decisions[purpose] = number + 1
        return self.model.streams.draw(purpose, self.index, number)

    def decisions(self, purpose: str) -> int:
        """How many decisions of this kind the group has drawn so far."""
        return self._decisions.get(purpose, 0)

    @property
    def is_state(self) -> bool:
        return self.kind == GroupKind.state

    @property
    def perpetrator_kind(self) -> str:
        """rebel, militia or state: the group's kind, as event logs record it."""
        return self.kind.value

    @property
    def cost(self) -> np.ndarray:
        """Hours per km over the ground in the group's mode, in the current season."""
        return self.model.terrain.cost(self.mode)

    def is_hostile_to(self, other: "ArmedGroup") -> bool:
        if other is self:
            return False
        if self.is_state != other.is_state and GroupKind.rebel in (self.kind, other.kind):
            return True  # insurgents and the state fight wherever they meet
        return other.community in self.preys_on or self.community in other.preys_on

    def threat_emission(self) -> float:
        """Threat to civilians the group projects now: more raiding than resting."""
        return self.strength * self.aggression * getattr(self.behaviour.intent, self.activity.value)

    # --- the hourly step -------------------------------------------------------------------
    def step(self) -> None:
        self.grievance *= self.grievance_kept
        if self.behaviour.retaliation.grievance > 0:  # else revenge stays zero: spare the pass
            self.revenge *= self.grievance_kept
        if self.activity == Activity.resting and self.model.t >= self.rest_until:
            self.choose_target()
        elif self.activity in (Activity.advancing, Activity.responding, Activity.withdrawing):
            self.move()

    def schedule_rest(self) -> None:
        """Rest before the next raid; more aggressive groups rest less, and (with mobilisation)
        weakened groups more (pocsim/world/mobilisation.py)."""
        cfg = self.model.scenario.violence
        mean_hours = cfg.raid_interval_hours / max(self.aggression, 1e-3) * self.model.mobilisation.rest_factor(self)
        self.rest_until = self.model.t + int(np.ceil(self.draw("rest").exponential(mean_hours) / self.model.step_hours))
        self.activity = Activity.resting

    def target_value(self) -> np.ndarray:
        """Expected gain minus expected risk, for every village, before the travel effort."""
        m = self.model
        v = m.villages
        present = m.present
        gain = self.aggression * self.hostility[v.community] * np.sqrt(present) * v.vulnerability / m.gain_scale
        # A group that fights the mission is drawn to its presence, not deterred by it.
        weight = -self.behaviour.peacekeeper_pull if self.targets_peacekeepers else self.deterrence_sensitivity
        presence = m.deterrence_at_villages() * weight
        risk = self.risk_aversion * (presence + m.hostile_presence(self) / self.strength)
        if self.is_state:
            risk = risk + self.abuse_cost
        self._gain = gain  # remembered to say why the chosen target was chosen (motive)
        return gain + self.grievance + self.revenge - risk

    def motive_for(self, village: int) -> str:
        """What chose the village: what it holds (raid) or what is held against it, when that weighs
        more: punishment of perceived collaboration (reprisal) or revenge on its community (retaliation)."""
        held = self.grievance[village] + self.revenge[village]
        if held <= self._gain[village]:
            return "raid"
        return "reprisal" if self.grievance[village] >= self.revenge[village] else "retaliation"

    def target_utility(self, reach_hours: np.ndarray) -> np.ndarray:
        """Expected gain minus expected risk minus travel effort, for every village."""
        effort = reach_hours / self.model.scenario.violence.search_hours
        return self.target_value() - self.behaviour.effort_weight * effort

    def search_horizon(self, best_value: float) -> float:
        """Hours of travel beyond which no village can be worth the trip: the effort of getting
        there outweighs the best value on offer (with a margin far above rounding). Searching
        no further changes no choice and spares the search most of a country-sized grid."""
        search_hours, weight = self.model.scenario.violence.search_hours, self.behaviour.effort_weight
        if weight <= 0:
            return search_hours
        horizon = search_hours * best_value / weight * (1.0 + 1e-9)
        # rounded up to an eighth of the range, so the camp's searches can be remembered
        step = search_hours / 8
        return min(search_hours, np.ceil(horizon / step) * step)

    def choose_target(self) -> None:
        """Rest is over: strike if any village is worth the trip, else rest again."""
        if not self.pick_target(cost=0.0):
            self.schedule_rest()

    def press_on(self) -> None:
        """A raid is over: strike again from where the group stands while that is worth the toll of
        one more raid without going home (fighters tire, loot must be carried, ammunition runs
        low: `campaign_fatigue` per raid in a row), else go home. Campaigns, series of raids in
        one area over days, come from this: long where grudges or rich targets are near."""
        if self.behaviour.campaigns and self.pick_target(cost=self.behaviour.campaign_fatigue * (self.campaign + 1)):
            self.campaign += 1
        else:
            self.withdraw()

    def pick_target(self, cost: float) -> bool:
        """Advance on a village drawn among those whose utility, less `cost`, is positive; False if none."""
        law = self.target_law(cost)
        if law is None:
            return False
        p, times, parent = law
        # inverse CDF over the villages in their fixed order: when deterrence shifts the weights a
        # little, the same draw mostly lands where it would have (a Gumbel-max pick, tried as well,
        # paired worse in benchmarks/pairing.py: see benchmarks/README.md)
        target = int(self.draw("target").choice(len(p), p=p))
        self.target = target
        self.motive = self.motive_for(target)
        self.route = Route.from_search(times, parent, int(self.model.villages.cell[target]), self.model.terrain.cell_km)
        self.activity = Activity.advancing
        return True

    def target_law(self, cost: float) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The probability of each village being the next target, with the travel search it was
        weighed on (times, parent), or None when no village is worth the trip. benchmarks/pairing.py
        reads it to say how far a mission moves a group's choices."""
        m = self.model
        value = self.target_value() - cost
        best = float(value.max(initial=-np.inf))
        if not best > 0:  # no village is worth anything even next door: the effort only lowers it
            return None
        # a search that went further serves too: beyond the horizon every utility is negative
        times, parent = m.terrain.reach(self.mode, self.cell, self.search_horizon(best), m.engine, at_least=True)
        reach = times.ravel()[m.villages.cell]
        effort = np.where(np.isfinite(reach), reach, 0.0) / m.scenario.violence.search_hours
        utility = np.where(np.isfinite(reach), value - self.behaviour.effort_weight * effort, -np.inf)
        ok = utility > 0
        if not ok.any():
            return None
        weights = np.where(ok, np.exp((utility - utility[ok].max()) / self.behaviour.choice_temperature), 0.0)
        return weights / weights.sum(), times, parent

    def move(self) -> None:
        self.cell, arrived = self.route.advance(self.model.step_hours)
        if arrived:
            self.arrive()

    def arrive(self) -> None:
        if self.activity == Activity.advancing:
            self.activity = Activity.raiding
            self.model.violence.start_raid(self, self.target)
        elif self.activity == Activity.responding:
            self.target = -1
            self.schedule_rest()  # stays to guard the village; clashes happen by proximity
        else:
            self.schedule_rest()

    def respond_to(self, village: int) -> bool:
        """Go to defend a village under attack if it can get there within the search range."""
        m = self.model
        route = Route.plan(self.cost, self.cell, int(m.villages.cell[village]), m.terrain.cell_km,
                           max_hours=m.scenario.violence.search_hours, engine=m.engine)
        if route is None:
            return False
        self.route = route
        self.activity = Activity.responding
        return True

    def withdraw(self) -> None:
        """Go home after a raid or a lost fight; the campaign, if any, is over."""
        self.raid = None
        self.target = -1
        self.campaign = 0
        if self.cell == self.home:
            self.schedule_rest()
            return
        route = Route.plan(self.cost, self.cell, self.home, self.model.terrain.cell_km, engine=self.model.engine)
        if route is None:  # home cut off (cannot happen on static terrain, but never strand a group)
            self.home = self.cell
            self.schedule_rest()
            return
        self.route = route
        self.activity = Activity.withdrawing

    # --- what others do to the group (the mission asks through pocsim/view.py) -----------------
    def blame(self, villages, grievance: float) -> None:
        """The group holds these villages responsible (seen with the mission, near a fight)."""
        self.grievance[villages] += grievance

    def seek_revenge(self, villages, grievance: float) -> None:
        """Villages of the community whose fighters killed this group's people (retaliation.py)."""
        self.revenge[villages] += grievance

    def avenged(self, village: int) -> None:
        """A raid on the village ran its course: whatever the group held against it is paid. (A
        grudge that outlived its punishment drew raid after raid on the same emptied village.)"""
        self.grievance[village] = 0.0
        self.revenge[village] = 0.0

    def mobilise(self, mean_hours: float) -> None:
        """Called to revenge (retaliation.py): a group at rest gathers its fighters and strikes sooner
        than its rest would have it, after `mean_hours` on average (its k-th call draws the same)."""
        if self.activity != Activity.resting:
            return
        soon = self.model.t + int(np.ceil(self.draw("mobilise").exponential(mean_hours) / self.model.step_hours))
        self.rest_until = min(self.rest_until, soon)

    def talks_off(self) -> None:
        """Attacked while in talks: whatever mediation achieved is undone."""
        self.aggression = max(self.aggression, self.initial_aggression)

    def mediated(self, success: float, kept: float, floor: float) -> bool:
        """A mediation session with the leaders: with probability `success` the group keeps only
        `kept` of its aggression, never below `floor` of what it started with."""
        if self.draw("talks").random() >= success:
            return False
        self.aggression = max(self.aggression * kept, floor * self.initial_aggression)
        return True

    def abuse_documented(self, cost: float) -> bool:
        """An abuse documented and raised with the authorities makes the next one costlier
        (state forces only: non-state groups answer to no such authority)."""
        if self.is_state:
            self.abuse_cost += cost
        return self.is_state

    def demobilise(self, share: float) -> None:
        """DDR: fighters leave non-state groups, the more the less appetite for violence is left."""
        if not self.is_state:
            self.lose(self.strength * share * (1.0 - self.aggression))

    def lose(self, fighters: float) -> None:
        self.strength = max(self.strength - fighters, 1.0)


def place_group_homes(model, cfgs, rng) -> list[int]:
    """Home cells: state forces garrison towns; non-state groups camp in remote country (forest
    preferred) near villages of the community they recruit from."""
    v, terrain, b = model.villages, model.terrain, model.scenario.group_behaviour
    communities = v.communities
    r = int(round(b.camp_radius_km / terrain.cell_km))  # cells
    homes = []
    for g in cfgs:
        own = v.community == communities.index(g.community)
        if g.home == "town" and v.is_town.any():
            towns = np.flatnonzero(v.is_town & own) if (v.is_town & own).any() else np.flatnonzero(v.is_town)
            homes.append(int(v.cell[rng.choice(towns)]))
            continue
        remote = np.flatnonzero(own & (v.road_km >= b.camp_road_km))
        pool = remote if len(remote) else (np.flatnonzero(own) if own.any() else np.arange(len(v)))
        anchor = int(rng.choice(pool))
        # camp a few km from the anchor village, on land, preferring forest cover
        ny, nx = terrain.shape
        ay, ax = divmod(int(v.cell[anchor]), nx)
        ys, xs = np.mgrid[max(ay - r, 0):min(ay + r + 1, ny), max(ax - r, 0):min(ax + r + 1, nx)]
        cells = (ys * nx + xs).ravel()
        forest = terrain.landcover.ravel()[cells] == FOREST
        w = terrain.land.ravel()[cells] * (1.0 + b.camp_forest_preference * forest)
        w[cells == v.cell[anchor]] = 0.0
        homes.append(int(rng.choice(cells, p=w / w.sum())) if w.sum() > 0 else int(v.cell[anchor]))
    return homes
