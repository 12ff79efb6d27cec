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
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

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

LABELS = {
    "civilian_deaths": "Civilian deaths", "civilian_injuries": "Civilian injuries",
    "displaced": "People displaced at the end", "attacks": "Attacks on civilians",
    "people_exposed_hours": "People-exposed-hours (person-hours)", "patrols": "Patrols (count)",
    "patrol_km": "Patrol distance (km)", "patrol_hours": "Patrol time (hours)",
    "jpt_visits": "Joint protection team visits", "alerts_answered_in_time": "Alerts answered in time",
    "mission.troops": "Troops deployed", "mission.police": "Police deployed",
}


def label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " ").capitalize())


def strategy_label(name: str) -> str:
    return "no mission" if name == "none" else name.replace("_", " ")


def colour(name: str, order: list[str]) -> str:
    if name in STRATEGY_COLOURS:
        return STRATEGY_COLOURS[name]
    others = [s for s in order if s not in STRATEGY_COLOURS]
    return _SPARE_COLOURS[others.index(name) % len(_SPARE_COLOURS)] if name in others else "#000000"


def ordered(names) -> list[str]:
    """The known strategies in the README's order (baseline first), then any others sorted."""
    names = set(names)
    return [s for s in STRATEGY_COLOURS if s in names] + sorted(str(s) for s in names - set(STRATEGY_COLOURS))


