"""The model as a whole: schedule, conservation of people, determinism, both engines."""

import numpy as np
import pytest

from pocsim.model import POCModel
from pocsim.run import simulate
from tests.conftest import make_config


@pytest.fixture(scope="module")
def ran():
    cfg = make_config("days=20", "seed=1")
    return simulate(cfg)


def test_people_are_conserved_and_never_negative(ran):
    model, summary = ran
    v = model.villages
    assert (v.residents >= 0).all() and (v.away >= 0).all()
    assert v.alive + v.deaths.sum() == v.population.sum()
    assert ((v.refuge >= 0) == (v.away > 0)).all()  # a cohort has a refuge exactly when it exists
    assert summary["civilian_deaths"] == (summary["deaths_by_rebels"] + summary["deaths_by_militias"]
                                          + summary["deaths_by_state_forces"] + summary["collateral_deaths"])


def test_ledgers_agree(ran):
    model, summary = ran
    events = model.ledger.events_table().to_pandas()
    days = model.ledger.timeseries_table().to_pandas()
    assert len(days) == 20
    assert events.loc[events.type_of_violence == 3, "best"].sum() == summary["civilian_deaths"]
    assert days.civilian_deaths.sum() == summary["civilian_deaths"]
    assert days.attacks.sum() == summary["attacks"] == (events.type_of_violence == 3).sum()
    assert (events.date_start <= events.date_end).all()
    assert events.id.is_unique


def test_same_seed_same_run_different_seed_different_run():
    a = POCModel(make_config().scenario, seed=3)
    b = POCModel(make_config().scenario, seed=3)
    c = POCModel(make_config().scenario, seed=4)
    for m in (a, b, c):
        m.run(days=10)
    assert a.ledger.events == b.ledger.events
    np.testing.assert_array_equal(a.threat.field, b.threat.field)
    assert a.ledger.events != c.ledger.events or not np.array_equal(a.threat.field, c.threat.field)


def test_numpy_engine_follows_the_same_dynamics():
    """The reference engine runs the whole model; fields agree with numba to rounding."""
    cfg = make_config().scenario
    a, b = POCModel(cfg, seed=2, engine="numba"), POCModel(cfg, seed=2, engine="numpy")
    for _ in range(48):
        a.step()
        b.step()
    np.testing.assert_allclose(a.threat.field, b.threat.field, rtol=1e-9, atol=1e-12)
    assert a.ledger.events == b.ledger.events


def test_longer_steps_cover_the_same_days():
    cfg = make_config().scenario
    m = POCModel(cfg, seed=0, step_hours=3)
    m.run(days=2)
    assert m.t == 16 and m.day == 2 and len(m.ledger.days) == 2


def test_schedule_is_readable_in_one_method():
    doc = POCModel.step.__doc__
    phases = ["mission", "groups", "threat", "violence", "people", "record"]
    positions = [doc.index(p) for p in phases]
    assert positions == sorted(positions)
