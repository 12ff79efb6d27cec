"""The true threat field: where civilians are in danger now, as the world (not the mission) knows it.

Armed groups are its sources, in proportion to their strength, aggression and what they are doing;
it spreads along the ground as people on foot move (faster on roads and open savanna, slower in
forest and across rivers), fades when not renewed, and is suppressed by the protection present
(the deterrence field). The arithmetic lives in pocsim.kernels.threat; this class holds the state.
"""

from __future__ import annotations

import numpy as np

from pocsim.config import ThreatConfig
from pocsim.kernels.threat import conductance, retention_field, threat_step, update_retention, update_retention_near
from pocsim.world.terrain import Terrain


class ThreatField:
    def __init__(self, terrain: Terrain, cfg: ThreatConfig, step_hours: float, engine: str):
        self.cfg = cfg
        self.engine = engine
        self.cx, self.cy = conductance(terrain.cost("foot"), terrain.cell_km)
        self.field = np.zeros(terrain.shape)
        self._out = np.zeros(terrain.shape)
        # The kernel's rates are hourly; a longer step runs several hourly sub-steps so the
        # explicit diffusion stays stable, a shorter one scales the rates down.
        self.substeps = max(1, int(round(step_hours)))
        self.sub_hours = step_hours / self.substeps
        self.spread = min(cfg.spread * min(self.sub_hours, 1.0), 1.0)
        self.decay = 1.0 - (1.0 - cfg.decay) ** self.sub_hours
        self._deterrence = np.zeros(terrain.shape)
        self.retention = retention_field(self._deterrence, self.decay, self.cfg.suppression)

    def set_deterrence(self, deterrence: np.ndarray, changed: tuple | None = None) -> None:
        """Recompute the per-cell retention where the protection on the ground changed;
        `changed` = (cells, radius) says it can only have changed in squares round those cells."""
        if self.engine == "numba":
            if changed is None or len(changed[0]) * (2 * changed[1] + 1) ** 2 >= deterrence.size:
                # the squares would cover the grid: one plain pass is cheaper
                bad = update_retention(deterrence, self._deterrence, self.retention, self.decay, self.cfg.suppression)
            else:
                bad = update_retention_near(deterrence, self._deterrence, self.retention, self.decay,
                                            self.cfg.suppression, changed[0], changed[1])
            if bad >= 0:
                raise ValueError("deterrence must be finite and >= 0")
        elif not np.array_equal(deterrence, self._deterrence):  # the reference: the whole field anew
            self._deterrence = deterrence.copy()
            self.retention = retention_field(deterrence, self.decay, self.cfg.suppression)

    def propagate(self, src_cells: np.ndarray, src_amount: np.ndarray) -> None:
        amount = src_amount * (self.cfg.source_per_fighter * self.sub_hours)
        for _ in range(self.substeps):
            threat_step(self.field, self.cx, self.cy, self.retention, self.spread, src_cells, amount, self._out,
                        engine=self.engine)
            self.field, self._out = self._out, self.field

    def at(self, cells: np.ndarray) -> np.ndarray:
        return self.field.ravel()[cells]
