"""Figures for slides: each function draws one figure, saves it as PNG and SVG, and returns both paths.

    from pocsim import plots
    plots.harm_map("multirun/x/seed=0,strategy=modular", "figures")

Figures are built on `matplotlib.figure.Figure`, not pyplot, so nothing is left open, no GUI
backend is needed and a notebook's own plotting state is left alone. The same inputs give
byte-identical files (fixed SVG hash salt, no date in the metadata), so figures can be diffed.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import ListedColormap, LogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogFormatterSciNotation, MaxNLocator

from pocsim.results import arm_labels, boot_ci, swept
from pocsim.world.terrain import FOREST, MAIN_ROAD, TRACK, WATER

# Large type: the figures are meant to be read from the back of a room.
STYLE = {
    "font.size": 14, "axes.titlesize": 16, "axes.labelsize": 14, "xtick.labelsize": 13,
    "ytick.labelsize": 13, "legend.fontsize": 12, "figure.titlesize": 18,
    "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "pocsim",
}

# One colour per strategy in every figure (Okabe-Ito, readable by colour-blind viewers).
STRATEGY_COLOURS = {
    "none": "#555555", "static_deterrence": "#E69F00", "mobile_operations": "#0072B2",
    "unarmed": "#009E73", "modular": "#D55E00",
}
_SPARE_COLOURS = ("#56B4E9", "#CC79A7", "#F0E442", "#000000")
# Purples without its near-white end: a cell patrolled for an hour must still show on a 300 km map,
# and purple is told apart from the ground's rivers and lakes (blue) and from deaths (yellow to red).
_PATROL_CMAP = ListedColormap(mpl.colormaps["Purples"](np.linspace(0.4, 1.0, 256)))
_LOG_COLOURS = ("#D55E00", "#0072B2", "#009E73", "#CC79A7")  # event logs compared in one figure

NAMES = {
    "civilian_deaths": "Civilian deaths", "civilian_injuries": "Civilian injuries",
    "displaced": "People displaced at the end", "attacks": "Attacks on civilians",
    "people_exposed_hours": "People-exposed-hours", "patrols": "Patrols", "patrol_km": "Patrol distance",
    "patrol_hours": "Patrol time", "jpt_visits": "Joint protection team visits",
    "alerts_answered_in_time": "Alerts answered in time", "mission.troops": "Troops deployed",
    "mission.police": "Police deployed", "mission.authorisation_hours": "Authorisation delay",
    "mission.helicopters": "Helicopters", "strategy": "Strategy", "scenario": "Scenario", "seed": "Seed",
    "patrolling": "Patrolling", "strategy.tools.reaction_force.enabled": "Reaction force enabled",
    "strategy.tools.joint_protection_teams.follow_up": "Follow-up after team visits",
}
UNITS = {"people_exposed_hours": "person-hours", "patrol_km": "km", "patrol_hours": "hours",
         "mission.authorisation_hours": "hours"}


def name_of(key: str) -> str:
    """'mission.authorisation_hours' -> 'Authorisation delay'; unknown keys by their last two parts
    ('strategy.tools.observers.enabled' -> 'Observers enabled'), as a last part alone is often
    'enabled' or 'share'."""
    if key in NAMES:
        return NAMES[key]
    parts = key.lstrip("+~").split(".")
    return " ".join(parts[-2:] if len(parts) > 2 else parts[-1:]).replace("_", " ").capitalize()


def label(key: str, per: str = "") -> str:
    """'Patrol distance per run (km)': the name, what it is counted over, then the unit."""
    return f"{name_of(key)}{per}" + (f" ({UNITS[key]})" if key in UNITS else "")


def strategy_label(name) -> str:
    return "no mission" if name == "none" else str(name).replace("_", " ")


def group_label(by: str, value) -> str:
    """How a group is named in a legend: strategies in words, any other swept value as it is."""
    return strategy_label(value) if by == "strategy" else str(value)


def value_label(by: str, value) -> str:
    """One arm in a legend or panel title: a strategy in words, any other parameter with its name
    ('Reaction force enabled: True', 'Troops deployed: 600')."""
    if by == "strategy":
        return strategy_label(value)
    return f"{name_of(by)}: {value}" + (f" {UNITS[by]}" if by in UNITS else "")


def settings_label(settings: dict) -> str:
    """The other settings a panel holds fixed: 'Troops deployed: 600, Helicopters: 2'."""
    return ", ".join(value_label(k, v) if k != "strategy" else f"Strategy: {strategy_label(v)}"
                     for k, v in settings.items())


def colour(name, order: list) -> str:
    if name in STRATEGY_COLOURS:
        return STRATEGY_COLOURS[name]
    others = [s for s in order if s not in STRATEGY_COLOURS]
    return _SPARE_COLOURS[others.index(name) % len(_SPARE_COLOURS)] if name in others else "#000000"


def ordered(names) -> list:
    """The known strategies in the README's order (baseline first), then any other values sorted
    (numbers as numbers, so 2 comes before 10)."""
    names = set(names)
    others = names - set(STRATEGY_COLOURS)
    try:
        others = sorted(others)
    except TypeError:  # mixed types
        others = sorted(others, key=str)
    return [s for s in STRATEGY_COLOURS if s in names] + others


def _styled(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with mpl.rc_context(STYLE):
            return fn(*args, **kwargs)
    return wrapper


def _save(fig: Figure, out_dir, name: str) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    png, svg = out / f"{name}.png", out / f"{name}.svg"
    # bbox "tight": legends placed outside the axes stay inside the picture.
    fig.savefig(png, dpi=150, bbox_inches="tight", pad_inches=0.2)
    fig.savefig(svg, bbox_inches="tight", pad_inches=0.2, metadata={"Date": None})
    return [png, svg]


def _ok_runs(results: pd.DataFrame) -> pd.DataFrame:
    """Failed runs have no outcomes; leave them out rather than plot NaN."""
    return results[results["status"] == "ok"] if "status" in results else results


def _thousands(ax, axis: str = "y") -> None:
    """1,000 rather than 1000; a tick between whole numbers keeps its decimals (0.5 is not "0")."""
    getattr(ax, f"{axis}axis").set_major_formatter(
        FuncFormatter(lambda x, _: f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 1000 else f"{x:,g}"))


@_styled
def strategy_comparison(comparison: pd.DataFrame, out_dir, metrics=("civilian_deaths", "people_exposed_hours"),
                        name="strategy_comparison", by="strategy", baseline="none") -> list[Path]:
    """One panel per metric, one bar per strategy (or other `by` group): the mean over runs with its
    95% CI, and a dashed line at the baseline's mean."""
    missing = [m for m in metrics if m not in set(comparison["metric"])]
    if missing:
        raise ValueError(f"comparison has no metric {missing}; it has {sorted(set(comparison['metric']))}")
    values = ordered(comparison[by])
    others = list(comparison.columns[: list(comparison.columns).index("metric")])
    others.remove(by)
    split = comparison.duplicated([by, "metric"]).any()  # arms split by another parameter
    if split:  # rows grouped by the other settings, each group in the contrast's order; bars coloured
        # by the contrast's value, and labelled "other settings / value"
        rank = {v: i for i, v in enumerate(values)}
        comparison = comparison.assign(_rank=comparison[by].map(rank)).sort_values([*others, "_rank"], kind="stable")
        tick = comparison[others].astype(str).agg(" / ".join, axis=1) + " / " + comparison[by].map(
            lambda v: group_label(by, v))
        comparison = comparison.assign(_arm=arm_labels(comparison.drop(columns=["_rank"]), by), _tick=tick)
    else:
        comparison = comparison.assign(_arm=comparison[by], _tick=comparison[by].map(lambda v: group_label(by, v)))
    strategies = list(dict.fromkeys(comparison["_arm"])) if split else values
    first = comparison.drop_duplicates("_arm").set_index("_arm")
    fig = Figure(figsize=(6.5 * len(metrics), 1.0 + 0.8 * len(strategies) + 1.5), layout="constrained")
    axes = fig.subplots(1, len(metrics), sharey=True, squeeze=False)[0]
    for ax, metric in zip(axes, metrics):
        rows = comparison[comparison["metric"] == metric].set_index("_arm").reindex(strategies)
        y = np.arange(len(strategies))
        err = np.nan_to_num([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]])
        ax.barh(y, rows["mean"], xerr=err, capsize=6, color=[colour(v, values) for v in rows[by]],
                error_kw={"elinewidth": 2})
        if baseline in rows.index:  # the arm every other is paired with
            ax.axvline(rows.loc[baseline, "mean"], color="#555555", ls="--", lw=1.5)
        ax.set_title(label(metric))
        ax.set_xlabel("mean per run (error bars: 95% CI)")
        _thousands(ax, "x")
        ax.xaxis.set_major_locator(MaxNLocator(4))  # few ticks: large numbers must not collide
    axes[0].set_yticks(np.arange(len(strategies)), [first.at[s, "_tick"] for s in strategies])  # not .loc: a
    # list of booleans (False, True arms) would be read as a mask
    if split:
        axes[0].set_ylabel(" / ".join(name_of(c) for c in [*others, by]))
    axes[0].invert_yaxis()
    n = sorted(set(comparison["n"].astype(int)))
    runs = f"{n[0]} runs each" if len(n) == 1 else f"{n[0]}-{n[-1]} runs each"
    dashed = f"; dashed line: {group_label(by, baseline)}" if baseline in strategies else ""
    fig.suptitle(f"Outcomes by {name_of(by).lower()} ({runs}{dashed})")
    return _save(fig, out_dir, name)


