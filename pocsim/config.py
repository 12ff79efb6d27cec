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

from pocsim import run_name
from pocsim.params import param, setting

from pocsim.mission.config import MissionConfig, StrategyConfig  # noqa: F401 (part of the schema)
from pocsim.world.encounters import EncountersConfig


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
class MovementConfig:
    """Speeds over the ground, by mode, land cover and road: armed groups and the mission alike."""

    foot_savanna_kmh: float = param(4.0, unit="km/h", low=3.0, high=5.0,
                                    source="assumption: open savanna, between Tobler's (1993) 5 km/h on a flat "
                                           "path and 3 km/h off path")
    foot_forest_kmh: float = param(2.5, unit="km/h", low=1.0, high=3.5,
                                   source="assumption: undergrowth; at most Tobler's (1993) 3 km/h off path")
    foot_road_kmh: float = param(5.0, unit="km/h", low=4.0, high=6.0,
                                 source="Tobler (1993) hiking function on a flat path: 6 exp(-3.5 * 0.05) = 5.0 km/h")
    slope_decay: float = param(3.5, unit="1/slope", low=2.5, high=4.5,
                               source="Tobler (1993): walking speed falls as exp(-3.5 |slope|) (here direction-free)")
    ford_hours_per_km: float = param(1.0, unit="h/km", low=0.25, high=4.0,
                                     source="assumption: wading, or finding a canoe, where no road bridges the river")
    vehicle_main_road_kmh: float = param(40.0, unit="km/h", low=20.0, high=60.0,
                                         source="assumption: unpaved laterite main roads, as most are in the "
                                                "Central African Republic")
    vehicle_track_kmh: float = param(15.0, unit="km/h", low=8.0, high=25.0,
                                     source="assumption: a pick-up on a bush track")
    vehicle_savanna_kmh: float = param(12.0, unit="km/h", low=5.0, high=20.0,
                                       source="assumption: pick-ups driving across open savanna")
    vehicle_max_slope: float = param(0.15, unit="rise/run", low=0.1, high=0.3,
                                     source="assumption: the steepest open ground a loaded pick-up climbs")


