"""The UN mission: its tools (pocsim/mission/tools), its picture, its units. It acts on the world
only through the view the model hands it (pocsim/view.py). Strategy `none` fields no tools and
no mission at all: the baseline every strategy is compared against."""

from __future__ import annotations


class NoMission:
    """No peacekeepers, police or civilian staff: the deterrence field stays empty."""

    outputs = None
    unstaffed: dict = {}

    def step(self) -> None:
        pass

    def attack_started(self, village: int, group: int) -> None:
        pass

    def police_response(self, village: int, raid: bool) -> tuple[int, bool]:
        return 0, False


def build_mission(strategy, cfg, view, streams):
    """A mission with the strategy's tools, or none if the strategy lists no tool."""
    from dataclasses import fields

    if not any(getattr(strategy.tools, f.name).enabled for f in fields(strategy.tools)):
        return NoMission()
    from pocsim.mission.mission import Mission

    return Mission(view, strategy, cfg, streams)
