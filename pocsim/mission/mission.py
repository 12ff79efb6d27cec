"""The UN mission: its resources, its threat picture, its tools and units, and its hour.

Every hour the mission senses (reports reach its picture), plans (once per planning cycle),
and acts (units move and do their work, tools do theirs; presence on the ground becomes the
deterrence field the armed groups read). It holds no reference to the model, the armed groups or
the true threat: it knows the world only through `view` (pocsim/view.py), i.e. the terrain, the
public gazetteer of villages and armed groups, the clock, what its units see where they are, and
named actions whose outcome the world decides.
"""

from __future__ import annotations

import numpy as np

from pocsim.mission.navigation import Navigation
from pocsim.mission.outputs import Outputs
from pocsim.mission.picture import ThreatPicture
from pocsim.mission.presence import Presence
from pocsim.mission.units import Base


class Resources:
    """What the scenario gave the mission, and how the tools share it. Each tool asks for a share
    of a resource in whole units (companies, platoons, teams, officers); it gets the whole units its
    share covers, and the people left over go a unit at a time to the tools whose shares came
    closest to another unit (largest remainder; deployment order breaks ties), never more than
    there is. Rounding therefore never starves a tool of what its share fully covers."""

    def __init__(self, cfg, requests):
        """`requests`: (tool name, resource, share, unit size) for every share a tool asks for."""
        self.total = {"troops": cfg.troops, "police": cfg.police, "civilian_staff": cfg.civilian_staff}
        self.granted: dict[tuple[str, str], int] = {}
        for kind, total in self.total.items():
            asks = [(name, share, max(unit, 1)) for name, k, share, unit in requests if k == kind and share > 0]
            quota = [share * total / unit for _, share, unit in asks]
            units = [int(np.floor(q + 1e-9)) for q in quota]  # (0.29 * 100 is 28.999...)
            spare = total - sum(n * unit for n, (_, _, unit) in zip(units, asks))
            for i in sorted(range(len(asks)), key=lambda i: -(quota[i] - units[i])):
                if quota[i] - units[i] > 1e-9 and asks[i][2] <= spare:
                    units[i] += 1
                    spare -= asks[i][2]
            for (name, _, unit), n in zip(asks, units):
                self.granted[(name, kind)] = n * unit
        self.left = {kind: total - sum(v for (_, k), v in self.granted.items() if k == kind)
                     for kind, total in self.total.items()}

    def unstaffed(self, requests) -> dict[str, str]:
        """Tools switched on whose share covers not one unit of what they ask for: they field
        nothing, which a run must say rather than go on silently without them."""
        out = {}
        for name, kind, share, unit in requests:
            if share > 0 and self.granted.get((name, kind), 0) == 0:
                out[name] = (f"{share:g} of mission.{kind} ({self.total[kind]}) does not make one unit of {unit}")
        return out

    def give_back(self, kind: str, people: int) -> None:
        """People a tool was granted but cannot use (e.g. teams without an escort)."""
        self.left[kind] += people


