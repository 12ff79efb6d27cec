"""pocsim-app: the trainers' browser app (Mesa SolaraViz).

    pocsim-app --host 127.0.0.1 --port 8765      # then open http://127.0.0.1:8765

Trainers of peacekeepers must show that activity is not protection. The app runs one model live:
a map (terrain, villages by size and deaths, armed groups, bases, units and their recent tracks,
alerts as they arrive, and the true threat beside the mission's own picture of it) and, next to
it, what the mission does (patrols, patrol km, visits, alerts answered) and what happens to
civilians (deaths, attacks, displacement, people-exposed-hours), day by day.

The model is the real POCModel, built from the same Hydra config as `pocsim` runs
(`TrainingModel`); the app only watches it (tracks and alerts are recorded here, in the app).
"""

from __future__ import annotations

import argparse
import os
import warnings
from collections import deque
from html import escape

import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap, LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from pocsim.model import POCModel
from pocsim.maps import terrain_image

# Mesa 3.3's own SolaraViz code trips solara's hook linter (a warning about Mesa, not about us).
warnings.filterwarnings("ignore", message=r".*solara_viz\.py.*", category=UserWarning)
try:
    import solara
    from mesa.visualization import Slider, SolaraViz
    from mesa.visualization.utils import update_counter
except ImportError as exc:  # the app's packages are an extra
    raise ImportError(f"pocsim-app needs the app's packages: pip install 'pocsim[app]' ({exc})") from exc

SCENARIOS = ["default", "forest_many_groups", "weak_state_no_peace", "peacekeepers_targeted", "state_perpetrator"]
STRATEGIES = ["none", "static_deterrence", "mobile_operations", "unarmed", "modular"]
SMALL_WORLD = ["scenario.terrain.width=60", "scenario.terrain.height=60", "scenario.terrain.n_towns=3",
               "scenario.terrain.town_spacing_km=15", "scenario.villages.count=90"]
TRACK_HOURS = 48  # how much of each unit's recent path the map shows
ALERT_HOURS = 24  # alerts this recent are ringed on the map
# Steps (hours) per frame, for Step and while playing: about a day. Not 24: Mesa 3.3's "Render
# Interval" slider runs 1, 3, 5, ... 99 and the browser would round 24 to 25 anyway.
RENDER_EVERY = 25
PICTURE_REACH_KM = 8.0  # the mission's per-village picture is drawn this far around each village

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
THREAT_CMAP = ListedColormap(colormaps["Purples"](np.linspace(0.35, 1.0, 128)))
THREAT_FLOOR = 1e-4  # shade threat from this share of the "high threat" level up (log scale)


def training_config(scenario="default", strategy="static_deterrence", troops=1200, alert_coverage=1.0,
                    authorisation_hours=3.0, seed=0, small=False):
    """The composed, validated config the `pocsim` command would run with these choices."""
    from hydra import compose, initialize_config_module

    from pocsim.cli import to_config

    overrides = [f"scenario={scenario}", f"strategy={strategy}", f"mission.troops={int(troops)}",
                 f"strategy.tools.alert_network.coverage={float(alert_coverage)}",
                 f"mission.authorisation_hours={float(authorisation_hours)}", f"seed={int(seed)}"]
    with initialize_config_module(config_module="pocsim.configs", version_base="1.3"):
        return to_config(compose("config", overrides=overrides + (SMALL_WORLD if small else [])))


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


