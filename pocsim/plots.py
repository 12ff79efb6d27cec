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
from matplotlib.colors import ListedColormap, LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatterSciNotation, MaxNLocator, StrMethodFormatter

from pocsim.results import arm_labels, boot_ci
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
# Blues without its near-white end: a cell patrolled for an hour must still show on a 300 km map.
_PATROL_BLUES = ListedColormap(mpl.colormaps["Blues"](np.linspace(0.3, 1.0, 256)))
_LOG_COLOURS = ("#D55E00", "#0072B2", "#009E73", "#CC79A7")  # event logs compared in one figure

NAMES = {
    "civilian_deaths": "Civilian deaths", "civilian_injuries": "Civilian injuries",
    "displaced": "People displaced at the end", "attacks": "Attacks on civilians",
    "people_exposed_hours": "People-exposed-hours", "patrols": "Patrols", "patrol_km": "Patrol distance",
    "patrol_hours": "Patrol time", "jpt_visits": "Joint protection team visits",
    "alerts_answered_in_time": "Alerts answered in time", "mission.troops": "Troops deployed",
    "mission.police": "Police deployed", "mission.authorisation_hours": "Authorisation delay",
    "mission.helicopters": "Helicopters", "strategy": "Strategy",
}
UNITS = {"people_exposed_hours": "person-hours", "patrol_km": "km", "patrol_hours": "hours",
         "mission.authorisation_hours": "hours"}


def name_of(key: str) -> str:
    """'mission.authorisation_hours' -> 'Authorisation delay'; unknown keys by their last part."""
    return NAMES.get(key, key.rsplit(".", 1)[-1].replace("_", " ").capitalize())


def label(key: str, per: str = "") -> str:
    """'Patrol distance per run (km)': the name, what it is counted over, then the unit."""
    return f"{name_of(key)}{per}" + (f" ({UNITS[key]})" if key in UNITS else "")


def strategy_label(name) -> str:
    return "no mission" if name == "none" else str(name).replace("_", " ")


def group_label(by: str, value) -> str:
    """How a group is named in a legend: strategies in words, any other swept value as it is."""
    return strategy_label(value) if by == "strategy" else str(value)


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
    getattr(ax, f"{axis}axis").set_major_formatter(StrMethodFormatter("{x:,.0f}"))


@_styled
def strategy_comparison(comparison: pd.DataFrame, out_dir, metrics=("civilian_deaths", "people_exposed_hours"),
                        name="strategy_comparison", by="strategy", baseline="none") -> list[Path]:
    """One panel per metric, one bar per strategy (or other `by` group): the mean over runs with its
    95% CI, and a dashed line at the baseline's mean."""
    missing = [m for m in metrics if m not in set(comparison["metric"])]
    if missing:
        raise ValueError(f"comparison has no metric {missing}; it has {sorted(set(comparison['metric']))}")
    if comparison.duplicated([by, "metric"]).any():  # arms split by another parameter: label them all
        comparison = comparison.assign(**{by: arm_labels(comparison, by)})
    strategies = ordered(comparison[by])
    fig = Figure(figsize=(6.5 * len(metrics), 1.0 + 0.8 * len(strategies) + 1.5), layout="constrained")
    axes = fig.subplots(1, len(metrics), sharey=True, squeeze=False)[0]
    for ax, metric in zip(axes, metrics):
        rows = comparison[comparison["metric"] == metric].set_index(by).reindex(strategies)
        y = np.arange(len(strategies))
        err = np.nan_to_num([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]])
        ax.barh(y, rows["mean"], xerr=err, capsize=6, color=[colour(s, strategies) for s in strategies],
                error_kw={"elinewidth": 2})
        if baseline in rows.index:  # the arm every other is paired with
            ax.axvline(rows.loc[baseline, "mean"], color="#555555", ls="--", lw=1.5)
        ax.set_title(label(metric))
        ax.set_xlabel("mean per run (error bars: 95% CI)")
        _thousands(ax, "x")
        ax.xaxis.set_major_locator(MaxNLocator(4))  # few ticks: large numbers must not collide
    axes[0].set_yticks(np.arange(len(strategies)), [group_label(by, s) for s in strategies])
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


