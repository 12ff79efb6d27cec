"""Presence: how the mission's troops on the ground become the deterrence field armed groups read.

A base deters around itself, fading with travel time (not straight-line distance): a base on a
main road covers the road far better than the hills behind it. A patrol deters only where it is,
while it is there. The field is rebuilt each hour from what is actually on the ground. Formed police at a base
add to its presence as their police tool says (`police_presence`, in company-equivalents).
"""

from __future__ import annotations

import numba
import numpy as np

from pocsim.kernels.travel import travel_times



class Presence:
    def __init__(self, terrain, cfg, engine: str):
        self.terrain = terrain
        self.engine = engine
        self.cfg = cfg
        self._base_reach: dict[tuple[int, str], tuple[np.ndarray, np.ndarray]] = {}
        self._static_key = None
        self._out = None  # the field published last (updated in place where units moved)
        self._cells = np.zeros(0, dtype=np.int64)  # where the units stood then
        km = terrain.cell_km
        radius = cfg.patrol_radius_km
        r = max(1, int(np.ceil(cfg.patrol_cutoff_radii * radius / km)))
        yy, xx = np.mgrid[-r : r + 1, -r : r + 1] * km
        self.stamp = np.exp(-(yy**2 + xx**2) / (2 * radius**2))
        self.radius = r

    def base_reach(self, cell: int) -> tuple[np.ndarray, np.ndarray]:
        """The cells a base at `cell` covers (flat indices) and how its presence fades there,
        exp(-travel time / base_reach_hours): kept per cell, apart from the troops, and only for
        the cells within the cutoff (a country-sized grid has a million cells; a base covers a
        few thousand), and per season: in the rains the troops reach less far."""
        key = (cell, self.terrain.season)
        if key not in self._base_reach:
            reach = self.cfg.base_reach_hours
            t = travel_times(self.terrain.cost("vehicle"), np.array([cell]), self.terrain.cell_km,
                             max_time=self.cfg.base_cutoff_reaches * reach, engine=self.engine).ravel()
            covered = np.flatnonzero(np.isfinite(t))
            self._base_reach[key] = covered, np.exp(-t[covered] / reach)
        return self._base_reach[key]

    def compose(self, bases, mobile_units) -> tuple[np.ndarray, tuple | None]:
        """The deterrence field now, and where it may have changed since the last call: None
        (anywhere) or (cells, radius), squares of that radius round those cells."""
        key = (self.terrain.season, tuple((b.cell, b.troops + b.police_presence * self.cfg.company_size)
                                          for b in bases))
        rebuilt = key != self._static_key
        if rebuilt:  # bases change only when the plan changes (or the season)
            self._static = np.zeros(self.terrain.shape)
            static = self._static.ravel()
            for cell, troops in key[1]:
                if troops > 0:
                    covered, fade = self.base_reach(cell)
                    static[covered] += troops / self.cfg.company_size * self.cfg.deterrence_per_company * fade
            self._static_key = key
        units = [u for u in mobile_units if u.deters and u.troops > 0]
        cells = np.array([u.cell for u in units], dtype=np.int64)
        strength = np.array([u.troops for u in units], dtype=np.float64) / self.cfg.company_size \
            * self.cfg.deterrence_per_company
        if self.engine != "numba":  # the reference: the whole field anew every hour
            out = np.empty_like(self._static)
            _stamp_np(self._static, cells, strength, self.stamp, out)
            return out, None
        squares = (len(self._cells) + len(cells)) * (2 * self.radius + 1) ** 2
        if rebuilt or self._out is None or squares >= self._static.size:  # whole field: cheaper, or needed
            self._out = np.empty_like(self._static)
            _stamp_nb(self._static, cells, strength, self.stamp, self._out)
            changed = None
        else:
            # Only the squares where units were or are now can differ from last hour: redo those
            # (same sums in the same order as the whole field; a country-sized grid has a million
            # cells and a few hundred units)
            changed = np.concatenate([self._cells, cells])
            _restamp_nb(self._static, self._out, changed, cells, strength, self.stamp)
            changed = (changed, self.radius)
        self._cells = cells
        return self._out, changed


@numba.njit(cache=True, inline="always")
def _add_stamps(out, cells, strength, stamp):
    """Each unit's presence stamp added to out, centred on its cell (clipped at the borders),
    unit by unit."""
    ny, nx = out.shape
    r = stamp.shape[0] // 2
    for k in range(cells.size):
        y, x = cells[k] // nx, cells[k] % nx
        for dy in range(-r, r + 1):
            yy = y + dy
            if 0 <= yy < ny:
                for dx in range(-r, r + 1):
                    xx = x + dx
                    if 0 <= xx < nx:
                        out[yy, xx] += strength[k] * stamp[dy + r, dx + r]


@numba.njit(cache=True)
def _stamp_nb(static, cells, strength, stamp, out):
    """out = static + each unit's presence stamp centred on its cell (clipped at the borders)."""
    out[:] = static
    _add_stamps(out, cells, strength, stamp)


@numba.njit(cache=True)
def _restamp_nb(static, out, changed, cells, strength, stamp):
    """_stamp_nb, redone only in the squares round `changed` (which must include `cells`): reset
    them to static, then add every unit's stamp there, unit by unit as _stamp_nb does."""
    ny, nx = static.shape
    r = stamp.shape[0] // 2
    for c in changed:
        y, x = c // nx, c % nx
        for yy in range(max(y - r, 0), min(y + r + 1, ny)):
            for xx in range(max(x - r, 0), min(x + r + 1, nx)):
                out[yy, xx] = static[yy, xx]
    _add_stamps(out, cells, strength, stamp)


def _stamp_np(static, cells, strength, stamp, out):
    """Reference for _stamp_nb."""
    out[:] = static
    ny, nx = static.shape
    r = stamp.shape[0] // 2
    for c, s in zip(cells, strength):
        y, x = divmod(int(c), nx)
        y0, y1, x0, x1 = max(y - r, 0), min(y + r + 1, ny), max(x - r, 0), min(x + r + 1, nx)
        out[y0:y1, x0:x1] += s * stamp[y0 - y + r : y1 - y + r, x0 - x + r : x1 - x + r]
