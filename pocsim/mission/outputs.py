"""The output ledger: what the mission does. Kept apart from what happens to civilians (the
outcome ledger in pocsim.ledger); nothing here is computed from outcomes or the other way round."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Outputs:
    patrols: int = 0  # sorties
    patrol_km: float = 0.0
    patrol_hours: float = 0.0
    bases: int = 0  # distinct bases opened over the run
    jpt_visits: int = 0
    follow_up_visits: int = 0
    alerts_raised: int = 0
    alerts_false: int = 0
    alerts_answered_in_time: int = 0
    response_hours: list = field(default_factory=list)  # alert raised -> reaction force on site
    offensive_operations: int = 0
    mediation_sessions: int = 0
    abuses_documented: int = 0
    arrests: int = 0  # by UN police (formed units and individual officers with host-state police)
    attacks_stopped_by_police: int = 0
    observer_patrols: int = 0
    movements_denied: int = 0

    def summary(self) -> dict:
        out = asdict(self)
        hours = out.pop("response_hours")
        out["patrol_km"] = round(self.patrol_km, 3)
        out["patrol_hours"] = round(self.patrol_hours, 3)
        out["responses"] = len(hours)
        out["mean_response_hours"] = round(sum(hours) / len(hours), 3) if hours else None
        return out
