"""ABC-SMC's move between generations: pyabc's Gaussian kernel density estimate with Student-t
kernels instead, so the proposal's tails are heavier than the prior's.

Why: the calibration works on the logit of each parameter's place in its range (calibration.Scale),
where a uniform prior is the standard logistic distribution, whose tails fall off exponentially. A
parameter the record does not pin down keeps a posterior as wide as that prior. Gaussian kernels'
tails fall off faster than that, so a particle drawn into such a tail has a prior density far larger
than its proposal density, and its importance weight (prior / proposal) swamps the others. With
t kernels the ratio stays bounded in the tails (tests/test_abc_transition.py). On a toy problem of
the calibration's shape (benchmarks/abc_weights.py: eight logit-scale parameters, three pinned down,
six seeds x six generations), 200 particles with Gaussian kernels fell below an effective sample
size of 20 in 4 of 36 generations (down to 1.3), with t kernels in none (lowest 23); the median ESS
is about the same (69 and 60). Kernels do not make up for too few particles: with 60 both collapse
in about half the generations, as the first Ouaka calibration (60 particles) did: one particle held
75 % of the weight (docs/validation.md).
"""

from __future__ import annotations

import numpy as np
import scipy.stats as st
from pyabc import Parameter
from pyabc.transition import MultivariateNormalTransition

# Numerics of the sampler, not an assumption about the world: 3 degrees of freedom give tails of
# polynomial decay (x^-(3+d)), heavier than any exponential, with a finite covariance.
DEGREES_OF_FREEDOM = 3


class StudentTransition(MultivariateNormalTransition):
    """pyabc's MultivariateNormalTransition (the same weighted covariance and Silverman bandwidth)
    with multivariate Student-t kernels of that covariance as their shape."""

    def __init__(self, df: float = DEGREES_OF_FREEDOM, **kwargs):
        super().__init__(**kwargs)
        self.df = df
        self.kernel = None

    def fit(self, X, w) -> None:
        super().fit(X, w)
        self.kernel = st.multivariate_t(shape=self.cov, df=self.df, allow_singular=True)

    def rvs(self, size: int | None = None):
        if size is None:
            return self.rvs_single()
        picks = np.random.choice(self._range, size=size, p=self.w, replace=True)
        steps = self.kernel.rvs(size=size).reshape(size, -1)  # numpy's global state, as pyabc's own
        return self.X.iloc[picks] + steps

    def rvs_single(self) -> Parameter:
        pick = np.random.choice(self._range, p=self.w)
        step = np.atleast_1d(self.kernel.rvs())
        return Parameter(self.X.iloc[pick] + step)

    def _pdf_single(self, x: np.ndarray) -> float:
        return float((self.kernel.pdf(x - self._X_arr) * self.w).sum())