@dataclass
class TerrainConfig:
    source: TerrainSource = setting(TerrainSource.generate, means="generate the landscape from the seed, or load it")
    width: int = param(200, unit="cells", low=60, high=1000, source="scenario: a prefecture-sized area")
    height: int = param(200, unit="cells", low=60, high=1000, source="scenario: a prefecture-sized area")
    cell_km: float = param(1.0, unit="km", low=0.5, high=2.0,
                           source="assumption: a village and its fields fit in a cell; finer grids cost run time")
    # source=file: a .npz of named layers and a CSV of settlements (see pocsim/world/terrain_io.py)
    layers_file: Optional[str] = setting(None, means="source=file: the .npz of terrain layers")
    settlements_file: Optional[str] = setting(None, means="source=file: the CSV of settlements")
    movement: MovementConfig = setting(default_factory=MovementConfig, means="speeds over the ground by mode")
    # procedural generation: relief, then water, then land cover, then towns and the roads joining them
    base_elevation_m: float = param(400.0, unit="m", low=200.0, high=1000.0,
                                    source="assumption: a low plateau; only slopes matter to the model")
    relief_m: float = param(600.0, unit="m", low=200.0, high=1500.0,
                            source="assumption: a few hundred metres of relief, as on the Central African plateau")
    relief_scale_km: float = param(40.0, unit="km", low=20.0, high=80.0,
                                   source="assumption: hills and valleys tens of km across (the coarsest octave)")
    relief_octave_weights: List[float] = param(
        default_factory=lambda: [1.0, 0.5, 0.25, 0.12], unit="1 per octave", low=[1.0, 0.3, 0.1, 0.05],
        high=[1.0, 0.7, 0.5, 0.35],
        source="assumption: each octave (half the wavelength of the one before) about half as strong, "
               "the 1/f-like spectrum of natural relief")
    relief_tilt: float = param(3.0, unit="relief noise spreads", low=0.0, high=6.0,
                               source="assumption: a regional slope, so rivers drain towards one side")
    lake_share: float = param(0.01, unit="1", low=0.0, high=0.05, source="assumption: little open water on a plateau")
    lake_min_depth_m: float = param(0.5, unit="m", low=0.1, high=2.0,
                                    source="assumption: shallower hollows in the relief are swamp, not lake")
    river_catchment_km2: float = param(120.0, unit="km2", low=50.0, high=500.0,
                                       source="assumption: a stream draining ~100 km2 is one a walker must ford")
    forest_share: float = param(0.35, unit="1", low=0.05, high=0.7,
                                source="FAO FRA 2020: forest covers about 36% of the Central African Republic "
                                       "(DR Congo ~56%, South Sudan ~11%)")
    moisture_scale_km: float = param(30.0, unit="km", low=15.0, high=60.0,
                                     source="assumption: wetter and drier country tens of km across")
    moisture_detail_km: float = param(8.0, unit="km", low=3.0, high=15.0,
                                      source="assumption: patches of a few km break up the forest edge")
    moisture_detail_weight: float = param(0.4, unit="1", low=0.0, high=1.0,
                                          source="assumption: the patches weigh less than the broad pattern")
    river_moisture: float = param(1.5, unit="moisture noise spreads", low=0.5, high=3.0,
                                  source="assumption: gallery forest lines savanna rivers")
    river_moisture_km: float = param(3.0, unit="km", low=1.0, high=6.0,
                                     source="assumption: gallery forest reaches a few km from a river")
    n_towns: int = param(8, unit="towns", low=3, high=20, source="scenario: the sub-prefecture seats of a prefecture")
    town_spacing_km: float = param(30.0, unit="km", low=15.0, high=60.0,
                                   source="assumption: towns about a day's walk apart; central places of this rank "
                                          "lie 21-36 km apart (Christaller 1933)")
    town_slope_aversion: float = param(20.0, unit="1/slope", low=5.0, high=50.0,
                                       source="assumption: towns sit on flat ground; 1/e as likely at a 5% slope")
    town_river_pull: float = param(2.0, unit="1", low=0.0, high=5.0,
                                   source="assumption: towns grow by water and river crossings (up to 3x as likely)")
    town_river_km: float = param(5.0, unit="km", low=2.0, high=10.0,
                                 source="assumption: within an hour or two's walk of the river")
    town_forest_factor: float = param(0.3, unit="1", low=0.1, high=1.0,
                                      source="assumption: forest must be cleared, so towns grow in savanna first")
    town_margin_km: float = param(5.0, unit="km", low=0.0, high=20.0,
                                  source="assumption: the area's towns lie inside it, not on its edge")
    extra_road_links: int = param(2, unit="roads", low=0, high=6,
                                  source="assumption: a sparse network with a few loops beyond the spanning tree")
    # cost of building a road across a cell, per km, relative to flat open savanna (1)
    road_cost_slope: float = param(40.0, unit="1/slope", low=10.0, high=100.0,
                                   source="assumption: road builders avoid grades; a 5% grade triples the cost")
    road_cost_forest: float = param(1.5, unit="1", low=0.5, high=4.0,
                                    source="assumption: clearing forest adds more than the cost of open ground")
    road_cost_bridge: float = param(6.0, unit="1", low=2.0, high=20.0,
                                    source="assumption: a bridge costs as much as several km of open road")
    road_cost_existing: float = param(0.3, unit="1", low=0.1, high=1.0,
                                      source="assumption: following an existing road is cheap, so tracks join it")


