"""strategy=historical_minusca (one battalion at the main town, as Geo-PKO has MINUSCA in Ouaka and
Ouham), the company bases' `towns`, and scenario=car_ouham (car_ouaka with Ouham's population and
geography only, for an out-of-sample check)."""

from dataclasses import asdict

import pytest

from pocsim.model import POCModel
from pocsim.report_text import sets_mission
from pocsim.run import simulate
from tests.conftest import make_config


def mission_of(*overrides: str):
    cfg = make_config("scenario=car_ouaka", *overrides, "days=2", small=False)
    model, _ = simulate(cfg)
    return model, model.mission


def cells(model, towns) -> set[int]:
    return {int(model.villages.cell[t]) for t in towns}


@pytest.mark.parametrize("troops", [None, 1450])  # 650 as in 2015-2016; 1,450 as in Bambari from Oct 2018
def test_one_battalion_based_at_the_largest_town(troops):
    model, m = mission_of("strategy=historical_minusca", *([f"mission.troops={troops}"] if troops else []))
    assert {b.cell for b in m.bases} == cells(model, m.towns[:1])
    on_the_ground = sum(b.troops for b in m.bases) + sum(u.troops for u in m.units)
    assert on_the_ground == (troops or 650)
    assert m.resources.total["police"] == m.resources.total["civilian_staff"] == 0
    assert {t.name for t in m.tools} == {"company_bases", "route_patrols", "reaction_force"}
    assert sets_mission("historical_minusca") and not sets_mission("static_deterrence")  # the sweep report says so


def test_company_bases_kept_to_the_largest_towns():
    model, m = mission_of("strategy=static_deterrence", "strategy.tools.company_bases.towns=2")
    assert {b.cell for b in m.field_bases} == cells(model, m.towns[:2])
    model, m = mission_of("strategy=static_deterrence")  # 0, the default: a company at each of the four largest
    assert {b.cell for b in m.field_bases} == cells(model, m.towns[:4])


def without(cfg: dict, *keys: str) -> dict:
    return {k: v for k, v in cfg.items() if k not in keys}


def test_ouham_changes_only_population_and_geography():
    ouaka = asdict(make_config("scenario=car_ouaka", small=False))
    ouham = asdict(make_config("scenario=car_ouham", small=False))
    assert ouham["scenario"]["name"] == "car_ouham"
    assert without(ouham, "scenario") == without(ouaka, "scenario")
    geography = ("terrain", "villages", "name", "description")
    assert without(ouham["scenario"], *geography) == without(ouaka["scenario"], *geography)
    # the communities the groups name stay Ouaka's; only the count of settlements moves
    assert without(ouham["scenario"]["villages"], "count") == without(ouaka["scenario"]["villages"], "count")
    assert ouham["scenario"]["terrain"]["n_towns"] == 7


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ouhams_proportions(seed):
    cfg = make_config("scenario=car_ouham", small=False)
    m = POCModel(cfg.scenario, seed=seed)
    ny, nx = m.terrain.shape
    assert abs(ny * nx * m.terrain.cell_km**2 - 50_250) < 0.01 * 50_250
    assert int(m.villages.is_town.sum()) == 7
    assert 0.8 * 369_220 < m.villages.population.sum() < 1.2 * 369_220
