"""Threat propagation: one hourly step of spread along terrain, decay/suppression, sources.

    D_i   = T_i + spread * sum_j c_ij (T_j - T_i)        (4-neighbour grid, c_ij = c_ji)
    out_i = D_i * retention_i  (+ sources)

Precision. The threat field T, ``out`` and all arithmetic are float64; the conductances c_ij and
the retention r_i are *stored* as float32, which halves their share of the memory traffic (the
step is memory-bound: 36 instead of 48 bytes per cell). Each float32 value is converted to
float64 (exactly) when it is read, so the arithmetic below is float64 throughout: the inputs are
float32-rounded, the step itself is not. Symmetry (c_ij = c_ji, the same stored number) and
hence mass conservation are unaffected; the rounding of c_ij (relative 6e-8) only perturbs the
terrain's conductance ratios, far below how well the terrain is known.

Arithmetic form. The kernel evaluates D_i as ``T_i * (1 - spread*s_i) + spread * f_i`` with
``s_i = sum_j c_ij`` and ``f_i = sum_j c_ij T_j``, algebraically the same as above. In this form
every term is a product of non-negative numbers once ``spread*s_i <= 1``, so T >= 0 holds
*exactly* under rounding; the flux form ``T_i - spread*sum c_ij T_i + ...`` can round below 0.
``conductance`` guarantees ``s_i <= 1`` for the float32 values it returns, summed in float64 in
the order the kernel uses (w, e, n, s). Mass is conserved up to rounding (~1e-16 relative per
step) because every ``c_ij T_j`` leaving cell j arrives in cell i.

The numba kernel and the numpy reference perform the same operations in the same order, except
that the kernel lets LLVM fuse a multiply and an add into one FMA (``fastmath={"contract"}``):
5-25 % faster on 1024x1024 in A/B runs, and results agree with the reference to a few ulp of
the field's scale (not bit for bit). Reassociation stays off: it would change the order of the
sum s_i, and then s_i could round above the 1 that ``conductance`` guarantees, breaking
positivity. With FMA alone, fused or not, ``1 - spread*s_i`` is >= 0, so positivity holds.
"""

from __future__ import annotations

import numba
import numpy as np

_FM = {"contract"}  # FMA only; see the module docstring


def conductance(cost, cell_km=1.0):
    """Symmetric edge conductances ``(cx, cy)``, float32, from a travel-cost field (hours per km).

    cx (ny, nx-1): edge (y,x)-(y,x+1); cy (ny-1, nx): edge (y,x)-(y+1,x), both float32
    C-contiguous. Raw value 1 / (0.5*(cost_i+cost_j)*cell_km) in float64, 0 if either cell is
    impassable (inf); then all scaled by one constant and rounded to float32, the constant
    chosen so that the largest per-cell sum -- of the float32 values, converted to float64 and
    added in the kernel's order -- is 1 within a few float32 ulp and *never above* 1. That
    makes ``threat_step`` stable and positivity-preserving for spread in [0, 1]. Because of
    the scaling only cost *ratios* matter: ``cell_km`` cancels (up to the float32 rounding),
    and ``spread`` alone sets how fast threat moves (cells per step on the fastest terrain).
    float32's range only shows for absurd cost ratios: an edge more than ~1e38 times slower
    than the fastest loses precision (subnormal), beyond ~1e45 it becomes 0 (impassable), on
    both sides alike.
    """
    cost = np.asarray(cost, dtype=np.float64)
    if cost.ndim != 2:
        raise ValueError("cost must be 2-D")
    if not cell_km > 0.0:
        raise ValueError("cell_km must be > 0")
    if np.isnan(cost).any() or (cost <= 0.0).any():
        raise ValueError("cost must be > 0 (np.inf for impassable), not NaN")
    with np.errstate(divide="ignore"):  # 1/inf -> 0 is exactly the "no edge" value we want
        cx = 1.0 / (0.5 * (cost[:, :-1] + cost[:, 1:]) * cell_km)
        cy = 1.0 / (0.5 * (cost[:-1, :] + cost[1:, :]) * cell_km)
    top = _cell_sums(cx, cy).max(initial=0.0)
    if top == 0.0:  # nothing can move: keep the zeros
        return cx.astype(np.float32), cy.astype(np.float32)
    # Rounding each value to float32 moves it by up to 2**-24 relative, so the largest sum of
    # the rounded values can land a little above 1 at scale 1/top. Step the scale down by
    # 2**-24 relative until no sum exceeds 1 (stability needs <= 1 exactly): at most a few
    # steps, since four values rounded up by at most 2**-24 each cannot exceed 1 by more than
    # ~2**-24 plus float64 rounding. The check is on exactly what the kernel computes.
    scale = 1.0 / top
    for _ in range(16):
        cx32, cy32 = (cx * scale).astype(np.float32), (cy * scale).astype(np.float32)
        if _cell_sums(cx32, cy32).max() <= 1.0:
            return cx32, cy32
        scale *= 1.0 - 2.0**-24
    raise AssertionError("conductance scaling did not converge")  # unreachable, see above


