"""Retaliation: violence against a community calls for revenge on the perpetrators' community.

When an attack kills people of community C, every non-state armed group tied to C (its own
self-defence militia, rebels who recruit from it) holds the villages of the perpetrators' community
within `radius_km` of the attack responsible: the revenge each group seeks there rises by
`grievance` per e-fold of the dead (log(1 + deaths)), and fades as grievance does. A group at rest mobilises: it cuts its rest short, striking within
`mobilise_hours` on average instead of after its usual rest. Its target choice (armed_groups.py)
then weighs those villages by what it holds against them, so it raids there (logged as retaliation),
killing people of the perpetrators' community, whose own groups are called to revenge in turn.

Nothing here schedules a cycle: whether one follows depends on whether a retaliation kills (raids
can be interrupted, villages empty), whether the aggrieved group can reach its targets within its
search range and dares to (deterrence, hostile groups nearby), on revenge fading
(`grievance_half_life_days`), and on a raid that runs its course paying what was held against
that village (ArmedGroup.avenged). Bursts of violence and its clustering in space and time are what
such cycles would leave in the event log; docs/validation.md says whether they do.
State forces are not tied to a community in this sense and do not retaliate; their abuses call
for revenge against the community they recruit from like anyone's.
"""

from __future__ import annotations

import math

from pocsim.config import GroupKind


def retaliate(model, village: int, perpetrator, deaths: int) -> None:
    """People of `village` were killed by `perpetrator`: groups tied to their community seek revenge."""
    cfg = model.scenario.group_behaviour.retaliation
    if deaths <= 0 or cfg.grievance <= 0:
        return
    v = model.villages
    victims, culprits = int(v.community[village]), perpetrator.community
    if victims == culprits:
        return  # violence within a community is not answered by one community against another
    avengers = [g for g in model.groups if g.kind != GroupKind.state and g.community == victims and g is not perpetrator]
    if not avengers:
        return
    near = model.villages_near(int(v.cell[village]), cfg.radius_km)
    targets = near[v.community[near] == culprits]
    if len(targets) == 0:
        return  # none of the perpetrators' people live near: nobody to hold responsible here
    grievance = cfg.grievance * math.log1p(deaths)
    for g in avengers:
        g.seek_revenge(targets, grievance)
        g.mobilise(cfg.mobilise_hours)
