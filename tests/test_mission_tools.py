"""Single tools at work: mediation, offensive operations, advocacy, DDR, police, host-state
restrictions, peacekeepers as targets, and a picture that fades."""

import numpy as np

from pocsim.mission.military import OffensiveOperation
from pocsim.model import POCModel
from pocsim.run import simulate
from tests.conftest import make_config


SHARES = ("teams_share", "liaison_share", "mediation_share", "advocacy_share", "ddr_share")


def only(tool: str, share: float = 0.5) -> list[str]:
    """Civilian staff on one tool only (the shares must not add up to more than everyone)."""
    return [f"strategy.{k}={share if k == tool else 0}" for k in SHARES]


def model(*overrides, seed=0):
    cfg = make_config(*overrides)
    return POCModel(cfg.scenario, cfg.strategy, seed=seed, mission=cfg.mission)


def test_mediation_lowers_aggression_and_an_offensive_undoes_it():
    m = model("strategy=unarmed", *only("mediation_share"))
    g = m.groups[0]
    mission = m.mission
    mission.picture.blame[g.index] = 5
    for day in range(60):
        m.t = day * 24 * 7  # one session a week
        mission.mediation.daily()
    assert mission.outputs.mediation_sessions > 0
    assert g.aggression < g.initial_aggression
    op = OffensiveOperation(mission, mission.bases[0], 150.0, g)
    op.cell = g.cell
    strength = g.strength
    mission.engage(op, g)
    assert g.aggression == g.initial_aggression
    assert g.strength <= strength
    assert g.grievance.max() > 0  # the group blames the villagers around the fight


def test_advocacy_raises_the_cost_of_abuse_for_state_forces_only():
    m = model("strategy=unarmed", *only("advocacy_share"))
    state = next(g for g in m.groups if g.is_state)
    rebel = next(g for g in m.groups if not g.is_state)
    before = state.abuse_cost, rebel.abuse_cost
    for _ in range(10):
        m.mission.advocacy.attack_reported(state)
        m.mission.advocacy.attack_reported(rebel)
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
        m, _ = simulate(make_config("strategy=unarmed", *only("ddr_share"), f"scenario.peace_process={peace}",
                                    "days=30", "mission.deterrence_per_company=0"))
        strength[peace] = sum(g.strength for g in m.groups if not g.is_state)
    assert strength["true"] < strength["false"]


def test_police_at_a_protection_site_arrest_those_who_prey_on_it():
    m = model("strategy=static_deterrence")
    site, officers = m.mission.police_sites[0]
    prevented = sum(m.mission.prevents_incident(site) for _ in range(200))
    assert 0 < prevented < 200 and m.mission.outputs.arrests == prevented
    far = int(np.argmax((m.villages.x - m.villages.x[site]) ** 2 + (m.villages.y - m.villages.y[site]) ** 2))
    assert not any(m.mission.prevents_incident(far) for _ in range(50))


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
    m = model("strategy=unarmed", *only("mediation_share"), "strategy.qrf_companies=0")
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
    field = m.mission.presence.base_field(base.cell, 150.0)
    t = m.terrain
    ny, nx = t.shape
    by, bx = divmod(base.cell, nx)
    yy, xx = np.mgrid[0:ny, 0:nx]
    ring = np.abs(np.hypot(yy - by, xx - bx) - 8) < 1.5  # cells about 8 km away
    road = ring & (t.road == 2)
    off = ring & (t.road == 0) & (t.landcover == 1)
    assert road.any() and off.any()
    assert field[road].mean() > field[off].mean()
    assert field[by, bx] == field.max()
