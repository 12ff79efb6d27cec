"""A large sweep through Ray on a local instance: throughput, the driver's memory over the sweep,
and the gathering of its results.

    python benchmarks/ray_sweep.py [--runs 10000] [--days 2] [--strategies none] [--out DIR] [--json FILE]
    python benchmarks/ray_sweep.py --quick      # 40 runs: a smoke test, well under a minute

It runs `pocsim -m +launcher=ray seed=range(0,N) days=2 <a small world>` as a subprocess (the
world of tests/conftest.py's SMALL: 60x60 cells, 3 towns, 90 villages; `--strategies a,b` sweeps
seeds x strategies instead, N runs in all), with the end-of-sweep report switched off, and samples
the memory (RSS) and CPU time of the driver (the `pocsim -m` process) and of its process tree (the
local Ray instance the launcher starts: raylet and object store, GCS, Ray's helper processes and
the workers) every `--interval` seconds, while counting finished runs (run folders with their
summary.json). Then it gathers the sweep folder into results.parquet in a fresh process
(`pocsim.results.gather`) and times that, with its peak RSS.

It also notes every address the tree listens on (the local instance must listen on loopback only).
Reported: wall time and its phases (before the first run: the sweeper validates every job's config,
composed once per choice of config groups and copied per job, then Ray starts; the runs; after the
last run), runs per minute, the driver's
and the tree's RSS at 10%, 50% and 100% of the runs and at their peak, the growth per 1,000 runs
(a least-squares line through the samples between 10% and 100%), CPU seconds by process kind and
per run, and the gathering's time and memory. Run it under `nice -n 19` on a shared machine.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["scenario.terrain.width=60", "scenario.terrain.height=60", "scenario.terrain.n_towns=3",
         "scenario.terrain.town_spacing_km=15", "scenario.villages.count=90"]
MIB = 2**20
QUICK_RUNS = 40

GATHER = r"""
import json, resource, sys, time
import psutil
import pyarrow.parquet  # noqa: F401  (imported before the baseline: pandas loads it on writing)
from pocsim.results import gather
before = psutil.Process().memory_info().rss
t0 = time.perf_counter()
df = gather(sys.argv[1])
elapsed = time.perf_counter() - t0
print(json.dumps({"seconds": elapsed, "rows": len(df), "ok": int((df.status == "ok").sum()),
                  "rss_before_mib": before / 2**20,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "table_mib": float(df.memory_usage(deep=True).sum()) / 2**20}))