@dataclass
class VillagesConfig:
    count: int = param(600, unit="settlements", low=100, high=3000,
                       source="scenario: some 300,000 people on 40,000 km2, near the Central African Republic's "
                              "8 per km2 (UN DESA World Population Prospects)")
    town_population_median: float = param(12000.0, unit="people", low=5000.0, high=30000.0,
                                          source="assumption: sub-prefecture seats of thousands to tens of thousands")
    town_population_sigma: float = param(0.6, unit="1 (lognormal sigma)", low=0.3, high=1.0,
                                         source="assumption: towns vary less in size than villages")
    village_population_median: float = param(350.0, unit="people", low=150.0, high=1000.0,
                                             source="assumption: rural villages of a few hundred people")
    village_population_sigma: float = param(0.9, unit="1 (lognormal sigma)", low=0.5, high=1.3,
                                            source="assumption: hamlets of tens to villages of a few thousand")
    off_road_size_factor: float = param(0.6, unit="1", low=0.3, high=1.0,
                                        source="assumption: villages far from roads and markets are smaller")
    min_population: int = param(10, unit="people", low=1, high=50,
                                source="assumption: a settlement is at least a couple of households")
    share_along_roads: float = param(0.4, unit="1", low=0.2, high=0.7,
                                     source="assumption: villages line the roads, in part a legacy of colonial "
                                            "regrouping of villages along roads in French Equatorial Africa")
    roadside_km: float = param(2.0, unit="km", low=0.5, high=5.0,
                               source="assumption: a roadside village lies within half an hour's walk of the road")
    roadside_density_floor: float = param(0.3, unit="1", low=0.0, high=1.0,
                                          source="assumption: roadside villages thin out away from towns, to 0.3/1.3 "
                                                 "of their density beside one")
    town_pull_km: float = param(40.0, unit="km", low=10.0, high=80.0,
                                source="assumption: roadside settlement is densest within a day or two's walk of "
                                       "a town")
    # high: at most 1 - share_along_roads' high, so that every draw from the table's ranges is a world
    # that can be built (0.4 refused a sensitivity sample's corners)
    share_along_rivers: float = param(0.2, unit="1", low=0.05, high=0.3,
                                      source="assumption: water, fishing and river transport; the rest lie off road")
    riverside_km: float = param(1.5, unit="km", low=0.5, high=3.0,
                                source="assumption: a riverside village lies a short walk from the water")
    off_road_km: float = param(5.0, unit="km", low=3.0, high=10.0,
                               source="assumption: far off road means beyond an hour or two's walk from any road")
    cluster_size: int = param(6, unit="villages", low=2, high=15,
                              source="assumption: off-road villages cluster by lineage, fields and water points")
    cluster_spread_km: float = param(3.0, unit="km", low=1.0, high=8.0,
                                     source="assumption: a cluster's villages lie within an hour's walk")
    track_share: float = param(0.15, unit="1", low=0.0, high=0.5,
                               source="assumption: share of off-road villages joined to the network by a track")
    vulnerability_beta_a: float = param(2.0, unit="1", low=1.0, high=5.0,
                                        source="assumption: local means to warn, hide or flee vary widely: "
                                               "beta(2, 3), mean 0.4")
    vulnerability_beta_b: float = param(3.0, unit="1", low=1.0, high=5.0,
                                        source="assumption: local means to warn, hide or flee vary widely: "
                                               "beta(2, 3), mean 0.4")
    vulnerability_remoteness_weight: float = param(0.4, unit="1", low=0.1, high=0.7,
                                                   source="assumption: remote places get warning and help late; "
                                                          "local means weigh the rest")
    vulnerability_remoteness_km: float = param(10.0, unit="km", low=3.0, high=30.0,
                                               source="assumption: remoteness counts within a few hours' walk of "
                                                      "a road")
    min_vulnerability: float = param(0.05, unit="1", low=0.01, high=0.2,
                                     source="assumption: nobody is wholly safe when attacked")
    town_vulnerability_factor: float = param(0.5, unit="1", low=0.2, high=1.0,
                                             source="assumption: crowds, police and warning make a town half as "
                                                    "exposed")
    town_min_population: int = param(5000, unit="people", low=2000, high=20000,
                                     source="UN DESA Demographic Yearbook: national definitions of urban places "
                                            "often start at 2,000-5,000 (settlements loaded with no is_town column)")
    coverage_radius_km: float = param(25.0, unit="km", low=10.0, high=35.0,
                                      source="GSM: a cell reaches at most 35 km (timing-advance limit), 10-30 km in "
                                             "rural practice; masts stand in towns")
    road_coverage: float = param(0.3, unit="1", low=0.0, high=0.6,
                                 source="assumption: some masts stand along main roads between towns")
    road_coverage_km: float = param(3.0, unit="km", low=1.0, high=10.0,
                                    source="assumption: reception beside a main road fades within a few km")
    communities: List[str] = setting(default_factory=lambda: ["Ama", "Bero", "Tolo"],
                                     means="names of the communities, each with a home area")
    community_weights: List[float] = param(default_factory=list, unit="1 (relative)", low=0.1, high=10.0,
                                           source="scenario: how large each community's home area is, as weights of "
                                                  "a weighted Voronoi partition (area roughly in proportion to the "
                                                  "square); empty: all equal")
    community_mixing: float = param(0.1, unit="1", low=0.0, high=0.3,
                                    source="assumption: share of villages of another community than their area's")
    community_border_noise: float = param(0.08, unit="1 (of the map's side)", low=0.0, high=0.2,
                                          source="assumption: community areas have ragged borders")
    community_border_scale_km: float = param(20.0, unit="km", low=5.0, high=50.0,
                                             source="assumption: borders bend on the scale of valleys and ridges")


