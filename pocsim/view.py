"""The mission's view of the world: the only door between the mission and the truth.

The model builds one `MissionView` and hands it to the mission. Through it the mission sees the
terrain, a public gazetteer of villages and of the armed groups (names and kinds, as any
briefing has them), the clock, and what its units see *where they are* (`look`). It acts through
named actions whose outcome the world decides (`intervene`, `strike`, `mediate`, ...): the
world stays in charge of its own state. Nothing else of the model is reachable from the mission
(tests/test_mission_view.py checks the object graph and the source).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pocsim.world import encounters


@dataclass(frozen=True)
class KnownGroup:
    index: int
    name: str
    kind: str  # rebel, militia or state

    @property
    def is_state(self) -> bool:
        return self.kind == "state"


@dataclass(frozen=True)
class Sight:
    villages: np.ndarray  # villages within sight
    threat: np.ndarray  # the threat people there feel now
    displaced: np.ndarray  # displaced people staying there
    groups: tuple  # (group index, cell, resting) of armed groups within sight
    attacks: tuple = ()  # (village, start step, group index) of recent attacks people there tell of


class Gazetteer:
    """What anyone can know of the settlements: where they are, how big they were at the last
    census, whether they are towns, have phone coverage, which community lives there."""

    FIELDS = ("name", "cell", "x", "y", "population", "is_town", "phone_coverage", "community", "road_km")

    def __init__(self, villages):
        for f in self.FIELDS:
            a = np.array(getattr(villages, f))
            a.flags.writeable = False
            setattr(self, f, a)
        self.communities = tuple(villages.communities)

    def __len__(self) -> int:
        return len(self.cell)


class MissionView:
    def __init__(self, model, mission_cfg):
        self.__model = model  # private: the mission never reads it
        self.__cfg = mission_cfg
        self.terrain = model.terrain
        self.villages = Gazetteer(model.villages)
        self.groups = tuple(KnownGroup(g.index, g.name, g.kind.value) for g in model.groups)
        self.step_hours = model.step_hours
        self.engine = model.engine
        self.high_threat = model.scenario.threat.high_threshold
        self.peace_process = model.scenario.peace_process

    @property
    def t(self) -> int:
        return self.__model.t

    @property
    def hour(self) -> float:
        return self.__model.hour

    # --- eyes: what is seen where the mission is ------------------------------------------------
    def look(self, cell: int, km: float, hearsay_hours: float = 0.0) -> Sight:
        """What a unit at `cell` sees within `km`; with `hearsay_hours`, also the attacks on
        villages there within that many past hours that people tell it of (who did it included)."""
        m = self.__model
        near = m.villages_near(cell, km)
        groups = tuple((g.index, g.cell, g.activity.value == "resting") for g in m.groups
                       if m.terrain.within_km(g.cell, cell, km))
        attacks = ()
        if hearsay_hours > 0:  # who did it, as the ledger names the perpetrator (the mission's own harm aside)
            index = {g.name: g.index for g in m.groups}
            told = m.ledger.attacks_on(near, since=m.t - hearsay_hours / m.step_hours)
            attacks = tuple((v, step, index[name]) for v, step, name in told if name in index)
        # (indexing with an array already copies: the sight is the mission's own)
        return Sight(near, m.threat_at_villages[near], m.present[near] - m.villages.residents[near], groups, attacks)

    def residents_say(self, villages: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What people in these villages tell whoever calls them: the threat they feel, and how
        many displaced are staying with them."""
        m = self.__model
        return m.threat_at_villages[villages].copy(), m.present[villages] - m.villages.residents[villages]

    # --- hands: actions whose outcome the world decides ----------------------------------------
    def publish_presence(self, deterrence: np.ndarray, changed: tuple | None = None) -> None:
        """The protection on the ground now; `changed`: where it may differ from the last one
        published (None: anywhere; else (cells, radius), squares round those cells)."""
        self.__model.publish_deterrence(deterrence, changed)

    def movement_allowed(self, cell: int) -> bool:
        """The host state may refuse the mission passage near its forces."""
        return self.__model.host_state.allows(cell, self.__cfg.freedom_of_movement, self.__cfg.host_state_control_km)

    def intervene(self, cell: int, km: float, by: str) -> tuple[bool, list[int]]:
        return encounters.intervene(self.__model, cell, km, by)

    def strike(self, group: int, cell: int, troops: float, p) -> bool:
        return encounters.strike(self.__model, self.__model.groups[group], cell, troops, p)

    def mediate(self, group: int, success: float, kept: float, floor: float) -> bool:
        return self.__model.groups[group].mediated(success, kept, floor)

    def document_abuse(self, group: int, cost: float) -> bool:
        return self.__model.groups[group].abuse_documented(cost)

    def arrest(self, group: int, suspects: int) -> None:
        self.__model.groups[group].lose(suspects)

    def demobilise(self, share_per_day: float) -> None:
        for g in self.__model.groups:
            g.demobilise(share_per_day)

    def follow_up_plan(self, village: int, vulnerability_kept: float) -> None:
        self.__model.villages.plan_followed_up(village, vulnerability_kept)

    def expose_informers(self, village: int, grievance: float) -> None:
        encounters.informers_seen(self.__model, village, grievance)
