"""The UN mission. Strategy `none` fields no mission at all: the baseline every strategy is
compared against. A mission acts on the world only through the deterrence field, by interrupting
raids, and through armed groups' strength (see DESIGN.md)."""

from __future__ import annotations

from pocsim.config import ConfigError, StrategyConfig


class NoMission:
    """No peacekeepers, police or civilian staff: the deterrence field stays empty."""

    def __init__(self, model):
        self.model = model

    def step(self) -> None:
        pass


STRATEGIES = {"none": NoMission}


def build_mission(strategy: StrategyConfig, model):
    if strategy.name not in STRATEGIES:
        raise ConfigError(f"strategy.name: must be one of {sorted(STRATEGIES)}, got {strategy.name!r}")
    return STRATEGIES[strategy.name](model)
