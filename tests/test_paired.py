"""Paired statistics (pocsim/paired.py) against their definitions."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pocsim.paired import hodges_lehmann, paired_summary


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=1, max_size=30))
def test_hodges_lehmann_is_the_median_of_walsh_averages(values):
    d = np.array(values)
    walsh = [(d[i] + d[j]) / 2 for i in range(len(d)) for j in range(i, len(d))]
    assert np.isclose(hodges_lehmann(d), np.median(walsh))


def test_a_heavy_tail_moves_the_mean_not_the_robust_estimates():
    d = np.array([-10.0] * 9 + [500.0])  # nine worlds a little better, one massacre
    s = paired_summary(d, base_mean=100.0)
    assert s["diff_mean"] > 0 and s["diff_median"] < 0 and s["diff_hl"] < 0
    assert s["share_lower"] == 0.9 and s["share_low"] < 0.9 < s["share_high"]
    assert np.isclose(s["diff_pct"], 100 * d.mean() / 100.0)


def test_resolved_only_when_the_interval_excludes_zero():
    rng = np.random.default_rng(1)
    clear = paired_summary(rng.normal(-50, 10, 20), base_mean=500.0)
    assert clear["resolved"] and clear["diff_high"] < 0 and clear["share_lower"] == 1.0
    unclear = paired_summary(rng.normal(0, 100, 20), base_mean=500.0)
    assert not unclear["resolved"] and unclear["diff_low"] < 0 < unclear["diff_high"]
    one = paired_summary(np.array([-5.0]), base_mean=10.0)
    assert not one["resolved"] and one["diff_low"] == one["diff_high"] == -5.0
