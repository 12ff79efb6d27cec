"""Displacement is movement: people leave lasting threat for a safer place and come back."""

import numpy as np

from pocsim.model import POCModel
from tests.conftest import make_config


def quiet_model(seed=0):
    m = POCModel(make_config().scenario, seed=seed)
    for g in m.groups:  # keep armed groups out of it: only the threat we inject acts
        g.rest_until = 10**9
        g.strength = 1e-9
    return m


def test_people_flee_lasting_threat_and_return_when_calm():
    m = quiet_model()
    v = m.villages
    i = int(np.argmax(v.population * ~v.is_town))
    start = int(v.residents[i])
    m.threat.field.ravel()[v.cell[i]] = 0.0
    for _ in range(3 * 24):  # three days of high threat at one village
        m.threat.field.ravel()[v.cell[i]] += 10 * m.scenario.displacement.flee_threshold
        m.step()
    assert v.residents[i] < 0.8 * start
    refuge = v.refuge[i]
    assert refuge >= 0 and refuge != i
    assert m.present[refuge] == v.residents[refuge] + v.away[v.refuge == refuge].sum()
    assert v.alive + v.deaths.sum() == v.population.sum()
    away = int(v.away[i])
    m.threat.field[:] = 0.0
    m.run(days=20)
    assert v.away[i] < 0.5 * away  # most have gone home
    assert m.ledger.timeseries_table().to_pandas().returned.sum() > 0


def test_the_displaced_move_on_and_are_exposed_where_they_stay():
    m = quiet_model(1)
    v = m.villages
    i = int(np.argmax(v.population * ~v.is_town))
    home = int(v.residents[i])
    assert m.displacement.flee(i, 100) == 100
    refuge = int(v.refuge[i])
    assert v.away[i] == 100 and m.present[refuge] == v.residents[refuge] + v.hosted()[refuge] >= 100
    moved = m.displacement.move_on(refuge)
    if v.away[i]:  # moved on to another refuge
        assert moved == 100 and v.refuge[i] not in (refuge, i)
    else:  # the nearest safe place was home
        assert v.residents[i] == home
        m.displacement.flee(i, 100)
    # killed where they stay: counted at that village, taken from their cohort
    where = int(v.refuge[i])
    deaths_before = int(v.deaths[where])
    m.harm(where, 0, 10, 0, np.random.default_rng(0))
    assert v.away[i] == 90 and v.deaths[where] == deaths_before + 10
    assert v.alive + v.deaths.sum() == v.population.sum()
