"""Travel-time kernel: numba Dijkstra against scipy's csgraph on the same graph, and the
properties a shortest-path field must have whatever the implementation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pocsim.kernels import travel
from pocsim.kernels.travel import (
    NO_PARENT,
    ORIGIN,
    grid_graph,
    path_from_parents,
    travel_times,
    travel_times_with_parents,
)

SETTINGS = settings(max_examples=60, deadline=None)
ENGINES = ("numba", "numpy")


@st.composite
def grids(draw, min_side=2, max_side=25):
    """A cost grid with some impassable cells, 1..4 origins (possibly impassable or repeated);
    half the time costs 1..4 h/km only, so that equal-time routes are common."""
    ny = draw(st.integers(min_side, max_side))
    nx = draw(st.integers(min_side, max_side))
    cost = draw(arrays(np.float64, (ny, nx), elements=st.floats(0.1, 10.0)))
    if draw(st.booleans()):  # a few whole-number costs: many routes tie exactly
        cost = np.ceil(cost / 3.0)
    # blocked share 0..40%: from open plains to mazes with cut-off pockets
    share = draw(st.sampled_from([0.0, 0.1, 0.25, 0.4]))
    u = draw(arrays(np.float64, (ny, nx), elements=st.floats(0.0, 1.0)))
    cost[u < share] = np.inf
    origins = np.array(draw(st.lists(st.integers(0, ny * nx - 1), min_size=1, max_size=4)),
                       dtype=np.int64)
    return cost, origins


max_times = st.one_of(st.just(np.inf), st.floats(0.0, 40.0))
cell_kms = st.sampled_from([1.0, 0.5, 2.5])


def edge_time(cost, i, j, cell_km):
    nx = cost.shape[1]
    (yi, xi), (yj, xj) = divmod(int(i), nx), divmod(int(j), nx)
    assert max(abs(yi - yj), abs(xi - xj)) == 1, "path steps must be 8-neighbours"
    f = np.sqrt(2.0) if yi != yj and xi != xj else 1.0
    return 0.5 * (cost.flat[i] + cost.flat[j]) * cell_km * f


def assert_same_field(a, b):
    np.testing.assert_array_equal(np.isinf(a), np.isinf(b))
    fin = np.isfinite(a)
    np.testing.assert_allclose(a[fin], b[fin], rtol=1e-12, atol=1e-12)


@SETTINGS
@given(grids(), max_times, cell_kms)
def test_numba_matches_scipy_reference(grid, max_time, cell_km):
    cost, origins = grid
    a = travel_times(cost, origins, cell_km, max_time, engine="numba")
    b = travel_times(cost, origins, cell_km, max_time, engine="numpy")
    assert a.dtype == np.float64 and a.shape == cost.shape
    assert_same_field(a, b)
    assert np.all(a[np.isfinite(a)] <= max_time)


@SETTINGS
@given(grids(), cell_kms)
def test_bounded_search_is_the_unbounded_field_cut_at_max_time(grid, cell_km):
    cost, origins = grid
    full = travel_times(cost, origins, cell_km)
    fin = full[np.isfinite(full)]
    max_time = float(np.median(fin)) if fin.size else 1.0
    cut = travel_times(cost, origins, cell_km, max_time)
    assert_same_field(cut, np.where(full <= max_time, full, np.inf))


def assert_shortest_path_tree(cost, origins, cell_km, times, parent):
    """``parent`` is a shortest-path tree for ``times``: origins and only origins are roots,
    exactly the unreached cells have no parent, and every chain of parents is a path of
    8-neighbour steps whose edge times sum to its end's time."""
    assert parent.dtype == np.int64 and parent.shape == cost.shape
    live_origins = [o for o in origins if np.isfinite(cost.flat[o])]
    np.testing.assert_array_equal(np.flatnonzero(parent.ravel() == ORIGIN),
                                  np.unique(np.array(live_origins, dtype=np.int64)))
    np.testing.assert_array_equal(parent.ravel() == NO_PARENT, np.isinf(times.ravel()))
    for target in np.flatnonzero(np.isfinite(times.ravel())):
        path = path_from_parents(parent, target)
        assert path[-1] == target and path[0] in live_origins
        total = sum(edge_time(cost, i, j, cell_km) for i, j in zip(path[:-1], path[1:]))
        np.testing.assert_allclose(total, times.flat[target], rtol=1e-12, atol=1e-12)


