"""Range and cross-field checks on a composed configuration.

Hydra's schema already rejects unknown keys and wrong types; these checks reject values of the
right type that make no sense (negative days, more villages than land cells, a group preying on a
community that does not exist). Each failure is one `ConfigError` naming the dotted key.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from dataclasses import fields
from pathlib import Path

from pocsim.config import ConfigError, PocsimConfig, TerrainSource
from pocsim.params import bounds, walk

# A parameter may leave its plausible range (docs/parameters.md) by up to this factor each way: far
# enough for a what-if, not so far that a typo (1e300 people, 1e12 troops, a 1e-9 km cell) runs for
# ever, overflows or allocates terabytes.
WIDEN = 10
# Numbers that are choices rather than parameters, and so have no plausible range to widen.
SETTING_BOUNDS = {
    "days": (1, 3653, "ten years: the model has no population growth or political change beyond that"),
    "seed": (0, 2**63 - 1, "a 64-bit signed integer, as results tables store it"),
}
# The time step must resolve what happens within a day: raids of a few hours and the mission's
# daytime moves (at 24 h the teams' daytime test is never true). Rates are per hour whatever the
# step, but a group's threat and raids are placed once a step: measured, 2 h steps add about a
# quarter to the deaths of 0.25-0.5 h steps, 1 h steps a tenth (docs/ODD.md, Time; tests/test_time_step.py).
STEP_HOURS = (0.25, 1.0)


def _check(ok: bool, key: str, allowed: str, value) -> None:
    if not ok:
        raise ConfigError(f"{key}: must be {allowed}, got {value!r}")


def _range(obj, prefix: str, name: str, lo=None, hi=None, lo_open=False, hi_open=False) -> None:
    value = getattr(obj, name)
    ok = True
    if lo is not None:
        ok &= value > lo if lo_open else value >= lo
    if hi is not None:
        ok &= value < hi if hi_open else value <= hi
    if lo is not None and hi is not None:
        allowed = f"in {'(' if lo_open else '['}{lo}, {hi}{')' if hi_open else ']'}"
    elif lo is not None:
        allowed = f"{'>' if lo_open else '>='} {lo}"
    else:
        allowed = f"{'<' if hi_open else '<='} {hi}"
    _check(ok, f"{prefix}.{name}" if prefix else name, allowed, value)


def validate(cfg: PocsimConfig) -> None:
    """Raise ConfigError for the first value that is not allowed."""
    _files(cfg.scenario.terrain)  # first: a missing file is the first thing to fix
    lo, hi = STEP_HOURS  # first: its own bounds say more than the general rule (NaN fails them too)
    _check(lo <= cfg.step_hours <= hi and 24 % cfg.step_hours == 0, "step_hours",
           f"a divisor of 24 from {lo:g} to {hi:g} hours (longer steps add deaths; see docs/ODD.md, Time)",
           cfg.step_hours)
    _finite_and_bounded(cfg)
    s = cfg.scenario
    try:
        dt.date.fromisoformat(s.start_date)
    except ValueError:
        raise ConfigError(f"scenario.start_date: must be a date YYYY-MM-DD, got {s.start_date!r}") from None
    months = list(s.seasons.rainy_months)
    _check(all(1 <= m <= 12 for m in months) and len(set(months)) == len(months), "scenario.seasons.rainy_months",
           "distinct months 1-12 (e.g. [5,6,7,8,9,10])", months)

    t, p = s.terrain, "scenario.terrain"
    _range(t, p, "cell_km", lo=0, lo_open=True)
    if t.source == TerrainSource.generate:
        _range(t, p, "width", lo=16, hi=4096)
        _range(t, p, "height", lo=16, hi=4096)
        _range(t, p, "relief_m", lo=0)
        _range(t, p, "forest_share", lo=0, hi=0.9)
        _range(t, p, "lake_share", lo=0, hi=0.2)
        _range(t, p, "river_catchment_km2", lo=0, lo_open=True)
        _range(t, p, "n_towns", lo=1)
        _range(t, p, "town_spacing_km", lo=0)
        _range(t, p, "extra_road_links", lo=0)
        # zero here divides by zero; negatives make negative sampling weights or road costs
        for name in ("river_moisture_km", "town_river_km"):
            _range(t, p, name, lo=0, lo_open=True)
        for name in ("town_river_pull", "town_forest_factor", "town_margin_km", "road_cost_slope", "road_cost_forest",
                     "road_cost_bridge", "road_cost_existing"):
            _range(t, p, name, lo=0)

    mv, p = t.movement, "scenario.terrain.movement"
    for name in ("foot_savanna_kmh", "foot_forest_kmh", "foot_road_kmh", "vehicle_main_road_kmh", "vehicle_track_kmh",
                 "vehicle_savanna_kmh"):
        _range(mv, p, name, lo=0, lo_open=True)
    for name in ("slope_decay", "ford_hours_per_km", "vehicle_max_slope"):
        _range(mv, p, name, lo=0)

    v, p = s.villages, "scenario.villages"
    if t.source == TerrainSource.generate:
        land_cells = int(t.width * t.height * (1 - t.lake_share))
        _check(t.n_towns <= v.count, f"{p}.count", f">= scenario.terrain.n_towns ({t.n_towns})", v.count)
        _check(v.count <= land_cells // 4, f"{p}.count",
               f"at most a quarter of the land cells ({land_cells // 4} on a {t.width}x{t.height} grid)", v.count)
    _range(v, p, "town_population_median", lo=0, lo_open=True)
    _range(v, p, "village_population_median", lo=0, lo_open=True)
    _range(v, p, "village_population_sigma", lo=0)
    _range(v, p, "share_along_roads", lo=0, hi=1)
    _range(v, p, "share_along_rivers", lo=0, hi=1)
    _check(v.share_along_roads + v.share_along_rivers <= 1, f"{p}.share_along_rivers",
           f"at most 1 - share_along_roads ({1 - v.share_along_roads:g})", v.share_along_rivers)
    _range(v, p, "track_share", lo=0, hi=1)
    _range(v, p, "coverage_radius_km", lo=0)
    _range(v, p, "community_mixing", lo=0, hi=1)
    for name in ("town_pull_km", "vulnerability_remoteness_km", "road_coverage_km", "vulnerability_beta_a",
                 "vulnerability_beta_b"):
        _range(v, p, name, lo=0, lo_open=True)
    for name in ("roadside_km", "riverside_km", "off_road_km", "roadside_density_floor", "cluster_spread_km",
                 "off_road_size_factor", "town_population_sigma", "min_population", "town_min_population",
                 "community_border_noise", "community_border_scale_km"):
        _range(v, p, name, lo=0)
    _range(v, p, "cluster_size", lo=1)
    _range(v, p, "vulnerability_remoteness_weight", lo=0, hi=1)
    _range(v, p, "road_coverage", lo=0, hi=1)
    # vulnerability stays a share in (0, 1]
    _range(v, p, "min_vulnerability", lo=0, hi=1, lo_open=True)
    _range(v, p, "town_vulnerability_factor", lo=0, hi=1, lo_open=True)
    _check(len(v.communities) >= 1 and len(set(v.communities)) == len(v.communities),
           f"{p}.communities", "a non-empty list of distinct names", list(v.communities))
    weights = list(v.community_weights)
    _check(not weights or (len(weights) == len(v.communities) and all(x > 0 for x in weights)),
           f"{p}.community_weights", f"empty, or {len(v.communities)} positive numbers (one per community)", weights)

    communities = set(v.communities)
    names = [g.name for g in s.groups]
    _check(len(set(names)) == len(names), "scenario.groups", "groups with distinct names", names)
    for i, g in enumerate(s.groups):
        p = f"scenario.groups[{i}]"
        _check(g.community in communities, f"{p}.community", f"one of {sorted(communities)}", g.community)
        for c in g.preys_on:
            _check(c in communities, f"{p}.preys_on", f"a list drawn from {sorted(communities)}", list(g.preys_on))
        _range(g, p, "strength", lo=0, lo_open=True)
        _range(g, p, "aggression", lo=0, hi=1)
        _check(g.home in ("remote", "town"), f"{p}.home", "'remote' or 'town'", g.home)
        _range(g, p, "deterrence_sensitivity", lo=0)
        _range(g, p, "risk_aversion", lo=0)
        _range(g, p, "abuse_cost", lo=0)

    b, p = s.group_behaviour, "scenario.group_behaviour"
    for name in ("choice_temperature", "defence_range_km", "grievance_half_life_days"):
        _range(b, p, name, lo=0, lo_open=True)
    for name in ("camp_radius_km", "camp_forest_preference"):
        _range(b, p, name, lo=0)
    for name in ("resting", "advancing", "responding", "raiding", "withdrawing"):
        _range(b.intent, f"{p}.intent", name, lo=0)  # threat sources are never negative

    w, p = s.violence, "scenario.violence"
    for name in ("search_hours", "raid_interval_hours", "raid_hours_mean", "clash_range_km"):
        _range(w, p, name, lo=0, lo_open=True)
    for name in ("lethality", "injury_ratio", "raid_intent_sigma", "opportunistic_rate", "clash_lethality",
                 "incident_deaths_mean", "incident_injuries_mean", "clash_cooldown_hours"):
        _range(w, p, name, lo=0)
    _range(w, p, "escape_rate", lo=0, hi=1)
    _range(w, p, "opportunism", lo=0, hi=1)

    d, p = s.displacement, "scenario.displacement"
    _range(d, p, "flee_threshold", lo=0)
    _range(d, p, "flee_share", lo=0, hi=1)
    _range(d, p, "return_threshold", lo=0)
    _range(d, p, "return_share", lo=0, hi=1)
    _range(d, p, "refuge_radius_km", lo=0, lo_open=True)

    h, p = s.threat, "scenario.threat"
    _range(h, p, "spread", lo=0, hi=1)
    _range(h, p, "decay", lo=0, hi=1, hi_open=True)
    _range(h, p, "suppression", lo=0)
    _range(h, p, "source_per_fighter", lo=0)
    _range(h, p, "high_threshold", lo=0, lo_open=True)
    _range(h, p, "projected_ahead", lo=0)

    m, p = cfg.mission, "mission"
    _non_negative(m, p)  # every quantity >= 0, shares and probabilities in [0, 1]; stricter bounds below
    for name in ("company_size", "platoon_size", "team_size"):
        _range(m, p, name, lo=1)
    _check(m.platoon_size <= m.company_size, f"{p}.platoon_size", f"<= mission.company_size ({m.company_size})",
           m.platoon_size)
    for name in ("helicopter_kmh", "base_reach_hours", "planning_hours", "picture_fade_hours", "patrol_radius_km"):
        _range(m, p, name, lo=0, lo_open=True)
    _check(0 <= m.day_starts_hour < m.day_ends_hour <= 24, f"{p}.day_ends_hour",
           f"after mission.day_starts_hour ({m.day_starts_hour}) and at most 24", m.day_ends_hour)
    _validate_tools(cfg.strategy.tools)

    if cfg.export is not None:
        _range(cfg.export, "export", "frame_days", lo=1)
        _range(cfg.export, "export", "fps", lo=1, hi=60)
        if cfg.export.format == "mp4" and shutil.which("ffmpeg") is None:
            # checked before the run starts, not after a year of simulation
            raise ConfigError("export: mp4 needs ffmpeg on PATH (e.g. apt-get install ffmpeg); use +export=gif instead")


def _files(t) -> None:
    """A real area's files (source=file) are given and exist."""
    if t.source != TerrainSource.file:
        return
    for key, kind in (("layers_file", ".npz"), ("settlements_file", ".csv")):
        path = getattr(t, key)
        _check(bool(path), f"scenario.terrain.{key}", f"a {kind} file path when source=file", path)
        existing_file(path, f"scenario.terrain.{key}")