"""


def sweep_command(out: Path, runs: int, days: int, strategies: list[str], extra: list[str]) -> list[str]:
    if runs % len(strategies):
        raise SystemExit(f"--runs {runs} is not a multiple of the {len(strategies)} strategies")
    swept = [f"seed=range(0,{runs // len(strategies)})"]
    if len(strategies) > 1:
        swept.append("strategy=" + ",".join(strategies))
    else:
        swept.append(f"strategy={strategies[0]}")
    return [sys.executable, "-m", "pocsim", "-m", "+launcher=ray", *swept, f"days={days}", *SMALL,
            f"hydra.sweep.dir={out}", "~hydra.callbacks.sweep_report", *extra]


def kind(proc: psutil.Process, driver: int) -> str:
    if proc.pid == driver:
        return "driver"
    try:
        name = proc.name()
    except psutil.Error:
        return "ray services"
    # a worker names itself ray::IDLE or ray::<task>; Ray's agents ray::DashboardAgent, ray::RuntimeEnvAgent
    return "workers" if name.startswith("ray::") and not name.endswith("Agent") else "ray services"


class Progress:
    """Finished runs (a run folder with its summary.json), counted without stat-ing every folder
    on every sample: only those not yet finished are looked at again."""

    def __init__(self, sweep_dir: Path) -> None:
        self.sweep_dir, self.seen, self.pending, self.done = sweep_dir, set(), set(), 0

    def update(self) -> tuple[int, int]:
        try:
            with os.scandir(self.sweep_dir) as it:
                for e in it:
                    if e.name not in self.seen and e.is_dir() and not e.name.startswith("."):
                        self.seen.add(e.name)
                        self.pending.add(e.name)
        except FileNotFoundError:
            return 0, 0
        finished = {n for n in self.pending if os.path.exists(os.path.join(self.sweep_dir, n, "summary.json"))}
        self.pending -= finished
        self.done += len(finished)
        return len(self.seen), self.done


def sample_tree(driver: psutil.Process, cpu: dict) -> dict:
    """RSS by process kind now; CPU seconds of every process seen so far (the last value read for
    each pid, so a process that has exited still counts with what it had used)."""
    rss = {"driver": 0, "ray services": 0, "workers": 0}
    procs = [driver]
    try:
        procs += driver.children(recursive=True)
    except psutil.Error:
        pass
    for p in procs:
        try:
            with p.oneshot():
                k = kind(p, driver.pid)
                rss[k] += p.memory_info().rss
                t = p.cpu_times()
                cpu[p.pid] = (k, t.user + t.system)
        except psutil.Error:
            continue
    return {**rss, "tree": sum(rss.values()), "procs": len(procs)}


LOOPBACK = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}


def listening(driver: psutil.Process) -> set[tuple[str, str]]:
    """(address, process name) of every socket the driver's process tree listens on."""
    try:
        procs = {p.pid: p for p in [driver, *driver.children(recursive=True)]}
        found = set()
        for c in psutil.net_connections("inet"):
            if c.status == psutil.CONN_LISTEN and c.pid in procs:
                try:
                    found.add((c.laddr.ip, procs[c.pid].name()))
                except psutil.Error:
                    found.add((c.laddr.ip, "?"))
        return found
    except psutil.Error:
        return set()


def at_fraction(samples: list[dict], runs: int, fraction: float, key: str) -> float | None:
    """RSS when `fraction` of the runs had finished; for 1.0 the last sample before the last run
    finished (Ray shuts its workers down right after, which the next sample may catch)."""
    if fraction >= 1:
        before = [s for s in samples if 0 < s["finished"] < runs]
        return before[-1][key] / MIB if before else None
    for s in samples:
        if s["finished"] >= fraction * runs:
            return s[key] / MIB
    return None


def growth_per_1000(samples: list[dict], runs: int, key: str) -> float | None:
    """MiB per 1,000 finished runs: a least-squares line through the samples from 10% of the runs
    finished to the first sample with all of them (not the shutdown after)."""
    end = next((i for i, s in enumerate(samples) if s["finished"] >= runs), len(samples) - 1)
    pts = [(s["finished"], s[key] / MIB) for s in samples[: end + 1] if s["finished"] >= 0.1 * runs]
    if len({x for x, _ in pts}) < 2:
        return None
    x, y = np.array(pts).T
    return float(np.polyfit(x, y, 1)[0] * 1000)


def machine() -> str:
    model = "unknown"
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import ray

    return (f"{os.cpu_count()} cores ({model}), {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
            f"Linux {platform.release()}, Python {platform.python_version()}, Ray {ray.__version__}")


