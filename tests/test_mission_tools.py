"""Single tools at work: mediation, offensive operations, advocacy, DDR, police, host-state
restrictions, peacekeepers as targets, and a picture that fades."""

from dataclasses import replace

import numpy as np

from pocsim.mission import NoMission
from pocsim.mission.tools.offensive_operations import Operation
from pocsim.model import POCModel
from pocsim.run import simulate
from pocsim.world import encounters
from tests.conftest import hourly, make_config

CIVILIAN_TOOLS = ("joint_protection_teams", "liaison", "mediation", "advocacy", "ddr")


def only(tool: str, share: float = 0.5) -> list[str]:
    """Civilian staff on one tool only: the other civilian tools are not fielded."""
    return [f"strategy.tools.{t}.staff_share={share}" if t == tool else f"strategy.tools.{t}.enabled=false"
            for t in CIVILIAN_TOOLS]


def model(*overrides, seed=0):
    cfg = make_config(*overrides)
    return POCModel(cfg.scenario, cfg.strategy, seed=seed, mission=cfg.mission)


def weekly_sessions(m, weeks: int, first: int = 0) -> None:
    """Run only the mediation tool, at the start of one day a week (from week `first` on)."""
    mediation = m.mission.tool("mediation")
    for week in range(first, first + weeks):
        m.t = week * 24 * 7
        mediation.step()


def test_mediation_lowers_aggression_and_an_offensive_undoes_it():
    m = model("strategy=mobile_operations")  # fields both mediation and offensive operations
    mission = m.mission
    g = next(g for g in m.groups if not g.is_state)
    mission.picture.blame[g.index] = 5
    mission.picture.camp[g.index] = g.cell  # the mission knows where the group camps
    weekly_sessions(m, 60)
    assert mission.outputs.mediation_sessions > 0
    assert g.aggression < g.initial_aggression
    # an operation reaches the group where it is: it loses fighters, talks are off, villagers are blamed
    offensive = mission.tool("offensive_operations")
    op = Operation(offensive, mission.hq.cell, offensive.companies[0], g.index)
    op.cell = g.cell
    strength = g.strength
    op.arrive()
    assert g.aggression == g.initial_aggression
    assert g.strength < strength
    assert g.grievance.max() > 0  # the group blames the villagers around the fight


def test_mediation_needs_a_group_blamed_and_a_place_to_find_it():
    m = model("strategy=unarmed", *only("mediation"))
    g = next(g for g in m.groups if not g.is_state)
    state = next(g for g in m.groups if g.is_state)
    m.mission.picture.camp[[g.index, state.index]] = [g.cell, state.cell]
    m.mission.picture.blame[state.index] = 5  # talks are with non-state groups only (state abuses: advocacy)
    weekly_sessions(m, 10)  # the non-state group's camp is known, but no attack blamed on it: no talks
    m.mission.picture.blame[g.index] = 3
    m.mission.picture.camp[g.index] = m.mission.picture.last_seen[g.index] = -1  # blamed, never seen
    weekly_sessions(m, 10, first=10)
    assert m.mission.outputs.mediation_sessions == 0 and g.aggression == g.initial_aggression
    assert state.aggression == state.initial_aggression
    m.mission.picture.last_seen[g.index] = g.cell  # blamed and seen: the teams go and talk
    weekly_sessions(m, 10, first=20)
    assert m.mission.outputs.mediation_sessions > 0


def test_an_offensive_goes_after_the_most_blamed_non_state_group_one_operation_at_a_time():
    m = model("strategy=mobile_operations")
    mission, offensive = m.mission, m.mission.tool("offensive_operations")
    offensive.plan()
    assert mission.outputs.offensive_operations == 0  # nobody blamed yet: nothing to go after
    a, b = [g for g in m.groups if not g.is_state][:2]
    state = next(g for g in m.groups if g.is_state)  # blamed most, but the host state's forces are not fought
    mission.picture.blame[[a.index, b.index, state.index]] = [1, 4, 9]
    mission.picture.last_seen[[a.index, b.index, state.index]] = [a.cell, b.cell, state.cell]
    hq = mission.hq.troops
    offensive.plan()
    ops = [u for u in mission.units if isinstance(u, Operation)]
    assert len(ops) == 1 and ops[0].group == b.index and ops[0].goal == b.cell
    assert mission.hq.troops == hq - ops[0].troops and mission.outputs.offensive_operations == 1
    offensive.plan()
    assert sum(isinstance(u, Operation) for u in mission.units) == 1