@dataclass
class GroupConfig:
    name: str = setting(MISSING, means="the group's name; side_a of its events")
    kind: GroupKind = setting(GroupKind.rebel, means="rebel, militia (community self-defence) or state forces")
    community: str = setting(MISSING, means="the community it recruits from and protects")
    preys_on: List[str] = setting(default_factory=list, means="communities it treats as enemies")
    strength: float = param(100.0, unit="fighters", low=20.0, high=1000.0, source="scenario: the group's fighters")
    aggression: float = param(0.5, unit="1", low=0.0, high=1.0,
                              source="scenario: appetite for violence against civilians, 0 none to 1 full")
    mobility: Mobility = setting(Mobility.foot, means="foot, or vehicle (drives where it can, walks where it must)")
    home: str = setting("remote", means="'remote' (a camp far from roads, forest preferred) or 'town' (a garrison)")
    deterrence_sensitivity: float = param(1.0, unit="utility/deterrence", low=0.0, high=2.0,
                                          source="assumption: how much protection presence weighs in its risk; less "
                                                 "for state forces (Fjelde, Hultman & Nilsson 2019)")
    risk_aversion: float = param(1.0, unit="1", low=0.2, high=3.0,
                                 source="assumption: how much risk weighs against gain")
    abuse_cost: float = param(0.0, unit="utility", low=0.0, high=0.2,
                              source="assumption: political cost of abuse (state forces; raised by advocacy)")
    targets_peacekeepers: bool = setting(False, means="attacks the mission: its presence draws the group, not deters")


@dataclass
class IntentConfig:
    """Threat to civilians a group projects per fighter, by what it is doing (advancing = 1)."""

    resting: float = param(0.2, unit="1", low=0.0, high=0.5,
                           source="assumption: a camp still frightens the villages around it")
    advancing: float = param(1.0, unit="1", low=1.0, high=1.0,
                             source="assumption: the reference; source_per_fighter sets the scale")
    responding: float = param(0.3, unit="1", low=0.0, high=1.0,
                              source="assumption: defenders on the move frighten, but less than raiders")
    raiding: float = param(2.0, unit="1", low=1.0, high=4.0,
                           source="assumption: an attack under way is the most frightening thing there is")
    withdrawing: float = param(0.5, unit="1", low=0.2, high=1.0,
                               source="assumption: raiders going home may loot on the way")