@_styled
def output_vs_outcome(results: pd.DataFrame, out_dir, output="patrols", outcome="civilian_deaths",
                      name=None, by="strategy") -> list[Path]:
    """One point per run: what the mission did against what happened to civilians."""
    runs = _ok_runs(results)
    strategies = ordered(runs[by])
    fig = Figure(figsize=(10, 6.5), layout="constrained")
    ax = fig.subplots()
    for s in strategies:
        r = runs[runs[by] == s]
        ax.scatter(r[output], r[outcome], s=90, alpha=0.85, color=colour(s, strategies), edgecolors="white",
                   label=group_label(by, s))
    ax.set_xlabel(label(output, " per run"))
    ax.set_ylabel(label(outcome, " per run"))
    _thousands(ax, "x")
    _thousands(ax, "y")
    ax.set_title(f"{name_of(output)} against {name_of(outcome).lower()}, one point per run")
    ax.legend(title=label(by).lower(), loc="best")
    return _save(fig, out_dir, name or f"{output}_vs_{outcome}")


def paired_differences(results: pd.DataFrame, by: str, baseline, metrics) -> pd.DataFrame:
    """Each run minus the baseline run of its world (the same value of every other swept parameter,
    seed included): the world's settings, the arm (`by`) and one column per metric."""
    runs = _ok_runs(results)
    keys = [c for c in swept(results) if c != by]
    base = runs[runs[by] == baseline][keys + list(metrics)]
    arms = runs[runs[by] != baseline]
    paired = arms[keys + [by] + list(metrics)].merge(base, on=keys, suffixes=("", "_base"))
    for m in metrics:
        paired[m] = paired[m].astype(float) - paired[f"{m}_base"].astype(float)
    return paired[keys + [by] + list(metrics)]


