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
from pocsim.kernels.travel import path_from_parents, travel_times_with_parents

DEFENCE_RANGE_KM = 10.0  # how far a hostile group's presence weighs on a target's risk
CHOICE_TEMPERATURE = 0.3  # spread of target choice around the best utility (softmax)


class Activity(str, Enum):
    resting = "resting"
    advancing = "advancing"  # on the way to a target
    responding = "responding"  # on the way to defend a village of its community
    raiding = "raiding"
    withdrawing = "withdrawing"  # on the way home

    @property
    def intent(self) -> float:
        """How much threat to civilians the group projects while doing this (threat sources)."""
        return {"resting": 0.2, "advancing": 1.0, "responding": 0.3, "raiding": 2.0, "withdrawing": 0.5}[self.value]


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
        self.deterrence_sensitivity = cfg.deterrence_sensitivity
        self.risk_aversion = cfg.risk_aversion
        self.abuse_cost = cfg.abuse_cost
        self.cost = model.terrain.cost("foot" if cfg.mobility.value == "foot" else "vehicle")
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
        self.path = np.zeros(0, dtype=np.int64)
        self.path_hours = np.zeros(0)
        self.hours_on_path = 0.0
        self.target = -1  # village index while advancing or raiding
        self.raid = None
        self.engaged_until = -1  # no new clash before this step (after a fight, groups disengage)
        self._rng = model.streams["groups"]
        self.schedule_rest()

    @property
    def is_state(self) -> bool:
        return self.kind == GroupKind.state

    @property
    def perpetrator_kind(self) -> str:
        return "state" if self.is_state else "rebel"

    def is_hostile_to(self, other: "ArmedGroup") -> bool:
        if other is self:
            return False
        if self.is_state != other.is_state and GroupKind.rebel in (self.kind, other.kind):
            return True  # insurgents and the state fight wherever they meet
        return other.community in self.preys_on or self.community in other.preys_on

    def threat_emission(self) -> float:
        return self.strength * self.aggression * self.activity.intent

    # --- the hourly step -------------------------------------------------------------------
    def step(self) -> None:
        if self.activity == Activity.resting and self.model.t >= self.rest_until:
            self.choose_target()
        elif self.activity in (Activity.advancing, Activity.responding, Activity.withdrawing):
            self.move()

    def schedule_rest(self) -> None:
        """Rest before the next raid; more aggressive groups rest less."""
        cfg = self.model.scenario.violence
        mean_hours = cfg.raid_interval_hours / max(self.aggression, 1e-3)
        self.rest_until = self.model.t + int(np.ceil(self._rng.exponential(mean_hours) / self.model.step_hours))
        self.activity = Activity.resting

    def target_utility(self, reach_hours: np.ndarray) -> np.ndarray:
        """Expected gain minus expected risk minus travel effort, for every village."""
        m = self.model
        v = m.villages
        present = m.present
        gain = self.hostility[v.community] * np.sqrt(present) * v.vulnerability / m.gain_scale
        risk = self.risk_aversion * (self.deterrence_sensitivity * m.deterrence_at_villages()
                                     + m.hostile_presence(self) / self.strength)
        if self.is_state:
            risk = risk + self.abuse_cost
        effort = reach_hours / m.scenario.violence.search_hours
        return self.aggression * gain - risk - 0.5 * effort

    def choose_target(self) -> None:
        m = self.model
        times, parent = travel_times_with_parents(self.cost, np.array([self.cell]), m.terrain.cell_km,
                                                  max_time=m.scenario.violence.search_hours)
        reach = times.ravel()[m.villages.cell]
        utility = np.where(np.isfinite(reach), self.target_utility(np.where(np.isfinite(reach), reach, 0.0)),
                           -np.inf)
        ok = utility > 0
        if not ok.any():
            self.schedule_rest()
            return
        weights = np.where(ok, np.exp((utility - utility[ok].max()) / CHOICE_TEMPERATURE), 0.0)
        target = int(self._rng.choice(len(weights), p=weights / weights.sum()))
        self.target = target
        self.set_path(path_from_parents(parent, int(m.villages.cell[target])), times.ravel())
        self.activity = Activity.advancing

    def set_path(self, path: np.ndarray, times_flat: np.ndarray) -> None:
        self.path = path
        self.path_hours = times_flat[path] - times_flat[path[0]]
        self.hours_on_path = 0.0

    def move(self) -> None:
        self.hours_on_path += self.model.step_hours
        k = int(np.searchsorted(self.path_hours, self.hours_on_path, side="right")) - 1
        self.cell = int(self.path[max(k, 0)])
        if k >= len(self.path) - 1:
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
        cell = int(m.villages.cell[village])
        times, parent = travel_times_with_parents(self.cost, np.array([self.cell]), m.terrain.cell_km,
                                                  max_time=m.scenario.violence.search_hours, target=cell)
        path = path_from_parents(parent, cell)
        if len(path) == 0:
            return False
        self.set_path(path, times.ravel())
        self.activity = Activity.responding
        return True

    def withdraw(self) -> None:
        """Go home after a raid or a lost fight."""
        self.raid = None
        self.target = -1
        if self.cell == self.home:
            self.schedule_rest()
            return
        times, parent = travel_times_with_parents(self.cost, np.array([self.cell]), self.model.terrain.cell_km,
                                                  target=self.home)
        path = path_from_parents(parent, self.home)
        if len(path) == 0:  # home cut off (cannot happen on static terrain, but never strand a group)
            self.home = self.cell
            self.schedule_rest()
            return
        self.set_path(path, times.ravel())
        self.activity = Activity.withdrawing

    def lose(self, fighters: float) -> None:
        self.strength = max(self.strength - fighters, 1.0)


def place_group_homes(model, cfgs, rng) -> list[int]:
    """Home cells: state forces garrison towns; non-state groups camp in remote country (forest
    preferred) near villages of the community they recruit from."""
    v, terrain = model.villages, model.terrain
    communities = v.communities
    homes = []
    for g in cfgs:
        own = v.community == communities.index(g.community)
        if g.home == "town" and v.is_town.any():
            towns = np.flatnonzero(v.is_town & own) if (v.is_town & own).any() else np.flatnonzero(v.is_town)
            homes.append(int(v.cell[rng.choice(towns)]))
            continue
        remote = np.flatnonzero(own & (v.road_km >= 5.0))
        pool = remote if len(remote) else (np.flatnonzero(own) if own.any() else np.arange(len(v)))
        anchor = int(rng.choice(pool))
        # camp a few km from the anchor village, on land, preferring forest cover
        ny, nx = terrain.shape
        ay, ax = divmod(int(v.cell[anchor]), nx)
        ys, xs = np.mgrid[max(ay - 4, 0):min(ay + 5, ny), max(ax - 4, 0):min(ax + 5, nx)]
        cells = (ys * nx + xs).ravel()
        w = terrain.land.ravel()[cells] * (1.0 + 3.0 * (terrain.landcover.ravel()[cells] == 1))
        w[cells == v.cell[anchor]] = 0.0
        homes.append(int(rng.choice(cells, p=w / w.sum())) if w.sum() > 0 else int(v.cell[anchor]))
    return homes
