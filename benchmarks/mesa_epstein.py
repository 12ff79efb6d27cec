"""pocsim's throughput beside Mesa's own Epstein civil-violence example, measured in the same run.

    python benchmarks/mesa_epstein.py [--repeats 3] [--days 60] [--mesa-steps 100] [--cpu N]
    python benchmarks/mesa_epstein.py --quick   # tiny sizes, 1 repeat, no warm-up: a smoke test

Every measurement runs in a fresh subprocess pinned to one core (the first this process may use,
or --cpu), with NUMBA_NUM_THREADS=1; figures are the median of the repeats. Model construction is
not timed, only the stepping.

- Mesa: `mesa.examples.advanced.epstein_civil_violence.EpsteinCivilViolence` at its default size
  (40x40 torus, citizen density 0.7, cop density 0.074: about 1,200 agents), stepped --mesa-steps
  times with its own `step()` (every agent's `step` in random order, then its DataCollector, as
  shipped). Agent-steps = agents x steps; every agent is stepped every step (a jailed citizen
  only counts down its sentence).
- pocsim: the default scenario (`POCModel(cfg.scenario, cfg.strategy, seed=..., mission=...)`),
  strategy `none` and `modular`, --days days of hourly steps (one step = one simulated hour),
  stepped as `POCModel.run` does. Agent-steps count the agents stepped one by one each hour, the
  armed groups and the mission's units (patrols, standby forces, teams), summed hour by hour. The
  villages are *not* counted there: they are numpy arrays updated whole every hour, not agents;
  their count is printed apart, with a rate that does count them. Each pocsim hour also spreads a
  threat field over the 200x200 grid, which no agent count shows. The comparison is not like for
  like: read the per-step work column.

A warm-up run per model (not timed) fills numba's on-disk cache for pocsim, so compile time is not
timed (--quick skips it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from run_default import cpu_model  # the benchmark beside it (this folder is on sys.path when run)

ROOT = Path(__file__).resolve().parents[1]

# A small world (60 x 60 km, 90 villages), as tests/conftest.py uses: --quick only.
SMALL = ["scenario.terrain.width=60", "scenario.terrain.height=60", "scenario.terrain.n_towns=3",
         "scenario.terrain.town_spacing_km=15", "scenario.villages.count=90"]

PIN = "import os; os.sched_setaffinity(0, {int(os.environ['BENCH_CPU'])})\n"

MESA_CHILD = PIN + r"""
import json, sys, time
from mesa.examples.advanced.epstein_civil_violence.model import EpsteinCivilViolence
steps, size = int(sys.argv[1]), json.loads(sys.argv[2])
m = EpsteinCivilViolence(seed=int(sys.argv[3]), **size)
agents = len(m.agents)
t0 = time.perf_counter()
for _ in range(steps):
    m.step()
run_s = time.perf_counter() - t0
print(json.dumps({"run_s": run_s, "steps": steps, "agents": agents, "agent_steps": agents * steps,
                  "width": m.grid.width, "height": m.grid.height,
                  "arrested": int(m.ARRESTED), "active": int(m.ACTIVE)}))
"""

POCSIM_CHILD = PIN + r"""
import json, sys, time
from hydra import compose, initialize_config_module
from pocsim.cli import to_config
from pocsim.model import POCModel
days, strategy, overrides = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
with initialize_config_module(config_module="pocsim.configs", version_base="1.3"):
    cfg = to_config(compose("config", overrides=[*overrides, f"days={days}", f"strategy={strategy}"]))
m = POCModel(cfg.scenario, cfg.strategy, seed=cfg.seed, mission=cfg.mission)
steps = int(round(days * 24 / m.step_hours))  # as POCModel.run
groups, villages = len(m.groups), len(m.villages)
units = lambda: len(getattr(m.mission, "units", ()))  # strategy none: no mission, no units
agent_steps, unit_steps, max_units = 0, 0, 0
t0 = time.perf_counter()
for _ in range(steps):
    u = units()  # the units the mission steps this hour (it steps a copy of the list taken now)
    unit_steps += u
    max_units = max(max_units, u)
    m.step()
run_s = time.perf_counter() - t0
print(json.dumps({"run_s": run_s, "steps": steps, "groups": groups, "max_units": max_units,
                  "agent_steps": groups * steps + unit_steps, "villages": villages,
                  "village_steps": villages * steps, "grid": list(m.terrain.shape),
                  "deaths": int(m.villages.deaths.sum())}))