class Mission:
    def __init__(self, view, strategy, cfg, streams):
        from pocsim.mission.tools import registry

        self.view = view
        self.strategy = strategy
        self.cfg = cfg
        self.rng = streams["mission"]  # for deployment, which happens once in a fixed order
        self.streams = streams
        self.outputs = Outputs()
        self.picture = ThreatPicture(view, cfg, streams)
        self.presence = Presence(view.terrain, cfg, view.engine)
        self.navigation = Navigation(view.terrain, view.villages.cell, view.engine)
        n = len(view.villages)
        self.towns = largest_towns(view.villages)
        self.bases: list[Base] = []
        self.bases_opened: list[tuple[int, int, bool]] = []  # (cell, step, temporary), for maps
        self.units: list = []
        self.patrol_hours_grid = np.zeros(view.terrain.shape, dtype=np.float32)
        self.contacts = np.zeros(n, dtype=bool)  # villages a liaison assistant keeps in touch with
        self.radios = np.zeros(n, dtype=bool)  # villages given a radio by a followed-up protection plan
        self.civilian_lead = np.zeros(n, dtype=bool)  # areas where troops stay out and civilian tools lead
        self.plans = None  # protection plans, kept by the joint protection teams if fielded
        self.field_bases: list[Base] = []  # company and temporary bases: where patrols go out from
        self.hq = self.open_base(int(view.villages.cell[self.towns[0]]), 0.0)
        fielded = [(cls, getattr(strategy.tools, name)) for name, cls in registry().items()]
        self.tools = [cls(self, params) for cls, params in fielded if params.enabled]
        requests = [(t.name, *want) for t in self.tools for want in t.wants()]
        self.resources = Resources(cfg, requests)
        self.unstaffed = self.resources.unstaffed(requests)
        for tool in self.tools:
            tool.deploy()
        # Troops no tool took garrison the headquarters (they deter around it, nothing more).
        self.hq.troops += self.resources.left["troops"]
        self.resources.left["troops"] = 0
        self.planning_steps = max(1, int(cfg.planning_hours / view.step_hours))

    def tool(self, name: str):
        """The fielded tool of that name, or None."""
        return next((t for t in self.tools if t.name == name), None)

    # --- the mission's hour ------------------------------------------------------------------
    def step(self) -> None:
        """sense -> plan -> act -> presence."""
        for village, group in self.picture.step():
            for tool in self.tools:
                tool.attack_reported(village, group)
        if self.view.t % self.planning_steps == 0:
            for tool in self.tools:
                tool.plan()
        for unit in list(self.units):
            unit.step()
        for tool in self.tools:
            tool.step()
        self.view.publish_presence(*self.presence.compose(self.bases, self.units))

    def draw(self, purpose: str, *ids: int):
        """The mission's draw for one decision now, keyed by what it decides and who or where
        (pocsim/streams.py), so one changed decision leaves the mission's other draws as they were."""
        return self.streams.draw(f"mission/{purpose}", *ids, self.view.t)

    @property
    def start_of_day(self) -> bool:
        return self.view.t % max(1, int(24 / self.view.step_hours)) == 0

    # --- what the world tells the mission ----------------------------------------------------
    def attack_started(self, village: int, group: int) -> None:
        """An attack began at the village: whoever is in touch with it may hear (tools decide)."""
        for tool in self.tools:
            tool.attack_started(village, group)

    def police_response(self, village: int, raid: bool) -> tuple[int, bool]:
        """Police near an attack (raid=True, each hour) or an incident: (arrests, attack stopped)."""
        arrests, stopped = 0, False
        for tool in self.tools:
            a, s = tool.police_response(village, raid)
            arrests += a
            stopped |= s
        return arrests, stopped

    # --- shared abilities of units -----------------------------------------------------------
    def alert_received(self, alert) -> None:
        self.outputs.alerts_raised += 1
        self.outputs.alerts_false += not alert.true_alarm
        self.picture.report_alert(alert.village)
        for tool in self.tools:
            if tool.answer(alert):
                return

    def look(self, cell: int, km: float, source: str, hearsay_hours: float = 0.0) -> None:
        """A unit reports what it sees around it (and, asking around, recent attacks there)."""
        self.picture.report_sight(self.view.look(cell, km, hearsay_hours), source)

    def intervene(self, cell: int, km: float, by: str, source: str) -> bool:
        """Troops (`by`, reporting as `source`) at `cell` step into any attack within `km`. Returns
        whether one was cut short; groups that stand and fight become known as fighting peacekeepers."""
        stopped, resisted = self.view.intervene(cell, km, by)
        self.picture.report_resistance(resisted, source)
        return stopped

    def movement_allowed(self, cell: int) -> bool:
        if self.view.movement_allowed(cell):
            return True
        self.outputs.movements_denied += 1
        return False

    # --- bases ---------------------------------------------------------------------------------
    def company_town(self, k: int, among: int = 0) -> int:
        """The cell where the k-th company of a tool is based: the largest towns in turn, wrapping
        round when there are more companies than towns; `among` keeps to that many of the largest
        (0: all)."""
        towns = self.towns[:among or None]
        return int(self.view.villages.cell[towns[k % len(towns)]])

    def open_base(self, cell: int, troops: float, temporary: bool = False) -> Base:
        """A base at `cell`, or more troops for the one of the same kind already there."""
        base = next((b for b in self.bases if b.cell == cell and b.temporary == temporary), None)
        if base is None:
            base = Base(cell, troops, temporary)
            self.bases.append(base)
            self.base_opened(base)
        else:
            base.troops += troops
        return base

    def base_opened(self, base: Base) -> None:
        self.outputs.bases += 1
        self.bases_opened.append((base.cell, self.view.t, base.temporary))

    def garrisons(self) -> list[Base]:
        """Bases by the troops in them, largest first (ties: the older base)."""
        return sorted(self.bases, key=lambda b: -b.troops)


def largest_towns(villages) -> np.ndarray:
    """Towns, largest first; a loaded area with no town flagged: its biggest place serves."""
    towns = np.flatnonzero(villages.is_town)
    if len(towns) == 0:
        towns = np.argsort(-villages.population, kind="stable")[:1]
    return towns[np.argsort(-villages.population[towns], kind="stable")]
