"""Whole-model benchmark: a scenario (the default one unless told), 365 days at hourly steps, on one core.

    python benchmarks/run_default.py [--repeats 3] [--days 365] [--strategy none modular ...]
    python benchmarks/run_default.py --scenario country --repeats 1 --strategy none modular

Each repeat runs in a fresh subprocess pinned to one core, after a warm-up run has filled numba's
cache (so compile time is not timed). Reports the median wall time of the run (world generation
included and shown apart), how it splits across the phases of POCModel.step, and the peak memory
(max RSS) of the process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

CHILD = r"""
import json, os, resource, sys, time
os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
from pocsim.model import POCModel
days, strategy, scenario = int(sys.argv[1]), sys.argv[2], sys.argv[3]
from hydra import compose, initialize_config_module
from pocsim.cli import to_config
with initialize_config_module(config_module="pocsim.configs", version_base="1.3"):
    cfg = to_config(compose("config", overrides=[f"days={days}", f"strategy={strategy}", f"scenario={scenario}"]))
t0 = time.perf_counter()
m = POCModel(cfg.scenario, cfg.strategy, seed=cfg.seed, mission=cfg.mission)
t1 = time.perf_counter()
m.run(days)
t2 = time.perf_counter()
print(json.dumps({"init_s": t1 - t0, "run_s": t2 - t1, "total_s": t2 - t0, "phases": dict(m.phase_seconds),
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "deaths": int(m.villages.deaths.sum())}))
"""


def child(days: int, strategy: str, scenario: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(days), strategy, scenario], capture_output=True, text=True,
                         check=True,
                         env={**os.environ, "NUMBA_NUM_THREADS": "1"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--strategy", nargs="+", default=["none", "modular"])
    ap.add_argument("--scenario", default="default")
    args = ap.parse_args()
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for strategy in args.strategy:
        report(strategy, args)


def report(strategy: str, args) -> None:
    child(1, strategy, args.scenario)  # warm numba's on-disk cache
    runs = [child(args.days, strategy, args.scenario) for _ in range(args.repeats)]
    med = lambda key: statistics.median(r[key] for r in runs)  # noqa: E731
    print(f"{args.scenario} scenario, strategy={strategy}, {args.days} days hourly, one core, median of {args.repeats}:")
    print(f"  total {med('total_s'):.2f} s  (world generation {med('init_s'):.2f} s, simulation {med('run_s'):.2f} s)")
    print(f"  peak memory (max RSS) {max(r['max_rss_mb'] for r in runs):.0f} MiB")
    phases = runs[0]["phases"].keys()
    for p in phases:
        print(f"  phase {p:<9} {statistics.median(r['phases'][p] for r in runs):6.2f} s")


if __name__ == "__main__":
    main()