@dataclass
class RetaliationConfig:
    """Violence against a community calls for revenge from the armed groups tied to it."""

    grievance: float = param(0.0, unit="grievance per e-fold of deaths", low=0.0, high=3.0,
                             source="off (0) until calibrated; +dynamics=conflict sets 1. Assumption for 1: the "
                                    "grievance an offensive operation leaves per village, for each "
                                    "e-fold of the dead (1 death 0.69, 10 deaths 2.4): outrage grows with the toll, "
                                    "less than in proportion (Slovic 2007 on psychic numbing); tit-for-tat killing "
                                    "between communities: Kalyvas 2006, Balcells 2010, Haushofer et al. 2010. "
                                    "0 switches retaliation off")
    radius_km: float = param(20.0, unit="km", low=5.0, high=50.0,
                             source="assumption: revenge falls on the perpetrators' community in the area of the "
                                    "attack (a day's walk), not on its people everywhere")
    mobilise_hours: float = param(48.0, unit="h", low=6.0, high=240.0,
                                  source="assumption: an aggrieved group gathers its fighters and strikes back within "
                                         "days, not after its usual rest")


@dataclass
class MobilisationConfig:
    """Groups recruit where their community suffers and go quiet when weak (pocsim/world/mobilisation.py)."""

    enabled: bool = setting(False, means="recruitment and strength-paced rests; off until calibrated")
    recruit_rate: float = param(0.005, unit="1/day per e-fold of recent community deaths", low=0.0, high=0.03,
                                source="assumption: a community that lost ~10 people in recent weeks gives a group "
                                       "~1% more fighters a day while far from its ceiling; victimisation drives "
                                       "recruitment into armed groups (Humphreys & Weinstein 2008; Kalyvas 2006)")
    strength_cap: float = param(3.0, unit="x first strength", low=1.5, high=6.0,
                                source="assumption: a group can at most treble on its community's young men "
                                       "and its arms")


@dataclass
class GroupBehaviourConfig:
    """How every armed group weighs targets, where it camps, and the threat it projects."""

    effort_weight: float = param(0.5, unit="utility per search range", low=0.1, high=1.0,
                                 source="assumption: a target at the edge of the search range must be worth half a "
                                        "unit more")
    choice_temperature: float = param(0.3, unit="utility", low=0.1, high=1.0,
                                      source="assumption: groups mostly, not always, pick the best target (softmax)")
    defence_range_km: float = param(10.0, unit="km", low=3.0, high=30.0,
                                    source="assumption: hostile fighters within a couple of hours' walk weigh on an "
                                           "attack")
    peacekeeper_pull: float = param(0.5, unit="utility/deterrence", low=0.0, high=1.5,
                                    source="assumption: a group that fights the mission seeks out its presence, as "
                                           "armed groups in Mali sought out MINUSMA's camps")
    grievance_half_life_days: float = param(30.0, unit="days", low=7.0, high=180.0,
                                            source="assumption: a grudge against a village fades over a month; "
                                                   "reprisals follow perceived collaboration (Kalyvas 2006)")
    intent: IntentConfig = setting(default_factory=IntentConfig, means="threat projected by activity")
    campaigns: bool = setting(False, means="after a raid, strike again before going home while it pays "
                                           "(ArmedGroup.press_on); off until calibrated, +dynamics=conflict sets it")
    campaign_fatigue: float = param(0.5, unit="utility per raid in a row", low=0.1, high=3.0,
                                    source="assumption: each further raid before going home must be worth half a "
                                           "unit more (fighters tire, loot must be carried, ammunition runs low); "
                                           "armed groups in CAR struck village after village along a road over "
                                           "days (Human Rights Watch 2013, 'They Came to Kill', on Ouham)")
    mobilisation: MobilisationConfig = setting(default_factory=MobilisationConfig,
                                               means="recruitment from a suffering community, rest by strength")
    retaliation: RetaliationConfig = setting(default_factory=RetaliationConfig,
                                             means="revenge for violence against a group's own community")
    camp_road_km: float = param(5.0, unit="km", low=2.0, high=15.0,
                                source="assumption: camps keep an hour or two's walk from any road")
    camp_radius_km: float = param(4.0, unit="km", low=1.0, high=10.0,
                                  source="assumption: a camp lies within an hour's walk of the village it lives off")
    camp_forest_preference: float = param(3.0, unit="1", low=0.0, high=10.0,
                                          source="assumption: forest cover hides a camp: a forest cell 4x as likely")