@_styled
def paired_changes(results: pd.DataFrame, out_dir, by="strategy", baseline="none",
                   outputs=("patrols", "jpt_visits", "alerts_answered_in_time"), outcome="civilian_deaths",
                   name="paired_outputs_vs_deaths") -> list[Path]:
    """Same world, different arm: for every world and every arm, the change in what the mission did
    (one panel per output) against the change in civilian deaths, both relative to the baseline
    arm in that world. A grey line joins one world's arms, starting at the baseline (the origin),
    so "more patrols, same deaths" shows as points spread along x at y = 0. An output no arm
    changed has no panel, and an arm that never changed it is named instead of drawn at x = 0."""
    outputs = [o for o in outputs if o in results.columns]
    pairs = paired_differences(results, by, baseline, [*outputs, outcome]) if outputs else pd.DataFrame()
    if pairs.empty:
        return []
    keys = [c for c in pairs.columns if c not in (by, *outputs, outcome)]
    arms = ordered(pairs[by])
    palette = ordered(list(arms) + [baseline])
    panels = [o for o in outputs if (pairs[o] != 0).any()]
    if not panels:
        return []
    fig = Figure(figsize=(7.5 * len(panels) + 3, 7), layout="constrained")
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, output in zip(axes, panels):
        moved = [a for a in arms if (pairs.loc[pairs[by] == a, output] != 0).any()]
        still = [a for a in arms if a not in moved]
        shown = pairs[pairs[by].isin(moved)]
        for _, world in shown.groupby(keys, sort=True):  # the baseline at the origin, then the arms in order
            world = world.set_index(by).reindex([a for a in moved if a in set(world[by])])
            ax.plot([0, *world[output]], [0, *world[outcome]], color="#999999", lw=1, zorder=1)
        for a in moved:
            r = shown[shown[by] == a]
            ax.scatter(r[output], r[outcome], s=110, color=colour(a, palette), edgecolors="white", zorder=3,
                       label=value_label(by, a))
        ax.axhline(0, color="#333333", lw=1.2, zorder=2)
        ax.axvline(0, color="#333333", lw=1.2, zorder=2)
        ax.scatter([0], [0], s=110, color=colour(baseline, palette), edgecolors="white", zorder=3,
                   label=f"{value_label(by, baseline)} (baseline)")
        ax.set_xlabel(f"Change in {name_of(output).lower()} per run")
        _thousands(ax, "x")
        _thousands(ax, "y")
        if still:
            ax.set_title(f"No change in {name_of(output).lower()}:\n"
                         + ", ".join(value_label(by, a) for a in still), fontsize=12, loc="left")
    # symmetric about zero (and at least +-1): "no change in deaths" sits mid-height, never at an edge
    reach = max(1.0, 1.15 * float(np.abs(pairs[outcome]).max()))
    axes[0].set_ylim(-reach, reach)
    for ax in axes:
        ax.text(0.99, 0.98, f"more {name_of(outcome).lower()}", transform=ax.transAxes, ha="right", va="top",
                color="#555555", fontsize=12)
        ax.text(0.99, 0.02, f"fewer {name_of(outcome).lower()}", transform=ax.transAxes, ha="right", va="bottom",
                color="#555555", fontsize=12)
    axes[0].set_ylabel(f"Change in {name_of(outcome).lower()} per run")
    handles = {h.get_label(): h for ax in axes for h in ax.get_legend_handles_labels()[0]}
    fig.legend(handles=list(handles.values()), loc="outside lower center", ncol=min(len(handles), 6),
               title=name_of(by) if by == "strategy" else None)
    worlds = pairs[keys].drop_duplicates().shape[0]
    fig.suptitle(f"Change from {value_label(by, baseline)}, world by world ({worlds} worlds; a grey line joins"
                 " one world's arms)")
    return _save(fig, out_dir, name)


