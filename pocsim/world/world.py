"""The world at t=0: terrain and settlements, generated from the seed or loaded from files."""

from __future__ import annotations

from dataclasses import dataclass

from pocsim.config import ScenarioConfig, TerrainSource
from pocsim.streams import Streams
from pocsim.world.landscape import build_main_roads, generate_landscape, place_towns
from pocsim.world.settlement import settle
from pocsim.world.terrain import Terrain
from pocsim.world.terrain_io import load_layers, load_settlements
from pocsim.world.villages import Villages


@dataclass
class World:
    terrain: Terrain
    villages: Villages


def build_world(scenario: ScenarioConfig, streams: Streams) -> World:
    t, v = scenario.terrain, scenario.villages
    if t.source == TerrainSource.file:
        terrain, georef = load_layers(t)
        villages = load_settlements(t, v, terrain, georef, streams["villages"])
    else:
        terrain = generate_landscape(t, streams["terrain"])
        towns = place_towns(terrain, t, streams["terrain"])
        build_main_roads(terrain, towns, t.extra_road_links)
        villages = settle(terrain, towns, v, streams["villages"])
    # the world is built in the dry season (roads are laid out on dry ground); the model keeps the calendar
    terrain.seasons = scenario.seasons if scenario.seasons.rainy_months else None
    return World(terrain, villages)