@SETTINGS
@given(grids(), cell_kms)
def test_parents_form_shortest_paths(grid, cell_km):
    cost, origins = grid
    times, parent = travel_times_with_parents(cost, origins, cell_km)
    np.testing.assert_array_equal(times, travel_times(cost, origins, cell_km))
    assert_shortest_path_tree(cost, origins, cell_km, times, parent)


@SETTINGS
@given(grids(), max_times, cell_kms)
def test_numpy_engine_parents_match_numba_up_to_ties(grid, max_time, cell_km):
    cost, origins = grid
    ta, pa = travel_times_with_parents(cost, origins, cell_km, max_time, engine="numba")
    tb, pb = travel_times_with_parents(cost, origins, cell_km, max_time, engine="numpy")
    assert tb.dtype == np.float64 and tb.shape == cost.shape
    assert_same_field(ta, tb)
    np.testing.assert_array_equal(tb, travel_times(cost, origins, cell_km, max_time, "numpy"))
    assert_shortest_path_tree(cost, origins, cell_km, tb, pb)
    # where the trees differ, both parents are on a shortest route: a tie, not an error
    for j in np.flatnonzero(pa.ravel() != pb.ravel()):
        for p in (pa.flat[j], pb.flat[j]):
            assert p >= 0  # roots and unreached cells are the same in both
            np.testing.assert_allclose(tb.flat[p] + edge_time(cost, p, j, cell_km), tb.flat[j],
                                       rtol=1e-12, atol=1e-12)


def test_engines_may_pick_different_parents_on_a_tie():
    """Why the test above allows different trees: from cell 0, cell 3 is reached in 1.5 + 2 h
    through cell 1 or through cell 2, and the two engines (scipy 1.17) pick differently."""
    cost = np.array([[2.0, 1.0], [1.0, 3.0]])
    ta, pa = travel_times_with_parents(cost, np.array([0]), engine="numba")
    tb, pb = travel_times_with_parents(cost, np.array([0]), engine="numpy")
    np.testing.assert_array_equal(ta, tb)
    assert ta[1, 1] == 3.5 and pa[1, 1] in (1, 2) and pb[1, 1] in (1, 2)
    for t, p in ((ta, pa), (tb, pb)):
        assert_shortest_path_tree(cost, np.array([0]), 1.0, t, p)


@SETTINGS
@given(grids(), st.data())
def test_numpy_engine_ignores_target(grid, data):
    cost, origins = grid
    target = data.draw(st.integers(0, cost.size - 1))
    full = travel_times_with_parents(cost, origins, engine="numpy")
    early = travel_times_with_parents(cost, origins, target=target, engine="numpy")
    np.testing.assert_array_equal(early[0], full[0])
    np.testing.assert_array_equal(early[1], full[1])


@SETTINGS
@given(grids(), st.data())
def test_early_exit_gives_the_exact_target_time(grid, data):
    cost, origins = grid
    full = travel_times(cost, origins)
    target = data.draw(st.integers(0, cost.size - 1))
    times, parent = travel_times_with_parents(cost, origins, target=target)
    path = path_from_parents(parent, target)
    if np.isinf(full.flat[target]):
        assert path.size == 0
    else:
        assert times.flat[target] == full.flat[target]
        total = sum(edge_time(cost, i, j, 1.0) for i, j in zip(path[:-1], path[1:]))
        np.testing.assert_allclose(total, full.flat[target], rtol=1e-12, atol=1e-12)


@SETTINGS
@given(grids())
def test_times_obey_the_edge_inequality_and_grow_along_the_tree(grid):
    cost, origins = grid
    times, parent = travel_times_with_parents(cost, origins)
    # for every existing edge i-j: t_j <= t_i + w_ij (else Dijkstra missed a shorter route)
    graph = grid_graph(cost, 1.0).tocoo()
    ti, tj = times.flat[graph.row], times.flat[graph.col]
    fin = np.isfinite(ti)
    assert np.all(tj[fin] <= ti[fin] + graph.data[fin] * (1 + 1e-12))
    # neighbours of a reached cell are reached (no max_time here)
    assert np.all(np.isfinite(tj[fin]))
    # strictly increasing from parent to child, as all costs are > 0
    child = np.flatnonzero(parent.ravel() >= 0)
    assert np.all(times.flat[child] > times.flat[parent.ravel()[child]])


def test_road_is_faster_than_offroad():
    cost = np.full((41, 41), 4.0)
    cost[20, :] = 0.25  # a road along the middle row
    t = travel_times(cost, np.array([20 * 41 + 0]))
    assert t[20, 40] < t[0, 0] / 5  # 40 km along the road vs 20 km off it
    np.testing.assert_allclose(t[20, 40], 40 * 0.25)


