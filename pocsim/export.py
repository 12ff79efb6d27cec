"""Exports for slides: a run as an animated map with its two counters, and a one-page summary.

    pocsim ... +export=gif     run folder gains run.gif and summary.png
    pocsim ... +export=mp4     run.mp4 (needs ffmpeg on PATH) and summary.png
    pocsim ... +export=png     summary.png only

The two counters are the lesson: what the mission did (patrols) beside what happened to civilians
(deaths). Frames are recorded while the model runs, every `frame_days` days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import animation  # noqa: E402

from pocsim.config import ExportConfig, ExportFormat  # noqa: E402
from pocsim.mission.patrol import Patrol  # noqa: E402
from pocsim.maps import terrain_image  # noqa: E402


@dataclass
class Frame:
    day: int
    deaths: np.ndarray  # per village, cumulative
    groups: np.ndarray  # cells
    bases: np.ndarray  # cells
    patrols: np.ndarray  # cells of patrols out of base
    civilian_deaths: int
    patrol_count: int


@dataclass
class FrameRecorder:
    frame_days: int
    frames: list[Frame] = field(default_factory=list)

    def record(self, model) -> None:
        mission = model.mission
        units = getattr(mission, "units", [])
        outputs = mission.outputs
        self.frames.append(Frame(
            day=model.day, deaths=model.villages.deaths.copy(),
            groups=np.array([g.cell for g in model.groups], dtype=np.int64),
            bases=np.array([b.cell for b in getattr(mission, "bases", [])], dtype=np.int64),
            patrols=np.array([u.cell for u in units if isinstance(u, Patrol) and u.state != "idle"], dtype=np.int64),
            civilian_deaths=int(model.villages.deaths.sum()),
            patrol_count=outputs.patrols if outputs is not None else 0))


def draw_map(ax, model, frame: Frame, ground: np.ndarray) -> None:
    v, nx = model.villages, model.terrain.shape[1]
    ax.clear()
    ax.imshow(ground, origin="upper", interpolation="nearest")
    size = 4 + 60 * np.sqrt(v.population / v.population.max())
    ax.scatter(v.x, v.y, s=size, c=np.log1p(frame.deaths), cmap="Reds", vmin=0, vmax=np.log1p(200),
               edgecolors="0.3", linewidths=0.4, zorder=2)
    for cells, marker, colour, label in ((frame.groups, "X", "black", "armed groups"),
                                         (frame.bases, "s", "royalblue", "bases"),
                                         (frame.patrols, "^", "deepskyblue", "patrols out")):
        if len(cells):
            y, x = np.divmod(cells, nx)
            ax.scatter(x, y, marker=marker, s=60, c=colour, edgecolors="white", linewidths=0.8, zorder=3,
                       label=label)
    ax.set_xticks([]), ax.set_yticks([])
    ax.legend(loc="lower left", fontsize=9, framealpha=0.8)


def _counters(ax, frame: Frame) -> None:
    ax.clear()
    ax.axis("off")
    ax.text(0.0, 0.75, f"Day {frame.day}", fontsize=20, weight="bold", transform=ax.transAxes)
    ax.text(0.0, 0.45, f"Patrols run: {frame.patrol_count:,}", fontsize=18, color="royalblue",
            transform=ax.transAxes)
    ax.text(0.0, 0.15, f"Civilians killed: {frame.civilian_deaths:,}", fontsize=18, color="firebrick",
            transform=ax.transAxes)


def animate(model, frames: list[Frame], path: Path, fmt: str, fps: int) -> None:
    ground = terrain_image(model.terrain)
    fig = plt.figure(figsize=(9, 7.5), dpi=80)
    ax_map = fig.add_axes((0.02, 0.2, 0.96, 0.78))
    ax_text = fig.add_axes((0.05, 0.0, 0.9, 0.2))

    def draw(i):
        draw_map(ax_map, model, frames[i], ground)
        _counters(ax_text, frames[i])
        return []

    anim = animation.FuncAnimation(fig, draw, frames=len(frames), blit=False)
    writer = animation.PillowWriter(fps=fps) if fmt == "gif" else animation.FFMpegWriter(fps=fps)
    anim.save(path, writer=writer)
    plt.close(fig)


def summary_page(model, summary: dict, frame: Frame, path: Path) -> None:
    """One page: the map at the end, outputs and outcomes over time side by side, the numbers."""
    days = model.ledger.days
    day = np.array([d["day"] for d in days])
    fig = plt.figure(figsize=(11.7, 8.3), dpi=100)  # A4 landscape
    fig.suptitle(f"{summary['scenario']} / strategy {summary['strategy']} / seed {summary['seed']}: "
                 f"{summary['days']} days", fontsize=16, weight="bold")
    draw_map(fig.add_axes((0.02, 0.08, 0.5, 0.82)), model, frame, terrain_image(model.terrain))
    ax = fig.add_axes((0.6, 0.55, 0.37, 0.33))
    ax.plot(day, np.cumsum([d["civilian_deaths"] for d in days]), color="firebrick", lw=2)
    ax.set_title("Outcome: civilians killed (cumulative)", fontsize=12)
    ax.set_xlabel("day")
    ax2 = fig.add_axes((0.6, 0.12, 0.37, 0.33))
    ax2.bar(["patrols", "team visits", "alerts answered\nin time"],
            [summary["patrols"], summary["jpt_visits"], summary["alerts_answered_in_time"]], color="royalblue")
    ax2.set_title(f"Outputs: what the mission did ({summary['patrol_km']:,.0f} patrol km)", fontsize=12)
    fig.text(0.6, 0.015, f"deaths {summary['civilian_deaths']:,}   reprisals {summary['reprisal_deaths']:,}   "
             f"displaced (peak) {summary['displaced_peak']:,}\npeople-exposed-hours "
             f"{summary['people_exposed_hours']:,.0f}", fontsize=11)
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def export(folder: Path, model, summary: dict, recorder: FrameRecorder, cfg: ExportConfig) -> None:
    """Write the export files into `folder` (the run's temporary folder, moved into place after)."""
    fmt = ExportFormat(cfg.format).value
    if fmt in ("gif", "mp4"):
        animate(model, recorder.frames, folder / f"run.{fmt}", fmt, cfg.fps)
    summary_page(model, summary, recorder.frames[-1], folder / "summary.png")
