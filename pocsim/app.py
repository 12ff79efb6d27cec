"""pocsim-app: the trainers' browser app.

    pip install -e '.[app]'                     # once, in the clone: the app's packages
    pocsim-app --host 127.0.0.1 --port 8765     # then open http://127.0.0.1:8765

Trainers of peacekeepers must show that activity is not protection. The app runs one model live:
a map (terrain, villages by size and deaths, armed groups, bases, units and their recent tracks,
alerts as they arrive, and the true threat beside the mission's own picture of it) and, next to
it, what the mission does (patrols, patrol km, visits, alerts answered) and what happens to
civilians (deaths, attacks, displacement, people-exposed-hours), day by day.

The model is the real POCModel, built from the same Hydra config as `pocsim` runs
(`TrainingModel`); the app only watches it (tracks and alerts are recorded here, in the app).
This module holds the model, the figures and the command; the page itself (solara, the library
Mesa's SolaraViz is built on) is in `pocsim/app_page.py`, imported only when the server starts, so
that a missing package is reported in one line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import functools
import io
import ipaddress
import os
import signal
import socket
import sys
import threading
import warnings
from collections import deque
from html import escape
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap, LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from pocsim import arguments
from pocsim.arguments import OneLineParser
from pocsim.maps import terrain_image
from pocsim.model import POCModel

SCENARIOS = ["default", "forest_many_groups", "weak_state_no_peace", "peacekeepers_targeted", "state_perpetrator"]
STRATEGIES = ["none", "static_deterrence", "mobile_operations", "unarmed", "modular"]
SMALL_WORLD = ["scenario.terrain.width=60", "scenario.terrain.height=60", "scenario.terrain.n_towns=3",
               "scenario.terrain.town_spacing_km=15", "scenario.villages.count=90"]
TRACK_HOURS = 48  # how much of each unit's recent path the map shows
ALERT_HOURS = 24  # alerts this recent are ringed on the map
HOURS_PER_FRAME = 24  # what Step runs, and how often the page is redrawn while playing: a day
PICTURE_REACH_KM = 8.0  # the mission's per-village picture is drawn this far around each village
MAP_INCHES, MAP_DPI = 8.0, 100  # the map's wider side: 800 pixels, 4 a kilometre on the 200 km world
DEFAULTS = dict(scenario="default", strategy="none", troops=1200, alert_coverage=1.0, authorisation_hours=3.0,
                seed=0)  # what the page opens with: the world without a mission, the baseline to compare with

UN_BLUE = "#1f6fb4"
UNITS = {  # unit kind -> legend label, marker, colour
    "route_patrols": ("route patrol", "^", UN_BLUE),
    "threat_patrols": ("threat-informed patrol", "^", "#17becf"),
    "reaction_force": ("reaction force", "D", "#ff7f0e"),
    "joint_protection_team": ("protection team", "o", "#2ca02c"),
    "offensive_operation": ("offensive operation", "*", "#9467bd"),
    "observers": ("military observers", "v", "#8c564b"),
}
LAYERS = ["true threat", "mission's picture", "none"]
THREAT_CMAP = ListedColormap(colormaps["Purples"](np.linspace(0.5, 1.0, 128)))
THREAT_FLOOR = 1e-4  # shade threat from this share of the "high threat" level up (log scale)
THREAT_ALPHA = 0.85
BLIND_RGBA = (0.35, 0.35, 0.38, 0.45)  # the veil over land the mission has had no report on lately


def training_config(scenario="default", strategy="static_deterrence", troops=1200, alert_coverage=1.0,
                    authorisation_hours=3.0, seed=0, small=False):
    """The composed, validated config the `pocsim` command would run with these choices."""
    from hydra import compose, initialize_config_module

    from pocsim.cli import to_config

    overrides = [f"scenario={scenario}", f"strategy={strategy}", f"mission.troops={int(troops)}",
                 f"strategy.tools.alert_network.coverage={float(alert_coverage)}",
                 f"mission.authorisation_hours={float(authorisation_hours)}", f"seed={int(seed)}"]
    with _HYDRA, initialize_config_module(config_module="pocsim.configs", version_base="1.3"):
        return to_config(compose("config", overrides=overrides + (SMALL_WORLD if small else [])))


_HYDRA = threading.Lock()  # Hydra composes one config at a time (global state); tabs build models at once


class TrainingModel(POCModel):
    """POCModel built from keyword choices (as SolaraViz builds models), recording what the map
    needs: each unit's recent path, the alerts the mission received, and its outputs each day."""

    def __init__(self, scenario="default", strategy="static_deterrence", troops=1200, alert_coverage=1.0,
                 authorisation_hours=3.0, seed=0, small=False):
        cfg = training_config(scenario, strategy, troops, alert_coverage, authorisation_hours, seed, small)
        super().__init__(cfg.scenario, cfg.strategy, seed=cfg.seed, step_hours=cfg.step_hours, engine=cfg.engine,
                         mission=cfg.mission)
        self.choices = dict(scenario=scenario, strategy=strategy, troops=int(troops),
                            alert_coverage=float(alert_coverage), authorisation_hours=float(authorisation_hours),
                            seed=int(seed))
        self.tracks: dict = {}  # unit -> deque of (step, cells passed in that step): where it went lately
        self._progress: dict = {}  # unit -> (route, hours along it) at the last step
        self.alert_log: list[tuple[int, int, bool]] = []  # (step received, village, true alarm)
        self.daily_outputs: list[dict] = []  # the mission's output totals at each day's close
        if self.mission.outputs is not None:
            received = self.mission.alert_received

            def logged(alert):  # watch alerts arrive without touching the mission's code
                self.alert_log.append((self.t, int(alert.village), bool(alert.true_alarm)))
                received(alert)

            self.mission.alert_received = logged

    def step(self) -> None:
        super().step()
        units = list(getattr(self.mission, "units", ()))
        for unit in units:
            r = unit.route
            if r is None:
                continue
            # every cell driven or walked since the last hour, not just where the unit ended up
            last_route, last_elapsed = self._progress.get(unit, (None, 0.0))
            since = last_elapsed if r is last_route else -1.0
            if r.elapsed > since:
                passed = r.path[(r.hours > since) & (r.hours <= r.elapsed)]
                self.tracks.setdefault(unit, deque(maxlen=TRACK_HOURS)).append((self.t, passed))
                self._progress[unit] = (r, r.elapsed)
        if len(self._progress) > len(units):  # offensive operations end
            live = set(units)
            self.tracks = {u: d for u, d in self.tracks.items() if u in live}
            self._progress = {u: p for u, p in self._progress.items() if u in live}
        while len(self.daily_outputs) < len(self.ledger.days):
            self.daily_outputs.append(output_totals(self))


