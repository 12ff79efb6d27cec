"""Travel-time fields on the 8-neighbour grid (Dijkstra), with a scipy reference.

Conventions
-----------
* ``cost`` is float64 (ny, nx): hours needed to cross one km of the cell; ``np.inf`` marks an
  impassable cell. Costs must be > 0 (a zero cost would be a zero-weight edge, which the scipy
  reference cannot represent in a sparse matrix) and not NaN; this is documented rather than
  checked because checking is O(cells) and bounded searches must not pay for the whole grid.
* The edge between 8-neighbours i and j takes ``0.5 * (cost[i] + cost[j]) * cell_km * f`` hours
  with f = 1 (orthogonal) or sqrt(2) (diagonal). An edge touching an impassable cell does not
  exist. Diagonals need no free orthogonal cell (no corner rule) so the graph stays simple and
  the scipy reference is a plain adjacency matrix.
* Cells are addressed by flat C-order index ``y * nx + x``.

Engines
-------
``engine="numba"`` (default) is the search the model runs: a bounded search costs in
proportion to the area inside ``max_time``. ``engine="numpy"`` is the reference:
``scipy.sparse.csgraph.dijkstra`` on ``grid_graph(cost, cell_km)``. Both give the same times (to
rounding); shortest-path trees may differ where two routes tie.

Building the scipy graph costs more than a search on it (200x200: ~20 ms to build, ~8 ms for a
full search, <1 ms for a bounded one; 1024x1024: ~1 s to build). The model searches the same
few cost arrays again and again, so the numpy engine keeps the graphs of the last
``GRAPH_CACHE_SIZE`` (cost array, cell_km) pairs. The key is the array's id, shape and
``cell_km``, but a hit is used only if the cost values still equal a copy stored with the graph
(``np.array_equal``, ~0.1 ms on 200x200, ~3 ms on 1024x1024): an array changed in place, or a new
array that got a dead one's id, cannot get a stale graph. Memory: each entry holds the graph,
~12 bytes per directed edge (~4 MB on 200x200, ~105 MB on 1024x1024), plus the copy of the
costs; ``clear_graph_cache()`` releases it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numba
import numpy as np
import scipy.sparse
from scipy.sparse.csgraph import dijkstra

# parent codes: a cell with no predecessor is either never reached or an origin; the two must be
# told apart, otherwise path_from_parents could not say "unreachable" (empty) from "origin" ([t]).
NO_PARENT = -1
ORIGIN = -2

_SQRT2 = np.sqrt(2.0)
# Neighbour offsets and length factors; module-level arrays are frozen into the numba kernel.
_DY = np.array([-1, -1, -1, 0, 0, 1, 1, 1], dtype=np.int64)
_DX = np.array([-1, 0, 1, -1, 1, -1, 0, 1], dtype=np.int64)
_LEN = np.array([_SQRT2, 1.0, _SQRT2, 1.0, 1.0, _SQRT2, 1.0, _SQRT2], dtype=np.float64)


@numba.njit(cache=True)
def _grow(a, n):
    """Twice the storage, same first n items; amortised O(1) per push."""
    b = np.empty(2 * a.size, dtype=a.dtype)
    for k in range(n):  # a loop, not b[:n] = a[:n]: slice assignment costs ~1 s of compile
        b[k] = a[k]
    return b


# inline="always" (numba-level inlining): as separate calls the heap operations made the
# whole search ~1.4x slower, measured.
@numba.njit(cache=True, inline="always")
def _heap_push(keys, vals, n, key, val):
    """Push onto the binary min-heap held in keys[:n], vals[:n] (capacity > n)."""
    while n > 0:  # sift up: move parents down until key fits
        up = (n - 1) >> 1
        if keys[up] <= key:
            break
        keys[n] = keys[up]
        vals[n] = vals[up]
        n = up
    keys[n] = key
    vals[n] = val


@numba.njit(cache=True, inline="always")
def _heap_pop(keys, vals, n):
    """Remove and return the root of the heap keys[:n]; the caller decrements n.

    Bottom-up variant: walk the hole down to a leaf along the smaller children (one comparison
    per level, which compiles to a conditional move), then sift the last item up from there. The
    last item belongs near the bottom, so this beats the textbook sift-down, whose two
    unpredictable branches per level dominate Dijkstra's time.
    """
    key, val = keys[0], vals[0]
    n -= 1
    i = 0
    child = 1
    while child < n:
        child += (child + 1 < n) & (keys[child + 1] < keys[child])
        keys[i] = keys[child]
        vals[i] = vals[child]
        i = child
        child = 2 * i + 1
    if i < n:
        _heap_push(keys, vals, i, keys[n], vals[n])
    return key, val


@numba.njit(cache=True)
def _settle(c, nx, t, p, cell_km, max_time, target, keys, vals, n):
    """Run Dijkstra on the heap keys[:n]/vals[:n] until it is empty (returns 0), ``target`` is
    settled (returns 0), or one more expansion could overflow the heap (returns n > 0; the
    caller grows the arrays and calls again: all state is in the heap and in t, p).

    Kept apart from the growth so the arrays never change inside this hot loop; reassigning
    them here made the loop twice as slow.
    """
    ny = c.size // nx
    track = p.size > 0
    half_km = 0.5 * cell_km
    while n > 0:
        if n + 8 > keys.size:
            return n
        d, i = _heap_pop(keys, vals, n)
        n -= 1
        if d > t[i]:
            continue  # stale entry (lazy deletion)
        if i == target:
            return 0  # settled: its time and path are final
        y = i // nx
        x = i - y * nx
        ci = c[i]
        for k in range(8):
            yy = y + _DY[k]
            xx = x + _DX[k]
            if yy < 0 or yy >= ny or xx < 0 or xx >= nx:
                continue
            j = yy * nx + xx
            cj = c[j]
            if cj == np.inf:
                continue
            # same operation order as grid_graph so both engines agree to the last bit
            nd = d + half_km * (ci + cj) * _LEN[k]
            if nd < t[j] and nd <= max_time:
                t[j] = nd
                if track:
                    p[j] = i
                _heap_push(keys, vals, n, nd, j)
                n += 1
    return 0


@numba.njit(cache=True)
def _dijkstra_nb(c, nx, origins, cell_km, max_time, target, t, p):
    """Fill ``t`` (pre-set to inf) and, if ``p.size``, ``p`` (pre-set to -1): flat views of
    the (ny, nx) grids (passed flat: ravel inside numba costs a second of compile time).

    Binary heap on two flat arrays (faster than heapq on a list of tuples in numba) with lazy
    deletion: a cell may sit in the heap several times, stale entries are skipped on pop.
    Nothing beyond ``max_time`` is ever pushed, so the work is proportional to the area inside
    the bound, not to the grid.
    """
    keys = np.empty(1024 + origins.size, dtype=np.float64)
    vals = np.empty(1024 + origins.size, dtype=np.int64)
    n = 0
    for o in origins:
        if c[o] < np.inf and t[o] > 0.0:  # impassable or duplicate origins are skipped
            t[o] = 0.0
            if p.size > 0:
                p[o] = -2
            keys[n] = 0.0  # all keys equal: already a valid heap
            vals[n] = o
            n += 1
    while n > 0:
        n = _settle(c, nx, t, p, cell_km, max_time, target, keys, vals, n)
        if n > 0:
            keys, vals = _grow(keys, n), _grow(vals, n)


def _check(cost, origins, cell_km, max_time):
    """Cheap checks only (no pass over the cost grid): see the module docstring."""
    if cost.ndim != 2 or cost.dtype != np.float64:
        raise ValueError("cost must be a 2-D float64 array")
    origins = np.ascontiguousarray(origins, dtype=np.int64).reshape(-1)
    if origins.size and (origins.min() < 0 or origins.max() >= cost.size):
        raise ValueError("origin index out of range")
    if not max_time >= 0.0:
        raise ValueError("max_time must be >= 0")
    if not cell_km > 0.0:
        raise ValueError("cell_km must be > 0")
    return np.ascontiguousarray(cost), origins


def travel_times(cost, origins, cell_km=1.0, max_time=np.inf, engine="numba"):
    """Shortest travel time (hours) from the nearest origin to every cell.

    ``origins``: flat indices (impassable ones are ignored). Returns float64 (ny, nx); inf where
    unreachable or where the time exceeds ``max_time`` (the search stops there, which is what
    makes a bounded search around an agent cheap on a large grid).
    """
    cost, origins = _check(cost, origins, cell_km, max_time)
    if engine == "numba":
        times = np.full(cost.shape, np.inf, dtype=np.float64)
        _dijkstra_nb(cost.reshape(-1), cost.shape[1], origins, float(cell_km), float(max_time),
                     -1, times.reshape(-1), np.empty(0, dtype=np.int64))
        return times
    if engine == "numpy":
        return _search_scipy(cost, origins, cell_km, max_time, parents=False)
    raise ValueError(f"unknown engine {engine!r}")


def travel_times_with_parents(cost, origins, cell_km=1.0, max_time=np.inf, target=-1,
                              engine="numba"):
    """Like ``travel_times`` but also returns the shortest-path tree.

    Returns ``(times, parent)``; ``parent`` is int64 (ny, nx): flat index of the predecessor,
    ``ORIGIN`` (-2) for origins, ``NO_PARENT`` (-1) for cells not reached.

    Early exit (numba engine): with ``target >= 0`` the search stops as soon as ``target`` is
    settled. Then ``times[target]`` and the path to it are exact, but other cells may hold
    tentative (too large) times or inf, and their parents may be tentative too. Use it for one
    route only. The numpy engine (scipy reference) ignores ``target`` and always returns the
    full search, which satisfies the same promise. Where two routes tie, the engines may pick
    different parents; times and path lengths agree.
    """
    cost, origins = _check(cost, origins, cell_km, max_time)
    if target >= cost.size:
        raise ValueError("target index out of range")
    if engine == "numba":
        times = np.full(cost.shape, np.inf, dtype=np.float64)
        parent = np.full(cost.shape, NO_PARENT, dtype=np.int64)
        _dijkstra_nb(cost.reshape(-1), cost.shape[1], origins, float(cell_km), float(max_time),
                     int(target), times.reshape(-1), parent.reshape(-1))
        return times, parent
    if engine == "numpy":
        return _search_scipy(cost, origins, cell_km, max_time, parents=True)
    raise ValueError(f"unknown engine {engine!r}")


def path_from_parents(parent, target):
    """Flat indices from the origin to ``target`` inclusive; empty if target was not reached."""
    p = parent.reshape(-1)
    if p[target] == NO_PARENT:
        return np.empty(0, dtype=np.int64)
    path = [int(target)]
    while p[path[-1]] >= 0:
        path.append(int(p[path[-1]]))
        if len(path) > p.size:  # a cycle means a corrupted parent array, not a path
            raise ValueError("parent array contains a cycle")
    return np.array(path[::-1], dtype=np.int64)


# ---------------------------------------------------------------------------------------------
# Reference: the same graph as a scipy sparse matrix, solved by scipy.sparse.csgraph.dijkstra.


def grid_graph(cost, cell_km=1.0):
    """The 8-neighbour graph as a symmetric CSR matrix of edge times (hours)."""
    cost = np.asarray(cost, dtype=np.float64)
    ny, nx = cost.shape
    idx = np.arange(ny * nx, dtype=np.int64).reshape(ny, nx)
    rows, cols, vals = [], [], []
    # Each undirected edge once (E, S, SE, SW), mirrored below.
    for dy, dx, f in ((0, 1, 1.0), (1, 0, 1.0), (1, 1, _SQRT2), (1, -1, _SQRT2)):
        ya, yb = slice(0, ny - dy), slice(dy, ny)
        xa, xb = (slice(0, nx - dx), slice(dx, nx)) if dx >= 0 else (slice(1, nx), slice(0, nx - 1))
        w = 0.5 * (cost[ya, xa] + cost[yb, xb]) * cell_km * f
        ok = np.isfinite(w)
        rows.append(idx[ya, xa][ok])
        cols.append(idx[yb, xb][ok])
        vals.append(w[ok])
    r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    return scipy.sparse.csr_matrix(
        (np.concatenate([v, v]), (np.concatenate([r, c]), np.concatenate([c, r]))),
        shape=(ny * nx, ny * nx),
    )


GRAPH_CACHE_SIZE = 4
_graph_cache = OrderedDict()  # (id(cost), shape, cell_km) -> (copy of cost, graph); LRU order
_graph_lock = threading.Lock()


def clear_graph_cache():
    """Drop the cached scipy graphs (see the module docstring)."""
    with _graph_lock:
        _graph_cache.clear()


def _cached_graph(cost, cell_km):
    """``grid_graph(cost, cell_km)``, reused while ``cost`` is the same array with the same
    values (see the module docstring)."""
    key = (id(cost), cost.shape, float(cell_km))
    with _graph_lock:
        hit = _graph_cache.get(key)
        if hit is not None and np.array_equal(hit[0], cost):
            _graph_cache.move_to_end(key)
            return hit[1]
    graph = grid_graph(cost, cell_km)  # outside the lock: ~1 s on 1024x1024
    with _graph_lock:
        _graph_cache[key] = (cost.copy(), graph)
        _graph_cache.move_to_end(key)
        while len(_graph_cache) > GRAPH_CACHE_SIZE:
            _graph_cache.popitem(last=False)
    return graph


def _search_scipy(cost, origins, cell_km, max_time, parents):
    """Times (and, if ``parents``, the tree in this module's conventions) from scipy."""
    flat = cost.reshape(-1)
    times = np.full(flat.size, np.inf, dtype=np.float64)
    parent = np.full(flat.size, NO_PARENT, dtype=np.int64)
    origins = np.unique(origins[np.isfinite(flat[origins])])
    if origins.size:  # else scipy would still report 0 at an isolated impassable origin
        # scipy's limit is inclusive (time <= limit kept, larger -> inf): the same as max_time.
        res = dijkstra(_cached_graph(cost, cell_km), indices=origins, min_only=True,
                       limit=max_time, return_predecessors=parents)
        if parents:
            d, pred, _ = res
            # scipy marks "no predecessor" (origins and unreached cells alike) with -9999
            parent = np.where(pred >= 0, pred, NO_PARENT).astype(np.int64)
            parent[origins] = ORIGIN
            parent[~np.isfinite(d)] = NO_PARENT
        else:
            d = res
        times = np.asarray(d, dtype=np.float64)
    if parents:
        return times.reshape(cost.shape), parent.reshape(cost.shape)
    return times.reshape(cost.shape)
