"""Maps for slides: where civilians died and where patrols went, over the ground, one run per
panel, every panel of a figure on one colour scale (figures as in pocsim/plots.py: PNG and SVG,
byte-identical for the same inputs).

    from pocsim import maps
    maps.harm_map("multirun/x/seed=0,strategy=modular", "figures")
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

from pocsim import plots  # plots._save looked up at call time, so tests can catch the figures
from pocsim.plots import _plain_log, _styled, strategy_label
from pocsim.world.terrain import FOREST, MAIN_ROAD, TRACK, WATER

# Purples without its near-white end: a cell patrolled for an hour must still show on a 300 km map,
# and purple is told apart from the ground's rivers and lakes (blue) and from deaths (yellow to red).
_PATROL_CMAP = ListedColormap(mpl.colormaps["Purples"](np.linspace(0.4, 1.0, 256)))

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
    return plots._save(fig, out_dir, name)


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
    return plots._save(fig, out_dir, name)


def harm_scale(run_dirs) -> tuple[LogNorm, LogNorm | None]:
    """The shared colour scales (deaths, patrol-hours) over these runs, read one run at a time."""
    run_dirs = [Path(d) for d in run_dirs]
    return _scale((pd.read_parquet(d / "villages.parquet", columns=["deaths"])["deaths"] for d in run_dirs),
                  (pd.read_parquet(d / "patrols.parquet", columns=["patrol_hours"])["patrol_hours"] for d in run_dirs))


def _colourbar(fig: Figure, mappable, ax, title: str) -> None:
    bar = fig.colorbar(mappable, ax=ax, shrink=0.7, pad=0.02, aspect=30)
    bar.set_label(title)
    _plain_log(bar.ax.yaxis)


def _run_title(run_dir: Path, villages: pd.DataFrame) -> str:
    deaths = f"{int(villages['deaths'].sum()):,} civilian deaths"
    summary = run_dir / "summary.json"
    if not summary.is_file():
        return f"Where civilians died and where the mission patrolled ({deaths})"
    s = json.loads(summary.read_text())
    return (f"Harm and patrols: {strategy_label(s['strategy'])}, {s['scenario']}, seed {s['seed']}, "
            f"{s['days']} days\n{deaths}; circle area = population")


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