def run(args) -> dict:
    out = Path(args.out).resolve() if args.out else Path(tempfile.mkdtemp(prefix="ray_sweep_")) / "sweep"
    if out.exists():
        raise SystemExit(f"{out} exists; give a new folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CI": "1", "RAY_USAGE_STATS_ENABLED": "0"}
    # numba's cache filled first, so that no worker compiles (the sweep's runs are then all alike)
    warm = out.parent / f".{out.name}-warm"
    subprocess.run([sys.executable, "-m", "pocsim", "days=1", *SMALL, f"hydra.run.dir={warm}", "quiet=true"],
                   check=True, capture_output=True, env=env)
    shutil.rmtree(warm, ignore_errors=True)

    cmd = sweep_command(out, args.runs, args.days, args.strategies, args.extra)
    log = out.parent / f"{out.name}.log"
    progress, samples, cpu, sockets = Progress(out), [], {}, set()
    t0 = time.perf_counter()
    with open(log, "w") as logf:
        proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, env=env, cwd=out.parent)
        driver = psutil.Process(proc.pid)
        t_first = t_last = None
        next_print = next_sockets = 0.0
        while proc.poll() is None:
            t = time.perf_counter() - t0
            mem = sample_tree(driver, cpu)
            started, finished = progress.update()
            if mem["procs"] > 1 and t >= next_sockets:  # where Ray listens, now and then while it runs
                sockets |= listening(driver)
                next_sockets = t + 10 * args.interval
            if started and t_first is None:
                t_first = t
            if finished >= args.runs and t_last is None:
                t_last = t
            samples.append({"t": t, "started": started, "finished": finished, **mem})
            if not args.silent and t >= next_print:
                print(f"  {t:7.0f} s  {finished:6d}/{args.runs} runs  driver {mem['driver'] / MIB:6.0f} MiB  "
                      f"tree {mem['tree'] / MIB:6.0f} MiB ({mem['procs']} processes)", file=sys.stderr, flush=True)
                next_print = t + args.print_every
            time.sleep(args.interval)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"the sweep failed (exit status {proc.returncode}); see {log}")
    started, finished = progress.update()
    if t_last is None:
        t_last = wall
    if t_first is None:
        t_first = wall

    g = subprocess.run([sys.executable, "-c", GATHER, str(out)], check=True, capture_output=True, text=True, env=env)
    gathered = json.loads(g.stdout.strip().splitlines()[-1])

    cpu_by: dict[str, float] = {}
    for k, seconds in cpu.values():
        cpu_by[k] = cpu_by.get(k, 0.0) + seconds
    running = [s for s in samples if s["finished"] > 0] or samples
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "command": " ".join(["pocsim", *cmd[3:]]),
        "runs": args.runs, "finished": finished, "days": args.days,
        "wall_s": wall, "before_first_run_s": t_first, "runs_phase_s": t_last - t_first, "after_last_run_s": wall - t_last,
        "runs_per_min": args.runs / wall * 60,
        "runs_per_min_while_running": args.runs / max(t_last - t_first, 1e-9) * 60,
        "samples": len(samples),
        "driver_rss_mib": {"at_10%": at_fraction(samples, args.runs, 0.1, "driver"),
                           "at_50%": at_fraction(samples, args.runs, 0.5, "driver"),
                           "at_100%": at_fraction(samples, args.runs, 1.0, "driver"),
                           "peak": max(s["driver"] for s in samples) / MIB,
                           "final": samples[-1]["driver"] / MIB if samples else None,
                           "growth_per_1000_runs": growth_per_1000(samples, args.runs, "driver")},
        "tree_rss_mib": {"at_10%": at_fraction(samples, args.runs, 0.1, "tree"),
                         "at_50%": at_fraction(samples, args.runs, 0.5, "tree"),
                         "at_100%": at_fraction(samples, args.runs, 1.0, "tree"),
                         "peak": max(s["tree"] for s in samples) / MIB,
                         "growth_per_1000_runs": growth_per_1000(samples, args.runs, "tree")},
        "workers_rss_mib": {"at_10%": at_fraction(samples, args.runs, 0.1, "workers"),
                            "at_100%": at_fraction(samples, args.runs, 1.0, "workers"),
                            "growth_per_1000_runs": growth_per_1000(samples, args.runs, "workers")},
        "processes_peak": max(s["procs"] for s in running),
        "listening": sorted({ip for ip, _ in sockets}),
        "listening_by_process": sorted(f"{ip} {name}" for ip, name in sockets),
        "loopback_only": bool(sockets) and all(ip in LOOPBACK for ip, _ in sockets),
        "cpu_s": cpu_by,
        "cpu_s_per_run": {k: v / args.runs for k, v in cpu_by.items()},
        "gather": gathered,
        "sweep_dir": str(out),
        "series": [{"t": round(s["t"], 1), "finished": s["finished"], "driver_mib": round(s["driver"] / MIB, 1),
                    "workers_mib": round(s["workers"] / MIB, 1), "tree_mib": round(s["tree"] / MIB, 1)}
                   for s in samples],
    }
    if not args.out:
        shutil.rmtree(out.parent, ignore_errors=True)
    return result


