"""Exports for slides: a run as an animated map with its counters, and a one-page summary.

    pocsim ... +export=gif     run folder gains run.gif and summary.png
    pocsim ... +export=mp4     run.mp4 (needs ffmpeg on PATH) and summary.png
    pocsim ... +export=png     summary.png only

The counters are the lesson: what the mission did (patrols, team visits, alerts) beside what
happened to civilians (deaths). Frames are recorded while the model runs, every `frame_days` days.
Only what the strategy fields is shown: under `strategy=none` there are no mission panels at all,
and the page says so, rather than showing axes that are empty by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import animation  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar  # noqa: E402

from pocsim.config import ExportConfig, ExportFormat  # noqa: E402
from pocsim.maps import terrain_image  # noqa: E402
from pocsim.mission.patrol import Patrol  # noqa: E402

SCALE_BAR = "scale bar"  # the gid of a map's scale bar, so tests (and SVG readers) can find it

# The tools whose work each output counts: with all of them off, the counter is zero by
# construction, and its panel would say nothing.
FIELDED_BY = {
    "patrols": ("route_patrols", "threat_patrols"),
    "team visits": ("joint_protection_teams",),
    "alerts": ("alert_network",),
}
_COUNTER = {"patrols": "patrol_count", "team visits": "team_visits", "alerts": "alerts_raised"}  # Frame's field


def fielded(strategy) -> list[str]:
    """The outputs this strategy can produce, in FIELDED_BY's order."""
    return [out for out, tools in FIELDED_BY.items() if any(getattr(strategy.tools, t).enabled for t in tools)]


@dataclass
class Frame:
    day: int
    deaths: np.ndarray  # per village, cumulative
    groups: np.ndarray  # cells
    bases: np.ndarray  # cells
    patrols: np.ndarray  # cells of patrols out of base
    civilian_deaths: int
    patrol_count: int  # the mission's outputs so far (zero without a mission)
    team_visits: int = 0
    alerts_raised: int = 0
    alerts_answered_in_time: int = 0


@dataclass
class FrameRecorder:
    frame_days: int
    frames: list[Frame] = field(default_factory=list)

    def record(self, model) -> None:
        mission = model.mission
        units = getattr(mission, "units", [])
        out = mission.outputs
        self.frames.append(Frame(
            day=model.day, deaths=model.villages.deaths.copy(),
            groups=np.array([g.cell for g in model.groups], dtype=np.int64),
            bases=np.array([b.cell for b in getattr(mission, "bases", [])], dtype=np.int64),
            patrols=np.array([u.cell for u in units if isinstance(u, Patrol) and u.state != "idle"], dtype=np.int64),
            civilian_deaths=int(model.villages.deaths.sum()),
            patrol_count=out.patrols if out is not None else 0,
            team_visits=out.jpt_visits if out is not None else 0,
            alerts_raised=out.alerts_raised if out is not None else 0,
            alerts_answered_in_time=out.alerts_answered_in_time if out is not None else 0))


# --- the map ---------------------------------------------------------------------------------

# Reds without its near-white end: a village that lost one person must not look like one that lost none.
_DEATHS_CMAP = ListedColormap(matplotlib.colormaps["Reds"](np.linspace(0.35, 1.0, 256)))
_DEATHS_TOP = 200  # deaths in a village at the darkest red; fixed, so every frame has one scale


def draw_map(ax, model, frame: Frame, ground: np.ndarray, legend: dict) -> None:
    """Ground, villages (area = population, red = civilians killed), armed groups, bases and
    patrols out, a scale bar, and a legend of what is on it, placed by `legend` (outside the map,
    where it hides no village)."""
    ax.clear()
    ax.imshow(ground, origin="upper", interpolation="nearest")
    _villages(ax, model.villages, frame.deaths)
    nx = model.terrain.shape[1]
    handles = _village_handles(frame.deaths)
    for cells, marker, colour, label in ((frame.groups, "X", "black", "armed groups"),
                                         (frame.bases, "s", "royalblue", "bases"),
                                         (frame.patrols, "^", "deepskyblue", "patrols out")):
        if len(cells):
            y, x = np.divmod(cells, nx)
            handles.append(ax.scatter(x, y, marker=marker, s=60, c=colour, edgecolors="white", linewidths=0.8,
                                      zorder=3, label=label))
    ax.set_xticks([]), ax.set_yticks([])
    scale_bar(ax, model.terrain)
    ax.legend(handles=handles, fontsize=9, frameon=False, **legend)


def _villages(ax, v, deaths: np.ndarray) -> None:
    size = 4 + 60 * np.sqrt(v.population / v.population.max())
    spared, hit = deaths == 0, deaths > 0
    ax.scatter(v.x[spared], v.y[spared], s=size[spared], c="white", edgecolors="0.3", linewidths=0.4, zorder=2)
    if hit.any():  # drawn at least middling, so a hamlet that lost people is seen from the back of the room
        order = np.argsort(deaths[hit])  # worst on top
        ax.scatter(v.x[hit][order], v.y[hit][order], s=np.maximum(size[hit][order], 40),
                   c=np.log1p(deaths[hit][order]), cmap=_DEATHS_CMAP, vmin=0, vmax=np.log1p(_DEATHS_TOP),
                   edgecolors="black", linewidths=0.6, zorder=2)