@_styled
def cumulative_deaths(panels: dict[str, dict], out_dir, by="strategy", low=10, high=90,
                      name="cumulative_deaths") -> list[Path]:
    """Cumulative civilian deaths by day: for each arm the median over its runs (seeds) with a band
    from the `low` to the `high` percentile, one colour per arm. `panels` maps a panel title (the
    other settings held fixed; "" for one panel) to {arm: array of runs x days+1, day 0 first}."""
    panels = {t: {a: np.asarray(x, dtype=float) for a, x in arms.items() if np.size(x)} for t, arms in panels.items()}
    panels = {t: arms for t, arms in panels.items() if arms}  # no blank panels
    if not panels:
        return []
    every = [x for arms in panels.values() for x in arms.values()]
    palette = ordered({a for arms in panels.values() for a in arms})
    cols = min(len(panels), 3)
    rows = -(-len(panels) // cols)
    fig = Figure(figsize=(7 * cols + 3, 5.2 * rows + 1), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True).ravel()
    for ax, (title, arms) in zip(axes, panels.items()):
        for a in ordered(arms):
            x = arms[a]
            day = np.arange(x.shape[1])
            lo, mid, hi = np.nanpercentile(x, [low, 50, high], axis=0)
            c = colour(a, palette)
            ax.fill_between(day, lo, hi, color=c, alpha=0.2, lw=0)
            ax.plot(day, mid, color=c, lw=2.8, label=value_label(by, a))
        ax.set_title(title, fontsize=14)
        ax.set_xlabel("Day")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(bottom=0)
        ax.set_xlim(0, max(x.shape[1] - 1 for x in arms.values()))
        _thousands(ax, "y")
    for ax in axes[len(panels):]:
        fig.delaxes(ax)
    for ax in axes[: len(panels): cols]:
        ax.set_ylabel("Civilian deaths so far")
    handles = list({h.get_label(): h for ax in axes[: len(panels)] for h in ax.get_legend_handles_labels()[0]}.values())
    handles.append(Patch(color="#999999", alpha=0.35, label=f"band: {low}th-{high}th percentile"))
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 6),
               title=name_of(by) if by == "strategy" else None)  # other values name their parameter
    n = sorted({x.shape[0] for x in every})
    seeds = f"{n[0]}" if len(n) == 1 else f"{n[0]}-{n[-1]}"
    days = max(x.shape[1] for x in every) - 1
    fig.suptitle(f"Civilian deaths so far, by day: median over {seeds} seeds per arm, {days} days\n"
                 f"band: {low}th to {high}th percentile over seeds")
    return _save(fig, out_dir, name)