def draw_map(model, layer: str = "true threat", fig: Figure | None = None) -> Figure:
    fig = fig if fig is not None else Figure(figsize=(6.0, 7.1), dpi=90)
    ax = fig.add_axes((0.01, 0.15, 0.98, 0.8))
    ny, nx = model.terrain.shape
    ax.imshow(_background(model), origin="upper", interpolation="nearest", extent=(-0.5, nx - 0.5, ny - 0.5, -0.5))
    high = model.scenario.threat.high_threshold
    grid = threat_layer(model, layer)
    if grid is not None:
        shown = np.ma.masked_less(grid, THREAT_FLOOR * high)
        ax.imshow(shown, origin="upper", cmap=THREAT_CMAP, norm=LogNorm(THREAT_FLOOR * high, 2 * high, clip=True),
                  alpha=0.7, interpolation="nearest", extent=(-0.5, nx - 0.5, ny - 0.5, -0.5))
    v = model.villages
    size = 3 + 140 * np.sqrt(v.population / max(v.population.max(), 1))
    ax.scatter(v.x, v.y, s=size, c=v.deaths, cmap="Reds", norm=Normalize(0, max(10, int(v.deaths.max()))),
               edgecolors="0.25", linewidths=0.4, zorder=3)
    recent = {vil for t, vil, _ in list(getattr(model, "alert_log", ())) if model.t - t <= ALERT_HOURS}
    if recent:
        idx = np.fromiter(recent, dtype=np.int64)
        ax.scatter(v.x[idx], v.y[idx], s=size[idx] + 160, facecolors="none", edgecolors="#ffb000", linewidths=2.2,
                   zorder=4)
    m = model.mission
    if m.outputs is not None:
        if m.bases:
            bx, by = model.terrain.xy(np.array([b.cell for b in m.bases]))
            ax.scatter(bx, by, marker="s", s=[30 if b.temporary else 60 for b in m.bases], c=UN_BLUE,
                       edgecolors="white", linewidths=0.8, zorder=5)
        lines: dict = {}  # colour -> polylines (one LineCollection per kind of unit is quick to draw)
        # copies: with SolaraViz's "Use Threads" the model may step while a frame is drawn
        for unit, track in list(getattr(model, "tracks", {}).items()):
            style = UNITS.get(unit.kind)
            chunks = [cells for t, cells in list(track) if model.t - t < TRACK_HOURS]
            pts = np.concatenate(chunks) if chunks else ()
            if style and len(pts) > 1:
                lines.setdefault(style[2], []).append(np.column_stack(model.terrain.xy(pts)))
        for colour, polylines in lines.items():
            ax.add_collection(LineCollection(polylines, colors=colour, linewidths=1.1, alpha=0.6, zorder=4))
        moving: dict = {}
        for unit in list(m.units):
            style = UNITS.get(unit.kind)
            if style and unit.state != "idle":
                moving.setdefault(style, []).append(model.terrain.xy(unit.cell))
        for (_, marker, colour), xy in moving.items():
            ax.scatter(*np.array(xy).T, marker=marker, s=45, c=colour, edgecolors="black", linewidths=0.5, zorder=6)
        if layer == "mission's picture":  # where the mission last saw each group
            for g in model.groups:
                cell = int(m.picture.last_seen[g.index])
                if cell >= 0:
                    gx, gy = model.terrain.xy(cell)
                    ax.scatter([gx], [gy], marker="X", s=80, facecolors="none", edgecolors="0.3", linewidths=1.0,
                               zorder=6)
    for g in model.groups:
        gx, gy = model.terrain.xy(g.cell)
        ax.scatter([gx], [gy], marker="P" if g.is_state else "X", s=90, c="#2f4f2f" if g.is_state else "black",
                   edgecolors="white", linewidths=0.8, zorder=7)
        ax.annotate(g.name, (gx, gy), xytext=(5, 4), textcoords="offset points", fontsize=7, zorder=8,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.7))
    ax.set_xlim(-0.5, nx - 0.5)
    ax.set_ylim(ny - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    shading = {"true threat": "shading: true threat", "mission's picture": "shading: the mission's threat picture",
               "none": "no threat shading"}[layer]
    ax.set_title(f"{model.ledger.date(model.t)}  {model.t % 24:02d}:00   ({shading})", fontsize=10)
    fig.legend(handles=_legend_handles(layer), loc="lower center", ncol=3, fontsize=7.5, frameon=False,
               bbox_to_anchor=(0.5, 0.0))
    return fig


def _legend_handles(layer: str) -> list:
    def h(label, marker, colour, **kw):
        return Line2D([], [], ls="none", marker=marker, color=colour, label=label, markersize=7, **kw)

    return [h("village (size: people, red: deaths)", "o", "#f4a582", markeredgecolor="0.25"),
            h("alert in the last day", "o", "none", markeredgecolor="#ffb000", markeredgewidth=2),
            h("armed group", "X", "black"), h("state forces", "P", "#2f4f2f"),
            h("UN base", "s", UN_BLUE),
            *[h(lab, mk, col, markeredgecolor="black") for lab, mk, col in UNITS.values()],
            Line2D([], [], color=UN_BLUE, lw=1, alpha=0.6, label=f"tracks, last {TRACK_HOURS} h"),
            *([h("threat (purple)", "s", "#8c6bb1")] if layer != "none" else []),
            *([h("mission's last sighting", "X", "none", markeredgecolor="0.3")]
              if layer == "mission's picture" else [])]


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
    fig = fig if fig is not None else Figure(figsize=(6.0, 6.2), dpi=90)
    s = chart_series(model)
    axes = fig.subplots(4, 2, sharex=True)
    for c, (title, colour, names) in enumerate(CHART_COLUMNS):
        for ax, name in zip(axes[:, c], names):
            y = s[name]
            ax.plot(s["day"], y, color=colour, lw=1.8, marker="o" if len(y) < 3 else None, ms=3, label="in time")
            if name == "Alerts answered":
                ax.plot(s["day"], s["Alerts raised"], color=colour, lw=1.0, ls="--", label="raised")
                ax.legend(fontsize=7, frameon=False, loc="upper left")
                y = np.maximum(y, s["Alerts raised"])
            ax.set_title(name + (" (in time / raised)" if name == "Alerts answered" else ""), fontsize=9, loc="left")
            ax.yaxis.set_major_formatter(FuncFormatter(_short))
            ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
            ax.yaxis.set_major_locator(MaxNLocator(4, integer=True))
            ax.tick_params(labelsize=7.5)
            ax.set_ylim(bottom=0, top=max(1.0, float(y.max()) * 1.1) if len(y) else 1.0)
            ax.grid(alpha=0.3)
        axes[0, c].annotate(title, (0, 1.38), xycoords="axes fraction", fontsize=10.5, fontweight="bold",
                            color=colour)
        axes[-1, c].set_xlabel("day", fontsize=8)
    if len(s["day"]) == 0:
        axes[0, 0].set_xlim(0, 1)
        fig.text(0.5, 0.5, "the charts start when the first day is over (press Step)", ha="center", fontsize=9.5,
                 color="0.3", bbox=dict(fc="white", ec="0.8"))
    fig.subplots_adjust(left=0.09, right=0.98, top=0.9, bottom=0.08, hspace=0.55, wspace=0.25)
    return fig


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
            f'<p style="margin:0 0 6px 0"><b class="pocsim-elapsed">Elapsed: {model.t // 24} d {model.t % 24:02d} h</b>'
            f' (step {model.t}, {model.ledger.date(model.t)})<br>{what}</p>'
            f'<table style="border-collapse:collapse"><tr>'
            f'<th style="padding:1px 10px;text-align:left;color:{UN_BLUE}">What the mission does</th>'
            f'<th {num}>so far</th>'
            f'<th style="padding:1px 10px;text-align:left;color:#c0392b">What happens to civilians</th>'
            f'<th {num}>so far</th></tr>'
            f'{body}</table>'
            f'<p style="margin:6px 0 0 0;color:#555"><i>To run another setting: change the model parameters on the '
            f'left, then press Reset.</i></p></div>')


