"""Typed configuration: Hydra structured configs plus the value checks Hydra cannot express.

The dataclasses below are registered in Hydra's ConfigStore as the schema of `configs/config.yaml`,
so an unknown key or a value of the wrong type fails at composition with a message naming it.
`validate()` then checks ranges and cross-field constraints (e.g. more villages than land cells)
and raises `ConfigError("<dotted.key>: <what is allowed>, got <value>")`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import List, Optional

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING


class ConfigError(ValueError):
    """A configuration value that is not allowed; the message names the key."""


class Engine(str, Enum):
    numba = "numba"
    numpy = "numpy"


class TerrainSource(str, Enum):
    generate = "generate"
    file = "file"


class GroupKind(str, Enum):
    rebel = "rebel"  # non-state armed group with a political agenda
    militia = "militia"  # community self-defence group
    state = "state"  # host-state security forces


class Mobility(str, Enum):
    foot = "foot"
    vehicle = "vehicle"  # drives where it can, walks where it must


@dataclass
class TerrainConfig:
    source: TerrainSource = TerrainSource.generate
    width: int = 200  # cells
    height: int = 200  # cells
    cell_km: float = 1.0
    # source=file: a .npz of named layers and a CSV of settlements (see pocsim/world/terrain_io.py)
    layers_file: Optional[str] = None
    settlements_file: Optional[str] = None
    # procedural generation
    relief_m: float = 600.0  # elevation range of the generated relief
    forest_share: float = 0.35
    lake_share: float = 0.01
    river_catchment_km2: float = 120.0  # drainage area above which a cell carries a river
    n_towns: int = 8
    town_spacing_km: float = 30.0
    extra_road_links: int = 2  # main roads beyond the spanning tree, so the network has loops


@dataclass
class VillagesConfig:
    count: int = 600  # settlements including the towns
    town_population_median: float = 12000.0
    village_population_median: float = 350.0
    village_population_sigma: float = 0.9  # lognormal spread of village sizes
    share_along_roads: float = 0.4
    share_along_rivers: float = 0.2  # the rest lie off road, in clusters
    track_share: float = 0.15  # share of off-road villages joined to the road network by a track
    coverage_radius_km: float = 25.0  # phone masts stand in towns
    communities: List[str] = field(default_factory=lambda: ["Ama", "Bero", "Tolo"])
    community_mixing: float = 0.1  # share of villages of another community than their area's


@dataclass
class GroupConfig:
    name: str = MISSING
    kind: GroupKind = GroupKind.rebel
    community: str = MISSING  # the community it recruits from and protects
    preys_on: List[str] = field(default_factory=list)  # communities it treats as enemies
    strength: float = 100.0  # fighters
    aggression: float = 0.5  # in [0, 1]: appetite for violence against civilians
    mobility: Mobility = Mobility.foot
    home: str = "remote"  # "remote" (forest, far from roads) or "town"
    deterrence_sensitivity: float = 1.0  # how much protection presence weighs in its risk
    risk_aversion: float = 1.0
    abuse_cost: float = 0.0  # political cost of abuse (state forces; raised by advocacy)
    targets_peacekeepers: bool = False  # attacks the mission: its presence draws this group instead of deterring it


@dataclass
class ViolenceConfig:
    search_hours: float = 36.0  # how far (in travel time) a group looks for targets
    raid_interval_hours: float = 96.0  # mean rest between raids of a fully aggressive group
    lethality: float = 0.07  # killings per fighter-hour in a fully exposed, fully vulnerable village
    injury_ratio: float = 1.6  # injuries per death
    escape_rate: float = 0.25  # share of those present who get away in each hour of an attack
    raid_hours_mean: float = 3.0  # mean intended length of a raid (before interruption)
    raid_intent_sigma: float = 1.2  # lognormal spread of intended raid length across raids
    opportunism: float = 0.1  # hostility to communities a group neither protects nor preys on
    opportunistic_rate: float = 0.002  # hourly rate of small incidents per unit threat
    clash_range_km: float = 3.0
    clash_lethality: float = 0.05  # fighters killed per opposing fighter in a clash


@dataclass
class DisplacementConfig:
    flee_threshold: float = 0.5  # daily mean threat above which people start to leave
    flee_share: float = 0.3  # share leaving per day at twice the threshold
    return_threshold: float = 0.1
    return_share: float = 0.05  # share of the displaced returning per safe day
    refuge_radius_km: float = 40.0


@dataclass
class ThreatConfig:
    spread: float = 0.5  # in [0, 1]: share of the stable diffusion rate used each hour
    decay: float = 0.05  # per hour
    suppression: float = 1.0  # how strongly deterrence suppresses threat
    source_per_fighter: float = 0.01  # threat emitted per fighter-hour at full intent
    high_threshold: float = 1.0  # threat above which people count as exposed


@dataclass
class ScenarioConfig:
    name: str = "default"
    description: str = ""
    start_date: str = "2024-01-01"
    terrain: TerrainConfig = field(default_factory=TerrainConfig)
    villages: VillagesConfig = field(default_factory=VillagesConfig)
    groups: List[GroupConfig] = field(default_factory=list)
    violence: ViolenceConfig = field(default_factory=ViolenceConfig)
    displacement: DisplacementConfig = field(default_factory=DisplacementConfig)
    threat: ThreatConfig = field(default_factory=ThreatConfig)
    peace_process: bool = False  # a political process exists, so DDR can demobilise fighters


class BasePolicy(str, Enum):
    none = "none"  # no company bases in the field (a headquarters only)
    towns = "towns"  # company operating bases at the largest towns, held for the whole run
    threat = "threat"  # temporary operating bases, moved each planning cycle to where the picture shows threat


class PatrolPolicy(str, Enum):
    none = "none"
    route = "route"  # fixed circuits on main roads near the base
    threat = "threat"  # to the villages the picture shows at risk, on foot off road where needed


@dataclass
class MissionConfig:
    """What a scenario gives the mission; every strategy gets exactly this."""

    troops: int = 1200
    police: int = 160
    civilian_staff: int = 40
    company_size: int = 150
    platoon_size: int = 30
    police_unit_size: int = 40
    team_size: int = 4  # civilian staff in one joint protection team or mediation team
    helicopters: int = 0  # airframes for the reaction force
    helicopter_kmh: float = 180.0
    authorisation_hours: float = 3.0  # clearance before a reaction force may move
    civilian_escort: bool = True  # civilian staff may travel only with a troop escort
    civilian_night_movement: bool = False
    freedom_of_movement: float = 1.0  # share of movements near host-state forces the host state allows
    deterrence_per_company: float = 1.0
    base_reach_hours: float = 2.0  # presence fades with travel time from the base on this scale
    planning_hours: float = 72.0
    alert_coverage: float = 1.0  # share of villages with phone coverage that join an alert network
    report_delay_hours: float = 6.0
    report_noise: float = 0.5  # lognormal spread of reported threat around the truth
    picture_fade_hours: float = 120.0  # the mission's estimate fades when not refreshed


@dataclass
class StrategyConfig:
    name: str = "none"
    bases: BasePolicy = BasePolicy.none
    patrols: PatrolPolicy = PatrolPolicy.none
    patrol_share: float = 0.4  # share of each base's platoons out on patrol
    qrf_companies: int = 0  # companies held back as quick reaction force
    offensive: bool = False  # offensive operations against the group the picture blames most
    modular: bool = False  # re-plan tools per area each cycle from the picture
    follow_up: bool = True  # act on protection plans left by team visits
    # shares of civilian staff; 0 turns the tool off
    teams_share: float = 0.0
    liaison_share: float = 0.0  # community liaison assistants; they also run the alert networks
    mediation_share: float = 0.0
    advocacy_share: float = 0.0  # human rights monitoring and advocacy
    ddr_share: float = 0.0


class ExportFormat(str, Enum):
    gif = "gif"
    mp4 = "mp4"
    png = "png"


@dataclass
class ExportConfig:
    format: ExportFormat = ExportFormat.gif
    frame_days: int = 3  # one animation frame per this many simulated days
    fps: int = 8


@dataclass
class PocsimConfig:
    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    strategy: StrategyConfig = field(default_factory=StrategyConfig)
    mission: MissionConfig = field(default_factory=MissionConfig)
    seed: int = 0
    days: int = 365
    step_hours: float = 1.0
    engine: Engine = Engine.numba
    quiet: bool = False
    resume: bool = False  # in a sweep: skip runs whose results already exist
    export: Optional[ExportConfig] = None  # +export=gif|mp4|png: slides of the run (pocsim/export.py)


def register_configs() -> None:
    ConfigStore.instance().store(name="pocsim_schema", node=PocsimConfig)