@dataclass
class ViolenceConfig:
    search_hours: float = param(36.0, unit="h", low=12.0, high=72.0,
                                source="assumption: a group looks for targets within a day and a half's travel")
    raid_interval_hours: float = param(96.0, unit="h", low=24.0, high=336.0,
                                       source="assumption: a fully aggressive group raids every few days")
    lethality: float = param(0.07, unit="1/(fighter*h)", low=0.02, high=0.2,
                             source="assumption: gives raid deaths per event the shape of UCDP GED 23.1 one-sided "
                                    "violence in CAR (median 2, 16% with 10+; tests/test_violence.py)")
    injury_ratio: float = param(1.6, unit="injuries/death", low=0.5, high=3.0,
                                source="assumption: below battle's ~3 wounded per death, as attacks on civilians "
                                       "kill more of those hit (Coupland & Meddings 1999)")
    escape_rate: float = param(0.25, unit="1/h", low=0.1, high=0.5,
                               source="assumption: share of those present who get away in each hour of an attack")
    raid_hours_mean: float = param(3.0, unit="h", low=1.0, high=8.0,
                                   source="assumption: most raids are over in a few hours")
    raid_intent_sigma: float = param(1.2, unit="1 (lognormal sigma)", low=0.5, high=2.0,
                                     source="assumption: most raids loot and leave, a few are punitive and long")
    opportunism: float = param(0.1, unit="1", low=0.0, high=0.3,
                               source="assumption: hostility to communities a group neither protects nor preys on")
    opportunistic_rate: float = param(0.002, unit="1/(threat*h)", low=0.0005, high=0.01,
                                      source="assumption: checkpoints and looting where threat is high")
    incident_deaths_mean: float = param(0.7, unit="deaths", low=0.3, high=2.0,
                                        source="assumption: the small end of one-sided violence (53% of UCDP GED "
                                               "23.1 events in CAR kill 1-2; GED has none that kill nobody)")
    incident_injuries_mean: float = param(1.2, unit="injuries", low=0.5, high=3.0,
                                          source="assumption: beatings and shootings at checkpoints and in looting "
                                                 "wound more than they kill")
    clash_range_km: float = param(3.0, unit="km", low=1.0, high=10.0,
                                  source="assumption: hostile groups this close find and fight each other")
    clash_lethality: float = param(0.05, unit="1/fighter", low=0.01, high=0.15,
                                   source="assumption: fighters killed per opposing fighter in an engagement")
    clash_cooldown_hours: float = param(12.0, unit="h", low=4.0, high=48.0,
                                        source="assumption: after a fight the sides disengage for about half a day")


@dataclass
class DisplacementConfig:
    flee_threshold: float = param(0.5, unit="threat (daily mean)", low=0.2, high=1.0,
                                  source="assumption: people leave once the danger persists for a day")
    flee_share: float = param(0.3, unit="1/day", low=0.1, high=0.6,
                              source="assumption: share leaving per day at twice the threshold")
    return_threshold: float = param(0.1, unit="threat (daily mean)", low=0.02, high=0.3,
                                    source="assumption: people go home only when it is calm")
    return_share: float = param(0.05, unit="1/day", low=0.01, high=0.2,
                                source="assumption: return is slower than flight: half home after two calm weeks")
    refuge_radius_km: float = param(40.0, unit="km", low=15.0, high=100.0,
                                    source="assumption: most of the displaced stay a day or two's walk from home")
    town_preference: float = param(0.5, unit="1 (refuge score)", low=0.0, high=1.5,
                                   source="assumption: towns offer safety in numbers and aid; the displaced "
                                          "gather there")
    protection_weight: float = param(1.0, unit="1/deterrence", low=0.0, high=2.0,
                                     source="people seek out peacekeepers: UNMISS protection-of-civilians sites held "
                                            "some 200,000 people at their peak")
    protection_cap: float = param(1.0, unit="deterrence", low=0.5, high=2.0,
                                  source="assumption: beyond a company's presence, more troops draw no more people")


