"""Where water flows: priority-flood drainage on the elevation grid (Barnes et al. 2014).

Flooding inward from the border in order of elevation settles every cell once; the cell that
floods a neighbour is that neighbour's downstream cell, so each cell drains to the border through
filled depressions (the lakes). Drainage area then accumulates against the flooding order.
"""

from __future__ import annotations

import heapq

import numba
import numpy as np

_DY = np.array([-1, -1, -1, 0, 0, 1, 1, 1], dtype=np.int64)
_DX = np.array([-1, 0, 1, -1, 1, -1, 0, 1], dtype=np.int64)


@numba.njit(cache=True)
def _priority_flood(elev, dy, dx):
    ny, nx = elev.shape
    n = ny * nx
    filled = elev.copy()
    downstream = np.full(n, -1, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    seen = np.zeros(n, dtype=np.bool_)
    heap = [(0.0, np.int64(0))]
    heap.pop()
    for y in range(ny):
        for x in range(nx):
            if y == 0 or x == 0 or y == ny - 1 or x == nx - 1:
                i = y * nx + x
                seen[i] = True
                heap.append((elev[y, x], np.int64(i)))
    heapq.heapify(heap)
    k = 0
    while len(heap) > 0:
        level, i = heapq.heappop(heap)
        order[k] = i
        k += 1
        y, x = i // nx, i % nx
        for d in range(8):
            yy, xx = y + dy[d], x + dx[d]
            if yy < 0 or xx < 0 or yy >= ny or xx >= nx:
                continue
            j = yy * nx + xx
            if seen[j]:
                continue
            seen[j] = True
            downstream[j] = i
            if filled[yy, xx] < level:
                filled[yy, xx] = level
            heapq.heappush(heap, (filled[yy, xx], j))
    return filled, downstream, order


@numba.njit(cache=True)
def _accumulate(downstream, order):
    area = np.ones(downstream.size, dtype=np.float64)
    for k in range(order.size - 1, -1, -1):
        i = order[k]
        if downstream[i] >= 0:
            area[downstream[i]] += area[i]
    return area


def drainage(elevation: np.ndarray):
    """Return (filled elevation, downstream flat index or -1 at the border, drainage area in cells)."""
    elev = np.ascontiguousarray(elevation, dtype=np.float64)
    filled, downstream, order = _priority_flood(elev, _DY, _DX)
    return filled, downstream, _accumulate(downstream, order)