def _cell_sums(cx, cy):
    """Per-cell sum of conductances in float64 in the kernel's order ((w + e) + n) + s.

    float32 inputs are converted to float64 before adding (numpy promotes), as in the kernel."""
    ny, nx = cx.shape[0], cy.shape[1]
    s = np.zeros((ny, nx), dtype=np.float64)
    s[:, 1:] += cx
    s[:, :-1] += cx
    s[1:, :] += cy
    s[:-1, :] += cy
    return s


def retention_field(deterrence, decay, suppression):
    """Per-cell factor ``(1 - decay) / (1 + suppression * deterrence)`` in [0, 1], float32.

    Computed in float64, then rounded to float32 (C-contiguous, deterrence's shape) to halve the
    kernel's memory traffic; rounding keeps it in [0, 1]. Folds hourly decay and suppression by
    deterrence into one multiply for the hot kernel; recompute it only when deterrence changes.
    """
    deterrence = np.asarray(deterrence, dtype=np.float64)
    decay = np.asarray(decay, dtype=np.float64)
    suppression = np.asarray(suppression, dtype=np.float64)
    if not np.all((decay >= 0.0) & (decay < 1.0)):
        raise ValueError("decay must be in [0, 1)")
    if not np.all((suppression >= 0.0) & np.isfinite(suppression)):
        raise ValueError("suppression must be finite and >= 0")
    if not np.all((deterrence >= 0.0) & np.isfinite(deterrence)):
        raise ValueError("deterrence must be finite and >= 0")
    r = (1.0 - decay) / (1.0 + suppression * deterrence)
    return np.ascontiguousarray(np.broadcast_to(r, deterrence.shape), dtype=np.float32)


@numba.njit(cache=True, inline="always")
def _retention(deterrence, decay, suppression):
    """``retention_field`` of one cell (scalars only: a helper taking the arrays costs a
    reference-count round trip per cell, 30 times the work itself)."""
    return np.float32((1.0 - decay) / (1.0 + suppression * deterrence))


@numba.njit(cache=True)
def update_retention(deterrence, previous, retention, decay, suppression):
    """In place, where `deterrence` differs from `previous`: previous = deterrence and retention
    = ``retention_field`` of it (the same float64 arithmetic, rounded to float32). Returns the
    flat index of a negative or non-finite deterrence (left unapplied), or -1.

    The mission moves a few dozen units an hour: most cells keep their deterrence, and one
    compare-and-update pass costs a fraction of recomputing, checking and copying the whole field.
    """
    d, p, r = deterrence.reshape(-1), previous.reshape(-1), retention.reshape(-1)
    for i in range(d.size):
        if d[i] != p[i]:
            if not (d[i] >= 0.0 and np.isfinite(d[i])):
                return i
            p[i] = d[i]
            r[i] = _retention(d[i], decay, suppression)
    return -1


@numba.njit(cache=True)
def update_retention_near(deterrence, previous, retention, decay, suppression, cells, radius):
    """``update_retention`` looking only at the squares of `radius` round `cells` (where the
    mission's units were and are: on a country-sized grid, a few hundred squares instead of a
    million cells)."""
    ny, nx = deterrence.shape
    for c in cells:
        y, x = c // nx, c % nx
        for yy in range(max(y - radius, 0), min(y + radius + 1, ny)):
            for xx in range(max(x - radius, 0), min(x + radius + 1, nx)):
                if deterrence[yy, xx] != previous[yy, xx]:
                    if not (deterrence[yy, xx] >= 0.0 and np.isfinite(deterrence[yy, xx])):
                        return yy * nx + xx
                    previous[yy, xx] = deterrence[yy, xx]
                    retention[yy, xx] = _retention(deterrence[yy, xx], decay, suppression)
    return -1


# ---------------------------------------------------------------------------------------------
# numba kernel


