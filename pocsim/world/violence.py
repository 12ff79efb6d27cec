"""Violence: raids on villages, clashes between groups, and small opportunistic incidents.

A raid is a process, not a single draw. Every hour it goes on, the attackers kill a share of the
people still present that grows with their strength and the village's vulnerability and saturates
in big places; meanwhile people escape. It ends when the attackers have had their fill (each raid
has its own intent: most are short looting raids, a few are punitive and long), when nobody is
left, or when someone interrupts it: a hostile group arriving, or (with a mission) a response.
Deaths per event are therefore heavy-tailed without any heavy-tailed number typed in: they are a
product of village size, attacker strength, intent and how long the raid goes on before it stops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pocsim.config import GroupKind
from pocsim.world.armed_groups import Activity, ArmedGroup
from pocsim.world.retaliation import retaliate


@dataclass
class Raid:
    group: ArmedGroup
    village: int
    start_step: int
    intent: float  # >0: how punitive; scales how hard and how long they strike
    planned_hours: float
    hours: float = 0.0
    deaths: int = 0
    injuries: int = 0
    fled: int = 0
    interrupted_by: str = ""
    motive: str = "raid"  # raid (for what the village holds), reprisal or retaliation (for what is held against it)
    number: int = 0  # the group's k-th raid: its hours draw by (group, k, hour of the raid)


class Violence:
    def __init__(self, model):
        self.model = model
        self.cfg = model.scenario.violence
        self.raids: list[Raid] = []

    # --- raids -------------------------------------------------------------------------------
    def start_raid(self, group: ArmedGroup, village: int) -> None:
        number = group.decisions("raid")  # the group's k-th raid draws the same wherever it falls
        rng = group.draw("raid")
        intent = rng.lognormal(-0.5 * self.cfg.raid_intent_sigma**2, self.cfg.raid_intent_sigma)
        planned = rng.exponential(self.cfg.raid_hours_mean * intent)
        raid = Raid(group, village, self.model.t, intent, max(planned, self.model.step_hours),
                    motive=group.motive, number=number)
        group.raid = raid
        self.raids.append(raid)
        self.call_defenders(raid)
        self.model.mission.attack_started(village, group.index)

    def call_defenders(self, raid: Raid) -> None:
        """Self-defence militias of the village's community come to fight the raiders off."""
        community = self.model.villages.community[raid.village]
        for g in self.model.groups:
            if (g.kind == GroupKind.militia and g.community == community and g.activity == Activity.resting
                    and g.is_hostile_to(raid.group)):
                g.respond_to(raid.village)

    def raid_hour(self, raid: Raid) -> None:
        m, v, cfg = self.model, self.model.villages, self.cfg
        i = raid.village
        dt = m.step_hours
        rng = m.streams.draw("raid_hour", raid.group.index, raid.number, m.t - raid.start_step)
        present = int(m.present[i])
        strength = raid.group.strength * raid.intent * raid.group.aggression
        # Killing saturates: a band can only kill so many per hour however big the place.
        p_kill = 1.0 - np.exp(-cfg.lethality * dt * strength * v.vulnerability[i] / (present + strength + 1.0))
        killed = int(rng.binomial(present, p_kill)) if present > 0 else 0
        injured = min(int(rng.poisson(cfg.injury_ratio * present * p_kill)), present - killed)
        m.kill(i, killed, injured, rng)
        # Survivors run: residents a share per hour, the displaced staying here all move on.
        # Escape is harder the more attackers there are per villager: a strong band cordons a hamlet.
        escape = cfg.escape_rate * (present + 1.0) / (present + strength + 1.0)
        running = int(rng.binomial(int(v.residents[i]), 1.0 - (1.0 - escape) ** dt))
        fled = m.displacement.flee(i, running) + m.displacement.move_on(i)
        raid.hours += dt
        raid.deaths += killed
        raid.injuries += injured
        raid.fled += fled
        arrested, stopped = m.mission.police_response(i, raid=True)
        raid.group.lose(arrested)  # raiders the police caught
        if stopped:
            self.interrupt(raid, by="police")
        elif raid.hours >= raid.planned_hours or m.present[i] == 0:
            self.end_raid(raid)

    def interrupt(self, raid: Raid, by: str) -> None:
        """Someone with force arrived: the attackers break off."""
        raid.interrupted_by = by
        self.end_raid(raid)

    def end_raid(self, raid: Raid) -> None:
        if raid in self.raids:
            self.raids.remove(raid)
        g, v = raid.group, self.model.villages
        self.model.ledger.event(
            step=raid.start_step, type_of_violence=3, side_a=g.name, side_b="Civilians", best=raid.deaths,
            cell=int(v.cell[raid.village]), village_id=raid.village, perpetrator_kind=g.perpetrator_kind,
            injuries=raid.injuries, displaced=raid.fled, hours=raid.hours, interrupted_by=raid.interrupted_by,
            kind=raid.motive)
        retaliate(self.model, raid.village, g, raid.deaths)
        g.raid = None
        if raid.interrupted_by:
            g.withdraw()  # broken off by force: back to the camp
        else:
            g.avenged(raid.village)
            g.press_on()

    # --- clashes between armed groups --------------------------------------------------------
    def clashes(self, groups: list[ArmedGroup]) -> None:
        """Every pair of hostile groups within range fights, pair by pair in the groups' order."""
        m = self.model
        # Who is within range of whom, for all pairs at once (40 groups make 780 pairs an hour);
        # fights move nobody this hour, so only who is still engaged must be asked pair by pair.
        x, y = m.terrain.xy(np.array([g.cell for g in groups], dtype=np.int64))
        cells_apart = (self.cfg.clash_range_km / m.terrain.cell_km) ** 2
        near = (x[:, None] - x[None, :]) ** 2 + (y[:, None] - y[None, :]) ** 2 <= cells_apart
        for a, b in zip(*np.nonzero(np.triu(near, 1))):
            ga, gb = groups[a], groups[b]
            if m.t < max(ga.engaged_until, gb.engaged_until) or not ga.is_hostile_to(gb):
                continue
            self.fight(ga, gb)

    def fight(self, ga: ArmedGroup, gb: ArmedGroup) -> None:
        """One engagement: losses in proportion to the other side's strength; the side that
        suffered more relative to its size breaks off and goes home."""
        m, cfg = self.model, self.cfg
        rng = m.streams.draw("clash", ga.index, gb.index, m.t)
        loss_a = float(rng.poisson(cfg.clash_lethality * gb.strength))
        loss_b = float(rng.poisson(cfg.clash_lethality * ga.strength))
        ga.lose(loss_a)
        gb.lose(loss_b)
        cooldown = m.t + int(round(cfg.clash_cooldown_hours / m.step_hours))
        ga.engaged_until = gb.engaged_until = cooldown
        loser = ga if loss_a / ga.strength >= loss_b / gb.strength else gb
        winner = gb if loser is ga else ga
        if loser.raid is not None:
            self.interrupt(loser.raid, by=winner.name)  # ends the raid; the raiders withdraw
        elif loser.activity != Activity.withdrawing:
            loser.withdraw()
        state_based = ga.is_state or gb.is_state
        a, b = (ga, gb) if ga.is_state or not gb.is_state else (gb, ga)
        m.ledger.event(step=m.t, type_of_violence=1 if state_based else 2, side_a=a.name, side_b=b.name,
                       best=int(loss_a + loss_b), cell=ga.cell, village_id=-1,
                       perpetrator_kind=a.perpetrator_kind, injuries=0, displaced=0, hours=m.step_hours,
                       interrupted_by="", kind="clash")

    # --- small incidents where threat is high ------------------------------------------------
    def opportunistic(self, threat_at_villages: np.ndarray, groups: list[ArmedGroup]) -> None:
        """Roaming fighters, checkpoints, looting: incidents at a rate that follows the threat."""
        m, v = self.model, self.model.villages
        rate = self.cfg.opportunistic_rate * threat_at_villages * v.vulnerability * m.step_hours
        # one uniform per village every hour, whatever happens (a sequential stream stays paired):
        # whether village i has an incident never depends on what happened elsewhere
        hit = np.flatnonzero(m.streams["incidents"].random(len(v)) < -np.expm1(-rate))
        if len(hit) == 0 or not groups:
            return
        gx, gy = m.terrain.xy(np.array([g.cell for g in groups]))
        for i in hit:
            present = int(m.present[i])
            if present == 0 or m.mission.police_response(i, raid=False)[0]:
                continue  # the police on the spot arrested the would-be perpetrators
            rng = m.streams.draw("incident", i, m.t)
            killed = min(int(rng.poisson(self.cfg.incident_deaths_mean)), present)
            injured = min(int(rng.poisson(self.cfg.incident_injuries_mean)), present - killed)
            if killed + injured == 0:
                continue
            # The nearest group hostile to the village's community did it.
            hostile = np.array([g.hostility[v.community[i]] > 0 for g in groups])
            d2 = (gx - v.x[i]) ** 2 + (gy - v.y[i]) ** 2 + np.where(hostile, 0, 1e12)
            g = groups[int(np.argmin(d2))]
            m.kill(i, killed, injured, rng)
            m.ledger.event(step=m.t, type_of_violence=3, side_a=g.name, side_b="Civilians", best=killed,
                           cell=int(v.cell[i]), village_id=int(i), perpetrator_kind=g.perpetrator_kind,
                           injuries=injured, displaced=0, hours=m.step_hours, interrupted_by="", kind="incident")
            retaliate(m, int(i), g, killed)