def _cell_km(run_dir: Path) -> float:
    """Cell size from the run's resolved config when Hydra wrote one (runs made in Python have none)."""
    cfg = run_dir / ".hydra" / "config.yaml"
    if cfg.is_file():
        from omegaconf import OmegaConf
        return float(OmegaConf.select(OmegaConf.load(cfg), "scenario.terrain.cell_km", default=1.0))
    return 1.0


class _RunMap:
    """What a map of one run shows, read from its folder: villages with their deaths, patrol-hours
    per cell, bases, and the ground (rebuilt from the run's resolved config when Hydra wrote one)."""

    def __init__(self, run_dir):
        self.run_dir = Path(run_dir)
        self.villages = pd.read_parquet(self.run_dir / "villages.parquet")
        self.patrols = pd.read_parquet(self.run_dir / "patrols.parquet")
        self.bases = pd.read_parquet(self.run_dir / "bases.parquet")
        self.km = _cell_km(self.run_dir)
        self.ground = _ground(self.run_dir)
        if self.ground is not None:
            self.height, self.width = self.ground.shape[:2]
        else:
            self.width = int(max(self.villages["x"].max(), self.patrols["x"].max() if len(self.patrols) else 0)) + 1
            self.height = int(max(self.villages["y"].max(), self.patrols["y"].max() if len(self.patrols) else 0)) + 1

    @property
    def deaths(self) -> int:
        return int(self.villages["deaths"].sum())


def _ground(run_dir: Path) -> np.ndarray | None:
    """The run's terrain, faded so harm and patrols stand out: a run folder keeps no terrain, but
    the world at t=0 is a function of the scenario and the seed, and costs a fraction of a second
    to build again. None for runs made in Python (no resolved config) or whose terrain files are gone."""
    cfg = run_dir / ".hydra" / "config.yaml"
    if not cfg.is_file():
        return None
    from omegaconf import OmegaConf

    from pocsim.config import ScenarioConfig
    from pocsim.streams import Streams
    from pocsim.world.world import build_world

    try:
        conf = OmegaConf.load(cfg)
        scenario = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(ScenarioConfig), conf.scenario))
        terrain = build_world(scenario, Streams(int(conf.seed))).terrain
    except Exception:  # a map without ground is still a map  # noqa: BLE001
        return None
    return 0.45 + 0.55 * terrain_image(terrain)


def _norms(maps: list[_RunMap]) -> tuple[LogNorm, LogNorm | None]:
    """One scale for deaths per village and one for patrol-hours per cell, over every map given."""
    return _scale((m.villages["deaths"] for m in maps), [m.patrols["patrol_hours"] for m in maps])


def _scale(deaths, hours) -> tuple[LogNorm, LogNorm | None]:
    """Log scales from 1 death to the most in any village (at least 2, so the scale has a span), and
    over the patrol-hours of every cell patrolled (None when no cell was)."""
    top, lo, hi = 2, np.inf, 0.0
    for d in deaths:
        top = max(top, int(np.max(np.asarray(d), initial=0)))
    for h in hours:
        h = np.asarray(h, dtype=float)
        h = h[h > 0]
        if len(h):
            lo, hi = min(lo, h.min()), max(hi, h.max())
    return LogNorm(vmin=1, vmax=top), (LogNorm(vmin=max(lo, 1e-3), vmax=max(hi, 2 * lo)) if hi > 0 else None)


# YlOrRd without its near-white end: a village with one death must stand out from the pale ground.
_DEATHS_CMAP = ListedColormap(mpl.colormaps["YlOrRd"](np.linspace(0.3, 1.0, 256)))
_HIT_FLOOR = 90  # points^2: the smallest a village with deaths is drawn (the legend says so)


