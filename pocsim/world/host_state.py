"""The host state as gatekeeper: near its own forces it may refuse the mission passage."""

from __future__ import annotations


class HostState:
    def __init__(self, model):
        self.model = model

    def allows(self, cell: int, freedom_of_movement: float, control_km: float) -> bool:
        if freedom_of_movement >= 1:
            return True
        m = self.model
        near = any(g.is_state and m.terrain.within_km(g.cell, cell, control_km) for g in m.groups)
        return not near or self.model.streams.draw("host_state", cell, m.t).random() < freedom_of_movement