def test_a_strike_finds_the_group_only_where_it_still_is_and_fighting_costs_civilians():
    m = model("strategy=mobile_operations")
    p = m.mission.tool("offensive_operations").p
    g = next(g for g in m.groups if not g.is_state)
    ny, nx = m.terrain.shape
    gy, gx = divmod(g.cell, nx)
    far = (0 if gy > ny // 2 else ny - 1) * nx + (0 if gx > nx // 2 else nx - 1)  # the farthest corner
    strength = g.strength
    assert not encounters.strike(m, g, far, 150.0, p)  # it had moved on: no losses, no blame
    assert g.strength == strength and g.grievance.max() == 0
    village = int(np.argmax(m.present))  # fight where many people are, with heavy collateral
    g.cell = int(m.villages.cell[village])
    assert encounters.strike(m, g, g.cell, 150.0, replace(p, collateral_share=0.5))
    assert m.ledger.deaths_of_kind("collateral") > 0 and m.villages.deaths[village] > 0
    assert g.grievance[village] > 0


def test_advocacy_raises_the_cost_of_abuse_for_state_forces_only():
    m = model("strategy=unarmed", *only("advocacy"))
    advocacy = m.mission.tool("advocacy")
    state = next(g for g in m.groups if g.is_state)
    rebel = next(g for g in m.groups if not g.is_state)
    before = state.abuse_cost, rebel.abuse_cost
    for _ in range(10):
        advocacy.attack_reported(0, state.index)
        advocacy.attack_reported(0, rebel.index)
    assert state.abuse_cost > before[0] and rebel.abuse_cost == before[1]
    assert m.mission.outputs.abuses_documented == 10
    # a higher cost of abuse makes every target less attractive to the state forces
    reach = np.zeros(len(m.villages))
    u0 = state.target_utility(reach)
    state.abuse_cost += 1.0
    assert (state.target_utility(reach) < u0).all()


def test_ddr_demobilises_fighters_only_where_a_peace_process_exists():
    strength = {}
    for peace in ("true", "false"):
        # police arrests now cost groups fighters too: no police, so that DDR is the only difference
        m, _ = simulate(make_config("strategy=unarmed", *only("ddr"), "strategy.tools.formed_police.enabled=false",
                                    "strategy.tools.individual_police.enabled=false",
                                    f"scenario.peace_process={peace}", "days=30", "mission.deterrence_per_company=0"))
        strength[peace] = sum(g.strength for g in m.groups if not g.is_state)
    assert strength["true"] < strength["false"]


def test_formed_police_at_a_protection_site_arrest_those_who_prey_on_it():
    """An incident at the site (not a raid) becomes an arrest; unarmed incidents are not 'stopped'."""
    m = model("strategy=static_deterrence")
    fpu = m.mission.tool("formed_police")
    base, officers = fpu.sites[0]
    site = int(np.flatnonzero(m.villages.cell == base.cell)[0])
    responses = hourly(m, lambda: fpu.police_response(site, raid=False), 200)
    arrests = sum(a for a, _ in responses)
    assert 0 < arrests < 200 and m.mission.outputs.arrests == arrests
    assert not any(stopped for _, stopped in responses)
    far = int(np.argmax((m.villages.x - m.villages.x[site]) ** 2 + (m.villages.y - m.villages.y[site]) ** 2))
    assert all(r == (0, False) for r in hourly(m, lambda: fpu.police_response(far, raid=False), 50))


def test_individual_police_arrest_with_the_host_police_and_never_stop_an_attack():
    m = model("strategy=static_deterrence")
    ipo = m.mission.tool("individual_police")
    town = int(np.flatnonzero(m.villages.cell == ipo.posts[0][0])[0])
    responses = hourly(m, lambda: ipo.police_response(town, raid=True), 400)
    arrests = sum(a for a, _ in responses)
    # the host police act on only some cases: fewer arrests than with every case acted on
    assert 0 < arrests < ipo.p.host_police_cooperation * 400 and not any(s for _, s in responses)
    unpoliced = [v for v in range(len(m.villages)) if ipo.post_near(v, ipo.p.town_km) == 0]
    assert unpoliced and all(r == (0, False) for r in hourly(m, lambda: ipo.police_response(unpoliced[0], raid=True), 50))
    # an attack reported within a station's jurisdiction may end with a suspect arrested
    g = next(g for g in m.groups if not g.is_state)
    strength = g.strength
    hourly(m, lambda: ipo.attack_reported(town, g.index), 50)
    assert g.strength < strength


def test_without_a_mission_nobody_responds():
    assert NoMission().police_response(0, raid=True) == (0, False)
    m = model("strategy=none")
    assert isinstance(m.mission, NoMission) and m.mission.outputs is None


def test_the_host_state_refuses_some_movements_near_its_forces():
    denied = {}
    for fom in (1.0, 0.3):
        _, s = simulate(make_config("scenario=state_perpetrator", "strategy=mobile_operations", "days=20",
                                    f"mission.freedom_of_movement={fom}"))
        denied[fom] = s["movements_denied"]
    assert denied[1.0] == 0 and denied[0.3] > 0


def test_a_group_that_targets_peacekeepers_is_drawn_to_their_presence():
    m = model("scenario=peacekeepers_targeted", "strategy=static_deterrence")
    front = next(g for g in m.groups if g.targets_peacekeepers)
    army = next(g for g in m.groups if g.is_state)
    reach = np.zeros(len(m.villages))
    m.deterrence[:] = 0.0
    u_front, u_army = front.target_utility(reach), army.target_utility(reach)
    m.deterrence[:] = 1.0
    assert (front.target_utility(reach) > u_front).all()
    assert (army.target_utility(reach) < u_army).all()


def test_the_picture_fades_without_reports():
    m = model("strategy=unarmed", *only("mediation"))
    p = m.mission.picture
    p.estimate[:] = 1.0
    for _ in range(48):
        p.step()
    assert (p.estimate < 1.0).all() and (p.estimate > 0).all()


def test_presence_stamping_kernel_equals_its_reference():
    from pocsim.mission.presence import _stamp_nb, _stamp_np

    rng = np.random.default_rng(0)
    static = rng.random((40, 50))
    stamp = rng.random((7, 7))
    cells = rng.integers(0, 40 * 50, 12)
    cells[:2] = [0, 40 * 50 - 1]  # corners: the stamp is clipped at the borders
    strength = rng.random(12)
    a, b = np.empty_like(static), np.empty_like(static)
    _stamp_nb(static, cells, strength, stamp, a)
    _stamp_np(static, cells, strength, stamp, b)
    np.testing.assert_allclose(a, b, rtol=1e-12)
    assert a.sum() > static.sum()


def test_base_presence_fades_with_travel_time_not_distance():
    """A base on a main road covers the road far better than the ground beside it."""
    m = model("strategy=static_deterrence")
    base = m.mission.bases[0]
    covered, fade = m.mission.presence.base_reach(base.cell)
    t = m.terrain
    field = np.zeros(t.shape)
    field.ravel()[covered] = fade
    ny, nx = t.shape
    by, bx = divmod(base.cell, nx)
    yy, xx = np.mgrid[0:ny, 0:nx]
    ring = np.abs(np.hypot(yy - by, xx - bx) - 8) < 1.5  # cells about 8 km away
    road = ring & (t.road == 2)
    off = ring & (t.road == 0) & (t.landcover == 1)
    assert road.any() and off.any()
    assert field[road].mean() > field[off].mean()
    assert field[by, bx] == field.max()


def test_presence_and_retention_updated_where_units_moved_equal_the_whole_field_anew():
    """The hourly field is redone only in the squares where units were or are, and the threat's
    retention only there: both must equal recomputing the whole grid, hour after hour."""
    from pocsim.kernels.threat import retention_field
    from pocsim.mission.presence import _stamp_nb

    cfg = make_config("strategy=modular", small=False)  # the small world is covered by whole-field passes
    m = POCModel(cfg.scenario, cfg.strategy, seed=0, mission=cfg.mission)
    p = m.mission.presence
    checked = 0
    for _ in range(72):
        m.step()
        units = [u for u in m.mission.units if u.deters and u.troops > 0]
        whole = np.empty_like(p._static)
        strength = np.array([u.troops for u in units]) / p.cfg.company_size * p.cfg.deterrence_per_company
        _stamp_nb(p._static, np.array([u.cell for u in units], dtype=np.int64), strength, p.stamp, whole)
        np.testing.assert_array_equal(m.deterrence, whole)
        np.testing.assert_array_equal(m.threat.retention, retention_field(m.deterrence, m.threat.decay,
                                                                          m.threat.cfg.suppression))
        squares = 2 * len(p._cells) * (2 * p.radius + 1) ** 2
        checked += 0 < squares < m.deterrence.size  # this hour took the path that redoes squares only
    assert checked > 24