# --- Solara components -------------------------------------------------------------------------
shading = solara.reactive(LAYERS[0])  # one per browser session


@solara.component
def MapView(model):
    update_counter.get()  # redrawn with every frame SolaraViz renders
    with solara.Column(gap="4px", classes=["pocsim-map"]):
        solara.ToggleButtonsSingle(value=shading, values=LAYERS)
        solara.FigureMatplotlib(draw_map(model, shading.value), format="png",
                                dependencies=[update_counter.value, shading.value, id(model), model.t])


@solara.component
def Dashboard(model):
    update_counter.get()
    with solara.Column(gap="4px"):
        solara.HTML(tag="div", unsafe_innerHTML=counters_html(model))
        with solara.Column(classes=["pocsim-charts"]):
            solara.FigureMatplotlib(draw_charts(model), format="png",
                                    dependencies=[update_counter.value, id(model), model.t])


model_params = {
    "scenario": {"type": "Select", "value": "default", "values": SCENARIOS, "label": "Scenario"},
    "strategy": {"type": "Select", "value": "static_deterrence", "values": STRATEGIES, "label": "Strategy"},
    "troops": Slider("Troops", value=1200, min=0, max=4000, step=100),
    "alert_coverage": Slider("Alert coverage (share of villages in liaison contact that join)", value=1.0, min=0.0,
                             max=1.0, step=0.05),
    "authorisation_hours": Slider("Authorisation delay (hours)", value=3.0, min=0.0, max=24.0, step=0.5),
    "seed": Slider("Seed (the world)", value=0, min=0, max=99, step=1),
}


@solara.component
def Page():
    model = solara.use_memo(TrainingModel, [])  # one model per browser session
    return SolaraViz(model, components=[(MapView, 0), (Dashboard, 0)], model_params=model_params,
                     play_interval=20, render_interval=RENDER_EVERY, name="pocsim: is activity protection?")


# --- the server --------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pocsim-app", description="The trainers' browser app (Mesa SolaraViz).")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
    args = parser.parse_args(argv)
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"  # no usage reports leave this machine
    import solara.server.settings

    solara.server.settings.telemetry.mixpanel_enable = False
    # solara warns on every page load over plain http on a host not named "localhost"; it then
    # uses the ordinary (lax) session cookie, which is what a classroom server needs
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    from solara.__main__ import cli

    cli.main(["run", "pocsim.app:Page", "--host", args.host, "--port", str(args.port), "--production", "--no-open",
              "--no-check-version"], prog_name="pocsim-app")


if __name__ == "__main__":
    main()