def _village_handles(deaths: np.ndarray) -> list:
    dot = dict(ls="", marker="o", markersize=7)
    handles = [Line2D([], [], markerfacecolor="white", markeredgecolor="0.3", label="village", **dot)]
    if (deaths > 0).any():
        handles.append(Line2D([], [], markerfacecolor=_DEATHS_CMAP(0.5), markeredgecolor="black",
                              label="civilians killed there", **dot))
    return handles


def scale_bar(ax, terrain) -> None:
    """A bar of a round number of km, about a fifth of the map's width (the map has no km axes)."""
    km = scale_bar_km(terrain.shape[1] * terrain.cell_km)
    bar = AnchoredSizeBar(ax.transData, km / terrain.cell_km, f"{km:g} km", loc="lower right", pad=0.4,
                          borderpad=0.6, sep=4, size_vertical=0.012 * terrain.shape[0], fontproperties={"size": 10})
    bar.patch.set_alpha(0.8)
    bar.set_gid(SCALE_BAR)
    ax.add_artist(bar)


def scale_bar_km(width_km: float) -> float:
    """The 1, 2 or 5 times a power of ten nearest (by ratio) to a fifth of the width."""
    fifth = width_km / 5
    power = 10.0 ** np.floor(np.log10(fifth))
    return min((k * power for k in (1, 2, 5, 10)), key=lambda km: abs(np.log(km / fifth)))


# --- the animation ---------------------------------------------------------------------------

def _counters(ax, frame: Frame, outputs: list[str]) -> None:
    """Day and deaths on the left; on the right, what the mission did, or that there was none."""
    ax.clear()
    ax.axis("off")
    ax.text(0.0, 0.7, f"Day {frame.day}", fontsize=20, weight="bold", transform=ax.transAxes)
    ax.text(0.0, 0.2, f"Civilians killed: {frame.civilian_deaths:,}", fontsize=18, color="firebrick",
            transform=ax.transAxes)
    lines = [f"{name.capitalize()}: {count:,}" for name, count in _counts(frame).items() if name in outputs]
    if not lines:
        lines = ["No mission (the baseline)"]
    for k, line in enumerate(lines):
        ax.text(0.55, 0.75 - 0.3 * k, line, fontsize=15, color="royalblue", transform=ax.transAxes)


def _counts(frame: Frame) -> dict[str, int]:
    return {output: getattr(frame, attr) for output, attr in _COUNTER.items()}


def animate(model, frames: list[Frame], path: Path, fmt: str, fps: int) -> None:
    fig, draw = animation_figure(model, frames)
    anim = animation.FuncAnimation(fig, draw, frames=len(frames), blit=False)
    writer = animation.PillowWriter(fps=fps) if fmt == "gif" else animation.FFMpegWriter(fps=fps)
    anim.save(path, writer=writer)
    plt.close(fig)


def animation_figure(model, frames: list[Frame]):
    """The animation's figure (720 x 600 px) and `draw(i)`, which shows frame i on it."""
    ground = terrain_image(model.terrain)
    outputs = fielded(model.strategy)
    fig = plt.figure(figsize=(9, 7.5), dpi=80)
    ax_map = fig.add_axes((0.01, 0.2, 0.76, 0.78), anchor="W")  # the legend goes on its right
    ax_text = fig.add_axes((0.05, 0.0, 0.9, 0.2))

    def draw(i):
        draw_map(ax_map, model, frames[i], ground, dict(loc="upper left", bbox_to_anchor=(1.01, 1)))
        _counters(ax_text, frames[i], outputs)
        return []

    return fig, draw


# --- the summary page ------------------------------------------------------------------------