def _draw_map(ax, m: _RunMap, deaths: LogNorm, patrol: LogNorm | None, inches: float) -> None:
    """Ground, patrol-hours, villages (area = population, colour = deaths) and bases on one axis."""
    km = m.km
    extent = (-0.5 * km, (m.width - 0.5) * km, (m.height - 0.5) * km, -0.5 * km)
    if m.ground is not None:
        ax.imshow(m.ground, extent=extent, interpolation="nearest")
    if len(m.patrols) and patrol is not None:
        grid = np.full((m.height, m.width), np.nan)
        grid[m.patrols["y"], m.patrols["x"]] = m.patrols["patrol_hours"]
        ax.imshow(grid, cmap=_PATROL_CMAP, norm=patrol, extent=extent, interpolation="nearest")
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    v = m.villages
    size = _village_size(v, inches)
    spared, hit = v[v["deaths"] == 0], v[v["deaths"] > 0].sort_values("deaths")  # worst drawn last, on top
    ax.scatter(spared["x"] * km, spared["y"] * km, s=size(spared["population"]), facecolor="white",
               edgecolor="#333333", linewidths=0.7, clip_on=False)  # villages on the edge stay round
    if len(hit):
        # a hamlet that lost people must be seen from the back of the room, however small it is
        ax.scatter(hit["x"] * km, hit["y"] * km, s=np.maximum(size(hit["population"]), _HIT_FLOOR), c=hit["deaths"],
                   cmap=_DEATHS_CMAP, norm=deaths, edgecolor="black", linewidths=0.8, clip_on=False)
    for temporary, style in ((False, {"facecolor": "black"}), (True, {"facecolor": "none"})):
        b = m.bases[m.bases["temporary"] == temporary]
        if len(b):
            ax.scatter(b["x"] * km, b["y"] * km, marker="^", s=160 * inches / 8, edgecolor="black",
                       linewidths=2, **style)
    ax.set_aspect("equal")


def _village_size(villages: pd.DataFrame, inches: float):
    """Circle area proportional to population, so towns and hamlets compare by eye; scaled with the map."""
    pop_max = float(villages["population"].max())
    return lambda pop: (8 + 900 * np.asarray(pop, dtype=float) / pop_max) * (inches / 8) ** 2


def _map_legend(target, m: _RunMap, inches: float, **where) -> None:
    """Legend entries only: the symbols at the sizes they stand for (marker size is a diameter,
    scatter's s an area)."""
    size, pop_max = _village_size(m.villages, inches), float(m.villages["population"].max())
    dot = functools.partial(Line2D, [], [], ls="", markeredgecolor="#333333")
    handles = [dot(marker="o", markersize=9, markerfacecolor="white", label="no deaths"),
               dot(marker="o", markersize=float(np.sqrt(_HIT_FLOOR)), markerfacecolor=_DEATHS_CMAP(0.7),
                   markeredgecolor="black", label="deaths (at least this size)")]
    handles += [dot(marker="o", markersize=float(np.sqrt(size(pop))), markerfacecolor="none",
                    label=f"{pop:,.0f} people") for pop in (round(pop_max / 10, -2), round(pop_max, -3))]
    tri = float(np.sqrt(160 * inches / 8))
    handles += [dot(marker="^", markersize=tri, markerfacecolor="black", markeredgewidth=2, label="base"),
                dot(marker="^", markersize=tri, markerfacecolor="none", markeredgewidth=2, label="temporary base")]
    target.legend(handles=handles, ncol=3, frameon=False, **where)


@_styled
def harm_map(run_dir, out_dir, name="harm_map") -> list[Path]:
    """Where civilians died (villages sized by population, coloured by deaths), where the mission
    patrolled (patrol-hours per cell, log scale) and where it put its bases, over the ground when
    the run has a resolved config. North is up for real areas: row 0 is the top of the grid."""
    m = _RunMap(run_dir)
    deaths, patrol = _norms([m])
    # The map's longer side gets 8 inches; room is added for colour bars, title and legend.
    scale = 8.0 / max(m.width, m.height)
    fig = Figure(figsize=(m.width * scale + 3.5, m.height * scale + 2.8), layout="constrained")
    ax = fig.subplots()
    _draw_map(ax, m, deaths, patrol, 8.0)
    if patrol is not None:
        _colourbar(fig, ScalarMappable(patrol, _PATROL_CMAP), ax, "Patrol-hours per cell")
    if m.deaths:
        _colourbar(fig, ScalarMappable(deaths, _DEATHS_CMAP), ax, "Civilian deaths per village")
    ax.set_xlabel("x (km)")
    ax.set_ylabel("y (km)")
    _map_legend(fig, m, 8.0, loc="outside lower center")
    ax.set_title(_run_title(m.run_dir, m.villages))
    return _save(fig, out_dir, name)


