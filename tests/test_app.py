"""The trainers' browser app (pocsim.app, pocsim.app_page): the model, the figures and the command
without a browser, then the real app in a real browser (Debian's chromium driven by Playwright),
started as users start it (the `pocsim-app` console script): what it shows (slider values, the
time as day and hour, a large map, the mission's picture, no Mesa leftovers), Reset, Step, Play,
and Ctrl-C."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from pocsim import app
from pocsim.app import (DEFAULTS, HOURS_PER_FRAME, LAYERS, SCENARIOS, STRATEGIES, TrainingModel, blind_cells,
                        chart_series, charts_png, clock, counters_html, draw_charts, draw_map, exposure_warning,
                        legend_png, picture_memory_hours, threat_layer)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
POCSIM_APP = Path(sys.executable).parent / "pocsim-app"  # the console script, as users run it
PNG = b"\x89PNG"
PLAY_SECONDS = 10.0  # how long the browser test plays (each run) to measure the play speed


# --- without a browser --------------------------------------------------------------------------
def test_training_model_records_and_draws():
    m = TrainingModel(strategy="mobile_operations", small=True, seed=1)
    assert m.terrain.shape == (60, 60) and len(m.villages) == 90
    for _ in range(48):
        m.step()
    assert m.t == 48 and len(m.ledger.days) == 2 and len(m.daily_outputs) == 2
    assert m.daily_outputs[-1]["patrols"] > 0  # the mission did something
    assert any(len(track) > 1 for track in m.tracks.values())  # and the app saw where its units went
    s = chart_series(m)
    assert list(s["day"]) == [1, 2] and s["Patrols"][-1] == m.daily_outputs[-1]["patrols"]
    assert np.all(np.diff(s["Civilian deaths"]) >= 0)
    for layer in LAYERS:
        assert isinstance(draw_map(m, layer), Figure)
        assert legend_png(layer, picture_memory_hours(m)).startswith(PNG)
    assert threat_layer(m, "true threat") is m.threat.field
    assert threat_layer(m, "mission's picture").shape == m.terrain.shape
    assert isinstance(draw_charts(m), Figure)
    html = counters_html(m)
    assert "day 3, 00:00" in html and "mobile_operations" in html and "Patrols" in html


def test_time_is_told_as_day_and_hour():
    m = TrainingModel(strategy="none", small=True)
    assert clock(m) == "day 1, 00:00"
    for _ in range(24 + 14):
        m.step()
    assert clock(m) == "day 2, 14:00" and "day 2, 14:00" in counters_html(m)
    assert "step" not in counters_html(m).lower()


def test_the_map_fills_its_figure_at_four_pixels_a_kilometre():
    m = TrainingModel(strategy="none")
    fig = draw_map(m)
    width, height = fig.get_size_inches() * fig.dpi
    assert m.terrain.shape == (200, 200) and width == height == 800  # the page shows it across 3/5 of the width
    assert fig.axes[0].get_position().bounds == (0, 0, 1, 1)


def test_the_missions_picture_shows_what_it_knows_and_where_it_is_blind():
    m = TrainingModel(strategy="static_deterrence", small=True, seed=1)
    none = TrainingModel(strategy="none", small=True, seed=1)
    near = app._nearest_village(m)
    assert blind_cells(m).sum() == blind_cells(none).sum() == (near >= 0).sum()  # nothing known yet
    for _ in range(24 * 5):
        m.step()
        none.step()
    blind = blind_cells(m)
    assert 0 < blind.sum() < (near >= 0).sum()  # reports on some villages, not on all
    assert blind_cells(none).sum() == (near >= 0).sum()  # no mission: blind everywhere
    fig = draw_map(m, "mission's picture")
    veil = fig.axes[0].images[1].get_array()
    assert veil.shape == m.terrain.shape + (4,) and (veil[..., 3] > 0).sum() == blind.sum()
    assert "no report in the last 5 days" in str([h.get_label() for h in app._legend_handles(
        "mission's picture", app.picture_memory_hours(m))])


def test_charts_are_updated_in_place():
    m = TrainingModel(strategy="modular", small=True)
    first = charts_png(m)
    charts = m._app_charts
    for _ in range(48):
        m.step()
    again = charts_png(m)
    assert m._app_charts is charts and again.startswith(PNG) and again != first
    assert list(charts.lines["Patrols"].get_xdata()) == [1, 2]
    assert not charts.empty.get_visible()


def test_tabs_can_build_their_models_at_once():
    """Every browser tab builds its model in a thread of its own; Hydra's compose is global state."""
    errors = []

    def build():
        try:
            TrainingModel(strategy="none", small=True)
        except Exception as exc:  # noqa: BLE001 (collected, then asserted on)
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_alerts_are_logged_as_they_reach_the_mission():
    m = TrainingModel(strategy="modular", small=True, seed=2)
    for _ in range(24 * 20):
        m.step()
    assert m.alert_log and len(m.alert_log) == m.mission.outputs.alerts_raised  # every alert is seen
    for step, village, _ in m.alert_log:
        assert 0 < step <= m.t and 0 <= village < len(m.villages)