def output_totals(model) -> dict:
    o = model.mission.outputs
    if o is None:  # strategy none: no mission, nothing done
        return dict(patrols=0, patrol_km=0.0, jpt_visits=0, alerts_raised=0, alerts_answered_in_time=0)
    return dict(patrols=o.patrols, patrol_km=o.patrol_km, jpt_visits=o.jpt_visits, alerts_raised=o.alerts_raised,
                alerts_answered_in_time=o.alerts_answered_in_time)


def outcome_totals(model) -> dict:
    """Outcomes so far, the current day included."""
    led = model.ledger
    so_far = {k: led.totals[k] + led.today[k] for k in ("civilian_deaths", "attacks", "people_exposed_hours")}
    return {**so_far, "displaced": model.villages.displaced}


def clock(model) -> str:
    """The model's time as trainers say it: "day 3, 14:00" (day 1 is the first day)."""
    hours = int(round(model.hour))
    return f"day {hours // 24 + 1}, {hours % 24:02d}:00"


def calendar_date(model) -> str:
    """The calendar date (the seasons follow it), e.g. "3 Jan 2024"."""
    d = model.start_date + dt.timedelta(hours=model.hour)
    return f"{d.day} {d:%b %Y}"


# --- the map -----------------------------------------------------------------------------------
def _background(model) -> np.ndarray:
    """Land cover, rivers and roads as one RGB image (computed once per model)."""
    if getattr(model, "_app_background", None) is None:
        model._app_background = terrain_image(model.terrain)
    return model._app_background