@_styled
def harm_maps(panels: list[tuple[str, Path]], out_dir, name="harm_maps", title="", scale=None) -> list[Path]:
    """One map per arm (panel title, run folder), side by side on one colour scale for deaths and
    one for patrol-hours (`scale`, from `harm_scale`, may span more figures than this one), so a
    darker village or cell means more in every panel. Runs of one seed share their world."""
    maps = [(t, _RunMap(d)) for t, d in panels]
    deaths, patrol = scale or _norms([m for _, m in maps])
    cols = min(len(maps), 3)
    rows = -(-len(maps) // cols)
    inches = 5.5
    aspect = maps[0][1].height / maps[0][1].width
    fig = Figure(figsize=(cols * inches + 2.5, rows * (inches * aspect + 0.9) + 2.2), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True).ravel()
    for ax, (panel_title, m) in zip(axes, maps):
        _draw_map(ax, m, deaths, patrol, inches)
        none = "" if len(m.patrols) else "; no patrols"
        ax.set_title(f"{panel_title}\n{m.deaths:,} death{'' if m.deaths == 1 else 's'}{none}")
    for ax in axes[len(maps):]:  # no blank panels
        fig.delaxes(ax)
    shown = list(axes[: len(maps)])
    if patrol is not None:
        _colourbar(fig, ScalarMappable(patrol, _PATROL_CMAP), shown, "Patrol-hours per cell")
    _colourbar(fig, ScalarMappable(deaths, _DEATHS_CMAP), shown, "Civilian deaths per village")
    for ax in axes[(rows - 1) * cols: len(maps)]:
        ax.set_xlabel("x (km)")
    for ax in axes[: len(maps): cols]:
        ax.set_ylabel("y (km)")
    _map_legend(fig, maps[0][1], inches, loc="outside lower center")
    fig.suptitle(title)
    return _save(fig, out_dir, name)


def harm_scale(run_dirs) -> tuple[LogNorm, LogNorm | None]:
    """The shared colour scales (deaths, patrol-hours) over these runs, read one run at a time."""
    run_dirs = [Path(d) for d in run_dirs]
    return _scale((pd.read_parquet(d / "villages.parquet", columns=["deaths"])["deaths"] for d in run_dirs),
                  (pd.read_parquet(d / "patrols.parquet", columns=["patrol_hours"])["patrol_hours"] for d in run_dirs))


def _colourbar(fig: Figure, mappable, ax, title: str) -> None:
    bar = fig.colorbar(mappable, ax=ax, shrink=0.7, pad=0.02, aspect=30)
    bar.set_label(title)
    _plain_log(bar.ax.yaxis)


class _PlainLogFormatter(LogFormatterSciNotation):
    """Labels the ticks matplotlib would label on a log axis, as 1,000 or 0.01 instead of 10^3, 10^-2."""

    def __call__(self, x, pos=None):
        return f"{x:,g}" if super().__call__(x, pos) else ""


def _plain_log(axis) -> None:
    axis.set_major_formatter(_PlainLogFormatter())
    axis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False))


def _run_title(run_dir: Path, villages: pd.DataFrame) -> str:
    deaths = f"{int(villages['deaths'].sum()):,} civilian deaths"
    summary = run_dir / "summary.json"
    if not summary.is_file():
        return f"Where civilians died and where the mission patrolled ({deaths})"
    s = json.loads(summary.read_text())
    return (f"Harm and patrols: {strategy_label(s['strategy'])}, {s['scenario']}, seed {s['seed']}, "
            f"{s['days']} days\n{deaths}; circle area = population")


@_styled
def daily_harm(series: dict[str, pd.DataFrame], out_dir, name="daily_harm") -> list[Path]:
    """Civilian deaths per day, 7-day rolling mean, one line per label. Several runs under one label
    are averaged day by day first."""
    labels = ordered(series)
    fig = Figure(figsize=(11, 6), layout="constrained")
    ax = fig.subplots()
    for lab in labels:
        per_day = series[lab].groupby("day")["civilian_deaths"].mean().sort_index()
        ax.plot(per_day.index, per_day.rolling(7, min_periods=1).mean(), lw=2.5, color=colour(lab, labels),
                label=strategy_label(lab))
    ax.set_xlabel("Day of the run")
    ax.set_ylabel("Civilian deaths per day")
    ax.set_ylim(bottom=0)
    ax.set_title("Civilian deaths per day (7-day rolling mean)")
    ax.legend(loc="upper left")
    return _save(fig, out_dir, name)