def existing_file(path: str, key: str) -> Path:
    """The file a config key names, or ConfigError naming the key (also for pocsim/world/terrain_io.py,
    which loads the files of a config built without the command line)."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise ConfigError(f"{key}: file not found: {path}")
    return p


def _finite_and_bounded(cfg: PocsimConfig) -> None:
    """Every number finite; a parameter within WIDEN times its plausible range each way, a numeric
    setting within SETTING_BOUNDS. Zero and the signs are the per-field checks' business."""
    for row in walk(cfg, indexed=True):
        listed = isinstance(row.value, (list, tuple))
        values = row.value if listed else [row.value]
        if not values or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in values):
            continue
        keys = [f"{row.key}[{i}]" for i in range(len(values))] if listed else [row.key]
        for key, x in zip(keys, values):
            _check(math.isfinite(x), key, "a finite number", x)
            if row.key in SETTING_BOUNDS:
                lo, hi, why = SETTING_BOUNDS[row.key]
                _check(lo <= x <= hi, key, f"from {lo} to {hi} ({why})", x)
        if row.info is None or not row.info.quantity:
            continue
        for key, x, (lo, hi) in zip(keys, values, bounds(row.info.low, row.info.high, len(values))):
            plausible = f"{WIDEN} times its plausible range {lo:g}-{hi:g}, docs/parameters.md"
            if hi > 0:
                _check(x <= WIDEN * hi, key, f"at most {WIDEN * hi:g} ({plausible})", x)
            if lo > 0 and x > 0:
                _check(x >= lo / WIDEN, key, f"at least {lo / WIDEN:g} if not 0 ({plausible})", x)
            if lo < 0:
                _check(x >= WIDEN * lo, key, f"at least {WIDEN * lo:g} ({plausible})", x)