def report(r: dict) -> str:
    d, tr, w = r["driver_rss_mib"], r["tree_rss_mib"], r["workers_rss_mib"]
    f = lambda v: "-" if v is None else f"{v:.0f}"  # noqa: E731
    g = r["gather"]
    lines = [
        f"{r['date']}; {r['machine']}",
        f"  {r['command']}",
        f"  {r['finished']} of {r['runs']} runs finished in {r['wall_s']:.0f} s: {r['runs_per_min']:.0f} runs/min "
        f"({r['runs_per_min_while_running']:.0f} runs/min between the first and the last run)",
        f"  phases: {r['before_first_run_s']:.0f} s before the first run (the sweeper validates every job's "
        f"config; Ray starts), {r['runs_phase_s']:.0f} s of runs, {r['after_last_run_s']:.0f} s after",
        f"  driver RSS (MiB): at 10% {f(d['at_10%'])}, 50% {f(d['at_50%'])}, 100% {f(d['at_100%'])}; "
        f"peak {f(d['peak'])}, final {f(d['final'])}; growth {d['growth_per_1000_runs'] or 0:+.1f} MiB per 1,000 runs",
        f"  process tree RSS (MiB, the local Ray instance and its workers included): at 10% {f(tr['at_10%'])}, "
        f"50% {f(tr['at_50%'])}, 100% {f(tr['at_100%'])}; peak {f(tr['peak'])}; "
        f"growth {tr['growth_per_1000_runs'] or 0:+.1f} MiB per 1,000 runs "
        f"(workers {w['growth_per_1000_runs'] or 0:+.1f}); up to {r['processes_peak']} processes",
        f"  the driver's process tree listens on {', '.join(r['listening']) or 'nothing seen'}"
        + (" (loopback only)" if r["loopback_only"] else ""),
        "  CPU seconds: " + ", ".join(f"{k} {v:.0f} s ({1000 * r['cpu_s_per_run'][k]:.0f} ms a run)"
                                      for k, v in sorted(r["cpu_s"].items())),
        f"  gathering {g['rows']} runs into results.parquet: {g['seconds']:.2f} s, peak RSS {g['peak_rss_mib']:.0f} MiB "
        f"({g['peak_rss_mib'] - g['rss_before_mib']:+.0f} MiB over the process before gathering; "
        f"the table itself {g['table_mib']:.1f} MiB)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--quick", action="store_true", help=f"{QUICK_RUNS} runs: a smoke test")
    ap.add_argument("--days", type=int, default=2)
    ap.add_argument("--strategies", default="none", help="comma-separated; runs are split over them")
    ap.add_argument("--out", help="the sweep folder (kept); default a temporary one, removed at the end")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--interval", type=float, default=1.0, help="seconds between memory samples")
    ap.add_argument("--print-every", type=float, default=60.0, help="seconds between progress lines")
    ap.add_argument("--silent", action="store_true", help="no progress lines")
    ap.add_argument("extra", nargs="*", help="more overrides for the sweep, e.g. hydra.sweeper.max_batch_size=1000")
    args = ap.parse_args(argv)
    if args.quick:
        args.runs, args.interval, args.print_every = QUICK_RUNS, 0.5, 10.0
    args.strategies = args.strategies.split(",")
    r = run(args)
    if args.json:
        Path(args.json).write_text(json.dumps(r, indent=2) + "\n")
    print(report(r))


if __name__ == "__main__":
    main()
