"""Exports for slides: an animated map with its two counters, and a one-page summary."""

import os
import shutil
import subprocess
import sys

from PIL import Image

SMALL = ["scenario.terrain.width=60", "scenario.terrain.height=60", "scenario.terrain.n_towns=3",
         "scenario.terrain.town_spacing_km=15", "scenario.villages.count=90", "strategy=static_deterrence"]
ENV = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "CI": "1"}


def pocsim(*args, cwd):
    return subprocess.run([sys.executable, "-m", "pocsim", *SMALL, *args], cwd=cwd, capture_output=True, text=True,
                          env=ENV, timeout=300)


def test_gif_export_animates_the_run_and_adds_a_summary_page(tmp_path):
    r = pocsim("+export=gif", "days=9", "hydra.run.dir=out", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    gif = Image.open(tmp_path / "out" / "run.gif")
    assert gif.n_frames == 3  # days 3, 6, 9
    page = Image.open(tmp_path / "out" / "summary.png")
    assert page.size[0] > page.size[1]  # landscape, for a slide
    assert (tmp_path / "out" / "summary.json").exists()


def test_png_export_writes_only_the_page(tmp_path):
    r = pocsim("+export=png", "days=2", "hydra.run.dir=out", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "summary.png").exists() and not (tmp_path / "out" / "run.gif").exists()


def test_mp4_export_needs_ffmpeg(tmp_path):
    r = pocsim("+export=mp4", "days=3", "hydra.run.dir=out", cwd=tmp_path)
    if shutil.which("ffmpeg"):
        assert r.returncode == 0 and (tmp_path / "out" / "run.mp4").stat().st_size > 0
    else:
        assert r.returncode == 2 and "ffmpeg" in r.stderr and len(r.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "out").exists()  # nothing half-written
