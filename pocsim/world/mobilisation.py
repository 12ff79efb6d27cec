"""Mobilisation: armed groups grow where their community suffers, and go quiet when weak.

Every death among a community's people adds to its losses, which fade with the groups' grievance
half life. Each day a non-state group recruits from its community in proportion to its strength
and to log(1 + recent losses), less as it nears `strength_cap` times its first strength (a
community has only so many young men to give, and a group only so many guns): a logistic growth
driven by grievance. Fighters are lost in clashes, to police arrests and to the mission's
operations (violence.py, the mission's tools). A group rests before its next raid in inverse
proportion to its strength relative to its first: a group at half strength rests twice as long,
one that has doubled half as long. Campaigns of high activity thus follow from strength, and
strength from grievance; quiet spells from losses. State forces neither recruit this way nor
rest by it: their strength is the state's decision, not a community's.

Off unless `scenario.group_behaviour.mobilisation.enabled` (not part of +dynamics=conflict: on top of
it, it doubles the violence again; docs/ODD.md §7.28).
Not modelled: groups splitting, merging or disbanding; recruitment for pay or loot.
"""

from __future__ import annotations

import numpy as np

from pocsim.config import GroupKind


class Mobilisation:
    def __init__(self, model):
        self.model = model
        self.cfg = model.scenario.group_behaviour.mobilisation
        self.losses = np.zeros(len(model.villages.communities))  # recent deaths per community
        self.kept_per_day = 0.5 ** (1 / model.scenario.group_behaviour.grievance_half_life_days)

    def deaths(self, village: int, killed: int) -> None:
        self.losses[self.model.villages.community[village]] += killed

    def daily(self) -> None:
        """At midnight: recruitment for the day, then the day's fading of losses."""
        if self.cfg.enabled:
            for g in self.model.groups:
                if g.kind != GroupKind.state:
                    room = 1.0 - g.strength / (self.cfg.strength_cap * g.initial_strength)
                    g.strength += max(room, 0.0) * self.cfg.recruit_rate * np.log1p(self.losses[g.community]) * g.strength
        self.losses *= self.kept_per_day

    def rest_factor(self, group) -> float:
        """How much longer than its usual rest a group rests: its first strength over its strength."""
        if not self.cfg.enabled or group.kind == GroupKind.state:
            return 1.0
        return group.initial_strength / group.strength
