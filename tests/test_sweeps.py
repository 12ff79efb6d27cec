"""Sweeps as planners run them: Hydra multirun, the gathered table, failures, resume, reports,
experiment and launcher presets, and Ray on a local instance bound to loopback."""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile

import pandas as pd
import pytest
from hydra import compose, initialize_config_module

from tests.conftest import SMALL

ENV = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "CI": "1"}


def pocsim(*args, cwd, module="pocsim", env=None):
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, capture_output=True, text=True,
                          env={**ENV, **(env or {})}, timeout=600)


def report_cmd(*args, cwd):
    return subprocess.run([sys.executable, "-c", "from pocsim.report import main; main()", *args], cwd=cwd,
                          capture_output=True, text=True, env=ENV, timeout=600)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("sweep")
    r = pocsim("-m", "strategy=none,static_deterrence", "seed=0,1", "days=4", *SMALL, "hydra.sweep.dir=sw", cwd=cwd)
    assert r.returncode == 0, r.stderr
    return cwd / "sw", r


def test_a_sweep_gathers_every_run_into_one_table(sweep):
    sw, r = sweep
    results = pd.read_parquet(sw / "results.parquet")
    assert len(results) == 4 and (results.status == "ok").all()
    assert {"strategy", "seed", "days", "civilian_deaths", "patrols", "runtime_s", "pocsim_version",
            "git_commit"} <= set(results.columns)
    assert sorted(results.strategy.unique()) == ["none", "static_deterrence"]
    # runs that differ only by strategy share their seed, hence their world
    pops = results.groupby("seed").population.nunique()
    assert (pops == 1).all()
    comp = pd.read_csv(sw / "comparison.csv")
    row = comp[(comp.strategy == "static_deterrence") & (comp.metric == "civilian_deaths")].iloc[0]
    assert row.n == 2 and row.ci_low <= row["mean"] <= row.ci_high
    assert row.diff_low <= row.diff_mean <= row.diff_high
    # the end of a sweep prints a sentence per arm and the wide table
    assert "static_deterrence: " in r.stdout and "deaths vs baseline" in r.stdout


def test_the_report_has_its_figures(sweep):
    sw, _ = sweep
    text = (sw / "report.md").read_text()
    for name in ("strategy_comparison", "paired_outputs_vs_deaths", "cumulative_deaths", "harm_maps"):
        assert (sw / "figures" / f"{name}.png").stat().st_size > 0
        assert (sw / "figures" / f"{name}.svg").exists()
        assert name in text


