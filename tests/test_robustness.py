"""Robustness of the ranking (pocsim/robustness.py, the sensitivity sweeper's robustness method):
probability of being best, regret and flip regions, on a known ranking and through Hydra."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from pocsim import robustness
from pocsim.sensitivity import Factor
from tests.conftest import SMALL

pytest.importorskip("sklearn")


def known(n=40, seeds=3):
    """Arm A kills 10 + 20 x, arm B 20 (x in [0, 1]): A is best below x = 0.5, B above."""
    x = robustness.sets([Factor("x", "x", 0.0, 1.0, False), Factor("noise", "noise", 0.0, 1.0, False)], n, seed=0)
    rng = np.random.default_rng(0)
    rows = [{"point": i, "seed": s, "strategy": arm, "status": "ok",
             "civilian_deaths": (10 + 20 * x[i, 0] if arm == "A" else 20.0) + rng.normal(0, 0.1)}
            for i in range(n) for s in range(seeds) for arm in ("A", "B")]
    return pd.DataFrame(rows), pd.DataFrame(x, columns=["x", "noise"])


def test_probability_best_regret_and_the_flip():
    results, values = known()
    rank = robustness.ranking(results)
    table = robustness.summary(rank)
    assert table.loc["A", "p_best"] == pytest.approx((values["x"] < 0.5).mean())
    assert table["p_best"].sum() == pytest.approx(1.0)
    assert (rank[rank["best"]]["regret"] == 0).all()
    assert table.loc["A", "regret_max"] == pytest.approx(20 * values["x"].max() - 10, abs=0.5)
    rules = robustness.flip_regions(rank, values)
    assert "x <= 0.4" in rules or "x <= 0.5" in rules  # the split is on x, not on the noise
    assert "noise" not in rules.split("\n")[1]


def test_a_best_within_noise_is_not_resolved():
    df = pd.DataFrame({"point": 0, "seed": [0, 1, 2] * 2, "strategy": ["A"] * 3 + ["B"] * 3,
                       "civilian_deaths": [10.0, 30.0, 20.0, 21.0, 19.0, 22.0]})
    rank = robustness.ranking(df)
    assert rank["best"].sum() == 1 and not rank["resolved"].any()


def sweep(tmp_path, *extra):
    return subprocess.run(
        [sys.executable, "-m", "pocsim", "-m", "+experiment=robustness", "strategy=none,modular",
         "hydra.launcher.n_jobs=1", "hydra.sweeper.sets=3", "hydra.sweeper.seeds=2", "days=2", "quiet=true", *SMALL,
         f"hydra.sweep.dir={tmp_path / 'rob'}", *extra], capture_output=True, text=True)


def test_robustness_runs_through_hydra(tmp_path):
    out = sweep(tmp_path, "hydra.sweeper.include=[scenario.threat]")
    assert out.returncode == 0, out.stderr
    rank = pd.read_csv(tmp_path / "rob" / "robustness.csv")
    assert len(rank) == 3 * 2 and rank.groupby("point")["best"].sum().eq(1).all()
    assert "Robustness of the ranking (3 Latin-hypercube sets" in (tmp_path / "rob" / "sensitivity.md").read_text()
    assert len(list((tmp_path / "rob" / "robustness").glob("p*/*/summary.json"))) == 3 * 2 * 2


def test_robustness_draws_from_a_calibrated_posterior(tmp_path):
    csv = tmp_path / "post.csv"
    pd.DataFrame({"scenario.violence.lethality": [0.03, 0.15], "weight": [0.5, 0.5]}).to_csv(csv, index=False)
    out = sweep(tmp_path, f"scenario.posterior={csv}")
    assert out.returncode == 0, out.stderr
    assert "3 draws from the posterior" in (tmp_path / "rob" / "sensitivity.md").read_text()
    overrides = (next((tmp_path / "rob" / "robustness").glob("p00000/*")) / ".hydra" / "overrides.yaml").read_text()
    assert "scenario.posterior_sample=" in overrides
    # a particle drawn twice must not be the same runs counted twice: each set has seeds of its own
    seeds = {p.name.rsplit("seed=", 1)[1] for p in (tmp_path / "rob" / "robustness").glob("p00001/*")}
    assert seeds == {"2", "3"}