def _nearest_village(model) -> np.ndarray:
    """For each cell, the village whose picture is drawn there (-1 if none close enough)."""
    if getattr(model, "_app_nearest", None) is None:
        ny, nx = model.terrain.shape
        yy, xx = np.mgrid[0:ny, 0:nx]
        dist, idx = model._village_tree.query(np.column_stack([xx.ravel(), yy.ravel()]))
        idx = np.where(dist * model.terrain.cell_km <= PICTURE_REACH_KM, idx, -1)
        model._app_nearest = idx.reshape(ny, nx)
    return model._app_nearest


def picture_memory_hours(model) -> float | None:
    """How long a report counts in the mission's picture (its weight falls to 37% in this time);
    None without a mission."""
    picture = getattr(model.mission, "picture", None)
    return None if picture is None else float(picture.cfg.picture_fade_hours)


def threat_layer(model, layer: str):
    """The grid to shade: the true threat field, or the mission's per-village estimate spread
    over the cells nearest each village. None for no shading."""
    if layer == "true threat":
        return model.threat.field
    if layer == "mission's picture":
        if model.mission.outputs is None:
            return np.zeros(model.terrain.shape)  # no mission, no picture
        near = _nearest_village(model)
        est = model.mission.picture.estimate
        return np.where(near >= 0, est[np.maximum(near, 0)], 0.0)
    return None


def blind_cells(model) -> np.ndarray:
    """Cells around villages the mission has had no report on within its picture's memory (all
    of them without a mission): where its picture is blind, whatever the threat."""
    near = _nearest_village(model)
    if model.mission.outputs is None:
        return near >= 0
    last = model.mission.picture.updated  # step of the last report on each village (-inf: never)
    stale = (model.t - last) * model.step_hours > picture_memory_hours(model)
    return (near >= 0) & stale[np.maximum(near, 0)]


