"""Sweep throughput (joblib launcher against one process) and the gathering of a 1,000-run sweep.

    python benchmarks/sweeps.py [--runs 8] [--days 90] [--repeats 3]

Throughput: the same sweep (default scenario, strategies x seeds) run with Hydra's basic launcher
(one process) and with the joblib launcher on all cores, interleaved, each the median of
`--repeats`; reported as scenario-years simulated per minute of wall time, and the parallel
efficiency (speed-up / cores). The end-of-sweep report (figures) is switched off here: it is the
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


def sweep(tmp: Path, launcher: list[str], runs: int, days: int) -> tuple[float, float]:
    """Wall time of the sweep, and the sum of its runs' own run times (from their summaries)."""
    seeds = max(1, runs // 2)
    out = tmp / f"sw{time.perf_counter_ns()}"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pocsim", "-m", "strategy=none,static_deterrence", f"seed=range(0,{seeds})",
                    f"days={days}", f"hydra.sweep.dir={out}", "~hydra.callbacks.sweep_report", *launcher],
                   check=True, capture_output=True,
                   env={**os.environ, "CI": "1"})
    wall = time.perf_counter() - t0
    return wall, sum(json.loads(p.read_text())["runtime_s"] for p in out.glob("*/summary.json"))


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
    ap.add_argument("--runs", type=int, default=8)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        sweep(tmp, [], 2, 2)  # warm numba's cache
        serial, parallel = [], []
        for _ in range(a.repeats):
            serial.append(sweep(tmp, [], a.runs, a.days))
            parallel.append(sweep(tmp, ["+launcher=joblib"], a.runs, a.days))
        years = a.runs * a.days / 365
        s, p = statistics.median(w for w, _ in serial), statistics.median(w for w, _ in parallel)
        own_s, own_p = statistics.median(r for _, r in serial), statistics.median(r for _, r in parallel)
        print(f"machine: {cores} cores; sweep of {a.runs} runs x {a.days} days (default scenario), "
              f"median of {a.repeats}, process start-up included")
        print(f"  one process (basic launcher) {s:6.1f} s  {years / s * 60:6.2f} scenario-years/min")
        print(f"  joblib, {cores} workers       {p:6.1f} s  {years / p * 60:6.2f} scenario-years/min")
        print(f"  speed-up {s / p:.2f}x, parallel efficiency {s / p / cores:.0%}")
        # If the runs themselves take longer side by side, the cores are not independent (shared
        # caches and memory bandwidth, or a host that does not give a VM two full cores).
        print(f"  the runs' own time, summed: {own_s:.1f} s alone, {own_p:.1f} s side by side "
              f"({own_p / own_s - 1:+.0%}); efficiency the hardware allows: {own_s / own_p:.0%}")
        print(f"gathering 1,000 runs into results.parquet: {gather_benchmark(tmp):.2f} s")


if __name__ == "__main__":
    main()
