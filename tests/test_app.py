"""The trainers' browser app (pocsim.app): the model and figures without a browser, then the real
app in a real browser (Debian's chromium driven by Playwright): change the strategy, reset, step a
day, see the counters and charts move, toggle the threat layer, play and measure the speed."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest
from matplotlib.figure import Figure

pytest.importorskip("solara", reason="the app's packages are not installed (pip install 'pocsim[app]')")

from pocsim.app import (LAYERS, RENDER_EVERY, SCENARIOS, STRATEGIES, TrainingModel,  # noqa: E402
                        chart_series, counters_html, draw_charts, draw_map, threat_layer)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


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
    assert threat_layer(m, "true threat") is m.threat.field
    assert threat_layer(m, "mission's picture").shape == m.terrain.shape
    assert isinstance(draw_charts(m), Figure)
    html = counters_html(m)
    assert "Elapsed: 2 d 00 h" in html and "mobile_operations" in html and "Patrols" in html


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


def test_command_line_help():
    out = subprocess.run([sys.executable, "-m", "pocsim.app", "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "--host" in out.stdout and "--port" in out.stdout


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
    port = _free_port()
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "pocsim.app", "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        _wait_until_served(f"http://127.0.0.1:{port}/", proc)
        # it listens on the address it was given and no other (127.0.0.2 is loopback too)
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.2", port), timeout=2).close()
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def _number(page, label: str) -> int:
    """A total from the counters table, by its row label."""
    text = page.locator(".pocsim-counters").inner_text()
    match = re.search(re.escape(label) + r"\s+([\d,]+)", text)
    assert match, f"{label!r} not in the counters: {text!r}"
    return int(match.group(1).replace(",", ""))


def _steps(page) -> int:
    return int(re.search(r"step (\d+)", page.locator(".pocsim-counters").inner_text()).group(1))


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no browser at {CHROMIUM} (apt-get install -y chromium)")
def test_app_in_a_browser(app_url, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(app_url)
            counters = page.locator(".pocsim-counters")
            playwright.expect(counters).to_contain_text("Elapsed: 0 d 00 h", timeout=60_000)
            playwright.expect(counters).to_contain_text("strategy static_deterrence")

            # another strategy: pick it, then Reset builds the new model
            page.get_by_role("button", name=re.compile("Strategy")).click()
            page.get_by_role("option", name="mobile_operations").click()
            page.get_by_role("button", name="Reset").click()
            playwright.expect(counters).to_contain_text("strategy mobile_operations", timeout=30_000)
            assert _number(page, "Patrols") == 0

            charts = page.locator(".pocsim-charts img")
            before = charts.screenshot()
            page.get_by_role("button", name="Step").click()  # one frame: about a day
            d, h = divmod(RENDER_EVERY, 24)
            playwright.expect(counters).to_contain_text(f"Elapsed: {d} d {h:02d} h", timeout=30_000)
            playwright.expect(page.get_by_text(f"Step: {RENDER_EVERY}")).to_be_visible()
            assert _number(page, "Patrols") > 0 and _number(page, "Patrol km") > 0
            assert _number(page, "People-exposed-hours") >= 0
            time.sleep(0.5)
            assert charts.screenshot() != before  # the charts have their first day

            # the mission's picture instead of the true threat
            map_img = page.locator(".pocsim-map img")
            before = map_img.screenshot()
            page.get_by_role("button", name="mission's picture").click()
            playwright.expect(page.locator(".pocsim-map")).to_be_visible()
            deadline = time.monotonic() + 20
            while map_img.screenshot() == before and time.monotonic() < deadline:
                time.sleep(0.3)
            assert map_img.screenshot() != before

            # play for a while: several steps per second, rendering one frame per day
            start, t0 = _steps(page), time.monotonic()
            page.get_by_role("button", name="▶").click()
            time.sleep(12)
            page.get_by_role("button", name="❚❚").click()
            elapsed = time.monotonic() - t0
            time.sleep(1.0)
            played = _steps(page) - start
            speed = played / elapsed
            (tmp_path / "play_speed.txt").write_text(f"{played} steps in {elapsed:.1f} s: {speed:.1f} steps/s\n")
            print(f"play speed: {played} steps in {elapsed:.1f} s = {speed:.1f} steps/s")
            assert played >= 24 * 2 and speed >= 3.0
            assert _number(page, "Patrols") > 0

            shot = tmp_path / "pocsim-app.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 20_000
            if os.environ.get("POCSIM_APP_SCREENSHOT"):  # keep a copy to look at
                shutil.copy(shot, os.environ["POCSIM_APP_SCREENSHOT"])
        finally:
            browser.close()
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log
    assert "Could not load URL" not in log  # every web asset was served from this machine
