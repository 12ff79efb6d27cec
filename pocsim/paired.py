"""Paired statistics for heavy-tailed harm: what a planner reads off a strategy against the baseline.

Deaths per event are heavy-tailed, so a few massacres move a mean. Beside the mean paired
difference (with a bootstrap interval, scipy.stats.bootstrap) this reports the median paired
difference, the Hodges-Lehmann estimate (the median of the Walsh averages, the estimate that goes
with the Wilcoxon signed-rank test), the relative change against the baseline's mean, and the share
of worlds in which the arm came out lower than the baseline, with its Clopper-Pearson interval
(scipy.stats.binomtest). A difference is *resolved* when its interval (95% unless a sequential
sweep asks for more) excludes zero.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def hodges_lehmann(d: np.ndarray) -> float:
    """Median of the Walsh averages (d_i + d_j) / 2 over all i <= j."""
    i, j = np.triu_indices(len(d))
    return float(np.median((d[i] + d[j]) / 2))


def paired_summary(d: np.ndarray, base_mean: float, seed: int = 0, confidence: float = 0.95) -> dict:
    """Statistics of paired differences d (arm minus baseline, one per world), intervals at `confidence`."""
    d = np.asarray(d, dtype=float)
    n = len(d)
    out = {"n_paired": n, "diff_mean": d.mean() if n else np.nan, "diff_low": np.nan, "diff_high": np.nan,
           "diff_median": float(np.median(d)) if n else np.nan, "diff_hl": hodges_lehmann(d) if n else np.nan,
           "diff_pct": 100 * d.mean() / base_mean if n and base_mean else np.nan,
           "share_lower": np.nan, "share_low": np.nan, "share_high": np.nan, "wilcoxon_p": np.nan,
           "resolved": False}
    if n == 0:
        return out
    if n >= 2 and np.ptp(d) > 0:
        ci = stats.bootstrap((d,), np.mean, confidence_level=confidence, n_resamples=2000, method="percentile",
                             random_state=np.random.default_rng(seed)).confidence_interval
        out.update(diff_low=float(ci.low), diff_high=float(ci.high))
    else:  # one world, or every world the same: nothing to resample
        out.update(diff_low=float(d.mean()), diff_high=float(d.mean()))
    if n >= 2 and np.any(d):
        out["wilcoxon_p"] = float(stats.wilcoxon(d).pvalue)  # signed-rank test: the HL estimate's companion
    lower = int((d < 0).sum())
    share = stats.binomtest(lower, n).proportion_ci(confidence_level=confidence, method="exact")
    out.update(share_lower=lower / n, share_low=float(share.low), share_high=float(share.high),
               resolved=bool(n >= 2 and (out["diff_low"] > 0 or out["diff_high"] < 0)))
    return out
