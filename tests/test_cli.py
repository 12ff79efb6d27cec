"""The command line as users meet it: a run folder, byte-identical reruns, one-line errors."""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

SMALL = ["scenario.terrain.width=60", "scenario.terrain.height=60", "scenario.terrain.n_towns=3",
         "scenario.terrain.town_spacing_km=15", "scenario.villages.count=90", "days=5"]


def pocsim(*args, cwd):
    return subprocess.run([sys.executable, "-m", "pocsim", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)}, timeout=300)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("cli")
    for name in ("a", "b"):
        r = pocsim(*SMALL, "seed=3", "strategy=mobile_operations", f"hydra.run.dir=out/{name}", cwd=cwd)
        assert r.returncode == 0, r.stderr
    return cwd, r


def test_a_run_writes_its_folder_and_prints_a_summary(two_runs):
    cwd, r = two_runs
    folder = cwd / "out" / "a"
    assert {p.name for p in folder.iterdir()} == {".hydra", "summary.json", "events.parquet", "timeseries.parquet",
                                                  "villages.parquet", "patrols.parquet", "bases.parquet",
                                                  "timing.json"}
    summary = json.loads((folder / "summary.json").read_text())
    for key in ("seed", "scenario", "strategy", "days", "population", "civilian_deaths", "civilian_injuries",
                "displaced", "attacks", "deaths_by_rebels", "deaths_by_state_forces", "pocsim_version"):
        assert key in summary
    assert summary["seed"] == 3 and summary["days"] == 5 and summary["strategy"] == "mobile_operations"
    assert "civilian deaths" in r.stdout and "run folder" in r.stdout


