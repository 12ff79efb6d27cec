"""The UN mission. Strategy `none` fields no mission at all: the baseline every strategy is
compared against. A mission acts on the world only through the deterrence field, by interrupting
raids, and through armed groups' strength (see DESIGN.md)."""

from __future__ import annotations

from pocsim.config import MissionConfig, StrategyConfig


class NoMission:
    """No peacekeepers, police or civilian staff: the deterrence field stays empty."""

    outputs = None

    def __init__(self, model):
        self.model = model

    def step(self) -> None:
        pass

    def attack_started(self, raid) -> None:
        pass

    def prevents_incident(self, village: int) -> bool:
        return False


def build_mission(strategy: StrategyConfig, mission: MissionConfig, model):
    if strategy.name == "none":
        return NoMission(model)
    from pocsim.mission.mission import Mission

    return Mission(model, strategy, mission)
