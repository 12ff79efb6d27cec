"""Sweep throughput (joblib launcher against one process) and the gathering of a 1,000-run sweep.

    python benchmarks/sweeps.py [--runs 12] [--days 365] [--repeats 3] [--strategies none,static_deterrence]
    python benchmarks/sweeps.py --runs 120 --repeats 1 --strategies none,static_deterrence,mobile_operations,unarmed,modular

Throughput: the same sweep (default scenario, strategies x seeds) run with Hydra's basic launcher
(one process) and with the joblib launcher on all cores, its workers started by loky (fresh
interpreters, joblib's default and `+launcher=joblib`'s) and by fork (workers are copies of the
sweep's own process, pocsim already imported), interleaved, each the median of `--repeats`;
reported as scenario-years simulated per minute of wall time, and the parallel efficiency
(speed-up / cores). The end-of-sweep report (figures) is switched off here: it is the
same one-process work after either launcher. Numba's cache is warmed first. Gathering: a sweep folder of 1,000
run folders (copies of one real run, with their own overrides) gathered into results.parquet.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


LAUNCHERS = {  # name -> overrides
    "basic (one process)": [],
    "joblib, loky workers": ["+launcher=joblib", "hydra.launcher.backend=loky"],
    "joblib, forked workers": ["+launcher=joblib", "hydra.launcher.backend=multiprocessing"],
}


def sweep(tmp: Path, launcher: list[str], runs: int, days: int, strategies: str) -> tuple[float, float]:
    """Wall time of the sweep, and the sum of its runs' own run times (from their summaries)."""
    seeds = max(1, runs // len(strategies.split(",")))
    out = tmp / f"sw{time.perf_counter_ns()}"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pocsim", "-m", f"strategy={strategies}", f"seed=range(0,{seeds})",
                    f"days={days}", f"hydra.sweep.dir={out}", "~hydra.callbacks.sweep_report", *launcher],
                   check=True, capture_output=True,
                   env={**os.environ, "CI": "1"})
    wall = time.perf_counter() - t0
    return wall, sum(json.loads(p.read_text())["runtime_s"] for p in out.glob("*/timing.json"))


def gather_benchmark(tmp: Path, n: int = 1000) -> float:
    from pocsim.results import gather

    src = tmp / "one"
    subprocess.run([sys.executable, "-m", "pocsim", "-m", "seed=0", "days=30", f"hydra.sweep.dir={src}"],
                   check=True, capture_output=True, env={**os.environ, "CI": "1"})
    run = next(p.parent.parent for p in src.glob("*/.hydra/overrides.yaml"))
    big = tmp / "big"
    big.mkdir()
    (big / "multirun.yaml").write_text((src / "multirun.yaml").read_text())
    for i in range(n):
        dst = big / f"seed={i}"
        shutil.copytree(run, dst)
        (dst / ".hydra" / "overrides.yaml").write_text(f"- seed={i}\n")
    t0 = time.perf_counter()
    df = gather(big)
    elapsed = time.perf_counter() - t0
    assert len(df) == n
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=12)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--strategies", default="none,static_deterrence")
    a = ap.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        sweep(tmp, [], 2, 2, a.strategies)  # warm numba's cache
        times: dict[str, list] = {name: [] for name in LAUNCHERS}
        for _ in range(a.repeats):
            for name, overrides in LAUNCHERS.items():
                times[name].append(sweep(tmp, overrides, a.runs, a.days, a.strategies))
        runs = a.runs // len(a.strategies.split(",")) * len(a.strategies.split(","))
        years = runs * a.days / 365
        print(f"machine: {cores} cores; sweep of {runs} runs x {a.days} days (default scenario, strategies "
              f"{a.strategies}), median of {a.repeats}, process start-up included")
        serial = statistics.median(w for w, _ in times["basic (one process)"])
        own_serial = statistics.median(r for _, r in times["basic (one process)"])
        for name, results in times.items():
            wall, own = statistics.median(w for w, _ in results), statistics.median(r for _, r in results)
            line = f"  {name:<24} {wall:7.1f} s  {years / wall * 60:6.2f} scenario-years/min"
            if name != "basic (one process)":
                # If the runs themselves take longer side by side, the cores are not independent
                # (shared caches and memory bandwidth, or a host that does not give a VM two full cores).
                line += (f"  speed-up {serial / wall:.2f}x, parallel efficiency {serial / wall / cores:.0%}"
                         f"  (the runs' own time {own:.1f} s side by side, {own_serial:.1f} s alone)")
            print(line)
        print(f"gathering 1,000 runs into results.parquet: {gather_benchmark(tmp):.2f} s")


if __name__ == "__main__":
    main()