def test_diagonals_cost_sqrt2_and_ignore_corners():
    cost = np.array([[1.0, np.inf], [np.inf, 1.0]])
    t = travel_times(cost, np.array([0]), cell_km=2.0)
    np.testing.assert_allclose(t[1, 1], 2.0 * np.sqrt(2.0))  # no corner rule


def test_origins_impassable_or_none_reachable():
    cost = np.ones((3, 3))
    cost[1, 1] = np.inf
    for engine in ENGINES:
        t = travel_times(cost, np.array([4]), engine=engine)
        assert np.all(np.isinf(t))
        t = travel_times(cost, np.array([4, 0]), engine=engine)
        assert t[0, 0] == 0.0 and np.isinf(t[1, 1])
        times, parent = travel_times_with_parents(cost, np.array([4]), engine=engine)
        assert np.all(np.isinf(times)) and np.all(parent == NO_PARENT)
        assert path_from_parents(parent, 4).size == 0
        times, parent = travel_times_with_parents(cost, np.array([4, 0, 0]), engine=engine)
        assert parent[0, 0] == ORIGIN and parent[1, 1] == NO_PARENT
        assert np.all(parent.ravel()[[1, 2, 3, 5, 6, 7, 8]] >= 0)


@pytest.mark.parametrize("engine", ENGINES)
def test_origin_is_its_own_path(engine):
    times, parent = travel_times_with_parents(np.ones((2, 2)), np.array([3]), engine=engine)
    np.testing.assert_array_equal(path_from_parents(parent, 3), [3])


def test_graph_cache_reuses_graphs_but_never_stale_ones():
    travel.clear_graph_cache()
    rng = np.random.default_rng(7)
    cost = rng.uniform(0.5, 2.0, (6, 7))
    origin = np.array([0])
    travel_times(cost, origin, 1.5, engine="numpy")
    graph = travel._cached_graph(cost, 1.5)
    assert travel._cached_graph(cost, 1.5) is graph  # same array, same values: a hit
    assert travel._cached_graph(cost, 2.0) is not graph  # cell_km is part of the key
    # changed in place: the stored copy no longer matches, so the graph is rebuilt
    cost[3, :] = np.inf
    for engine in ENGINES:
        t, p = travel_times_with_parents(cost, origin, 1.5, engine=engine)
        assert np.all(np.isinf(t[3:])) and np.all(p[3:] == NO_PARENT)
    np.testing.assert_array_equal(travel_times(cost, origin, 1.5, engine="numpy"),
                                  travel_times(cost.copy(), origin, 1.5, engine="numpy"))
    # bounded: old entries are dropped
    keep = [rng.uniform(0.5, 2.0, (4, 4)) for _ in range(3 * travel.GRAPH_CACHE_SIZE)]
    for c in keep:
        travel_times(c, origin, engine="numpy")
    assert len(travel._graph_cache) == travel.GRAPH_CACHE_SIZE
    travel.clear_graph_cache()
    assert len(travel._graph_cache) == 0


def test_bad_arguments():
    cost = np.ones((3, 3))
    with pytest.raises(ValueError):
        travel_times(cost, np.array([9]))
    with pytest.raises(ValueError):
        travel_times(cost, np.array([-1]))
    with pytest.raises(ValueError):
        travel_times(cost, np.array([0]), max_time=-1.0)
    with pytest.raises(ValueError):
        travel_times(cost, np.array([0]), engine="cuda")
    with pytest.raises(ValueError):
        travel_times(cost.astype(np.float32), np.array([0]))
    with pytest.raises(ValueError):
        travel_times_with_parents(cost, np.array([0]), target=9)
    with pytest.raises(ValueError):
        travel_times_with_parents(cost, np.array([0]), engine="cuda")
    with pytest.raises(ValueError):
        travel_times_with_parents(cost, np.array([0]), target=9, engine="numpy")


def test_bounded_search_on_a_big_grid_only_touches_the_neighbourhood():
    rng = np.random.default_rng(0)
    cost = rng.uniform(0.5, 2.0, (1000, 1000))
    t = travel_times(cost, np.array([500 * 1000 + 500]), max_time=20.0)
    ys, xs = np.nonzero(np.isfinite(t))
    # 20 h at >= 0.5 h/km: nothing beyond 40 cells away
    assert ys.min() >= 460 and ys.max() <= 540 and xs.min() >= 460 and xs.max() <= 540