def _non_negative(obj, prefix: str) -> None:
    """Every quantity of the section is >= 0; shares and probabilities (unit "1", documented within
    [0, 1]) lie in [0, 1], while a dimensionless weight documented beyond 1 (civilian_lead_weight) is
    only >= 0; a whole number whose plausible range starts at 1 or more (a unit's size, villages per
    assistant) is at least 1, since it divides or counts what a tool fields."""
    for row in walk(obj, prefix + "."):
        if row.info is None or not row.info.quantity or isinstance(row.value, bool):
            continue
        dimensionless = row.info.unit == "1" or row.info.unit.startswith("1 (")
        if dimensionless and not (isinstance(row.info.high, (int, float)) and row.info.high > 1):
            _check(0 <= row.value <= 1, row.key, "in [0, 1]", row.value)
        elif isinstance(row.value, int) and isinstance(row.info.low, int) and row.info.low >= 1:
            _check(row.value >= 1, row.key, ">= 1", row.value)
        else:
            _check(row.value >= 0, row.key, ">= 0", row.value)


SHARES = {"troop_share": "troops", "escort_troop_share": "troops", "police_share": "police",
          "staff_share": "civilian_staff"}


def _validate_tools(tools) -> None:
    """Every tool's numbers in range (on or off: a value switched on later must be valid too), and
    the enabled tools' shares of each resource adding up to at most all of it."""
    given: dict[str, list[tuple[str, float]]] = {}
    for f in fields(tools):
        params = getattr(tools, f.name)
        _non_negative(params, f"strategy.tools.{f.name}")
        for share, kind in SHARES.items():
            if params.enabled and getattr(params, share, 0) > 0:
                given.setdefault(kind, []).append((f"{f.name}.{share}", getattr(params, share)))
    for kind, shares in given.items():
        total = sum(v for _, v in shares)
        if total > 1 + 1e-9:
            parts = ", ".join(f"{k} {v:g}" for k, v in shares)
            raise ConfigError(f"strategy.tools: the shares of mission.{kind} must add up to at most 1, "
                              f"got {total:g} ({parts})")
