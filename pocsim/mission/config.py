"""The mission's configuration: what a scenario gives the mission (resources, frictions, how its
sources report), and what a strategy does with it (which tools, with which shares).

A strategy's `tools` section has one entry per protection tool, built from the tool registry
(pocsim/mission/tools): the tool's `Params` plus `enabled`. A strategy's YAML turns on the tools it
uses and sets their shares; the others stay off. Adding a tool therefore means adding its class
(and turning it on in a strategy); this file does not change.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, make_dataclass

from pocsim.mission.tools import registry
from pocsim.params import param, setting

UNIBAM = "UN Infantry Battalion Manual (DPKO/DFS 2012): a battalion of about 850 in four rifle companies"


@dataclass
class SourceConfig:
    """How one kind of source reports to the mission: how late and how far off the truth."""

    delay_hours: float = param(6.0, unit="h", low=0.0, high=48.0,
                               source="assumption: per source, see the source's line in mission.reports")
    noise: float = param(0.5, unit="1 (lognormal sigma)", low=0.0, high=1.0,
                         source="assumption: per source, see the source's line in mission.reports")


def _source(delay: float, noise: float, why: str):
    return setting(default_factory=lambda: SourceConfig(delay, noise), means=f"reports from this source: {why}")


@dataclass
class ReportsConfig:
    """Delay and error of the reports of each kind of source."""

    patrol: SourceConfig = _source(2.0, 0.5, "a platoon radios what it saw at the end of its leg")
    liaison: SourceConfig = _source(12.0, 0.5, "daily phone round, passed on through the field office")
    team: SourceConfig = _source(24.0, 0.2, "a written visit report: slow but careful")
    alert: SourceConfig = _source(0.0, 0.5, "an alert call marks the village as under attack at once")
    observer: SourceConfig = _source(6.0, 0.3, "military observers report by radio twice a day")
    reaction_force: SourceConfig = _source(0.0, 0.5, "the reaction force reports from the spot")
    police: SourceConfig = _source(12.0, 0.5, "police at a site report the displaced they guard daily")


@dataclass
class MissionConfig:
    """What a scenario gives the mission; every strategy gets exactly this."""

    troops: int = param(1200, unit="soldiers", low=0, high=12000,
                        source="scenario: a sector of about one battalion plus enablers (UNIBAM 2012)")
    police: int = param(160, unit="officers", low=0, high=1000,
                        source="scenario: one formed police unit (140) plus individual officers")
    civilian_staff: int = param(40, unit="staff", low=0, high=200,
                                source="scenario: field office civil affairs, human rights, protection, CLAs")
    company_size: int = param(150, unit="soldiers", low=120, high=200, source=UNIBAM)
    platoon_size: int = param(30, unit="soldiers", low=25, high=40, source=UNIBAM)
    team_size: int = param(4, unit="staff", low=2, high=8,
                           source="MONUSCO joint protection teams: 3-6 staff (DPKO/DFS JPT handbook 2013)")
    helicopters: int = param(0, unit="airframes", low=0, high=6, source="scenario: military utility helicopters")
    helicopter_kmh: float = param(180.0, unit="km/h", low=150.0, high=250.0,
                                  source="Mi-8/Mi-17 cruise speed, about 220-250 km/h, less loading time")
    helicopter_prep_hours: float = param(0.5, unit="h", low=0.25, high=2.0,
                                         source="assumption: boarding and take-off of a ready company")
    authorisation_hours: float = param(3.0, unit="h", low=0.5, high=24.0,
                                       source="OIOS 2014 evaluation of POC implementation: slow chains of authority")
    civilian_night_movement: bool = setting(False, means="civilian staff may travel at night")
    day_starts_hour: int = param(6, unit="h of day", low=5, high=7, source="assumption: daylight near the equator")
    day_ends_hour: int = param(18, unit="h of day", low=17, high=19, source="assumption: daylight near the equator")
    freedom_of_movement: float = param(1.0, unit="1", low=0.3, high=1.0,
                                       source="SOFA restrictions, e.g. UNMISS 2013-16 (UN SG reports)")
    host_state_control_km: float = param(20.0, unit="km", low=5.0, high=50.0,
                                         source="assumption: the host state controls access near its forces")
    deterrence_per_company: float = param(1.0, unit="deterrence/company", low=0.2, high=2.0,
                                          source="assumption: unit of the deterrence field")
    base_reach_hours: float = param(2.0, unit="h", low=0.5, high=6.0,
                                    source="assumption: presence felt within a couple of hours' drive")
    patrol_radius_km: float = param(3.0, unit="km", low=1.0, high=10.0,
                                    source="assumption: a platoon's presence is felt within sight and earshot")
    patrol_cutoff_radii: float = param(2.0, unit="patrol radii", low=2.0, high=4.0,
                                       source="numerical truncation of a patrol's Gaussian presence stamp")
    base_cutoff_reaches: float = param(6.0, unit="base reach times", low=4.0, high=10.0,
                                       source="numerical truncation of a base's presence (exp(-6) = 0.25%)")
    planning_hours: float = param(72.0, unit="h", low=24.0, high=336.0,
                                  source="assumption: a sector plans every few days")
    picture_fade_hours: float = param(120.0, unit="h", low=24.0, high=720.0,
                                      source="assumption: a picture older than a week is stale")
    reported_attack_threat: float = param(2.0, unit="x scenario.threat.high_threshold", low=1.0, high=4.0,
                                          source="assumption: a reported attack marks the village as high threat")
    reports: ReportsConfig = field(default_factory=ReportsConfig)


def _tools_config():
    """One section per registered tool, off unless the strategy turns it on (`enabled: true`), so
    any tool can be switched on, tuned or swept from the command line under any strategy."""
    sections = []
    for name, tool in registry().items():
        section = make_dataclass(f"{tool.__name__}Config", [
            ("enabled", bool, setting(False, means=f"the strategy fields this tool ({tool.__name__})"))],
            bases=(tool.Params,))
        doc = tool.__doc__ or sys.modules[tool.__module__].__doc__ or name
        sections.append((name, section, setting(default_factory=section, means=" ".join(doc.split(".")[0].split()))))
    return make_dataclass("ToolsConfig", sections)


ToolsConfig = _tools_config()


@dataclass
class StrategyConfig:
    name: str = setting("none", means="the strategy's name (configs/strategy/<name>.yaml)")
    description: str = setting("", means="what the strategy does, in a sentence or two")
    tools: ToolsConfig = field(default_factory=ToolsConfig)
