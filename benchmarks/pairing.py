"""How much pairing buys: the variance reduction of comparing strategies on common seeds.

    python benchmarks/pairing.py [--seeds 20] [--days 180] [--jobs 2] [--scenario default] [--json out.json]

For each strategy against `none`, on the same seeds (the same worlds): the standard deviation of
the paired differences (strategy minus none, seed by seed) divided by the standard deviation an
unpaired comparison would have, sqrt(var(strategy) + var(none)). 1 means pairing buys nothing
(the two arms' histories are unrelated once they diverge); 0.5 means a paired comparison needs a
quarter of the seeds an unpaired one needs for the same interval. Reported for civilian deaths and
people-exposed-hours, and for deaths so far after 7, 30 and 90 days (how soon the paired histories
part). It runs from a checkout without installing.

Two references say where the limit lies:
- *world only*: each strategy run again with its histories drawn afresh (every keyed draw and the
  per-step streams salted; the world, built from the seed, shared) against `none`. This is what
  pairing gives when the two arms share the world and nothing else.
- *first choice kept*: at each armed group's first choice of a target, the probability that the
  best possible coupling of the two arms' draws picks the same village, sum_v min(p_v, q_v) over
  the two arms' target laws (pocsim ArmedGroup.target_law). No way of drawing random numbers can
  keep paired histories together more often than this.
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STRATEGIES = ["none", "static_deterrence", "mobile_operations", "unarmed", "modular"]
METRICS = ["civilian_deaths", "people_exposed_hours"]
HORIZONS = (7, 30, 90)  # days
RUN_STREAMS = ("schedule", "incidents")  # named streams drawn while the model runs (not to build it)


@contextmanager
def fresh_histories(salt: int):
    """Every draw made while the model runs comes from other random numbers (salt > 0); the world,
    built from the seed's named streams, stays as it is."""
    from pocsim.streams import Streams

    draw, item = Streams.draw, Streams.__getitem__
    if salt:
        Streams.draw = lambda self, purpose, *ids: draw(self, purpose, salt, *ids)
        Streams.__getitem__ = lambda self, name: item(self, f"{name}/history {salt}" if name in RUN_STREAMS else name)
    try:
        yield
    finally:
        Streams.draw, Streams.__getitem__ = draw, item


@contextmanager
def first_choices(laws: dict):
    """Records each group's target law at its first choice of a target, by group index."""
    from pocsim.world.armed_groups import ArmedGroup

    pick = ArmedGroup.pick_target

    def recording(self, cost):
        if self.index not in laws:
            law = self.target_law(cost)
            if law is not None:
                laws[self.index] = law[0]
        return pick(self, cost)

    ArmedGroup.pick_target = recording
    try:
        yield
    finally:
        ArmedGroup.pick_target = pick


def one(args: tuple) -> tuple:
    scenario, strategy, seed, days, salt = args
    from hydra import compose, initialize_config_module

    from pocsim.cli import to_config
    from pocsim.run import simulate

    with initialize_config_module(config_module="pocsim.configs", version_base="1.3"):
        cfg = to_config(compose("config", overrides=[f"scenario={scenario}", f"strategy={strategy}",
                                                     f"seed={seed}", f"days={days}"]))
    laws: dict = {}
    with fresh_histories(salt), first_choices(laws):
        model, summary = simulate(cfg)
    out = {m: float(summary[m]) for m in METRICS}
    out["first_laws"] = laws
    daily = model.ledger.timeseries_table().to_pandas().groupby("day").civilian_deaths.sum()
    for h in HORIZONS:  # deaths so far at shorter horizons: how fast the paired histories part
        out[f"civilian_deaths_by_day_{h}"] = float(daily[daily.index < h].sum())
    return strategy, salt, seed, out


def reduction(arm: np.ndarray, base: np.ndarray) -> float:
    """SD of the paired differences over the SD of an unpaired difference."""
    return float(np.std(arm - base, ddof=1) / np.sqrt(np.var(arm, ddof=1) + np.var(base, ddof=1)))


def reduction_interval(arm: np.ndarray, base: np.ndarray, resamples: int = 2000) -> list[float]:
    """95% percentile bootstrap interval of `reduction` over seeds (resampled as pairs): with 20
    seeds of heavy-tailed harm the ratio itself is uncertain. By hand rather than scipy.stats.bootstrap,
    which turns the whole interval into NaN when a resample of few seeds repeats one seed (0 / 0)."""
    rng = np.random.default_rng(0)
    picks = rng.integers(len(arm), size=(resamples, len(arm)))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = [reduction(arm[i], base[i]) for i in picks]
    low, high = np.nanpercentile(ratios, [2.5, 97.5])
    return [float(low), float(high)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default="default")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--days", type=int, default=180)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", help="also write the figures here")
    a = ap.parse_args()
    jobs = [(a.scenario, st, seed, a.days, 0) for st in STRATEGIES for seed in range(a.seeds)]
    jobs += [(a.scenario, st, seed, a.days, 1) for st in STRATEGIES[1:] for seed in range(a.seeds)]
    with ProcessPoolExecutor(a.jobs) as pool:
        results = {(st, salt, seed): out for st, salt, seed, out in pool.map(one, jobs)}
    metrics = METRICS + [f"civilian_deaths_by_day_{h}" for h in HORIZONS if h < a.days]
    seeds = range(a.seeds)

    def values(st, salt, m):
        return np.array([results[st, salt, seed][m] for seed in seeds])

    out = {st: {m: reduction(values(st, 0, m), values("none", 0, m)) for m in metrics} for st in STRATEGIES[1:]}
    world = {st: {m: reduction(values(st, 1, m), values("none", 0, m)) for m in metrics} for st in STRATEGIES[1:]}
    interval = {st: {m: reduction_interval(values(st, 0, m), values("none", 0, m)) for m in metrics}
                for st in STRATEGIES[1:]}
    kept = {st: first_choice_kept(results, st, seeds) for st in STRATEGIES[1:]}
    print(f"scenario={a.scenario}, {a.days} days, seeds 0-{a.seeds - 1}: SD(paired diff.) / SD(unpaired diff.), "
          "paired on common random numbers [95% bootstrap interval over seeds] (world only: histories drawn afresh)\n")
    print("| strategy | " + " | ".join(f"{m} (world only)" for m in metrics) + " | first choice kept |\n|---|"
          + "---|" * (len(metrics) + 1))
    for st, r in out.items():
        cells = [f"{r[m]:.2f} [{interval[st][m][0]:.2f}, {interval[st][m][1]:.2f}] ({world[st][m]:.2f})" for m in metrics]
        print(f"| {st} | " + " | ".join(cells) + f" | {kept[st]['mean']:.2f} |")
    if a.json:
        figures = {"scenario": a.scenario, "days": a.days, "seeds": a.seeds, "ratio": out, "ratio_interval": interval,
                   "ratio_world_only": world, "first_choice_kept": kept}
        Path(a.json).write_text(json.dumps(figures, indent=2) + "\n")


def first_choice_kept(results: dict, strategy: str, seeds) -> dict:
    """Over groups and seeds: the most probability any coupling can give to a group's first target
    being the same village in both arms, sum_v min(p_v, q_v)."""
    kept = [float(np.minimum(base[g], arm[g]).sum())
            for seed in seeds
            for base, arm in [(results["none", 0, seed]["first_laws"], results[strategy, 0, seed]["first_laws"])]
            for g in sorted(set(base) & set(arm))]
    return {"mean": float(np.mean(kept)), "median": float(np.median(kept)), "groups": len(kept)}

if __name__ == "__main__":
    main()
