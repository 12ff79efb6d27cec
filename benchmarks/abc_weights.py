"""How often ABC-SMC's importance weights collapse, with Gaussian kernels (pyabc's default) and with
the calibration's Student-t kernels (pocsim/abc_transition.py).

    python benchmarks/abc_weights.py [--population 200] [--generations 7] [--seeds 4]

The problem is the calibration's shape on a cheap model: eight parameters on the logit scale, each
with a standard logistic prior (a uniform prior on its range); the data pin down three of them (the
model returns their place in the range, with noise 0.02) and leave five as wide as their prior.
Each seed runs both kernels from the same random state (pyabc's single-core sampler, numpy's global
state). For each generation after the first the effective sample size of the weights,
1 / sum(w^2), is recorded; the table gives its median and minimum over the seeds' generations and
how many generations fell below a tenth of the population (a collapse: a few particles carry the
posterior). It runs from a checkout without installing.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def model(p):
    u = 1 / (1 + np.exp(-np.array([p["x0"], p["x1"], p["x2"]])))
    return {"y": u + np.random.normal(0, 0.02, 3)}


def distance(a, b):
    return float(np.linalg.norm(a["y"] - b["y"]))


def ess_per_generation(transition, population: int, generations: int, seed: int, db: Path) -> list[float]:
    import pyabc

    from pocsim.calibration import effective_sample_size

    prior = pyabc.Distribution(**{f"x{i}": pyabc.RV("logistic", 0, 1) for i in range(8)})
    np.random.seed(seed)
    abc = pyabc.ABCSMC(model, prior, distance, population_size=population, transitions=transition,
                       sampler=pyabc.sampler.SingleCoreSampler())
    abc.new(f"sqlite:///{db}", {"y": np.array([0.2, 0.5, 0.8])})
    history = abc.run(max_nr_populations=generations)
    return [effective_sample_size(history.get_distribution(t=t)[1]) for t in range(1, history.max_t + 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--population", type=int, default=200)
    ap.add_argument("--generations", type=int, default=7)
    ap.add_argument("--seeds", type=int, default=4)
    args = ap.parse_args()
    logging.disable(logging.INFO)  # pyabc's lines per generation

    from pyabc.transition import MultivariateNormalTransition

    from pocsim.abc_transition import StudentTransition

    kernels = {"Gaussian (pyabc's default)": MultivariateNormalTransition, "Student-t, 3 df": StudentTransition}
    ess = {name: [] for name in kernels}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.seeds):
            for i, (name, kernel) in enumerate(kernels.items()):
                ess[name] += ess_per_generation(kernel(), args.population, args.generations, seed,
                                                Path(tmp) / f"{i}-{seed}.db")
    print(f"{args.population} particles, generations 1-{args.generations - 1}, seeds 0-{args.seeds - 1}\n")
    print("| kernels | ESS, median | ESS, minimum | generations below 10 % of the population |")
    print("|---|---|---|---|")
    for name, values in ess.items():
        low = sum(v < args.population / 10 for v in values)
        print(f"| {name} | {np.median(values):.0f} | {min(values):.1f} | {low} of {len(values)} |")


if __name__ == "__main__":
    main()
