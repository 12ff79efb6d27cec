"""Exports for slides: an animated map with its counters, and a one-page summary."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from PIL import Image

from pocsim.export import SCALE_BAR, FrameRecorder, animation_figure, scale_bar_km, summary_figure
from pocsim.run import simulate
from tests.conftest import make_config

SMALL = ["scenario.terrain.width=60", "scenario.terrain.height=60", "scenario.terrain.n_towns=3",
         "scenario.terrain.town_spacing_km=15", "scenario.villages.count=90", "strategy=static_deterrence"]
ENV = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "CI": "1"}


def pocsim(*args, cwd):
    return subprocess.run([sys.executable, "-m", "pocsim", *SMALL, *args], cwd=cwd, capture_output=True, text=True,
                          env=ENV, timeout=300)


def printed_files(stdout: str) -> dict[str, Path]:
    """The export lines of the printed summary: what -> path."""
    return {m[1]: Path(m[2]) for m in re.finditer(r"^  (animation|summary figure) +(\S+)$", stdout, re.M)}


def test_gif_export_animates_the_run_and_adds_a_summary_page(tmp_path):
    r = pocsim("+export=gif", "days=9", "hydra.run.dir=out", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    gif = Image.open(tmp_path / "out" / "run.gif")
    assert gif.n_frames == 3  # days 3, 6, 9
    assert gif.size == (720, 600)
    page = Image.open(tmp_path / "out" / "summary.png")
    assert page.size == (1170, 830)  # A4 landscape at 100 dpi, for a slide
    assert (tmp_path / "out" / "summary.json").exists()
    # the printed summary says where the files are, in the run folder they were moved into
    files = printed_files(r.stdout)
    assert set(files) == {"animation", "summary figure"}, r.stdout
    assert files["animation"].name == "run.gif" and files["summary figure"].name == "summary.png"
    assert all(p.is_file() and p.parent == (tmp_path / "out").resolve() for p in files.values())
    assert r.stdout.index("summary figure") < r.stdout.index("run folder")  # with the run folder's line


def test_png_export_writes_only_the_page(tmp_path):
    r = pocsim("+export=png", "days=2", "hydra.run.dir=out", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "summary.png").exists() and not (tmp_path / "out" / "run.gif").exists()
    files = printed_files(r.stdout)
    assert list(files) == ["summary figure"] and files["summary figure"].is_file()


def test_mp4_export_needs_ffmpeg(tmp_path):
    r = pocsim("+export=mp4", "days=3", "hydra.run.dir=out", cwd=tmp_path)
    if shutil.which("ffmpeg"):
        assert r.returncode == 0 and (tmp_path / "out" / "run.mp4").stat().st_size > 0
    else:
        assert r.returncode == 2 and "ffmpeg" in r.stderr and len(r.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "out").exists()  # nothing half-written


# --- the figures themselves, read back (small world, six days, as the command line records them) ---

@pytest.fixture(scope="module", params=["none", "unarmed", "static_deterrence"])
def run(request):
    conf = make_config(f"strategy={request.param}", "days=6")
    recorder = FrameRecorder(3)
    model, summary = simulate(conf, each_day=lambda m: recorder.record(m) if m.day % 3 == 0 else None)
    return request.param, model, summary, recorder.frames


def _has_data(ax) -> bool:
    """An axes shows something: an image, a line with points, or points in a scatter."""
    return (bool(ax.images) or any(len(line.get_xdata()) for line in ax.lines)
            or any(len(c.get_offsets()) for c in ax.collections))


def _scale_bars(ax) -> list:
    return [a for a in ax.get_children() if a.get_gid() == SCALE_BAR]


def test_summary_page_has_a_panel_per_output_the_strategy_fields_and_none_empty(run):
    strategy, model, summary, frames = run
    fig = summary_figure(model, summary, frames)
    titles = [ax.get_title() for ax in fig.axes]
    # map and civilians killed always; patrols, team visits and alerts only where fielded
    expected = {"none": 2, "unarmed": 4, "static_deterrence": 5}[strategy]
    assert len(fig.axes) == expected, titles
    assert all(_has_data(ax) for ax in fig.axes), titles
    if strategy == "none":
        assert not any("Output" in t for t in titles)
        assert any("No mission" in t.get_text() for t in fig.texts)  # said, not left blank
    if strategy == "static_deterrence":  # patrols and alerts each on an axis of its own
        patrols = [ax for ax in fig.axes if "patrols" in ax.get_title()]
        alerts = [ax for ax in fig.axes if "alerts" in ax.get_title()]
        assert len(patrols) == 1 and len(alerts) == 1 and patrols[0] is not alerts[0]
        assert patrols[0].get_ylim()[1] > alerts[0].get_ylim()[1]  # the scale each needs
    plt.close(fig)


def test_maps_carry_a_scale_bar_in_km(run):
    _, model, summary, frames = run
    fig = summary_figure(model, summary, frames)
    bars = [bar for ax in fig.axes for bar in _scale_bars(ax)]
    assert len(bars) == 1 and bars[0].txt_label.get_text() == "10 km"  # 60 km wide: a fifth is 12
    plt.close(fig)
    fig, draw = animation_figure(model, frames)
    draw(len(frames) - 1)
    assert [len(_scale_bars(ax)) for ax in fig.axes] == [1, 0]  # on the map, not the counters
    plt.close(fig)


@pytest.mark.parametrize("width_km, bar_km", [(60, 10), (30, 5), (200, 50), (224, 50), (1000, 200), (12, 2)])
def test_scale_bar_is_a_round_number_near_a_fifth_of_the_map(width_km, bar_km):
    assert scale_bar_km(width_km) == bar_km
