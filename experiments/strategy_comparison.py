"""Compare the five strategies on one scenario over several seeds (paired: same seeds, same worlds).

    python experiments/strategy_comparison.py [--scenario default] [--seeds 8] [--days 365] [--jobs 2]

Prints a markdown table: mean and standard deviation over seeds of civilian deaths, people-exposed
hours, patrols and team visits, and the paired difference in deaths to `none` (mean and the range
over seeds). Whatever it shows goes into the README; nothing here is tuned.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np

STRATEGIES = ["none", "static_deterrence", "mobile_operations", "unarmed", "modular"]


def one(args: tuple) -> dict:
    scenario, strategy, seed, days = args
    from hydra import compose, initialize_config_module

    from pocsim.cli import to_config
    from pocsim.run import simulate

    with initialize_config_module(config_module="pocsim.configs", version_base="1.3"):
        cfg = to_config(compose("config", overrides=[f"scenario={scenario}", f"strategy={strategy}",
                                                     f"seed={seed}", f"days={days}"]))
    return simulate(cfg)[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default="default")
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    jobs = [(a.scenario, st, seed, a.days) for st in STRATEGIES for seed in range(a.seeds)]
    with ProcessPoolExecutor(a.jobs) as pool:
        results = list(pool.map(one, jobs))
    by = {st: [r for r in results if r["strategy"] == st] for st in STRATEGIES}
    base = np.array([r["civilian_deaths"] for r in by["none"]])
    print(f"scenario={a.scenario}, {a.days} days, seeds 0-{a.seeds - 1} (mean ± sd over seeds)\n")
    print("| strategy | civilian deaths | paired diff. to none (range) | people-exposed-hours | patrols | team visits |")
    print("|---|---|---|---|---|---|")
    for st in STRATEGIES:
        rows = by[st]
        col = lambda k: np.array([r[k] for r in rows], dtype=float)  # noqa: E731
        d = col("civilian_deaths")
        diff = d - base
        ms = lambda x: f"{x.mean():,.0f} ± {x.std(ddof=1):,.0f}"  # noqa: E731
        print(f"| {st} | {ms(d)} | {diff.mean():+,.0f} ({diff.min():+,.0f} to {diff.max():+,.0f}) | "
              f"{ms(col('people_exposed_hours'))} | {ms(col('patrols'))} | {ms(col('jpt_visits'))} |")


if __name__ == "__main__":
    main()