@_styled
def dose_response(results: pd.DataFrame, out_dir, x="mission.troops", y="civilian_deaths", by="strategy",
                  name=None) -> list[Path]:
    """Mean of y at each value of x with its 95% bootstrap CI over runs, one line per `by` group."""
    runs = _ok_runs(results)
    groups = ordered(runs[by]) if by else [None]
    fig = Figure(figsize=(11, 6.5), layout="constrained")
    ax = fig.subplots()
    levels = np.sort(runs[x].unique())
    # Nudge the groups apart along x so their error bars do not hide one another.
    dodge = 0.012 * (np.ptp(levels) or 1.0)
    rng = np.random.default_rng(0)
    for i, g in enumerate(groups):
        r = runs if g is None else runs[runs[by] == g]
        means = r.groupby(x)[y].mean().to_numpy()
        # the same bootstrap as the comparison table, seeded per figure so it redraws identically
        ci = np.array([boot_ci(v.to_numpy(dtype=float), rng) for _, v in r.groupby(x)[y]])
        xs = np.sort(r[x].unique()) + dodge * (i - (len(groups) - 1) / 2)
        ax.errorbar(xs, means, yerr=[means - ci[:, 0], ci[:, 1] - means], marker="o",
                    ms=8, lw=2.5, capsize=6, color=None if g is None else colour(g, groups),
                    label=None if g is None else group_label(by, g))
    ax.set_xticks(levels)
    ax.set_xlabel(label(x))
    ax.set_ylabel(label(y, " per run"))
    _thousands(ax, "x")
    _thousands(ax, "y")
    ax.set_ylim(bottom=0)
    ax.set_title(f"{name_of(y)} by {name_of(x).lower()} (mean, 95% bootstrap CI)")
    if by:
        ax.legend(title=label(by).lower(), loc="upper left", bbox_to_anchor=(1.01, 1))
    return _save(fig, out_dir, name or f"{y}_by_{x.replace('.', '_')}")


@_styled
def deaths_per_event(logs: dict, out_dir, name="deaths_per_event") -> list[Path]:
    """Complementary CDF of deaths per event on log axes, one line per event log (label -> `best`
    values): a straight-ish line is a heavy tail. Events with no deaths count in the denominator,
    so each line starts at the share of events that killed anyone."""
    fig = Figure(figsize=(10, 6.5), layout="constrained")
    ax = fig.subplots()
    for i, (lab, best) in enumerate(logs.items()):
        d = np.sort(np.asarray(best, dtype=float))
        if not len(d):
            continue
        x = np.unique(d[d >= 1])
        share = 1.0 - np.searchsorted(d, x, side="left") / len(d)  # P(deaths >= x)
        ax.step(x, share, where="post", lw=2.5, color=_LOG_COLOURS[i % len(_LOG_COLOURS)],
                label=f"{lab} ({len(d):,} events)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.axvline(10, color="#555555", ls=":", lw=1.5)  # the ">= 10 deaths" share is read off this line
    ax.set_xlabel("Deaths in the event, x (best estimate)")
    ax.set_ylabel("Share of events with at least x deaths")
    _plain_log(ax.xaxis)
    _plain_log(ax.yaxis)
    ax.set_title("Deaths per event (share of events at or above each size, log axes)")
    ax.legend(loc="lower left")
    return _save(fig, out_dir, name)


def terrain_image(terrain) -> np.ndarray:
    """RGB picture of the ground: savanna, forest, water, rivers, tracks and main roads."""
    img = np.empty(terrain.shape + (3,))
    img[:] = (0.93, 0.89, 0.74)
    img[terrain.landcover == FOREST] = (0.62, 0.76, 0.56)
    img[terrain.landcover == WATER] = (0.55, 0.70, 0.90)
    img[terrain.river] = (0.55, 0.70, 0.90)
    img[terrain.road == TRACK] = (0.70, 0.60, 0.45)
    img[terrain.road == MAIN_ROAD] = (0.45, 0.30, 0.20)
    return img
