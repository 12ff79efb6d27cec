"""Figures for slides: each function draws one figure, saves it as PNG and SVG, and returns both paths.

    from pocsim import plots
    plots.strategy_comparison(comparison_table, "figures")

Maps (harm and patrols over the ground) are in pocsim/maps.py.

Figures are built on `matplotlib.figure.Figure`, not pyplot, so nothing is left open, no GUI
backend is needed and a notebook's own plotting state is left alone. The same inputs give
byte-identical files (fixed SVG hash salt, no date in the metadata), so figures can be diffed.
"""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogFormatterSciNotation, MaxNLocator

from pocsim.results import arm_labels, boot_ci, swept

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
        x, share = at_least(d, d[d >= 1])
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


def at_least(values: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct x, share of sorted `values` at or above each): a complementary CDF to plot as
    steps. Every value counts in the denominator, those below the plotted range too."""
    x = np.unique(x)
    return x, 1.0 - np.searchsorted(values, x, side="left") / len(values)


class _PlainLogFormatter(LogFormatterSciNotation):
    """Labels the ticks matplotlib would label on a log axis, as 1,000 or 0.01 instead of 10^3, 10^-2."""

    def __call__(self, x, pos=None):
        return f"{x:,g}" if super().__call__(x, pos) else ""


def _plain_log(axis) -> None:
    axis.set_major_formatter(_PlainLogFormatter())
    axis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False))
