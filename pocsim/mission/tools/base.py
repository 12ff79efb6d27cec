"""The base class of a protection tool (after Starsim's interventions).

A tool declares its parameters (a `Params` dataclass whose fields carry unit, range and source),
holds its own state and units, and is called in the mission's documented order:

    wants()             the shares of the mission's resources it asks for, in whole units of a size
    deploy()            once, when the mission arrives: place what it was granted
    plan()              each planning cycle, from the threat picture
    step()              each hour, after the units in the field have moved and acted
    attack_started()    an attack began at a village (what the tool hears of it is its own business)
    attack_reported()   a source told the mission of an attack (village, group index)
    answer(alert)       an alert came in; return True if this tool took it on
    police_response()   an attack or incident near the tool's police: (arrests, attack stopped)

A tool never holds the model: it reaches the world only through `mission.view`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, auto
from typing import ClassVar


class Deploy(IntEnum):
    """Deployment order: bases first, so that what is drawn from them has somewhere to live."""

    bases = auto()  # company and temporary bases
    reserves = auto()  # reaction force and offensive companies (at the towns and the headquarters)
    field_units = auto()  # patrols and observers, homed at the field bases
    police = auto()  # formed police take the largest garrisons as protection sites
    teams = auto()  # joint protection teams take escort platoons
    contacts = auto()  # liaison assistants, before the alert network enrols their contacts
    networks = auto()
    dialogue = auto()  # mediation, advocacy, DDR


@dataclass
class NoParams:
    pass


class Tool:
    name: ClassVar[str] = ""
    order: ClassVar[Deploy] = Deploy.dialogue
    Params: ClassVar[type] = NoParams

    def __init__(self, mission, params):
        self.mission = mission
        self.p = params

    @property
    def view(self):
        return self.mission.view

    def wants(self) -> list[tuple[str, float, int]]:
        """(resource, share, unit size) for each resource the tool takes a share of."""
        return []

    def granted(self, kind: str) -> int:
        """People of that resource the mission gave the tool (pocsim/mission/mission.py Resources)."""
        return self.mission.resources.granted.get((self.name, kind), 0)

    def deploy(self) -> None:
        pass

    def plan(self) -> None:
        pass

    def step(self) -> None:
        pass

    def attack_started(self, village: int, group: int) -> None:
        pass

    def attack_reported(self, village: int, group: int) -> None:
        pass

    def answer(self, alert) -> bool:
        return False

    def police_response(self, village: int, raid: bool) -> tuple[int, bool]:
        return 0, False