def test_pocsim_report_regathers_a_sweep_run_elsewhere(sweep, tmp_path):
    sw, _ = sweep
    copy = tmp_path / "from_cluster"
    shutil.copytree(sw, copy)
    (copy / "results.parquet").unlink()
    r = report_cmd(str(copy), "--no-figures", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert len(pd.read_parquet(copy / "results.parquet")) == 4


def test_failed_runs_are_recorded_and_resume_skips_finished_ones(tmp_path):
    args = ["-m", "days=-1,3", *SMALL, "hydra.sweep.dir=sw"]
    r = pocsim(*args, cwd=tmp_path)
    assert r.returncode == 1 and "1 of 2 runs failed" in r.stderr
    results = pd.read_parquet(tmp_path / "sw" / "results.parquet")
    failed = results[results.status == "failed"].iloc[0]
    assert failed.days == -1 and "days: must be from 1" in failed.error
    done = tmp_path / "sw" / results[results.status == "ok"].iloc[0].run_dir / "summary.json"
    stamp = done.stat().st_mtime_ns
    # an interrupted run leaves nothing under a final name; resume reruns only what is missing
    r = pocsim(*args, "resume=true", cwd=tmp_path)
    assert done.stat().st_mtime_ns == stamp
    assert len(pd.read_parquet(tmp_path / "sw" / "results.parquet")) == 2


def test_a_damaged_summary_is_named_and_resume_runs_it_again(tmp_path):
    args = ["-m", "seed=0,1", "days=2", *SMALL, "hydra.sweep.dir=sw"]
    assert pocsim(*args, cwd=tmp_path).returncode == 0
    results = pd.read_parquet(tmp_path / "sw" / "results.parquet")
    damaged = tmp_path / "sw" / results[results.seed == 1].iloc[0].run_dir / "summary.json"
    damaged.write_text('{"civilian_deaths": 1')  # cut short, as by a full disk
    r = report_cmd(str(tmp_path / "sw"), "--no-figures", cwd=tmp_path)
    results = pd.read_parquet(tmp_path / "sw" / "results.parquet")
    row = results[results.seed == 1].iloc[0]
    assert row.status == "failed" and f"{damaged}: not a readable summary" in row.error
    r = pocsim(*args, "resume=true", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (pd.read_parquet(tmp_path / "sw" / "results.parquet").status == "ok").all()


def test_a_reused_sweep_folder_reports_only_the_new_sweep(tmp_path):
    assert pocsim("-m", "seed=0,1", "days=2", *SMALL, "hydra.sweep.dir=sw", cwd=tmp_path).returncode == 0
    r = pocsim("-m", "seed=2", "days=3", *SMALL, "hydra.sweep.dir=sw", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    results = pd.read_parquet(tmp_path / "sw" / "results.parquet")
    assert list(results.seed) == [2] and list(results.days) == [3]
    # pocsim-report reads the folder the same way
    assert report_cmd(str(tmp_path / "sw"), "--no-figures", cwd=tmp_path).returncode == 0
    assert list(pd.read_parquet(tmp_path / "sw" / "results.parquet").seed) == [2]


def test_values_beyond_a_results_table_do_not_lose_it(tmp_path):
    """A swept integer beyond 64 bits, or inf: refused runs, and the table still written."""
    r = pocsim("-m", "seed=1,99999999999999999999999", "scenario.violence.lethality=0.07,inf", "days=2", *SMALL,
               "hydra.sweep.dir=sw", cwd=tmp_path)
    assert r.returncode == 1 and "3 of 4 runs failed" in r.stderr, r.stderr
    results = pd.read_parquet(tmp_path / "sw" / "results.parquet")
    assert len(results) == 4 and (results.status == "ok").sum() == 1


BAD_SWEEPS = [
    (["+experiment=nope"], "Could not find 'experiment/nope'"),
    (["-m", "seed=range(0,0)", "days=2"], "the sweep has no runs"),
]


@pytest.mark.parametrize("args,message", BAD_SWEEPS, ids=["unknown experiment", "empty range"])
def test_bad_sweep_input_gets_one_line(tmp_path, args, message):
    r = pocsim(*args, "hydra.sweep.dir=sw", cwd=tmp_path)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], r.stderr


def test_report_on_a_folder_that_is_not_a_sweep(tmp_path):
    r = report_cmd(str(tmp_path), cwd=tmp_path)
    assert r.returncode == 2 and "not a sweep folder" in r.stderr and "Traceback" not in r.stderr


def composed(*overrides):
    with initialize_config_module(config_module="pocsim.configs", version_base="1.3"):
        return compose("config", overrides=list(overrides), return_hydra_config=True)


@pytest.mark.parametrize("name", ["compare_strategies", "troop_levels", "alert_response"])
def test_experiment_presets_set_their_own_sweep(name):
    cfg = composed(f"+experiment={name}")
    assert cfg.hydra.mode.name == "MULTIRUN"
    if name == "compare_strategies":  # runs until the answer is clear (tests/test_sequential.py)
        assert cfg.hydra.sweeper._target_.endswith("SequentialSweeper") and cfg.hydra.sweeper.max_seeds > 0
    else:
        assert "seed" in cfg.hydra.sweeper.params
    assert cfg.hydra.launcher._target_.endswith("JoblibLauncher") and cfg.hydra.launcher.n_jobs == -1


def test_an_experiment_preset_runs_end_to_end(tmp_path):
    r = pocsim("+experiment=alert_response", "seed=0", "mission.helicopters=2", "days=3", *SMALL,
               "hydra.sweep.dir=sw", "hydra.launcher.n_jobs=2", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    results = pd.read_parquet(tmp_path / "sw" / "results.parquet")
    assert len(results) == 4 and (results.strategy == "unarmed").all()


def test_slurm_preset_composes():
    cfg = composed("+launcher=slurm", "hydra.launcher.partition=cpu")
    assert "submitit" in cfg.hydra.launcher._target_ and cfg.hydra.launcher.partition == "cpu"


def test_local_ray_preset_binds_to_loopback():
    cfg = composed("+launcher=ray")
    assert cfg.hydra.launcher.ray.init._node_ip_address == "127.0.0.1"
    assert cfg.hydra.launcher.ray.init.address == "local"  # its own instance: not RAY_ADDRESS, nor a `ray start` one


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ray_launcher_on_a_local_instance_bound_to_loopback(tmp_path):
    ray = shutil.which("ray", path=os.path.dirname(sys.executable)) or shutil.which("ray")
    assert ray, "ray is a test dependency"
    port = free_port()
    # Once a local Ray instance has made a token (~/.ray/auth_token, Ray >= 2.59), `ray start` requires it,
    # and a driver that connects sends it only when told to: the cluster and the driver share one here.
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32), "RAY_USAGE_STATS_ENABLED": "0"}
    temp_dir = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # short: Ray's sockets live below it
    env = {**ENV, **auth}
    start = subprocess.run([ray, "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}",
                            "--include-dashboard=false", "--num-cpus=2", "--disable-usage-stats",
                            f"--temp-dir={temp_dir}"],
                           capture_output=True, text=True, env=env, timeout=180)
    assert start.returncode == 0, start.stderr
    try:
        # Ray workers run in folders of their own: the sweep folder must be an absolute path
        r = pocsim("-m", "+launcher=ray_cluster", "strategy=none,unarmed", "days=2", *SMALL,
                   f"hydra.sweep.dir={tmp_path / 'sw'}",
                   cwd=tmp_path, env={"RAY_ADDRESS": f"127.0.0.1:{port}", **auth})
        assert r.returncode == 0, r.stderr[-2000:]
        results = pd.read_parquet(tmp_path / "sw" / "results.parquet")
        assert len(results) == 2 and (results.status == "ok").all()
        # the sequential sweeper launches its batches through the same launcher
        r = pocsim("-m", "+launcher=ray_cluster", "hydra/sweeper=sequential", "strategy=none,unarmed", "days=2",
                   "hydra.sweeper.batch_seeds=2", "hydra.sweeper.max_seeds=4", *SMALL,
                   f"hydra.sweep.dir={tmp_path / 'seq'}",
                   cwd=tmp_path, env={"RAY_ADDRESS": f"127.0.0.1:{port}", **auth})
        assert r.returncode == 0, r.stderr[-2000:]
        results = pd.read_parquet(tmp_path / "seq" / "results.parquet")
        assert (results.status == "ok").all() and len(results) in (4, 8)
        assert (tmp_path / "seq" / "sequential.json").exists() and "sequential sweep: batch 1" in r.stderr
    finally:
        stop_cluster(temp_dir, port)


def stop_cluster(temp_dir: str, port: int) -> None:
    """End the processes of the cluster started with this --temp-dir and GCS port, and only those: `ray stop`
    would end every Ray instance on the machine, such as another test's sweep on a local instance."""
    import psutil

    def ours(cmdline: list[str]) -> bool:  # Ray's client server names the GCS address only
        return any(temp_dir in a or (a.startswith("--address=") and a.endswith(f":{port}")) for a in cmdline)

    own = [p for p in psutil.process_iter(["cmdline"]) if ours(p.info["cmdline"] or [])]
    procs = own + [c for p in own for c in p.children(recursive=True)]  # workers name themselves ray::...
    for p in procs:
        try:
            p.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(procs, timeout=30)
    for p in alive:
        try:
            p.kill()
        except psutil.Error:
            pass
    shutil.rmtree(temp_dir, ignore_errors=True)
