"""A sweep through the Ray launcher on a local instance, as benchmarks/ray_sweep.py runs it at
10,000 runs: here its quick mode (40 short runs), which must finish every run, gather one row per
run into results.parquet, keep the driver's memory flat (job returns are lean:
pocsim.callbacks.LeanReturns), and Ray must listen on loopback only."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("ray")
pytest.importorskip("psutil")

ROOT = Path(__file__).resolve().parents[1]


def test_quick_ray_sweep_gathers_one_row_per_run(tmp_path):
    out, figures = tmp_path / "sweep", tmp_path / "figures.json"
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "ray_sweep.py"), "--quick", "--silent",
                        "--out", str(out), "--json", str(figures)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    fig = json.loads(figures.read_text())
    results = pd.read_parquet(out / "results.parquet")
    assert fig["runs"] == fig["finished"] == fig["gather"]["rows"] == len(results) == 40
    assert (results.status == "ok").all() and sorted(results.seed) == list(range(40))
    assert results.run_dir.is_unique
    # the driver holds a small record per run: no growth worth the name over 40 runs
    assert fig["driver_rss_mib"]["peak"] - fig["driver_rss_mib"]["at_10%"] < 50
    assert "runs/min" in r.stdout
    # the local Ray instance listens on loopback only (hydra_plugins/pocsim_sweeper/local_ray.py)
    assert fig["listening"] and fig["loopback_only"], fig["listening_by_process"]