def draw_map(model, layer: str = "true threat", fig: Figure | None = None) -> Figure:
    """The map alone, filling its figure (the time and the legend are shown beside it)."""
    ny, nx = model.terrain.shape
    if fig is None:
        fig = Figure(figsize=(MAP_INCHES, MAP_INCHES * ny / nx) if nx >= ny else (MAP_INCHES * nx / ny, MAP_INCHES),
                     dpi=MAP_DPI)
    ax = fig.add_axes((0, 0, 1, 1))
    extent = (-0.5, nx - 0.5, ny - 0.5, -0.5)
    ax.imshow(_background(model), origin="upper", interpolation="nearest", extent=extent)
    high = model.scenario.threat.high_threshold
    if layer == "mission's picture":  # first the veil where the mission knows nothing lately
        veil = np.zeros((ny, nx, 4))
        veil[blind_cells(model)] = BLIND_RGBA
        ax.imshow(veil, origin="upper", interpolation="nearest", extent=extent)
    grid = threat_layer(model, layer)
    if grid is not None:
        shown = np.ma.masked_less(grid, THREAT_FLOOR * high)
        ax.imshow(shown, origin="upper", cmap=THREAT_CMAP, norm=LogNorm(THREAT_FLOOR * high, 2 * high, clip=True),
                  alpha=THREAT_ALPHA, interpolation="nearest", extent=extent)
    v = model.villages
    size = 4 + 170 * np.sqrt(v.population / max(v.population.max(), 1))
    ax.scatter(v.x, v.y, s=size, c=v.deaths, cmap="Reds", norm=Normalize(0, max(10, int(v.deaths.max()))),
               edgecolors="0.25", linewidths=0.4, zorder=3)
    recent = {vil for t, vil, _ in list(getattr(model, "alert_log", ())) if model.t - t <= ALERT_HOURS}
    if recent:
        idx = np.fromiter(recent, dtype=np.int64)
        ax.scatter(v.x[idx], v.y[idx], s=size[idx] + 200, facecolors="none", edgecolors="#ffb000", linewidths=2.4,
                   zorder=4)
    m = model.mission
    if m.outputs is not None:
        if m.bases:
            bx, by = model.terrain.xy(np.array([b.cell for b in m.bases]))
            ax.scatter(bx, by, marker="s", s=[40 if b.temporary else 80 for b in m.bases], c=UN_BLUE,
                       edgecolors="white", linewidths=0.8, zorder=5)
        lines: dict = {}  # colour -> polylines (one LineCollection per kind of unit is quick to draw)
        for unit, track in list(getattr(model, "tracks", {}).items()):
            style = UNITS.get(unit.kind)
            chunks = [cells for t, cells in list(track) if model.t - t < TRACK_HOURS]
            pts = np.concatenate(chunks) if chunks else ()
            if style and len(pts) > 1:
                lines.setdefault(style[2], []).append(np.column_stack(model.terrain.xy(pts)))
        for colour, polylines in lines.items():
            ax.add_collection(LineCollection(polylines, colors=colour, linewidths=1.3, alpha=0.6, zorder=4))
        moving: dict = {}
        for unit in list(m.units):
            style = UNITS.get(unit.kind)
            if style and unit.state != "idle":
                moving.setdefault(style, []).append(model.terrain.xy(unit.cell))
        for (_, marker, colour), xy in moving.items():
            ax.scatter(*np.array(xy).T, marker=marker, s=60, c=colour, edgecolors="black", linewidths=0.5, zorder=6)
        if layer == "mission's picture":  # where the mission last saw each group
            for g in model.groups:
                cell = int(m.picture.last_seen[g.index])
                if cell >= 0:
                    gx, gy = model.terrain.xy(cell)
                    ax.scatter([gx], [gy], marker="X", s=110, facecolors="none", edgecolors="0.2", linewidths=1.2,
                               zorder=6)
    for g in model.groups:
        gx, gy = model.terrain.xy(g.cell)
        ax.scatter([gx], [gy], marker="P" if g.is_state else "X", s=120, c="#2f4f2f" if g.is_state else "black",
                   edgecolors="white", linewidths=0.8, zorder=7)
        ax.annotate(g.name, (gx, gy), xytext=(6, 5), textcoords="offset points", fontsize=8.5, zorder=8,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.75))
    ax.set_xlim(-0.5, nx - 0.5)
    ax.set_ylim(ny - 0.5, -0.5)
    ax.set_axis_off()
    return fig


@functools.lru_cache(maxsize=8)
def legend_png(layer: str, memory_hours: float | None) -> bytes:
    """The map's legend for a layer, as a PNG (drawn once: it does not change as the model runs)."""
    fig = Figure(figsize=(MAP_INCHES, 1.25), dpi=MAP_DPI)
    fig.legend(handles=_legend_handles(layer, memory_hours), loc="center", ncol=3, fontsize=8.5, frameon=False,
               handletextpad=0.4, columnspacing=1.2)
    return figure_png(fig)


def _legend_handles(layer: str, memory_hours: float | None) -> list:
    def h(label, marker, colour, **kw):
        return Line2D([], [], ls="none", marker=marker, color=colour, label=label, markersize=8, **kw)

    shading = []
    if layer != "none":
        what = "threat as the mission believes it" if layer == "mission's picture" else "threat (true)"
        shading.append(Patch(fc=THREAT_CMAP(0.6), alpha=THREAT_ALPHA, label=f"{what}: purple, darker is higher"))
    if layer == "mission's picture":
        blind = "no mission: no reports (grey)" if memory_hours is None else \
            f"no report in the last {memory_hours / 24:g} days (grey)"
        shading.append(Patch(fc=BLIND_RGBA, label=blind))
        shading.append(h("mission's last sighting", "X", "none", markeredgecolor="0.2"))
    return [h("village (size: people, red: deaths)", "o", "#f4a582", markeredgecolor="0.25"),
            h("alert in the last day", "o", "none", markeredgecolor="#ffb000", markeredgewidth=2),
            h("armed group", "X", "black"), h("state forces", "P", "#2f4f2f"),
            h("UN base", "s", UN_BLUE),
            *[h(lab, mk, col, markeredgecolor="black") for lab, mk, col in UNITS.values()],
            Line2D([], [], color=UN_BLUE, lw=1.3, alpha=0.6, label=f"tracks, last {TRACK_HOURS} h"),
            *shading]


