"""The mission's tools, each shown to do what it claims, and to fail where the domain says it does.

Every comparison runs both arms on the same seeds (the same world, common random numbers) and
looks at outcomes summed over several seeds; nothing is compared with a number typed in.
"""

import numpy as np
import pytest

from pocsim.model import POCModel
from pocsim.run import simulate
from pocsim.world.terrain import MAIN_ROAD
from tests.conftest import make_config

STRATEGIES = ["none", "static_deterrence", "mobile_operations", "unarmed", "modular"]
SCENARIOS = ["default", "forest_many_groups", "weak_state_no_peace", "peacekeepers_targeted", "state_perpetrator"]


def runs(*overrides, seeds=range(3), small=True):
    return [simulate(make_config(*overrides, f"seed={s}", small=small))[1] for s in seeds]


def total(summaries, key):
    return sum(s[key] or 0 for s in summaries)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_strategy_runs_on_every_scenario(scenario):
    for strategy in STRATEGIES:
        _, s = simulate(make_config(f"scenario={scenario}", f"strategy={strategy}", "days=3"))
        assert s["strategy"] == strategy and s["scenario"] == scenario
        assert s["civilian_deaths"] >= 0 and s["population"] > 0


@pytest.mark.parametrize("strategy", STRATEGIES[1:])
def test_strategies_share_the_same_resources(strategy):
    """No strategy gets more: every soldier, police officer and staff member is somewhere."""
    cfg = make_config(f"strategy={strategy}", small=False)
    m = POCModel(cfg.scenario, cfg.strategy, seed=0, mission=cfg.mission).mission
    troops = sum(b.troops for b in m.bases) + sum(u.troops for u in m.units)
    assert troops == cfg.mission.troops
    assert sum(b.police for b in m.bases) <= cfg.mission.police
    staff = cfg.strategy
    assert staff.teams_share + staff.liaison_share + staff.mediation_share + staff.advocacy_share + staff.ddr_share <= 1


def test_the_mission_sees_only_what_its_sources_report():
    """A mission with no patrols, teams, liaison or alerts has an empty picture, however high the
    true threat; the same mission with liaison assistants learns of it."""
    blind = ["strategy=unarmed", "strategy.teams_share=0", "strategy.liaison_share=0", "strategy.qrf_companies=0"]
    cfg = make_config(*blind, "days=10")
    m, _ = simulate(cfg)
    assert m.threat.field.max() > 0
    assert m.mission.picture.estimate.max() == 0
    cfg = make_config(*blind[:-2], "strategy.liaison_share=0.5", "days=10")
    m, _ = simulate(cfg)
    assert m.mission.picture.estimate.max() > 0
    assert not np.array_equal(m.mission.picture.estimate, m.threat_at_villages)  # late and noisy


ALERTS = ["strategy=unarmed", "strategy.liaison_share=0.5", "strategy.teams_share=0",
          "scenario.villages.coverage_radius_km=500", "mission.helicopters=2", "mission.authorisation_hours=0.5",
          "mission.deterrence_per_company=0", "mission.troops=300", "days=120"]


def test_alerts_without_a_response_save_nobody_and_with_one_in_reach_they_do():
    """The Luvungi lesson: the same alert network, with and without a reaction force that can
    arrive before the attack ends (presence switched off, so only the response differs)."""
    without = runs(*ALERTS, "strategy.qrf_companies=0", seeds=range(4))
    with_qrf = runs(*ALERTS, "strategy.qrf_companies=2", seeds=range(4))
    assert total(without, "alerts_raised") > 0 and total(with_qrf, "alerts_raised") > 0
    assert total(without, "alerts_answered_in_time") == 0
    assert total(without, "attacks_interrupted_by_mission") == 0
    assert total(with_qrf, "alerts_answered_in_time") > 0
    assert total(with_qrf, "civilian_deaths") < 0.8 * total(without, "civilian_deaths")


def test_a_slow_authorisation_chain_wastes_the_reaction_force():
    slow = runs(*ALERTS, "strategy.qrf_companies=2", "mission.authorisation_hours=12", seeds=range(4))
    fast = runs(*ALERTS, "strategy.qrf_companies=2", seeds=range(4))
    assert total(slow, "alerts_answered_in_time") < total(fast, "alerts_answered_in_time")
    assert total(slow, "mean_response_hours") > total(fast, "mean_response_hours")


def test_route_bound_patrols_count_high_and_protect_off_road_villages_little():
    """Main-road circuits produce many patrols; off-road villages are no safer for them than with
    threat-informed patrols that go where the picture shows risk (equal troops)."""
    def offroad(strategy_overrides, seed):
        m, s = simulate(make_config("strategy=static_deterrence", *strategy_overrides, "days=150", f"seed={seed}",
                               small=False))
        v = m.villages
        return s["patrols"], int(v.deaths[v.road_km > 5].sum()), m

    route = [offroad([], s) for s in range(3)]
    threat = [offroad(["strategy.patrols=threat"], s) for s in range(3)]
    assert sum(r[0] for r in route) > 3 * sum(t[0] for t in threat)
    m = route[0][2]
    ends = np.concatenate([u.circuit_ends for u in m.mission.units if getattr(u, "kind", "") == "route"])
    assert (m.terrain.road.ravel()[ends] == MAIN_ROAD).all()  # their circuits turn on main roads
    # at least as many off-road deaths under route-bound patrols as under threat-informed ones
    assert sum(r[1] for r in route) >= sum(t[1] for t in threat)


def test_a_visit_without_follow_up_invites_reprisals():
    base = ["strategy=unarmed", "strategy.liaison_share=0", "strategy.mediation_share=0",
            "strategy.advocacy_share=0", "strategy.ddr_share=0", "days=150"]
    no_visits = runs(*base, "strategy.teams_share=0", small=False)
    visits = runs(*base, "strategy.teams_share=0.5", "strategy.follow_up=false", small=False)
    assert total(no_visits, "reprisal_deaths") == 0
    assert total(visits, "jpt_visits") > 0
    assert total(visits, "reprisal_deaths") > 0


def test_more_troops_less_harm_with_diminishing_returns():
    levels = [0, 600, 1800, 5400]
    exposed = []
    for troops in levels:
        s = runs("strategy=static_deterrence", f"mission.troops={troops}", "mission.civilian_staff=0", "days=120",
                 small=False)
        exposed.append(total(s, "people_exposed_hours"))
    assert all(a > b for a, b in zip(exposed, exposed[1:]))
    gains = [(a - b) / (y - x) for a, b, x, y in zip(exposed, exposed[1:], levels, levels[1:])]
    assert gains[0] > gains[-1]  # each extra soldier buys less protection than the first ones did