def test_no_mission_draws_too():
    m = TrainingModel(strategy="none", small=True)
    for _ in range(24):
        m.step()
    assert m.daily_outputs == [dict(patrols=0, patrol_km=0.0, jpt_visits=0, alerts_raised=0,
                                    alerts_answered_in_time=0)]
    for layer in LAYERS:
        draw_map(m, layer)
    assert app.picture_memory_hours(m) is None and legend_png("mission's picture", None).startswith(PNG)
    draw_charts(m)
    assert "strategy <b>none</b>" in counters_html(m)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_runs_and_draws(scenario):
    m = TrainingModel(scenario=scenario, strategy="modular", small=True)
    for _ in range(30):
        m.step()
    draw_map(m, "mission's picture")
    draw_charts(m)


def test_the_model_keeps_the_parameters_it_was_built_with():
    m = TrainingModel(scenario="state_perpetrator", strategy="unarmed", troops=800, alert_coverage=0.5,
                      authorisation_hours=6.0, seed=3, small=True)
    assert m.mission.cfg.troops == 800 and m.strategy.tools.alert_network.coverage == 0.5
    assert m.mission.tool("alert_network").p.coverage == 0.5  # the fielded network enrols with it
    assert m.mission.cfg.authorisation_hours == 6.0 and m.seed == 3 and m.scenario.name == "state_perpetrator"
    assert set(STRATEGIES) == {"none", "static_deterrence", "mobile_operations", "unarmed", "modular"}
    assert DEFAULTS["strategy"] == "none"  # the page opens on the baseline


# --- the command --------------------------------------------------------------------------------
def _run(*args, code=None, timeout=120):
    """pocsim-app's main in a fresh interpreter (a `-c` program, so that `code` can run first)."""
    program = (code or "") + "\nimport sys\nfrom pocsim.app import main\nsys.argv[0] = 'pocsim-app'\nmain()\n"
    return subprocess.run([sys.executable, "-c", program, *args], capture_output=True, text=True, timeout=timeout)