def figure_png(fig: Figure) -> bytes:
    """The figure as a PNG, compressed little: quicker to make, a little larger to send."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})
    return buf.getvalue()


# --- the charts --------------------------------------------------------------------------------
def _short(x, _pos=None) -> str:
    x = float(x)
    for div, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:.3g}{suffix}"
    return f"{x:.3g}"


def chart_series(model) -> dict:
    """Daily series (one point per completed day) of outputs (cumulative) and outcomes."""
    days = model.ledger.days
    outs = getattr(model, "daily_outputs", None)
    if outs is None or len(outs) != len(days):  # a plain POCModel: only today's totals are known
        outs = [output_totals(model)] * len(days)
    col = lambda rows, k: np.array([r[k] for r in rows], dtype=float)  # noqa: E731
    return {
        "day": np.arange(1, len(days) + 1),
        "Patrols": col(outs, "patrols"),
        "Patrol km": col(outs, "patrol_km"),
        "Team visits": col(outs, "jpt_visits"),
        "Alerts answered": col(outs, "alerts_answered_in_time"),
        "Alerts raised": col(outs, "alerts_raised"),
        "Civilian deaths": np.cumsum(col(days, "civilian_deaths")),
        "Attacks on civilians": np.cumsum(col(days, "attacks")),
        "Displaced (now)": col(days, "displaced"),
        "People-exposed-hours": np.cumsum(col(days, "people_exposed_hours")),
    }


CHART_COLUMNS = [("What the mission does", UN_BLUE, ["Patrols", "Patrol km", "Team visits", "Alerts answered"]),
                 ("What happens to civilians", "#c0392b",
                  ["Civilian deaths", "Attacks on civilians", "Displaced (now)", "People-exposed-hours"])]


def draw_charts(model, fig: Figure | None = None) -> Figure:
    """Outputs (left) beside outcomes (right), row by row as in the counters, one point a day."""
    charts = _Charts(fig if fig is not None else Figure(figsize=(6.0, 6.2), dpi=90))
    charts.update(chart_series(model))
    return charts.fig


def charts_png(model) -> bytes:
    """The charts as a PNG: the model's chart figure is made once and given the new points after
    that (making its eight axes anew was most of the time a frame took to draw)."""
    charts = getattr(model, "_app_charts", None)
    if charts is None:
        charts = model._app_charts = _Charts(Figure(figsize=(6.0, 6.2), dpi=90))
    charts.update(chart_series(model))
    return figure_png(charts.fig)


class _Charts:
    """A chart figure: its axes and lines, made once; `update` sets the points and the limits."""

    def __init__(self, fig: Figure):
        self.fig = fig
        axes = fig.subplots(4, 2, sharex=True)
        self.axes, self.lines = {}, {}
        for c, (title, colour, names) in enumerate(CHART_COLUMNS):
            for ax, name in zip(axes[:, c], names):
                self.axes[name] = ax
                (self.lines[name],) = ax.plot([], [], color=colour, lw=1.8, ms=3, label="in time")
                if name == "Alerts answered":
                    (self.lines["Alerts raised"],) = ax.plot([], [], color=colour, lw=1.0, ls="--", label="raised")
                    ax.legend(fontsize=7, frameon=False, loc="upper left")
                # a title at a fixed height (matplotlib's automatic placement is slow)
                ax.set_title(name + (" (in time / raised)" if name == "Alerts answered" else ""), fontsize=9,
                             loc="left", y=1.0, pad=3)
                ax.yaxis.set_major_formatter(FuncFormatter(_short))
                ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
                ax.yaxis.set_major_locator(MaxNLocator(4, integer=True))
                ax.tick_params(labelsize=7.5)
                ax.grid(alpha=0.3)
            axes[0, c].annotate(title, (0, 1.38), xycoords="axes fraction", fontsize=10.5, fontweight="bold",
                                color=colour)
            axes[-1, c].set_xlabel("day", fontsize=8)
        self.empty = fig.text(0.5, 0.5, "the charts start when the first day is over (press Step)", ha="center",
                              fontsize=9.5, color="0.3", bbox=dict(fc="white", ec="0.8"))
        fig.subplots_adjust(left=0.09, right=0.98, top=0.9, bottom=0.08, hspace=0.55, wspace=0.25)

    def update(self, s: dict) -> None:
        days = s["day"]
        for name, line in self.lines.items():
            line.set_data(days, s[name])
            line.set_marker("o" if len(days) < 3 else "None")
        for name, ax in self.axes.items():
            y = np.maximum(s[name], s["Alerts raised"]) if name == "Alerts answered" else s[name]
            ax.set_ylim(0, max(1.0, float(y.max()) * 1.1) if len(y) else 1.0)
        n = len(days)
        self.axes["Patrols"].set_xlim(0.5 if n else 0, n + 0.5 if n else 1)  # shared by all eight
        self.empty.set_visible(n == 0)


def counters_html(model) -> str:
    """The current totals as a small HTML table (plain HTML: solara's Markdown would fetch KaTeX)."""
    o, c = output_totals(model), outcome_totals(model)
    ch = getattr(model, "choices", {})
    name = ch.get("strategy", model.strategy.name)
    what = f"strategy <b>{escape(name)}</b> on scenario <b>{escape(ch.get('scenario', model.scenario.name))}</b>, " \
           f"seed {model.seed}"
    if ch and name != "none":
        what += (f"; {ch['troops']:,} troops, alert coverage {ch['alert_coverage']:.2f}, "
                 f"authorisation {ch['authorisation_hours']:g} h")
    n = lambda x: f"{int(round(x)):,}"  # noqa: E731
    rows = [("Patrols", n(o["patrols"]), "Civilian deaths", n(c["civilian_deaths"])),
            ("Patrol km", n(o["patrol_km"]), "Attacks on civilians", n(c["attacks"])),
            ("Team visits", n(o["jpt_visits"]), "Displaced now", n(c["displaced"])),
            ("Alerts answered in time / raised", f"{n(o['alerts_answered_in_time'])} / {n(o['alerts_raised'])}",
             "People-exposed-hours", n(c["people_exposed_hours"]))]
    td = 'style="padding:1px 10px"'
    num = 'style="padding:1px 10px;text-align:right;font-variant-numeric:tabular-nums"'
    body = "".join(f"<tr><td {td}>{a}</td><td {num}>{b}</td><td {td}>{d}</td><td {num}>{e}</td></tr>"
                   for a, b, d, e in rows)
    return (f'<div class="pocsim-counters" style="font-size:14px">'
            f'<p style="margin:0 0 6px 0"><b class="pocsim-clock">{clock(model)}</b> ({calendar_date(model)})<br>'
            f'{what}</p>'
            f'<table style="border-collapse:collapse"><tr>'
            f'<th style="padding:1px 10px;text-align:left;color:{UN_BLUE}">What the mission does</th>'
            f'<th {num}>so far</th>'
            f'<th style="padding:1px 10px;text-align:left;color:#c0392b">What happens to civilians</th>'
            f'<th {num}>so far</th></tr>'
            f'{body}</table></div>')


# --- the server --------------------------------------------------------------------------------
class _Parser(OneLineParser):
    def error(self, message):
        if message.startswith("unrecognized arguments"):
            message += " (pocsim-app takes --host and --port; see pocsim-app --help)"
        super().error(message)


def _fail(message: str, status: int = 2):
    arguments.fail("pocsim-app", message, status)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: give a whole number from 1 to 65535")
    return port


def _install_hint() -> str:
    """How to install the app's packages: from the clone this pocsim runs from, if it is one."""
    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file():
        return f"pip install -e '.[app]' (in {root})"
    return "pip install 'pocsim[app]'"


def _load_page():
    """The page's module, or one line saying which package is missing and how to install them all."""
    try:
        from pocsim import app_page
    except ImportError as exc:
        if (exc.name or "").split(".")[0] == "pocsim":
            raise  # our own bug, not a missing package
        missing = f"no module named {exc.name!r}" if exc.name else str(exc).splitlines()[0]
        _fail(f"the app's packages are not installed ({missing}); install them with: {_install_hint()}", 1)
    return app_page


def exposure_warning(host: str) -> str | None:
    """A warning if the server will listen beyond this machine (the app has no log-in)."""
    if host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass  # a host name: it may be reachable from anywhere
    every = " (every network interface of this machine)" if host in ("0.0.0.0", "::") else ""
    return (f"pocsim-app: warning: --host {host}{every}: the app has no authentication and will be reachable by "
            f"anyone on the network; --host 127.0.0.1 keeps it to this machine")


def _check_address(host: str, port: int) -> None:
    """Fail in one line if the server could not listen on host:port (taken, not ours, forbidden)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        _fail(f"--host {host}: unknown host ({exc.strerror}); use 127.0.0.1 (this machine only), 0.0.0.0 "
              "(every network) or one of this machine's own addresses")
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            s.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                _fail(f"--port {port}: already in use on {host}; pick another port with --port")
            if exc.errno == errno.EACCES:
                _fail(f"--port {port}: not allowed for this user (ports below 1024 need root); use 1024 to 65535")
            if exc.errno == errno.EADDRNOTAVAIL:
                _fail(f"--host {host}: not an address of this machine; use 127.0.0.1 (this machine only), "
                      "0.0.0.0 (every network) or one of this machine's own addresses")
            _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def main(argv: list[str] | None = None) -> None:
    # Ctrl-C raises KeyboardInterrupt here, even where the shell that started us ignores SIGINT (as
    # it does for background jobs); while serving, the server first stops, then raises it
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _main(argv)
    except KeyboardInterrupt:
        print("pocsim-app: stopped (Ctrl-C)", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)  # now: a tab that was playing has a thread that would keep the process alive


def _main(argv: list[str] | None) -> None:
    parser = _Parser(prog="pocsim-app", description="The trainers' browser app: one live simulation in a browser.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 serves a "
                             "classroom network, and anyone on it, as the app has no log-in)")
    parser.add_argument("--port", type=_port, default=8765, help="port to listen on, 1 to 65535 (default 8765)")
    args = parser.parse_args(argv)
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"  # no usage reports leave this machine
    _load_page()
    _check_address(args.host, args.port)
    warning = exposure_warning(args.host)
    if warning:
        print(warning, file=sys.stderr)
    _serve(args.host, args.port)


def _serve(host: str, port: int) -> None:
    """solara's server, in production mode, on host:port, serving pocsim.app_page:Page."""
    import solara.server.settings

    solara.server.settings.telemetry.mixpanel_enable = False  # no usage reports leave this machine
    # solara warns on every page load over plain http on a host not named "localhost"; it then
    # uses the ordinary (lax) session cookie, which is what a classroom server needs
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    from solara.__main__ import cli

    args = ["run", "pocsim.app_page:Page", "--host", host, "--port", str(port), "--production", "--no-open",
            "--no-check-version"]
    # make_context and invoke, not cli.main: click's main would turn Ctrl-C into "Aborted!" and status 1
    with cli.make_context("pocsim-app", args) as ctx:
        cli.invoke(ctx)


if __name__ == "__main__":
    main()