@numba.njit(cache=True, inline="always", fastmath=_FM)
def _cell(t, tw, te, tn, ts, cw, ce, cn, cs, spread, r):
    # conductances and retention arrive as float32 (or an exact 0.0 at the border): widen them
    # first so every operation below is float64, exactly as in the numpy reference
    cw, ce, cn, cs = np.float64(cw), np.float64(ce), np.float64(cn), np.float64(cs)
    r = np.float64(r)
    s = ((cw + ce) + cn) + cs
    f = ((cw * tw + ce * te) + cn * tn) + cs * ts
    return (t * (1.0 - spread * s) + spread * f) * r


@numba.njit(cache=True, inline="always", fastmath=_FM)
def _edge_cell(threat, cx, cy, retention, spread, y, x):
    """Any cell of a grid with ny, nx >= 2. A missing neighbour's conductance is read at a
    clamped (valid) index and multiplied by 0, an exact 0 as conductances are finite; its T is
    the cell's own, and 0*T adds an exact 0: the same as leaving the term out, as the numpy
    reference does.

    Branch-free on purpose: with float32 conductances, ``c = cx[y, x-1] if x > 0 else 0.0``
    left an atomic incref/decref pair per array per border cell that numba's reference-count
    pruning removes for float64 (~60 ns per border cell, 2/3 of a 64x1024 step, measured)."""
    ny, nx = threat.shape
    cw = np.float64(cx[y, max(x - 1, 0)]) * (x > 0)
    ce = np.float64(cx[y, min(x, nx - 2)]) * (x < nx - 1)
    cn = np.float64(cy[max(y - 1, 0), x]) * (y > 0)
    cs = np.float64(cy[min(y, ny - 2), x]) * (y < ny - 1)
    return _cell(threat[y, x], threat[y, max(x - 1, 0)], threat[y, min(x + 1, nx - 1)],
                 threat[max(y - 1, 0), x], threat[min(y + 1, ny - 1), x],
                 cw, ce, cn, cs, spread, retention[y, x])


@numba.njit(cache=True, fastmath=_FM)
def _thin_step(threat, cx, cy, retention, spread, out):
    """A grid of one row or one column (cx or cy is empty, so ``_edge_cell`` has no valid
    index to clamp to): branchy, and slow per cell, which does not matter here."""
    ny, nx = threat.shape
    for y in range(ny):
        for x in range(nx):
            cw = np.float64(cx[y, x - 1]) if x > 0 else 0.0
            ce = np.float64(cx[y, x]) if x < nx - 1 else 0.0
            cn = np.float64(cy[y - 1, x]) if y > 0 else 0.0
            cs = np.float64(cy[y, x]) if y < ny - 1 else 0.0
            out[y, x] = _cell(threat[y, x], threat[y, max(x - 1, 0)],
                              threat[y, min(x + 1, nx - 1)], threat[max(y - 1, 0), x],
                              threat[min(y + 1, ny - 1), x], cw, ce, cn, cs, spread,
                              retention[y, x])


@numba.njit(cache=True, fastmath=_FM)
def _threat_step_nb(threat, cx, cy, retention, spread, src_idx, src_amount, out):
    ny, nx = threat.shape
    if ny < 2 or nx < 2:
        _thin_step(threat, cx, cy, retention, spread, out)
        _add_sources(out.ravel(), src_idx, src_amount)
        return
    for y in (0, ny - 1):  # border rows: few cells, the clamped path is fine
        for x in range(nx):
            out[y, x] = _edge_cell(threat, cx, cy, retention, spread, y, x)
    for y in range(1, ny - 1):
        out[y, 0] = _edge_cell(threat, cx, cy, retention, spread, y, 0)
        out[y, nx - 1] = _edge_cell(threat, cx, cy, retention, spread, y, nx - 1)
        # Branch-free interior, vectorised by LLVM. Two details keep it so (measured, 256x256):
        # the y loop is range(1, ny-1), so y-1 >= 0 is evident (a `continue` on border rows
        # inside range(ny) made the step ~1.6x slower); and indexing the 2-D arrays (one base
        # pointer each) instead of 9 row views keeps LLVM's runtime aliasing checks against
        # `out` under its limit (with row views the loop stayed scalar).
        for x in range(1, nx - 1):
            out[y, x] = _cell(threat[y, x], threat[y, x - 1], threat[y, x + 1],
                              threat[y - 1, x], threat[y + 1, x],
                              cx[y, x - 1], cx[y, x], cy[y - 1, x], cy[y, x],
                              spread, retention[y, x])
    _add_sources(out.ravel(), src_idx, src_amount)