@dataclass
class ThreatConfig:
    spread: float = param(0.5, unit="1", low=0.1, high=1.0,
                          source="assumption: share of the stable diffusion rate used each hour")
    decay: float = param(0.05, unit="1/h", low=0.01, high=0.2,
                         source="assumption: fear fades within a day of a group leaving (half-life ~14 h)")
    suppression: float = param(1.0, unit="1/deterrence", low=0.0, high=3.0,
                               source="assumption: presence damps threat; more UN troops, fewer civilians killed "
                                      "(Hultman, Kathman & Shannon 2013)")
    source_per_fighter: float = param(0.01, unit="threat/(fighter*h)", low=0.003, high=0.03,
                                      source="assumption: the unit of the threat field, with high_threshold")
    high_threshold: float = param(1.0, unit="threat", low=0.5, high=2.0,
                                  source="assumption: threat above which people count as exposed")
    projected_ahead: float = param(0.5, unit="1 (of the group's emission)", low=0.0, high=1.0,
                                   source="assumption: word of an approaching group reaches its target before it "
                                          "does")


@dataclass
class SeasonsConfig:
    """The rainy season: mud and swollen rivers slow people on foot and stop vehicles off the roads."""

    rainy_months: List[int] = param(default_factory=list, unit="calendar month", low=1, high=12,
                                    source="the Central African Republic's rainy season runs roughly May to "
                                           "October (5-10; longer in the south, shorter in the north); empty: "
                                           "no seasons, the same ground all year")
    foot_slowdown: float = param(1.5, unit="x", low=1.0, high=2.5,
                                 source="assumption: mud, high grass and swollen streams make walking off the "
                                        "main roads half as slow again in the rains")
    track_slowdown: float = param(3.0, unit="x", low=1.5, high=6.0,
                                  source="assumption: earth tracks turn to mud, a third of their dry-season speed "
                                         "for vehicles, and driving across country stops; in CAR many secondary "
                                         "roads and tracks are cut for months in the rainy season (WFP Logistics "
                                         "Cluster, CAR Logistics Capacity Assessment)")


@dataclass
class ScenarioConfig:
    name: str = setting("default", means="the scenario's name in results")
    description: str = setting("", means="one line on what the scenario stands for")
    start_date: str = setting("2024-01-01", means="calendar date of the first day (YYYY-MM-DD)")
    terrain: TerrainConfig = setting(default_factory=TerrainConfig, means="the ground")
    villages: VillagesConfig = setting(default_factory=VillagesConfig, means="where people live")
    groups: List[GroupConfig] = setting(default_factory=list, means="the armed groups")
    group_behaviour: GroupBehaviourConfig = setting(default_factory=GroupBehaviourConfig,
                                                    means="how every armed group chooses, camps and threatens")
    violence: ViolenceConfig = setting(default_factory=ViolenceConfig, means="raids, clashes and incidents")
    displacement: DisplacementConfig = setting(default_factory=DisplacementConfig, means="flight and return")
    threat: ThreatConfig = setting(default_factory=ThreatConfig, means="the true threat field")
    encounters: EncountersConfig = setting(default_factory=EncountersConfig,
                                           means="the world's side of the mission's interventions")
    seasons: SeasonsConfig = setting(default_factory=SeasonsConfig, means="the rainy season and what it slows")
    peace_process: bool = setting(False, means="a political process exists, so DDR can demobilise fighters")
    posterior: str = setting("", means="a calibrated scenario's posterior (CSV of parameter samples and weights in "
                                       "pocsim/posteriors, pocsim-calibrate); the scenario's YAML holds its mean, "
                                       "posterior_sample or +posterior=true runs a particle (pocsim/posterior.py)")
    posterior_sample: int = setting(-1, means="the posterior's row to run (-1: its mean); +posterior=true draws "
                                              "one per seed")


class ExportFormat(str, Enum):
    gif = "gif"
    mp4 = "mp4"
    png = "png"


@dataclass
class ExportConfig:
    format: ExportFormat = setting(ExportFormat.gif, means="gif or mp4 animation, or png slides")
    frame_days: int = setting(3, means="one animation frame per this many simulated days")
    fps: int = setting(8, means="frames per second of the animation")