def _cell_km(run_dir: Path) -> float:
    """Cell size from the run's resolved config when Hydra wrote one (runs made in Python have none)."""
    cfg = run_dir / ".hydra" / "config.yaml"
    if cfg.is_file():
        from omegaconf import OmegaConf
        return float(OmegaConf.select(OmegaConf.load(cfg), "scenario.terrain.cell_km", default=1.0))
    return 1.0


@_styled
def harm_map(run_dir, out_dir, name="harm_map") -> list[Path]:
    """Where civilians died (villages sized by population, coloured by deaths), where the mission
    patrolled (patrol-hours per cell, log scale) and where it put its bases. North is up for real
    areas: row 0 is the top of the grid."""
    run_dir = Path(run_dir)
    villages = pd.read_parquet(run_dir / "villages.parquet")
    patrols = pd.read_parquet(run_dir / "patrols.parquet")
    bases = pd.read_parquet(run_dir / "bases.parquet")
    km = _cell_km(run_dir)
    width = int(max(villages["x"].max(), patrols["x"].max() if len(patrols) else 0)) + 1
    height = int(max(villages["y"].max(), patrols["y"].max() if len(patrols) else 0)) + 1

    # The map's longer side gets 8 inches; room is added for colour bars, title and legend.
    scale = 8.0 / max(width, height)
    fig = Figure(figsize=(width * scale + 3.5, height * scale + 2.8), layout="constrained")
    ax = fig.subplots()
    extent = (-0.5 * km, (width - 0.5) * km, (height - 0.5) * km, -0.5 * km)
    if len(patrols):
        grid = np.full((height, width), np.nan)
        grid[patrols["y"], patrols["x"]] = patrols["patrol_hours"]
        img = ax.imshow(grid, cmap=_PATROL_BLUES, norm=LogNorm(vmin=max(patrols["patrol_hours"].min(), 1e-3),
                        vmax=patrols["patrol_hours"].max()), extent=extent, interpolation="nearest")
        _colourbar(fig, img, ax, "Patrol-hours per cell")
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])

    # Circle area proportional to population, so towns and hamlets compare by eye.
    pop_max = float(villages["population"].max())
    size = lambda pop: 8 + 900 * np.asarray(pop, dtype=float) / pop_max  # noqa: E731
    spared = villages[villages["deaths"] == 0]
    hit = villages[villages["deaths"] > 0].sort_values("deaths")  # worst drawn last, on top
    ax.scatter(spared["x"] * km, spared["y"] * km, s=size(spared["population"]), facecolor="white",
               edgecolor="#333333", linewidths=0.7, clip_on=False)  # villages on the edge stay round
    if len(hit):
        pts = ax.scatter(hit["x"] * km, hit["y"] * km, s=size(hit["population"]), c=hit["deaths"],
                         cmap="YlOrRd", norm=LogNorm(vmin=1, vmax=max(hit["deaths"].max(), 2)),
                         edgecolor="black", linewidths=0.8, clip_on=False)
        _colourbar(fig, pts, ax, "Civilian deaths per village")
    # Legend entries only: the symbols without data, at the sizes they stand for.
    ax.scatter([], [], s=80, facecolor="white", edgecolor="#333333", label="no deaths")
    for pop in (round(pop_max / 10, -2), round(pop_max, -3)):
        ax.scatter([], [], s=size(pop), facecolor="none", edgecolor="#333333", label=f"{pop:,.0f} people")
    for temporary, style in ((False, {"facecolor": "black"}), (True, {"facecolor": "none"})):
        b = bases[bases["temporary"] == temporary]
        if len(b):
            ax.scatter(b["x"] * km, b["y"] * km, marker="^", s=160, edgecolor="black", linewidths=2,
                       label="temporary base" if temporary else "base", **style)
    ax.set_aspect("equal")
    ax.set_xlabel("x (km)")
    ax.set_ylabel("y (km)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=5, frameon=False)
    ax.set_title(_run_title(run_dir, villages))
    return _save(fig, out_dir, name)


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