def summary_page(model, summary: dict, frames: list[Frame], path: Path) -> None:
    fig = summary_figure(model, summary, frames)
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def summary_figure(model, summary: dict, frames: list[Frame]):
    """One A4 landscape page (1170 x 830 px): the map at the end on the left; on the right, civilians
    killed over time above one panel per output the strategy fields (each on its own y axis, as
    patrols run to hundreds while alerts stay in single figures), all on one day axis. Every panel
    keeps its place whatever the strategy, so pages of two strategies compare side by side; what a
    strategy does not field is said in words where its panel would be."""
    fig = plt.figure(figsize=(11.7, 8.3), dpi=100)
    fig.suptitle(f"{summary['scenario']} / strategy {summary['strategy']} / seed {summary['seed']}: "
                 f"{summary['days']} day{'' if summary['days'] == 1 else 's'}", fontsize=16, weight="bold")
    draw_map(fig.add_axes((0.02, 0.1, 0.5, 0.8)), model, frames[-1], terrain_image(model.terrain),
             dict(loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=3))
    outputs = fielded(model.strategy)
    slots = fig.add_gridspec(1 + len(FIELDED_BY), 1, left=0.6, right=0.97, top=0.88, bottom=0.16,
                             height_ratios=[1.6] + [1] * len(FIELDED_BY), hspace=0.6)
    axes = [fig.add_subplot(slots[0])]
    axes += [fig.add_subplot(slots[k + 1], sharex=axes[0]) for k in range(len(outputs))]
    _deaths_panel(axes[0], model.ledger.days)
    days = [0] + [f.day for f in frames]  # every count is zero before the first day
    for ax, output in zip(axes[1:], outputs):
        _output_panel(ax, output, days, frames, summary, model.strategy)
    axes[0].set_xlim(0, summary["days"])
    axes[0].xaxis.set_major_locator(MaxNLocator(integer=True))  # whole days, also in a short run
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
    axes[-1].set_xlabel("day")
    if len(outputs) < len(FIELDED_BY):
        where = slots[len(outputs) + 1].get_position(fig)
        fig.text(where.x0, where.y0 + where.height / 2, _not_fielded(outputs, model.mission.outputs is None),
                 fontsize=12, color="0.3", va="center", wrap=True)
    fig.text(0.6, 0.02, f"deaths {summary['civilian_deaths']:,}   reprisals {summary['reprisal_deaths']:,}   "
             f"displaced (peak) {summary['displaced_peak']:,}\n"
             f"people-exposed-hours {summary['people_exposed_hours']:,.0f}", fontsize=11)
    return fig


def _not_fielded(outputs: list[str], no_mission: bool) -> str:
    if no_mission:
        return "No mission (the baseline):\nno patrols, team visits or alerts"
    return f"Not fielded by this strategy: {', '.join(out for out in FIELDED_BY if out not in outputs)}"


def _deaths_panel(ax, ledger_days: list[dict]) -> None:
    day = [0] + [d["day"] + 1 for d in ledger_days]  # ledger day d ends at day d + 1
    deaths = np.cumsum([0] + [d["civilian_deaths"] for d in ledger_days])
    ax.plot(day, deaths, color="firebrick", lw=2)
    _count_axis(ax, deaths, "no civilians killed")
    ax.set_title(f"Outcome: civilians killed (cumulative): {deaths[-1]:,}", fontsize=12)


def _output_panel(ax, output: str, days: list[int], frames: list[Frame], summary: dict, strategy) -> None:
    """One output of the mission, cumulative; alerts raised and answered in time share an axis
    (one unit, and the gap between them is the point)."""
    def series(attr):
        return np.array([0] + [getattr(f, attr) for f in frames])

    shown = series(_COUNTER[output])
    ax.plot(days, shown, color="royalblue", lw=2, label="raised" if output == "alerts" else output)
    title = {"patrols": f"patrols (sorties): {summary['patrols']:,}, {summary['patrol_km']:,.0f} km",
             "team visits": f"joint protection team visits: {summary['jpt_visits']:,}",
             "alerts": f"alerts raised: {summary['alerts_raised']:,}"}[output]
    if output == "alerts" and strategy.tools.reaction_force.enabled:  # nothing else answers an alert in time
        ax.plot(days, series("alerts_answered_in_time"), color="navy", lw=2, ls="--", label="answered in time")
        title += f", answered in time: {summary['alerts_answered_in_time']:,}"
        if shown.any():  # with nothing raised, the note says it all and a legend would cover it
            ax.legend(loc="upper left", fontsize=9, frameon=False)
    _count_axis(ax, shown, f"no {output} yet")
    ax.set_title(f"Output: {title}", fontsize=11)


def _count_axis(ax, counts: np.ndarray, nothing: str) -> None:
    """Counts from zero in whole numbers; a flat zero line says in words that nothing happened
    (rather than leaving an axis that looks as if it failed to draw)."""
    top = max(1.0, float(np.max(counts)) * 1.08)
    ax.set_ylim(-0.03 * top, top)  # a zero line shows above the axis, not hidden on it
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    ax.grid(axis="y", color="0.9")
    if not np.any(counts):
        ax.text(0.5, 0.5, nothing, transform=ax.transAxes, ha="center", va="center", color="0.4", fontsize=11)


def export(folder: Path, model, summary: dict, recorder: FrameRecorder, cfg: ExportConfig) -> dict[str, Path]:
    """Write the export files into `folder` (the run's temporary folder, moved into place after);
    return what each file is and where it was written (the file name stays the same after the move)."""
    fmt = ExportFormat(cfg.format).value
    written = {}
    if fmt in ("gif", "mp4"):
        written["animation"] = folder / f"run.{fmt}"
        animate(model, recorder.frames, written["animation"], fmt, cfg.fps)
    written["summary figure"] = folder / "summary.png"
    summary_page(model, summary, recorder.frames, written["summary figure"])
    return written