def bootstrap_ci(values, n_boot: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Mean and 95% percentile-bootstrap interval of the mean (fixed seed: same figure every time)."""
    v = np.asarray(values, dtype=float)
    if len(v) < 2:
        return float(v.mean()), float(v.mean()), float(v.mean())
    means = np.random.default_rng(seed).choice(v, size=(n_boot, len(v))).mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(v.mean()), float(lo), float(hi)


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
    fig.savefig(png, dpi=150)
    fig.savefig(svg, metadata={"Date": None})
    return [png, svg]


def _ok_runs(results: pd.DataFrame) -> pd.DataFrame:
    """Failed runs have no outcomes; leave them out rather than plot NaN."""
    return results[results["status"] == "ok"] if "status" in results else results


def _thousands(ax, axis: str = "y") -> None:
    getattr(ax, f"{axis}axis").set_major_formatter(StrMethodFormatter("{x:,.0f}"))


@_styled
def strategy_comparison(comparison: pd.DataFrame, out_dir,
                        metrics=("civilian_deaths", "people_exposed_hours"), name="strategy_comparison") -> list[Path]:
    """One panel per metric, one bar per strategy: the mean over runs with its 95% CI."""
    missing = [m for m in metrics if m not in set(comparison["metric"])]
    if missing:
        raise ValueError(f"comparison has no metric {missing}; it has {sorted(set(comparison['metric']))}")
    strategies = ordered(comparison["strategy"])
    fig = Figure(figsize=(6.5 * len(metrics), 1.0 + 0.8 * len(strategies) + 1.5), layout="constrained")
    axes = fig.subplots(1, len(metrics), sharey=True, squeeze=False)[0]
    for ax, metric in zip(axes, metrics):
        rows = comparison[comparison["metric"] == metric].set_index("strategy").reindex(strategies)
        y = np.arange(len(strategies))
        err = np.nan_to_num([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]])
        ax.barh(y, rows["mean"], xerr=err, capsize=6, color=[colour(s, strategies) for s in strategies],
                error_kw={"elinewidth": 2})
        if "none" in rows.index:  # the baseline every strategy is paired with
            ax.axvline(rows.loc["none", "mean"], color="#555555", ls="--", lw=1.5)
        ax.set_title(label(metric))
        ax.set_xlabel("mean per run (bars: 95% CI)")
        _thousands(ax, "x")
    axes[0].set_yticks(np.arange(len(strategies)), [strategy_label(s) for s in strategies])
    axes[0].invert_yaxis()
    n = sorted(set(comparison["n"].astype(int)))
    runs = f"{n[0]} runs each" if len(n) == 1 else f"{n[0]}-{n[-1]} runs each"
    fig.suptitle(f"Outcomes by strategy ({runs}; dashed line: no mission)")
    return _save(fig, out_dir, name)


@_styled
def output_vs_outcome(results: pd.DataFrame, out_dir, output="patrols", outcome="civilian_deaths",
                      name=None) -> list[Path]:
    """One point per run: what the mission did against what happened to civilians."""
    runs = _ok_runs(results)
    strategies = ordered(runs["strategy"])
    fig = Figure(figsize=(10, 6.5), layout="constrained")
    ax = fig.subplots()
    for s in strategies:
        r = runs[runs["strategy"] == s]
        ax.scatter(r[output], r[outcome], s=90, alpha=0.85, color=colour(s, strategies), edgecolors="white",
                   label=strategy_label(s))
    ax.set_xlabel(label(output) + " per run")
    ax.set_ylabel(label(outcome) + " per run")
    _thousands(ax, "x")
    _thousands(ax, "y")
    ax.set_title(f"{label(output).split(' (')[0]} against {label(outcome).split(' (')[0].lower()}, one point per run")
    ax.legend(title="strategy", loc="best")
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

    fig = Figure(figsize=(11, 10), layout="constrained")
    ax = fig.subplots()
    extent = (-0.5 * km, (width - 0.5) * km, (height - 0.5) * km, -0.5 * km)
    if len(patrols):
        grid = np.full((height, width), np.nan)
        grid[patrols["y"], patrols["x"]] = patrols["patrol_hours"]
        img = ax.imshow(grid, cmap="Blues", norm=LogNorm(vmin=max(patrols["patrol_hours"].min(), 1e-3),
                        vmax=patrols["patrol_hours"].max()), extent=extent, interpolation="nearest")
        fig.colorbar(img, ax=ax, shrink=0.6, pad=0.01, label="Patrol-hours per cell")
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])

    # Circle area proportional to population, so towns and hamlets compare by eye.
    pop_max = float(villages["population"].max())
    size = lambda pop: 8 + 900 * np.asarray(pop, dtype=float) / pop_max  # noqa: E731
    spared = villages[villages["deaths"] == 0]
    hit = villages[villages["deaths"] > 0].sort_values("deaths")  # worst drawn last, on top
    ax.scatter(spared["x"] * km, spared["y"] * km, s=size(spared["population"]), facecolor="white",
               edgecolor="#333333", linewidths=0.7, label="no deaths")
    if len(hit):
        pts = ax.scatter(hit["x"] * km, hit["y"] * km, s=size(hit["population"]), c=hit["deaths"],
                         cmap="YlOrRd", norm=LogNorm(vmin=1, vmax=max(hit["deaths"].max(), 2)),
                         edgecolor="black", linewidths=0.8)
        fig.colorbar(pts, ax=ax, shrink=0.6, pad=0.01, label="Civilian deaths per village")
    for pop in (round(pop_max / 10, -2), round(pop_max, -3)):
        ax.scatter([], [], s=size(pop), facecolor="none", edgecolor="#333333", label=f"{pop:,.0f} people")
    for temporary, style in ((False, {"facecolor": "black"}), (True, {"facecolor": "none"})):
        b = bases[bases["temporary"] == temporary]
        if len(b):
            ax.scatter(b["x"] * km, b["y"] * km, marker="^", s=220, edgecolor="black", linewidths=2,
                       label="temporary base" if temporary else "base", **style)
    ax.set_aspect("equal")
    ax.set_xlabel("x (km)")
    ax.set_ylabel("y (km)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=5, frameon=False, markerscale=0.8)
    ax.set_title(_run_title(run_dir, villages))
    return _save(fig, out_dir, name)


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
    fig = Figure(figsize=(10, 6.5), layout="constrained")
    ax = fig.subplots()
    for g in groups:
        r = runs if g is None else runs[runs[by] == g]
        stats = np.array([bootstrap_ci(v[y]) for _, v in r.groupby(x)])
        xs = sorted(r[x].unique())
        ax.errorbar(xs, stats[:, 0], yerr=[stats[:, 0] - stats[:, 1], stats[:, 2] - stats[:, 0]], marker="o",
                    ms=8, lw=2.5, capsize=6, color=None if g is None else colour(g, groups),
                    label=None if g is None else strategy_label(g))
    ax.set_xlabel(label(x))
    ax.set_ylabel(label(y) + " per run")
    _thousands(ax, "y")
    ax.set_ylim(bottom=0)
    ax.set_title(f"{label(y).split(' (')[0]} by {label(x).lower()} (mean, 95% bootstrap CI)")
    if by:
        ax.legend(title=by)
    return _save(fig, out_dir, name or f"{y}_by_{x.replace('.', '_')}")
