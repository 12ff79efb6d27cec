"""Threat kernel: numba against the numpy reference, and the physical invariants of the step
(positivity, mass conservation, bounded growth, symmetry, terrain-following spread)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pocsim.kernels.threat import (
    _cell_sums,
    bare_stencil,
    conductance,
    retention_field,
    threat_step,
    update_retention,
)

SETTINGS = settings(max_examples=60, deadline=None)
ENGINES = ("numba", "numpy")
NO_SRC = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
F32_EPS = float(np.finfo(np.float32).eps)


@st.composite
def cases(draw, max_side=20):
    """Cost (with impassable cells), threat, retention, spread and sources on a small grid."""
    ny = draw(st.integers(1, max_side))
    nx = draw(st.integers(1, max_side))
    shape = (ny, nx)
    cost = draw(arrays(np.float64, shape, elements=st.floats(0.1, 10.0)))
    u = draw(arrays(np.float64, shape, elements=st.floats(0.0, 1.0)))
    cost[u < draw(st.sampled_from([0.0, 0.2]))] = np.inf
    threat = draw(arrays(np.float64, shape, elements=st.floats(0.0, 1e3)))
    retention = draw(arrays(np.float32, shape, elements=st.floats(0.0, 1.0, width=32)))
    spread = draw(st.floats(0.0, 1.0))
    k = draw(st.integers(0, 6))
    src_idx = np.array(draw(st.lists(st.integers(0, ny * nx - 1), min_size=k, max_size=k)),
                       dtype=np.int64)
    src_amount = draw(arrays(np.float64, (k,), elements=st.floats(0.0, 50.0)))
    cx, cy = conductance(cost)
    return threat, cx, cy, retention, spread, src_idx, src_amount


def step(threat, cx, cy, retention, spread, src_idx, src_amount, engine="numba"):
    out = np.empty_like(threat)
    return threat_step(threat, cx, cy, retention, spread, src_idx, src_amount, out, engine=engine)


@SETTINGS
@given(cases())
def test_kernel_matches_reference(case):
    a = step(*case, engine="numba")
    b = step(*case, engine="numpy")
    # FMA in the kernel: a few ulp apart, relative to the field (a cell whose coefficient
    # 1 - spread*s_i nearly cancels can differ more relative to its own small value)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * np.abs(b).max(initial=0.0))


@pytest.mark.parametrize("shape", [(1, 1), (1, 6), (6, 1), (2, 2), (2, 7), (7, 2), (3, 3)])
def test_thin_and_small_grids_match_reference(shape):
    """One-row/column grids take the kernel's branchy path (cx or cy is empty), the others the
    clamped border path; both must equal the reference and conserve mass."""
    rng = np.random.default_rng(sum(shape))
    cx, cy = conductance(random_field(rng, shape, inf_share=0.0))
    t = rng.random(shape)
    ones = np.ones(shape, dtype=np.float32)
    a = step(t, cx, cy, ones, 1.0, *NO_SRC, engine="numba")
    b = step(t, cx, cy, ones, 1.0, *NO_SRC, engine="numpy")
    np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(a.sum(), t.sum(), rtol=1e-14)
    assert a.min() >= 0.0


@SETTINGS
@given(cases())
def test_one_step_invariants(case):
    threat, cx, cy, retention, spread, src_idx, src_amount = case
    for engine in ENGINES:
        out = step(*case, engine=engine)
        assert out.min(initial=0.0) >= 0.0  # exactly, not up to rounding
        bound = threat.sum() * retention.max() + src_amount.sum()
        assert out.sum() <= bound * (1 + 1e-12) + 1e-300
        # no decay, no sources: spread only moves threat around
        ones = np.ones(threat.shape, dtype=np.float32)
        moved = step(threat, cx, cy, ones, spread, *NO_SRC, engine=engine)
        # atol: below ~2e-308 (subnormal) a float64 has fewer significant bits than rtol asks for
        np.testing.assert_allclose(moved.sum(), threat.sum(), rtol=1e-12, atol=1e-300)


def random_field(rng, shape, inf_share=0.15):
    cost = rng.uniform(0.2, 8.0, shape)
    cost[rng.random(shape) < inf_share] = np.inf
    return cost


@pytest.mark.parametrize("engine", ENGINES)
def test_many_full_spread_steps_stay_non_negative_and_conserve_mass(engine):
    rng = np.random.default_rng(1)
    shape = (30, 40)
    cx, cy = conductance(random_field(rng, shape))
    t = rng.random(shape) * (rng.random(shape) < 0.1)  # spiky: the hardest case for positivity
    t0 = t.sum()
    ones, out = np.ones(shape, dtype=np.float32), np.empty(shape)
    for _ in range(300):
        threat_step(t, cx, cy, ones, 1.0, *NO_SRC, out, engine=engine)
        t, out = out, t
        assert t.min() >= 0.0
    np.testing.assert_allclose(t.sum(), t0, rtol=1e-12)


@SETTINGS
@given(cases(), st.sampled_from(ENGINES))
def test_transpose_symmetry(case, engine):
    threat, _, _, retention, spread, _, _ = case
    n = min(threat.shape)
    rng = np.random.default_rng(n)
    cost = random_field(rng, (n, n))
    cost = np.minimum(cost, cost.T)  # symmetric, infs included
    t = threat[:n, :n] + threat[:n, :n].T
    ret = np.ascontiguousarray(np.minimum(retention[:n, :n], retention[:n, :n].T))
    cx, cy = conductance(cost)
    # sources placed symmetrically: one on the diagonal, a pair mirrored across it
    src = (np.array([0, n - 1, (n - 1) * n]), np.array([2.0, 1.0, 1.0]))
    out = t
    for _ in range(5):
        out = step(out, cx, cy, ret, spread, *src, engine=engine)
    np.testing.assert_allclose(out, out.T, rtol=1e-12, atol=1e-12 * out.max(initial=0.0))


@pytest.mark.parametrize("engine", ENGINES)
def test_mirror_symmetry(engine):
    rng = np.random.default_rng(3)
    cost = random_field(rng, (12, 21))
    cost = np.minimum(cost, cost[:, ::-1])
    t = rng.random((12, 21))
    t = t + t[:, ::-1]
    cx, cy = conductance(cost)
    ret = np.ascontiguousarray(retention_field(cost == np.inf, 0.1, 2.0))
    out = t
    for _ in range(20):
        out = step(out, cx, cy, ret, 0.9, *NO_SRC, engine=engine)
    np.testing.assert_allclose(out, out[:, ::-1], rtol=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_threat_spreads_faster_along_a_low_cost_corridor(engine):
    shape = (41, 41)
    cost = np.full(shape, 8.0)
    cost[20, :] = 0.5  # a road through swamp
    cx, cy = conductance(cost)
    t = np.zeros(shape)
    t[20, 20] = 100.0
    ones = np.ones(shape, dtype=np.float32)
    for _ in range(40):
        t = step(t, cx, cy, ones, 0.5, *NO_SRC, engine=engine)
    # next to the source the swamp cell holds more (it drains slowly); the reach is what differs
    for d in (4, 6, 10):
        assert t[20, 20 + d] > 10 * t[20 + d, 20]  # along the road vs the same distance across
        assert t[20, 20 - d] == pytest.approx(t[20, 20 + d], rel=1e-12)


def test_conductance_properties():
    rng = np.random.default_rng(4)
    cost = random_field(rng, (23, 31))
    cx, cy = conductance(cost)
    assert cx.shape == (23, 30) and cy.shape == (22, 31)
    assert cx.dtype == cy.dtype == np.float32 and cx.flags.c_contiguous and cy.flags.c_contiguous
    blocked = ~np.isfinite(cost)
    assert np.all(cx[blocked[:, :-1] | blocked[:, 1:]] == 0.0)
    assert np.all(cy[blocked[:-1, :] | blocked[1:, :]] == 0.0)
    assert np.all(cx >= 0.0) and np.all(cy >= 0.0)
    s = _cell_sums(cx, cy)  # in float64, the kernel's order
    assert s.dtype == np.float64
    assert s.max() <= 1.0 and s.max() >= 1.0 - 4 * F32_EPS
    # a cheaper edge conducts more, in proportion to 1 / mean cost (up to float32 rounding)
    c2x, _ = conductance(np.array([[1.0, 1.0, 3.0]]))
    np.testing.assert_allclose(np.float64(c2x[0, 0]) / c2x[0, 1], 2.0, rtol=2 * F32_EPS)
    # cell_km only rescales the raw values, which the normalisation removes
    np.testing.assert_allclose(conductance(cost, 2.5)[0], cx, rtol=4 * F32_EPS)
    cxt, cyt = conductance(np.ascontiguousarray(cost.T))
    np.testing.assert_allclose(cxt, cy.T, rtol=4 * F32_EPS)
    np.testing.assert_allclose(cyt, cx.T, rtol=4 * F32_EPS)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.data())
def test_conductance_sums_never_exceed_one(ny, nx, data):
    """The float32 rounding must not push any cell's float64 sum above 1, whatever the costs:
    near-equal costs (many sums tie for the maximum) are the hardest case."""
    base = data.draw(st.floats(1e-3, 1e3))
    jitter = data.draw(arrays(np.float64, (ny, nx), elements=st.floats(1.0, 1.0 + 1e-6)))
    cost = base * jitter
    cx, cy = conductance(cost, data.draw(st.floats(0.01, 100.0)))
    assert cx.dtype == cy.dtype == np.float32
    s = _cell_sums(cx, cy)
    if ny * nx > 1:
        assert s.max() <= 1.0 and s.max() >= 1.0 - 4 * F32_EPS
    # and exactly as the kernel adds them: the same four float64 values in the same order
    w = np.zeros((ny, nx)); e = np.zeros((ny, nx)); n = np.zeros((ny, nx)); so = np.zeros((ny, nx))
    w[:, 1:], e[:, :-1], n[1:, :], so[:-1, :] = cx, cx, cy, cy
    np.testing.assert_array_equal(((w + e) + n) + so, s)


def test_conductance_edge_cases():
    cx, cy = conductance(np.ones((1, 1)))
    assert cx.shape == (1, 0) and cy.shape == (0, 1)
    cx, cy = conductance(np.full((3, 3), np.inf))
    assert not cx.any() and not cy.any()
    for bad in (np.zeros((2, 2)), np.full((2, 2), np.nan), -np.ones((2, 2))):
        with pytest.raises(ValueError):
            conductance(bad)


def test_retention_field():
    d = np.array([[0.0, 1.0], [2.0, 0.5]])
    r = retention_field(d, 0.1, 2.0)
    np.testing.assert_array_equal(r, (0.9 / (1.0 + 2.0 * d)).astype(np.float32))
    assert r.dtype == np.float32 and r.shape == d.shape and r.flags.c_contiguous
    assert retention_field(np.zeros(3), 0.0, 0.0).max() == 1.0  # the rounding stays in [0, 1]
    np.testing.assert_array_equal(retention_field(d, 0.0, 0.0), np.ones_like(d))
    for args in ((d, -0.1, 1.0), (d, 1.0, 1.0), (d, np.nan, 1.0), (d, 0.1, -1.0),
                 (-d, 0.1, 1.0), (d * np.nan, 0.1, 1.0), (d, 0.1, np.inf)):
        with pytest.raises(ValueError):
            retention_field(*args)


@SETTINGS
@given(st.integers(0, 2**32 - 1), st.floats(0.0, 0.99), st.floats(0.0, 10.0))
def test_updating_the_retention_where_deterrence_moved_equals_recomputing_it(seed, decay, suppression):
    """The incremental update the model runs each hour gives the whole-field result bit for bit."""
    rng = np.random.default_rng(seed)
    previous = rng.exponential(1.0, (7, 9)) * (rng.random((7, 9)) < 0.5)
    retention = retention_field(previous, decay, suppression)
    now = previous.copy()
    moved = rng.random(now.shape) < 0.2  # units moved: some cells gain or lose presence
    now[moved] = rng.exponential(1.0, moved.sum()) * (rng.random(moved.sum()) < 0.7)
    assert update_retention(now, previous, retention, decay, suppression) == -1
    np.testing.assert_array_equal(retention, retention_field(now, decay, suppression))
    np.testing.assert_array_equal(previous, now)


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_updating_the_retention_refuses_impossible_deterrence(bad):
    previous, retention = np.zeros((2, 2)), retention_field(np.zeros((2, 2)), 0.1, 1.0)
    now = previous.copy()
    now[1, 0] = bad
    assert update_retention(now, previous, retention, 0.1, 1.0) == 2


@pytest.mark.parametrize("engine", ENGINES)
def test_sources_accumulate_and_are_validated(engine):
    t = np.zeros((3, 4))
    cx, cy = conductance(np.ones((3, 4)))
    ones = np.ones((3, 4), dtype=np.float32)
    out = step(t, cx, cy, ones, 0.5, np.array([5, 5, 0]), np.array([1.0, 2.0, 0.5]), engine)
    assert out[1, 1] == 3.0 and out[0, 0] == 0.5 and out.sum() == 3.5
    with pytest.raises(IndexError):
        step(t, cx, cy, ones, 0.5, np.array([12]), np.array([1.0]), engine)
    with pytest.raises(ValueError):
        step(t, cx, cy, ones, 0.5, np.array([1]), np.array([-1.0]), engine)


def test_threat_step_rejects_bad_arguments():
    t = np.ones((4, 5))
    cx, cy = conductance(np.ones((4, 5)))
    r = np.ones((4, 5), dtype=np.float32)
    with pytest.raises(AssertionError):  # aliasing
        threat_step(t, cx, cy, r, 0.5, *NO_SRC, t)
    with pytest.raises(AssertionError):  # transposed conductances
        threat_step(t, cy, cx, r, 0.5, *NO_SRC, np.empty_like(t))
    with pytest.raises(AssertionError):
        threat_step(t, cx, cy, r, 1.5, *NO_SRC, np.empty_like(t))
    with pytest.raises(AssertionError):
        threat_step(t, cx, cy, r, 0.5, np.array([1], dtype=np.int32), np.array([1.0]),
                    np.empty_like(t))
    with pytest.raises(AssertionError):  # float64 retention or conductances
        threat_step(t, cx, cy, r.astype(np.float64), 0.5, *NO_SRC, np.empty_like(t))
    with pytest.raises(AssertionError):
        threat_step(t, cx.astype(np.float64), cy, r, 0.5, *NO_SRC, np.empty_like(t))
    with pytest.raises(AssertionError):  # float32 threat
        threat_step(t.astype(np.float32), cx, cy, r, 0.5, *NO_SRC, np.empty_like(t))
    with pytest.raises(AssertionError):  # non-contiguous out
        threat_step(t, cx, cy, r, 0.5, *NO_SRC, np.empty((5, 4)).T)
    with pytest.raises(ValueError):
        threat_step(t, cx, cy, r, 0.5, *NO_SRC, np.empty_like(t), engine="cuda")


def test_bare_stencil():
    rng = np.random.default_rng(5)
    a = rng.random((7, 9))
    out = np.empty_like(a)
    bare_stencil(a, out)
    p = np.pad(a, 1, mode="edge")
    ref = (p[1:-1, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:] + p[:-2, 1:-1] + p[2:, 1:-1]) / 5
    np.testing.assert_allclose(out, ref, rtol=1e-14)