"""


def child(code: str, *args, cpu: int) -> dict:
    env = {**os.environ, "NUMBA_NUM_THREADS": "1", "BENCH_CPU": str(cpu),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, env=env,
                         cwd=ROOT)
    if out.returncode != 0:
        sys.exit(f"benchmark child failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(code: str, args: tuple, repeats: int, warm: bool, cpu: int) -> dict:
    if warm:
        child(code, *args, cpu=cpu)
    runs = [child(code, *args, cpu=cpu) for _ in range(repeats)]
    run_s = statistics.median(r["run_s"] for r in runs)
    return {**runs[0], "run_s": run_s, "runs_s": [r["run_s"] for r in runs],
            "steps_per_s": statistics.median(r["steps"] / r["run_s"] for r in runs),
            "agent_steps_per_s": statistics.median(r["agent_steps"] / r["run_s"] for r in runs),
            "village_steps_per_s": statistics.median((r["agent_steps"] + r.get("village_steps", 0)) / r["run_s"]
                                                     for r in runs)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--days", type=int, default=60, help="pocsim: days of hourly steps")
    ap.add_argument("--mesa-steps", type=int, default=100, help="Mesa Epstein: steps")
    ap.add_argument("--strategy", nargs="+", default=["none", "modular"])
    ap.add_argument("--cpu", type=int, default=sorted(os.sched_getaffinity(0))[0], help="the core to pin to")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="tiny sizes, 1 repeat, no warm-up: a smoke test")
    args = ap.parse_args()
    mesa_size, overrides = {}, []
    if args.quick:
        args.repeats, args.days, args.mesa_steps = 1, 1, 5
        mesa_size, overrides = {"width": 12, "height": 12}, SMALL

    print(f"machine: {cpu_model()}, {os.cpu_count()} cores (measured on core {args.cpu}), "
          f"Python {platform.python_version()}, mesa {version('mesa')}, numba {version('numba')}, "
          f"numpy {version('numpy')}")
    print(f"median of {args.repeats} repeat(s), each in a fresh process pinned to one core; construction not timed"
          + ("; QUICK: tiny sizes, no warm-up, figures are a smoke test only" if args.quick else ""))

    mesa = measure(MESA_CHILD, (args.mesa_steps, json.dumps(mesa_size), args.seed), args.repeats, not args.quick,
                   args.cpu)
    pocs = {s: measure(POCSIM_CHILD, (args.days, s, json.dumps(overrides)), args.repeats, not args.quick, args.cpu)
            for s in args.strategy}

    w, h = mesa["width"], mesa["height"]
    rows = [("Mesa Epstein civil violence", f"{w}x{h} grid, default densities", f"{mesa['agents']} (citizens + cops)",
             "-", "agents' rules + DataCollector (model and agent reporters)", mesa)]
    for s, r in pocs.items():
        units = f" + {r['max_units']} units" if r["max_units"] else ""
        gy, gx = r["grid"]
        work = f"villages as arrays, threat field spread on {gy}x{gx} cells" + (", mission tools" if units else "")
        rows.append((f"pocsim, strategy {s}", f"{'small' if args.quick else 'default'} scenario, {args.days} d hourly",
                     f"{r['groups']} armed groups{units}", str(r["villages"]), work, r))

    print()
    print("| model | size | agents stepped (agent-steps use these) | villages (arrays, not in agent-steps) "
          "| other work every step | steps | stepping wall time | steps/s | agent-steps/s | "
          "(agents + villages)-steps/s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, size, agents, villages, work, r in rows:
        incl = f"{r['village_steps_per_s']:,.0f}" if "village_steps" in r else "-"
        print(f"| {name} | {size} | {agents} | {villages} | {work} | {r['steps']:,} | {r['run_s']:.2f} s "
              f"| {r['steps_per_s']:,.0f} | {r['agent_steps_per_s']:,.0f} | {incl} |")
    print()
    print("One pocsim step is one simulated hour; one Epstein step is one round of its agents.")
    print("Agent-steps/s counts agents stepped one by one: Epstein's citizens and cops; pocsim's armed groups "
          "and mission units (not its villages).")
    print("Not like for like: pocsim's villages are vectorised numpy arrays, not Mesa agents, and each pocsim "
          "step also spreads a threat field over the whole grid; an Epstein agent scans a radius-7 neighbourhood "
          "(about 112 cells) in pure Python. Compare the columns, not one ratio.")
    for s, r in pocs.items():
        print(f"pocsim {s}: {r['groups']} armed groups, up to {r['max_units']} mission units, "
              f"{r['villages']} villages; repeats {', '.join(f'{x:.2f}' for x in r['runs_s'])} s; deaths {r['deaths']}")
    print(f"Mesa Epstein: {mesa['agents']} agents; repeats {', '.join(f'{x:.2f}' for x in mesa['runs_s'])} s; "
          f"at the end {mesa['arrested']} arrested, {mesa['active']} active")


if __name__ == "__main__":
    main()