def test_command_line_help():
    out = subprocess.run([sys.executable, "-m", "pocsim.app", "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "--host" in out.stdout and "--port" in out.stdout


@pytest.mark.parametrize("args", [["--port", "-1"], ["--port", "99999"], ["--port=0"], ["--port", "http"]])
def test_a_bad_port_is_one_line(args):
    out = _run(*args)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert out.stderr.startswith("pocsim-app: error: argument --port:") and "from 1 to 65535" in out.stderr


def test_a_port_in_use_is_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = _run("--port", str(port))
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    assert f"--port {port}: already in use" in out.stderr


BLOCK_APP_PACKAGES = """
import sys
class NoAppPackages:  # as if `pip install -e '.[app]'` had not been run
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "solara" or name.startswith("mesa.visualization"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, NoAppPackages())
"""


def test_without_the_apps_packages_it_says_how_to_install_them():
    out = _run(code=BLOCK_APP_PACKAGES)
    assert out.returncode != 0 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr, out.stderr
    assert "pip install -e '.[app]'" in out.stderr and "solara" in out.stderr
    helped = _run("--help", code=BLOCK_APP_PACKAGES)  # help needs none of them
    assert helped.returncode == 0 and "--port" in helped.stdout


def test_listening_beyond_this_machine_warns(monkeypatch, capsys):
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.5"):
        assert exposure_warning(host) is None
    for host in ("0.0.0.0", "::", "192.168.1.20", "classroom.example.org"):
        warning = exposure_warning(host)
        assert "no authentication" in warning and "anyone on the network" in warning and f"--host {host}" in warning
    pytest.importorskip("solara", reason="the app's packages are not installed (pip install -e '.[app]')")
    served = []
    monkeypatch.setattr(app, "_serve", lambda host, port: served.append((host, port)))
    app.main(["--host", "0.0.0.0", "--port", str(_free_port())])
    err = capsys.readouterr().err
    assert served and served[0][0] == "0.0.0.0"
    assert err.count("\n") == 1 and "no authentication" in err and "anyone on the network" in err


# --- in a browser -------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_served(url: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"pocsim-app exited early with status {proc.returncode}")
        try:
            with direct.open(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"pocsim-app did not serve {url} within {timeout:.0f} s")


@pytest.fixture
def app_url(tmp_path):
    """pocsim-app as users start it (the console script), stopped with Ctrl-C (SIGINT) at the end:
    it must exit with status 130 and say so in one line."""
    pytest.importorskip("solara", reason="the app's packages are not installed (pip install -e '.[app]')")
    if not POCSIM_APP.exists():
        pytest.skip(f"no console script at {POCSIM_APP} (pip install -e '.[app]')")
    port = _free_port()
    out, err = open(tmp_path / "server.log", "w"), open(tmp_path / "server.err", "w")
    proc = subprocess.Popen([str(POCSIM_APP), "--host", "127.0.0.1", "--port", str(port)], stdout=out, stderr=err,
                            cwd=tmp_path, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        _wait_until_served(f"http://127.0.0.1:{port}/", proc)
        # it listens on the address it was given and no other (127.0.0.2 is loopback too)
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.2", port), timeout=2).close()
        yield f"http://127.0.0.1:{port}/"
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        assert proc.wait(timeout=30) == 130
        assert (tmp_path / "server.err").read_text() == "pocsim-app: stopped (Ctrl-C)\n"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        out.close()
        err.close()


def _number(page, label: str) -> int:
    """A total from the counters table, by its row label."""
    text = page.locator(".pocsim-counters").inner_text()
    match = re.search(re.escape(label) + r"\s+([\d,]+)", text)
    assert match, f"{label!r} not in the counters: {text!r}"
    return int(match.group(1).replace(",", ""))


def _hours(page) -> int:
    """The model's time in hours, read from the clock above the counters ("day 3, 14:00")."""
    day, hour = re.fullmatch(r"day (\d+), (\d\d):00", page.locator(".pocsim-clock").inner_text()).groups()
    return (int(day) - 1) * 24 + int(hour)


def _differing_share(a: bytes, b: bytes) -> float:
    """The share of pixels that differ (by more than a little) between two same-size screenshots."""
    from PIL import Image

    x, y = (np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int) for png in (a, b))
    return float((np.abs(x - y).sum(axis=2) > 30).mean())


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no browser at {CHROMIUM} (apt-get install -y chromium)")
def test_app_in_a_browser(app_url, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    expect = playwright.expect
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(app_url)
            counters = page.locator(".pocsim-counters")
            clock_label = page.locator(".pocsim-clock")

            # it opens on the world without a mission, at day 1, 00:00: time as day and hour
            expect(clock_label).to_have_text("day 1, 00:00", timeout=60_000)
            expect(page.locator(".pocsim-big-clock")).to_have_text("day 1, 00:00")
            expect(counters).to_contain_text("strategy none")
            # none of Mesa's SolaraViz leftovers: no "Page 0" tab, no "Use Threads", no step count
            assert page.get_by_role("tab").count() == 0
            assert page.get_by_text(re.compile(r"page 0", re.I)).count() == 0
            assert page.get_by_text(re.compile(r"use threads", re.I)).count() == 0
            assert page.get_by_text(re.compile(r"\bstep:\s*\d|\(step \d", re.I)).count() == 0  # "Step: 25"

            # every slider shows its value
            shown = {"hours": f"{HOURS_PER_FRAME} h", "troops": "1,200", "alert_coverage": "1.00",
                     "authorisation_hours": "3 h", "seed": "0"}
            for name, value in shown.items():
                expect(page.locator(f".pocsim-setting-{name} .pocsim-value")).to_have_text(value)
                assert page.locator(f".pocsim-setting-{name} .v-slider").bounding_box()["width"] > 200

            # a large map: 3/5 of the page's width beside the sidebar, square like the world
            box = page.locator(".pocsim-map-image").bounding_box()
            assert box["width"] >= 640 and abs(box["height"] - box["width"]) <= 2, box

            # another strategy and a lower alert coverage (its slider, by keyboard), then Reset runs them
            page.get_by_role("button", name=re.compile("Strategy")).click()
            page.get_by_role("option", name="mobile_operations").click()
            coverage = page.locator(".pocsim-setting-alert_coverage [role=slider]")
            coverage.focus()
            for _ in range(2):
                coverage.press("ArrowLeft")
            expect(page.locator(".pocsim-setting-alert_coverage .pocsim-value")).to_have_text("0.90")
            expect(page.get_by_text("Changed: press Reset to run this setting.")).to_be_visible()
            page.get_by_role("button", name="Reset").click()
            expect(counters).to_contain_text("strategy mobile_operations", timeout=30_000)
            expect(counters).to_contain_text("alert coverage 0.90")
            expect(page.get_by_text("Changed: press Reset to run this setting.")).to_have_count(0)
            assert _number(page, "Patrols") == 0

            # Step runs a day
            charts = page.locator(".pocsim-charts img")
            before = charts.screenshot()
            page.get_by_role("button", name="Step").click()
            expect(clock_label).to_have_text("day 2, 00:00", timeout=30_000)
            assert _number(page, "Patrols") > 0 and _number(page, "Patrol km") > 0
            assert _number(page, "People-exposed-hours") >= 0
            deadline = time.monotonic() + 20
            while charts.screenshot() == before and time.monotonic() < deadline:
                time.sleep(0.3)
            assert charts.screenshot() != before  # the charts have their first day

            # or fewer hours: 14 of them (Home is 1 hour, then 13 steps right)
            hours = page.locator(".pocsim-setting-hours [role=slider]")
            hours.focus()
            hours.press("Home")
            for _ in range(13):
                hours.press("ArrowRight")
            expect(page.locator(".pocsim-setting-hours .pocsim-value")).to_have_text("14 h")
            page.get_by_role("button", name="Step").click()
            expect(clock_label).to_have_text("day 2, 14:00", timeout=30_000)
            hours.press("End")
            expect(page.locator(".pocsim-setting-hours .pocsim-value")).to_have_text("72 h")
            page.get_by_role("button", name="Step").click()
            expect(clock_label).to_have_text("day 5, 14:00", timeout=30_000)

            # the mission's picture: clearly not the bare map (grey where it has no recent report,
            # purple where it believes there is threat)
            map_img = page.locator(".pocsim-map-image")
            page.get_by_role("button", name="none").click()
            time.sleep(1.0)
            bare = map_img.screenshot()
            page.get_by_role("button", name="mission's picture").click()
            deadline = time.monotonic() + 20
            while _differing_share(map_img.screenshot(), bare) < 0.01 and time.monotonic() < deadline:
                time.sleep(0.3)
            time.sleep(0.5)
            picture = map_img.screenshot()
            assert _differing_share(picture, bare) > 0.10  # a tenth of the map or more is shaded

            # play, then pause, as docs/app.md measures the play speed: Play for PLAY_SECONDS, read
            # the clock; POCSIM_APP_PLAY_RUNS=5 gives the median of five. Written down, not asserted.
            hours.press("Home")
            for _ in range(23):
                hours.press("ArrowRight")
            expect(page.locator(".pocsim-setting-hours .pocsim-value")).to_have_text("24 h")
            speeds = []
            for _ in range(int(os.environ.get("POCSIM_APP_PLAY_RUNS", "1"))):
                start, t0 = _hours(page), time.monotonic()
                page.get_by_role("button", name=re.compile("Play")).click()
                expect(page.get_by_role("button", name="Step")).to_be_disabled()
                time.sleep(PLAY_SECONDS)
                played, elapsed = _hours(page) - start, time.monotonic() - t0
                page.get_by_role("button", name=re.compile("Pause")).click()
                expect(page.get_by_role("button", name="Step")).to_be_enabled()
                assert played >= 24 and played % 24 == 0  # whole days, one frame each
                speeds.append(played / elapsed)
                time.sleep(1.0)  # the frame that was being made when Pause was pressed
                paused = _hours(page)
                time.sleep(1.5)
                assert _hours(page) == paused  # paused: the clock stands still
            speed = float(np.median(speeds))
            runs = ", ".join(f"{v:.1f}" for v in speeds)
            (tmp_path / "play_speed.txt").write_text(f"{speed:.1f} h/s (median of {runs})\n")
            print(f"play speed: {speed:.1f} simulated hours a second (median of {runs}; {PLAY_SECONDS:g} s each)")

            shot = tmp_path / "pocsim-app.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 20_000
            if os.environ.get("POCSIM_APP_SCREENSHOT"):  # keep a copy to look at
                shutil.copy(shot, os.environ["POCSIM_APP_SCREENSHOT"])
        finally:
            browser.close()
    log = (tmp_path / "server.log").read_text() + (tmp_path / "server.err").read_text()
    assert "Traceback" not in log and "ERROR" not in log
    assert "Could not load URL" not in log  # every web asset was served from this machine
