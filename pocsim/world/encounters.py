"""What happens when the mission's force meets the world: the world's side of an intervention in
an attack, of an offensive strike on a group, and of villagers seen with the mission.

The mission asks (pocsim/view.py); these functions decide, with the world's own parameters and
random streams, and change only world state through the objects' own methods.
"""

from __future__ import annotations

from dataclasses import dataclass

from pocsim.params import param


@dataclass
class EncountersConfig:
    crossfire_kill_share: float = param(
        0.01, unit="1/h", low=0.0, high=0.05,
        source="assumption: a firefight in a village kills about 1% of those present per hour "
               "(MINUSMA-era reports of civilians caught between peacekeepers and attackers)")
    control_km: float = param(
        15.0, unit="km", low=5.0, high=30.0,
        source="assumption: a non-state group controls villages within a few hours' walk of its camp "
               "(Kalyvas 2006, zones of control)")


def intervene(model, cell: int, km: float, by: str) -> tuple[bool, list[int]]:
    """Troops at `cell` step into every attack within `km`. Groups that fight peacekeepers stand
    and fight, and civilians are caught in the crossfire; the others break off.
    Returns (whether any attack was cut short, indices of the groups that fought)."""
    stopped, fought = False, []
    share = model.scenario.encounters.crossfire_kill_share
    for raid in list(model.violence.raids):
        i = raid.village
        if not model.terrain.within_km(model.villages.cell[i], cell, km):
            continue
        if raid.group.targets_peacekeepers:
            present = int(model.present[i])
            rng = model.streams.draw("crossfire", i, model.t)
            killed = int(rng.binomial(present, 1 - (1 - share) ** model.step_hours)) if present else 0
            model.kill(i, killed, 0, rng)
            raid.deaths += killed
            fought.append(raid.group.index)
            continue
        model.violence.interrupt(raid, by=by)
        stopped = True
    return stopped, fought


def strike(model, group, cell: int, troops: float, p) -> bool:
    """An offensive operation reaches `cell`: if the group is still within `p.fight_km`, it loses
    fighters; fighting among villages kills civilians; the group blames the villagers around the
    fight. Talks with the group are off either way. Returns whether the group was found."""
    rng = group.draw("strike")
    group.talks_off()
    if not model.terrain.within_km(cell, group.cell, p.fight_km):
        return False  # it had moved on
    group.lose(float(rng.poisson(p.fighters_hit_per_troop * troops)))
    v = model.villages
    for i in model.villages_near(cell, p.fight_km):
        present = int(model.present[i])
        killed = int(rng.binomial(present, p.collateral_share)) if present else 0
        if killed:
            model.kill(i, killed, 0, rng)
            model.ledger.event(step=model.t, type_of_violence=3, side_a="UN mission", side_b="Civilians",
                               best=killed, cell=int(v.cell[i]), village_id=int(i), perpetrator_kind="mission",
                               injuries=0, displaced=0, hours=model.step_hours, interrupted_by="", kind="collateral")
    group.blame(model.villages_near(cell, p.blame_km), p.grievance)
    return True


def informers_seen(model, village: int, grievance: float) -> None:
    """Villagers seen with the mission are marked as informers by the non-state groups that
    control the village (those camped within `control_km`)."""
    km = model.scenario.encounters.control_km
    cell = model.villages.cell[village]
    for g in model.groups:
        if not g.is_state and model.terrain.within_km(g.home, cell, km):
            g.blame([village], grievance)
