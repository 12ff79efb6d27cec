"""POCModel: the world, the armed groups, the mission, and the hourly schedule that ties them."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict

import mesa
import numpy as np
from scipy.spatial import cKDTree

from pocsim.config import Engine, MissionConfig, ScenarioConfig, StrategyConfig
from pocsim.view import MissionView
from pocsim.ledger import Ledger
from pocsim.mission import build_mission
from pocsim.streams import Streams
from pocsim.threat import ThreatField
from pocsim.world.armed_groups import ArmedGroup, place_group_homes
from pocsim.world.displacement import Displacement
from pocsim.world.host_state import HostState
from pocsim.world.mobilisation import Mobilisation
from pocsim.world.terrain import DRY, WET
from pocsim.world.violence import Violence
from pocsim.world.world import build_world

NEAR_CACHE_SIZE = 200_000  # (cell, km) queries kept: ~20 MB at most on the default world
DEFENCE_CELLS_KEPT = 512  # cells whose weight at every village is kept: 60 MB on a country-sized world


class POCModel(mesa.Model):
    """An area of operations: terrain, villages, armed groups and (optionally) a UN mission.

    Randomness: Mesa's `rng` is seeded with `seed`; the world at t=0 comes from named streams and
    every later decision from a draw keyed by what it decides, who and when (pocsim.streams), so
    strategies run on one seed face the same world and stay paired.
    """

    def __init__(self, scenario: ScenarioConfig | None = None, strategy: StrategyConfig | None = None,
                 seed: int = 0, step_hours: float = 1.0, engine: str | Engine = "numba",
                 mission: MissionConfig | None = None):
        super().__init__(rng=seed)
        self.scenario = scenario if scenario is not None else ScenarioConfig()
        self.strategy = strategy if strategy is not None else StrategyConfig()
        self.seed = seed
        self.step_hours = float(step_hours)
        self.engine = Engine(engine).value
        self.t = 0  # steps completed
        self.streams = Streams(seed)
        self.phase_seconds: dict[str, float] = defaultdict(float)

        world = build_world(self.scenario, self.streams)
        self.terrain, self.villages = world.terrain, world.villages
        self.start_date = dt.date.fromisoformat(self.scenario.start_date)
        self.update_season()
        self.refresh_present()
        self._village_tree = cKDTree(np.column_stack([self.villages.x, self.villages.y]))
        self._near_cache: dict[tuple[int, float], np.ndarray] = {}
        self._defence_cache: dict[int, np.ndarray] = {}
        self.gain_scale = float(np.sqrt(np.median(self.villages.population) + 1.0))
        self.threat = ThreatField(self.terrain, self.scenario.threat, self.step_hours, self.engine)
        self.threat_at_villages = self.threat.at(self.villages.cell)
        # Protection present on the ground; the mission writes it, armed groups read it.
        self.deterrence = np.zeros(self.terrain.shape)
        self._deterrence_changed = None  # where it may have changed since the threat last read it
        self.mobilisation = Mobilisation(self)  # before the groups: their first rest asks it
        homes = place_group_homes(self, self.scenario.groups, self.streams["groups"])
        self.groups = [ArmedGroup(self, g, i, h) for i, (g, h) in enumerate(zip(self.scenario.groups, homes))]
        self.violence = Violence(self)
        self.displacement = Displacement(self)
        self.ledger = Ledger(self)
        self.host_state = HostState(self)
        mission = mission if mission is not None else MissionConfig()
        # The mission gets a narrow view of the world, never the model itself (pocsim/view.py).
        self.mission = build_mission(self.strategy, mission, MissionView(self, mission), self.streams)
        self.people_exposed_hours = 0.0
        self.displaced_peak = 0

    # --- the schedule ------------------------------------------------------------------------
    def step(self) -> None:
        """One step (one hour by default). Phases, in order:

        1. mission    the mission senses, plans and acts; it sets the deterrence field
        2. groups     armed groups decide on targets and move
        3. threat     the threat field spreads, decays, is suppressed, takes new sources
        4. violence   raids go on, hostile groups clash, incidents where threat is high
        5. people     exposure is counted; once a day, people flee or return
        6. record     daily totals close at midnight; the calendar turns (season, recruitment)
        """
        self._phase("mission", self.mission.step)
        self._phase("groups", self.move_groups)
        self._phase("threat", self.propagate_threat)
        self._phase("violence", self.violence_phase)
        self._phase("people", self.people_phase)
        self._phase("record", self.record)

    def _phase(self, name: str, fn) -> None:
        t0 = time.perf_counter()
        fn()
        self.phase_seconds[name] += time.perf_counter() - t0

    def move_groups(self) -> None:
        # A fresh order each hour so no group always moves first.
        # (one permutation every step whatever happens: a sequential stream stays paired, see streams.py)
        for i in self.streams["schedule"].permutation(len(self.groups)):
            self.groups[i].step()

    def propagate_threat(self) -> None:
        self.threat.set_deterrence(self.deterrence, self._deterrence_changed)
        self._deterrence_changed = (np.zeros(0, dtype=np.int64), 0)  # nothing, until the mission publishes
        cells, amounts = [], []
        for g in self.groups:
            cells.append(g.cell)
            amounts.append(g.threat_emission())
            if g.target >= 0:
                # Word of an approaching group spreads ahead of it: threat at its target too.
                cells.append(int(self.villages.cell[g.target]))
                amounts.append(self.scenario.threat.projected_ahead * g.threat_emission())
        self.threat.propagate(np.array(cells, dtype=np.int64), np.array(amounts, dtype=np.float64))
        self.threat_at_villages = self.threat.at(self.villages.cell)

    def violence_phase(self) -> None:
        for raid in list(self.violence.raids):
            self.violence.raid_hour(raid)
        self.violence.clashes(self.groups)
        self.violence.opportunistic(self.threat_at_villages, self.groups)

    def people_phase(self) -> None:
        exposed = self.present[self.threat_at_villages > self.scenario.threat.high_threshold].sum()
        self.people_exposed_hours += float(exposed) * self.step_hours
        self.ledger.add(people_exposed_hours=float(exposed) * self.step_hours)
        self.displacement.accumulate(self.threat_at_villages)
        if self.end_of_day:
            self.displacement.daily()

    def record(self) -> None:
        self.t += 1
        if self.hour % 24 == 0:
            self.update_season()
            self.mobilisation.daily()
            fled, returned = self.displacement.reset_day_counts()
            self.ledger.add(fled=fled, returned=returned)
            displaced = self.villages.displaced
            self.displaced_peak = max(self.displaced_peak, displaced)
            self.ledger.close_day(self.day - 1, displaced, float(self.displacement.daily_threat.mean()))

    def update_season(self) -> None:
        """Dates follow the calendar from scenario.start_date: in the rainy months the ground costs
        more to cross for everyone (pocsim/world/movement.py), groups and the mission alike."""
        rainy = self.scenario.seasons.rainy_months
        if rainy:
            month = (self.start_date + dt.timedelta(days=self.day)).month
            self.terrain.season = WET if month in rainy else DRY

    # --- helpers the parts share -------------------------------------------------------------
    @property
    def hour(self) -> float:
        return self.t * self.step_hours

    @property
    def day(self) -> int:
        return int(self.hour // 24)

    @property
    def end_of_day(self) -> bool:
        """True during the last step of a day."""
        return ((self.t + 1) * self.step_hours) % 24 == 0

    def refresh_present(self) -> None:
        self.present = self.villages.present()

    def kill(self, village: int, killed: int, injured: int, rng: np.random.Generator) -> None:
        """Casualties among everyone present: residents and the displaced they host are hit in
        proportion to their numbers."""
        residents = int(self.villages.residents[village])
        hosted = int(self.present[village]) - residents
        killed_res = int(rng.hypergeometric(residents, hosted, killed)) if killed else 0
        self.harm(village, killed_res, killed - killed_res, injured, rng)

    def harm(self, village: int, killed_residents: int, killed_hosted: int, injured: int,
             rng: np.random.Generator) -> None:
        v = self.villages
        v.residents[village] -= killed_residents
        if killed_hosted:
            self.displacement.kill_hosted(village, killed_hosted, rng)
        v.deaths[village] += killed_residents + killed_hosted
        self.mobilisation.deaths(village, killed_residents + killed_hosted)
        v.injuries[village] += injured
        self.ledger.add(civilian_deaths=killed_residents + killed_hosted, civilian_injuries=injured)
        self.refresh_present()

    def villages_near(self, cell: int, km: float) -> np.ndarray:
        """Indices of villages within `km` (straight line) of a cell (read-only: they are cached,
        since units ask again and again about the cells along their routes)."""
        key = (int(cell), float(km))
        near = self._near_cache.get(key)
        if near is None:
            if len(self._near_cache) >= NEAR_CACHE_SIZE:
                self._near_cache.clear()
            y, x = divmod(key[0], self.terrain.shape[1])
            near = np.asarray(self._village_tree.query_ball_point((x, y), km / self.terrain.cell_km), dtype=np.int64)
            near.flags.writeable = False
            self._near_cache[key] = near
        return near

    def near_towns(self, km: float) -> np.ndarray:
        """Villages within `km` of a town (the towns included)."""
        near = np.zeros(len(self.villages), dtype=bool)
        for t in np.flatnonzero(self.villages.is_town):
            near[self.villages_near(int(self.villages.cell[t]), km)] = True
        return near

    def publish_deterrence(self, deterrence: np.ndarray, changed: tuple | None) -> None:
        """The mission's presence (pocsim/view.py): the field, and where it may have changed."""
        before = self._deterrence_changed  # not read yet: what changed since still counts
        if before is None or changed is None:
            changed = None  # anywhere
        else:
            changed = (np.concatenate([before[0], changed[0]]), max(before[1], changed[1]))
        self.deterrence, self._deterrence_changed = deterrence, changed

    def deterrence_at_villages(self) -> np.ndarray:
        return self.deterrence.ravel()[self.villages.cell]

    def hostile_presence(self, group: ArmedGroup) -> np.ndarray:
        """Fighters hostile to `group` near each village, weighted by distance."""
        out = np.zeros(len(self.villages))
        for other in self.groups:
            if group.is_hostile_to(other):
                out += other.strength * self._defence_reach(other.cell)
        return out

    def _defence_reach(self, cell: int) -> np.ndarray:
        """How much fighters at `cell` weigh at each village, exp(-distance / defence range);
        remembered per cell (groups mostly sit in camp, and a country has 15,000 villages)."""
        reach = self._defence_cache.get(cell)
        if reach is None:
            if len(self._defence_cache) >= DEFENCE_CELLS_KEPT:
                self._defence_cache.clear()
            ox, oy = self.terrain.xy(cell)
            d = np.hypot(self.villages.x - ox, self.villages.y - oy) * self.terrain.cell_km
            reach = self._defence_cache[cell] = np.exp(-d / self.scenario.group_behaviour.defence_range_km)
        return reach

    def finish(self) -> None:
        """The run is over: attacks still going on are logged as they stand, so that the event log
        holds every death (a raid is otherwise logged when it ends)."""
        for raid in list(self.violence.raids):
            self.violence.end_raid(raid)
        self.ledger.close_run()

    def run(self, days: int) -> None:
        for _ in range(int(round(days * 24 / self.step_hours))):
            self.step()