def test_same_config_and_seed_give_byte_identical_outputs(two_runs):
    """Every file of the run folder but timing.json (and Hydra's record of the folder's own name)."""
    cwd, _ = two_runs
    a, b = cwd / "out" / "a", cwd / "out" / "b"
    files = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    assert files == {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    names_the_folder = {Path(".hydra/hydra.yaml"), Path(".hydra/overrides.yaml"), Path("timing.json")}
    for name in files - names_the_folder:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert "runtime_s" in json.loads((a / "timing.json").read_text())


def test_rerunning_a_config_into_its_folder_writes_the_same_bytes(two_runs):
    cwd, _ = two_runs
    a = cwd / "out" / "a"
    before = {p: p.read_bytes() for p in a.rglob("*") if p.is_file() and p.name != "timing.json"}
    r = pocsim(*SMALL, "seed=3", "strategy=mobile_operations", "hydra.run.dir=out/a", cwd=cwd)
    assert r.returncode == 0, r.stderr
    assert before == {p: p.read_bytes() for p in a.rglob("*") if p.is_file() and p.name != "timing.json"}


def test_a_write_cut_short_leaves_nothing_a_rerun_keeps(two_runs):
    """A run killed while moving its files into place leaves a hidden .writing-* folder: the next
    run into the folder clears it."""
    cwd, _ = two_runs
    left = cwd / "out" / "b" / ".writing-x1y2"
    left.mkdir()
    (left / "events.parquet").write_bytes(b"half a table")
    r = pocsim(*SMALL, "seed=3", "strategy=mobile_operations", "hydra.run.dir=out/b", cwd=cwd)
    assert r.returncode == 0, r.stderr
    assert not list((cwd / "out" / "b").glob(".writing-*"))


def test_a_folder_holding_another_configuration_is_refused_and_left_as_it_was(two_runs):
    cwd, _ = two_runs
    a = cwd / "out" / "a"
    before = {p: p.read_bytes() for p in a.rglob("*") if p.is_file()}
    r = pocsim(*SMALL, "seed=4", "strategy=mobile_operations", "hydra.run.dir=out/a", cwd=cwd)
    assert r.returncode == 2
    assert r.stderr.strip() == ("pocsim: error: hydra.run.dir: out/a holds a finished run of another configuration "
                                "(it differs in seed); give this run another folder or remove that one")
    assert before == {p: p.read_bytes() for p in a.rglob("*") if p.is_file()}


def test_a_folder_in_use_by_a_running_run_is_refused(tmp_path):
    first = subprocess.Popen([sys.executable, "-m", "pocsim", "days=1000", "quiet=true", "hydra.run.dir=out/x"],
                             cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "out" / "x" / ".hydra").exists() and first.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        r = pocsim(*SMALL, "hydra.run.dir=out/x", cwd=tmp_path)
        assert first.poll() is None, "the first run ended before the second tried; the test needs a longer run"
        assert r.returncode == 2
        assert r.stderr.strip() == ("pocsim: error: hydra.run.dir: out/x is in use by another run; "
                                    "give this run another folder")
    finally:
        first.kill()
        first.wait()


def test_an_internal_error_exits_1_with_one_line_and_keeps_the_traceback(tmp_path):
    """A bug (here: the simulation raising) is not bad input: exit 1, the traceback in the run folder."""
    boom = ("import sys, pocsim.run as run\n"
            "def simulate(*a, **k): raise RuntimeError('boom')\n"
            "run.simulate = simulate\n"
            "from pocsim.cli import main\n"
            "sys.argv = ['pocsim', *sys.argv[1:]]\n"
            "main()\n")
    r = subprocess.run([sys.executable, "-c", boom, *SMALL, "hydra.run.dir=out/bug"], cwd=tmp_path,
                       capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, timeout=300)
    assert r.returncode == 1
    line = r.stderr.strip()
    assert line.startswith("pocsim: internal error: boom (a bug: the traceback is in ") and "\n" not in line
    assert line.endswith("out/bug/traceback.txt)"), line
    trace = (tmp_path / "out" / "bug" / "traceback.txt").read_text()
    assert "Traceback" in trace and "RuntimeError: boom" in trace
    assert (tmp_path / "out" / "bug" / ".hydra" / "config.yaml").exists()  # what to reproduce it with


def test_events_use_ucdp_columns(two_runs):
    import pandas as pd

    cwd, _ = two_runs
    ev = pd.read_parquet(cwd / "out" / "a" / "events.parquet")
    for col in ("id", "date_start", "type_of_violence", "side_a", "side_b", "best", "step", "x", "y",
                "village_id", "perpetrator_kind", "injuries", "displaced"):
        assert col in ev.columns
    assert set(ev.perpetrator_kind) <= {"rebel", "militia", "state", "mission"}


BAD = [
    (["days=-5"], "days: must be from 1 to 3653"),
    (["seed=-1"], "seed: must be from 0"),
    # numbers beyond sense: not finite, or far outside the parameter's plausible range
    (["days=99999999999999999999999"], "days: must be from 1 to 3653"),
    (["scenario.violence.lethality=nan"], "scenario.violence.lethality: must be a finite number"),
    (["mission.helicopter_kmh=inf"], "mission.helicopter_kmh: must be a finite number"),
    (["scenario.villages.town_population_median=1e300"], "scenario.villages.town_population_median: must be at most"),
    (["mission.troops=1000000000000"], "mission.troops: must be at most 120000"),
    (["scenario.terrain.cell_km=1e-9"], "scenario.terrain.cell_km: must be at least 0.05"),
    (["step_hours=0.00000095367431640625"], "step_hours: must be a divisor of 24 from 0.25 to 1"),
    (["step_hours=24"], "step_hours: must be a divisor of 24 from 0.25 to 1"),
    (["step_hours=2"], "step_hours: must be a divisor of 24 from 0.25 to 1 hours (longer steps add deaths"),
    (["days=nan"], "days"),
    (["strategy=modular,none"], "add -m, e.g. pocsim -m strategy=modular,none"),
    (["foo=1"], "foo"),
    (["+experiment=x"], "Could not find 'experiment/x' (allowed experiment options: alert_response"),
    (["+colour=red"], "colour: unknown key"),
    (["scenario=nope"], "allowed scenario options: car_ouaka, car_ouham, country, default"),
    (["strategy=nope"], "allowed strategy options: historical_minusca, mobile_operations, modular, none, "
                        "static_deterrence, unarmed"),
    (["mission.troops=-1"], "mission.troops: must be >= 0"),
    # tools take shares of each resource; the check names every share that makes up the total
    (["strategy=unarmed", "strategy.tools.joint_protection_teams.staff_share=0.9"],
     "strategy.tools: the shares of mission.civilian_staff must add up to at most 1, got 1.55 "
     "(joint_protection_teams.staff_share 0.9, liaison.staff_share 0.3"),
    (["strategy=none", "strategy.tools.reaction_force.troop_share=-0.1"],  # a tool switched off is checked too
     "strategy.tools.reaction_force.troop_share: must be in [0, 1]"),
    (["strategy=static_deterrence", "strategy.tools.reaction_force.troop_share=-0.1"],
     "strategy.tools.reaction_force.troop_share: must be in [0, 1]"),
    (["strategy.tools.artillery.enabled=true"], "strategy.tools.artillery"),
    (["mission.alert_coverage=0.5"], "mission.alert_coverage"),  # now strategy.tools.alert_network.coverage
    (["+patrolling=sometimes"], "allowed patrolling options: none, route, threat"),
    (["days=abc"], "days"),
    (["engine=cuda"], "numba, numpy"),
    (["scenario.villages.count=100000"], "scenario.villages.count"),
    (["scenario.villages.village_population_median=-4"], "village_population_median: must be > 0"),
    (["scenario.groups.0.strength=-3"], "scenario.groups[0].strength"),
    (["scenario.groups.0.community=Nobody"], "scenario.groups[0].community"),
    (["scenario.terrain.source=file"], "scenario.terrain.layers_file"),
    # a missing file is named before any other check (here a share that is out of range)
    (["scenario.terrain.source=file", "scenario.terrain.layers_file=missing.npz", "scenario.villages.track_share=2"],
     "scenario.terrain.layers_file: file not found: missing.npz"),
    (["scenario.terrain.source=file", "scenario.terrain.layers_file=missing.npz",
      "scenario.terrain.settlements_file=missing.csv"], "file not found: missing.npz"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_gets_one_clear_line_and_leaves_nothing(tmp_path, args, message):
    r = pocsim(*args, "hydra.run.dir=out/bad", cwd=tmp_path)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pocsim: error: "), r.stderr
    assert message in lines[0]
    assert "Traceback" not in r.stderr + r.stdout
    assert not (tmp_path / "out" / "bad").exists()


def test_full_error_shows_the_traceback(tmp_path):
    r = subprocess.run([sys.executable, "-m", "pocsim", "days=-5", "hydra.run.dir=out/bad"], cwd=tmp_path,
                       capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HYDRA_FULL_ERROR": "1"})
    assert r.returncode != 0 and "Traceback" in r.stderr


def test_an_installed_wheel_finds_its_configs(tmp_path):
    """Hydra must find configs/ from a wheel too, not only from a clone."""
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                            str(repo), "-w", str(tmp_path / "wheel")], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    wheel = next((tmp_path / "wheel").glob("pocsim-*.whl"))
    site = tmp_path / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
                              str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    run = subprocess.run([sys.executable, "-c", "import pocsim, sys; print(pocsim.__file__); "
                          "from pocsim.cli import main; sys.argv=['pocsim', *sys.argv[1:]]; main()",
                          *SMALL, "days=1", "hydra.run.dir=out/w"],
                         cwd=tmp_path, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin",
                                                                            "PYTHONPATH": str(site)})
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(str(site))
    assert (tmp_path / "out" / "w" / "summary.json").exists()


def test_ctrl_c_stops_a_parallel_sweep_with_one_line(tmp_path):
    """Ctrl-C reaches every process of the terminal's process group: joblib's workers leave it to
    the sweep, which stops them and says in one line what is kept."""
    import os
    import signal
    import time

    sweep = tmp_path / "sweep"
    # as from a terminal: Ctrl-C at its default, whatever an earlier test left in this test process
    # (an ignored signal stays ignored across exec)
    proc = subprocess.Popen([sys.executable, "-m", "pocsim", "-m", "+launcher=joblib", *SMALL, "days=60",
                             "seed=range(0,40)", f"hydra.sweep.dir={sweep}"], cwd=tmp_path, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "CI": "1"},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 120
    while not list(sweep.glob("*/summary.json")) and time.time() < deadline:
        time.sleep(0.2)
    assert list(sweep.glob("*/summary.json")), "no run finished in time"
    # the workers never see Ctrl-C (a worker that got it before its first task printed a
    # traceback of its own, now and then): it is blocked for them from the start (Linux's /proc)
    workers = subprocess.run(["pgrep", "-f", "-P", str(proc.pid), "loky.backend.popen_loky"], capture_output=True,
                             text=True).stdout.split()
    assert workers
    for pid in workers:
        blocked = int(re.search(r"SigBlk:\s*(\w+)", Path(f"/proc/{pid}/status").read_text()).group(1), 16)
        assert blocked & (1 << (signal.SIGINT - 1)), f"worker {pid} can receive Ctrl-C"
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip().splitlines() == ["pocsim: interrupted; finished runs are kept (resume=true picks up the rest)"]
    assert "Traceback" not in out + err


def _interrupt(args: list, cwd, after):
    """Start a command as from a terminal (Ctrl-C at its default), press Ctrl-C once `after()` holds."""
    import os
    import signal

    proc = subprocess.Popen(args, cwd=cwd, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "CI": "1"},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 120
    while not after() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the command ended before Ctrl-C"
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


@pytest.mark.parametrize("command", ["pocsim", "pocsim-app"])
def test_ctrl_c_while_a_command_is_still_importing_is_one_line(tmp_path, command):
    started = time.time()
    code, out, err = _interrupt([str(Path(sys.executable).parent / command)], tmp_path,
                                after=lambda: time.time() - started > 0.3)  # its imports take a second or more
    assert code == 130 and err.strip() == f"{command}: interrupted while starting", err
    assert "Traceback" not in out + err


def test_ctrl_c_during_a_single_run_leaves_no_folder(tmp_path):
    code, out, err = _interrupt([sys.executable, "-m", "pocsim", "days=365", "hydra.run.dir=out/x"], tmp_path,
                                after=lambda: (tmp_path / "out" / "x" / ".hydra").exists())
    assert code == 130, err
    assert err.strip() == "pocsim: interrupted; the run did not finish (nothing of it was kept)"
    assert not (tmp_path / "out" / "x").exists()


def test_a_ctrl_c_swallowed_by_a_callback_is_delivered_again(monkeypatch):
    """Python 'ignores' a KeyboardInterrupt raised in a weakref callback or finaliser (it prints a
    traceback and goes on); pocsim delivers it again once the callback is over."""
    import time
    import weakref

    import signal

    from pocsim.cli import _interrupt_again

    monkeypatch.setattr(sys, "unraisablehook", _interrupt_again)
    # Python's own Ctrl-C handler, as in pocsim's process, whatever an earlier test left here
    signal.signal(signal.SIGINT, signal.default_int_handler)

    class Thing:
        pass

    def callback(_):
        raise KeyboardInterrupt

    thing = Thing()
    ref = weakref.ref(thing, callback)  # noqa: F841 (kept alive so that its callback runs)
    with pytest.raises(KeyboardInterrupt):
        del thing
        for _ in range(500):
            time.sleep(0.01)


def test_ctrl_c_wrapped_by_an_import_is_still_one_line(monkeypatch, capsys):
    # Python wraps an exception from a class body's __set_name__ (matplotlib's axes) in a RuntimeError
    # caused by it; CI once caught Ctrl-C there and printed a traceback
    from pocsim import entry

    def importing(name):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:
            raise RuntimeError("Error calling __set_name__") from interrupt

    monkeypatch.setattr(entry.importlib, "import_module", importing)
    with pytest.raises(SystemExit) as stop:
        entry.app()
    assert stop.value.code == 130
    assert capsys.readouterr().err.strip() == "pocsim-app: interrupted while starting"

    def broken(name):
        raise RuntimeError("a real bug")

    monkeypatch.setattr(entry.importlib, "import_module", broken)
    with pytest.raises(RuntimeError, match="a real bug"):
        entry.app()