@dataclass
class TeachingNote:
    """A lesson's note for the trainer (configs/lesson/*.yaml), printed at the top of its sweep's report."""
    title: str = setting("", means="the lesson and the vignette it recreates")
    setup: str = setting("", means="what the arms are and what stays the same")
    point_at: List[str] = setting(means="summary metrics to point at (their per-world values go in the report)",
                                  default_factory=list)
    expect: str = setting("", means="the contrast the lesson shows, and in how many worlds its test requires it")
    ask: str = setting("", means="the question for the room")


@dataclass
class PocsimConfig:
    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    strategy: StrategyConfig = field(default_factory=StrategyConfig)
    mission: MissionConfig = field(default_factory=MissionConfig)
    seed: int = setting(0, means="the world and every random draw follow from it (common random numbers)")
    days: int = setting(365, means="simulated days")
    step_hours: float = param(1.0, unit="h", low=0.5, high=1.0,
                              source="numerics: the time step, a divisor of 24 from 0.25 to 1 h (longer steps add "
                                     "deaths: docs/ODD.md, Time); rates are per hour whatever the step")
    engine: Engine = setting(Engine.numba, means="numba kernels, or their plain-numpy references")
    quiet: bool = setting(False, means="print nothing but errors")
    resume: bool = setting(False, means="in a sweep: skip runs whose results already exist")
    export: Optional[ExportConfig] = setting(None, means="+export=gif|mp4|png: slides of the run (pocsim/export.py)")
    teaching: Optional[TeachingNote] = setting(None, means="+lesson=NAME sets it: the trainer's note for the report")


def register_configs() -> None:
    ConfigStore.instance().store(name="pocsim_schema", node=PocsimConfig)
    register_sweeper()
    register_local_ray_launcher()


def register_sweeper() -> None:
    """pocsim's sweepers: sequential (hydra/sweeper=sequential), sensitivity, and the basic sweeper composing each
    choice of config groups once (hydra_plugins/pocsim_sweeper/compose_once.py) in place of Hydra's
    own as `hydra/sweeper=basic`, the default: the same sweeps, the same run configs, less serial
    work. It takes the name rather than an `override hydra/sweeper` in config.yaml, which would win
    over the sequential sweeper that experiments choose. Hydra finds plugins by scanning the
    hydra_plugins folders, which misses them in an editable install (`pip install -e .` maps the
    package through an import hook, not a folder), so register them by hand as well."""
    from hydra.core.plugins import Plugins

    from hydra_plugins.pocsim_sweeper import config  # stores hydra/sweeper/sequential
    from hydra_plugins.pocsim_sweeper.compose_once import ComposeOnceSweeper
    from hydra_plugins.pocsim_sweeper.sensitivity_sweeper import SensitivitySweeper
    from hydra_plugins.pocsim_sweeper.sequential_sweeper import SequentialSweeper

    # The first call scans Hydra's core plugins, which stores Hydra's own "basic" again: store ours after.
    plugins = Plugins.instance()
    plugins.register(SequentialSweeper)
    plugins.register(SensitivitySweeper)
    plugins.register(ComposeOnceSweeper)
    ConfigStore.instance().store(group="hydra/sweeper", name="basic", node=config.ComposeOnceSweeperConf,
                                 provider="pocsim")


def register_local_ray_launcher() -> None:
    """The launcher of +launcher=ray (Hydra's Ray launcher on a local instance listening on loopback
    only: hydra_plugins/pocsim_sweeper/local_ray.py), registered by hand for the same reason; nothing
    to register without Ray's launcher (the [cluster] extra). Ray itself is imported only on launch."""
    from hydra.core.plugins import Plugins

    from hydra_plugins.pocsim_sweeper import local_ray

    if getattr(local_ray, "LocalRayLauncher", None) is not None:
        Plugins.instance().register(local_ray.LocalRayLauncher)


run_name.register()  # configs/config.yaml names sweep runs through it, in whichever process resolves them