@numba.njit(cache=True)
def _add_sources(flat, src_idx, src_amount):
    for k in range(src_idx.size):
        i = src_idx[k]
        a = src_amount[k]
        if i < 0 or i >= flat.size:
            raise IndexError("source index out of range")
        if not a >= 0.0:
            raise ValueError("source amounts must be >= 0")
        flat[i] += a


# ---------------------------------------------------------------------------------------------
# numpy reference: the same operations, whole-array at a time. float32 operands meet float64
# ones in every ufunc below, so numpy converts them to float64 (exactly) first, as the kernel does.


def _threat_step_np(threat, cx, cy, retention, spread, src_idx, src_amount, out):
    t = threat
    s = _cell_sums(cx, cy)
    f = np.zeros_like(t)  # ((w + e) + n) + s, same order as the kernel
    f[:, 1:] += cx * t[:, :-1]
    f[:, :-1] += cx * t[:, 1:]
    f[1:, :] += cy * t[:-1, :]
    f[:-1, :] += cy * t[1:, :]
    np.multiply(t * (1.0 - spread * s) + spread * f, retention, out=out)
    if src_idx.size:
        if src_idx.min() < 0 or src_idx.max() >= t.size:
            raise IndexError("source index out of range")
        if not np.all(src_amount >= 0.0):
            raise ValueError("source amounts must be >= 0")
        np.add.at(out.reshape(-1), src_idx, src_amount)  # in order, repeats accumulate


# ---------------------------------------------------------------------------------------------
# public entry point


def threat_step(threat, cx, cy, retention, spread, src_idx, src_amount, out, engine="numba"):
    """Advance the threat field one step, writing into ``out`` (must not overlap ``threat``).

    threat, out: float64 (ny, nx); retention: float32 (ny, nx) from ``retention_field``;
    cx (ny, nx-1), cy (ny-1, nx): float32 from ``conductance``; all C-contiguous. spread in
    [0, 1]; src_idx int64 flat indices and src_amount float64 >= 0 (same length; repeated
    indices accumulate). Only cheap shape/dtype checks here: this runs ~9,000 times per
    simulation.
    """
    shape = threat.shape
    ny, nx = shape
    assert out.shape == shape and retention.shape == shape, "threat/out/retention shapes differ"
    assert cx.shape == (ny, nx - 1) and cy.shape == (ny - 1, nx), "conductance shapes"
    assert threat.dtype == out.dtype == np.float64, "threat and out must be float64"
    assert retention.dtype == cx.dtype == cy.dtype == np.float32, \
        "retention, cx, cy must be float32 (from retention_field / conductance)"
    assert src_idx.dtype == np.int64 and src_amount.dtype == np.float64
    assert src_idx.shape == src_amount.shape and src_idx.ndim == 1, "sources"
    assert 0.0 <= spread <= 1.0, "spread must be in [0, 1]"
    assert not np.may_share_memory(out, threat), "out must not alias threat"
    # C order everywhere: sources go in through a flat view of `out` (a copy if it were not
    # contiguous), and any other layout would compile a second, unvectorised kernel
    assert (out.flags.c_contiguous and threat.flags.c_contiguous and cx.flags.c_contiguous
            and cy.flags.c_contiguous and retention.flags.c_contiguous), "need C-contiguous arrays"
    if engine == "numba":
        _threat_step_nb(threat, cx, cy, retention, float(spread), src_idx, src_amount, out)
    elif engine == "numpy":
        _threat_step_np(threat, cx, cy, retention, float(spread), src_idx, src_amount, out)
    else:
        raise ValueError(f"unknown engine {engine!r}")
    return out


# ---------------------------------------------------------------------------------------------
# benchmark baseline


@numba.njit(cache=True)
def bare_stencil(a, out):
    """out = mean of each cell and its 4 neighbours (borders clamped). Speed-of-light baseline
    for the benchmark only: the simplest vectorised stencil, one read and one write stream."""
    ny, nx = a.shape
    for y in range(ny):
        n = a[max(y - 1, 0)]
        c = a[y]
        s = a[min(y + 1, ny - 1)]
        o = out[y]
        o[0] = 0.2 * (c[0] + c[0] + c[min(1, nx - 1)] + n[0] + s[0])
        for x in range(1, nx - 1):
            o[x] = 0.2 * (c[x] + c[x - 1] + c[x + 1] + n[x] + s[x])
        if nx > 1:
            e = nx - 1
            o[e] = 0.2 * (c[e] + c[e - 1] + c[e] + n[e] + s[e])
