"""The calibration's ABC move (pocsim/abc_transition.py): Student-t kernels whose draws follow their
own density, and importance weights that stay bounded in the prior's tails, where Gaussian kernels'
explode (the effect on a whole ABC run: benchmarks/abc_weights.py)."""

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st

pyabc = pytest.importorskip("pyabc")

from pyabc.transition import MultivariateNormalTransition  # noqa: E402

from pocsim.abc_transition import StudentTransition  # noqa: E402


def _fitted(n=5, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(0, 1, n)})
    w = rng.uniform(0.5, 1.5, n)
    t = StudentTransition()
    t.fit(X, w / w.sum())
    return t, X["a"].to_numpy(), w / w.sum()


def test_the_density_is_the_weighted_mixture_of_t_kernels():
    t, centres, w = _fitted()
    scale = np.sqrt(t.cov[0, 0])
    for x in (-3.0, 0.1, 2.5, 40.0):
        mixture = np.sum(w * st.t.pdf((x - centres) / scale, df=t.df) / scale)
        assert t.pdf(pd.Series({"a": x})) == pytest.approx(mixture, rel=1e-9)


def test_draws_follow_the_density():
    t, centres, w = _fitted()
    scale = np.sqrt(t.cov[0, 0])
    np.random.seed(3)  # pyabc's draws use numpy's global state
    draws = np.concatenate([t.rvs(size=2000)["a"].to_numpy(), [t.rvs()["a"] for _ in range(200)]])

    def cdf(x):
        return np.sum(w * st.t.cdf((np.asarray(x)[:, None] - centres) / scale, df=t.df), axis=1)

    assert st.kstest(draws, cdf).pvalue > 0.01


def test_the_weights_stay_bounded_in_the_priors_tails():
    """The mechanism: a particle drawn far out, where the logistic prior (the calibration's uniform
    prior on the logit scale) still has mass, gets the weight prior / proposal. Gaussian kernels make
    that ratio explode; t kernels keep it within two orders of magnitude of its value near the particles, and it
    falls again further out (polynomial tails outlast the prior's exponential ones)."""
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(0, 1, 200)})
    w = np.full(200, 1 / 200)
    far = np.linspace(4, 15, 12)

    def ratios(transition):
        transition.fit(X, w)
        at = lambda x: st.logistic.pdf(x) / transition.pdf(pd.Series({"a": x}))  # noqa: E731
        return np.array([at(x) for x in far]) / at(0.0)

    student = ratios(StudentTransition())
    assert student.max() < 100 and student[-1] < 1
    assert ratios(MultivariateNormalTransition()).max() > 1e6  # what the t kernels are for


def test_the_benchmark_runs_at_a_tiny_size():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "abc_weights.py"
    out = subprocess.run([sys.executable, str(script), "--population", "20", "--generations", "2", "--seeds", "1"],
                         capture_output=True, text=True, check=True).stdout
    rows = [line for line in out.splitlines() if line.startswith("| ") and "kernels" not in line]
    assert [r.split(" | ")[0] for r in rows] == ["| Gaussian (pyabc's default)", "| Student-t, 3 df"]
    assert all(r.endswith("of 1 |") for r in rows)
