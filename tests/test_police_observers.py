"""Police act and observers only watch: arrests in default worlds with police (never 0 by
construction), none without; observers refresh the mission's picture but deter nobody."""

import numpy as np
from conftest import hourly, make_config

from pocsim.model import POCModel
from pocsim.run import simulate


def test_police_make_arrests_in_default_worlds():
    """Few, because violence in the default world seldom happens within reach of a town's police
    (seeds 0 and 2, a year: 0 and 2 arrests; about one a year per world), but not none by
    construction: some world of the two has some."""
    arrests = []
    for seed in (0, 2):
        _, s = simulate(make_config("strategy=static_deterrence", f"seed={seed}", "days=365", small=False))
        arrests.append(s["arrests"])
    assert sum(arrests) > 0, arrests
    _, s = simulate(make_config("strategy=static_deterrence", "seed=2", "days=365", "mission.police=0", small=False))
    assert s["arrests"] == 0  # no police, no arrests: the count is the police's doing


def test_formed_police_arrest_and_stop_attacks_only_at_their_site():
    cfg = make_config("strategy=static_deterrence", "days=1")
    m = POCModel(cfg.scenario, cfg.strategy, seed=0, mission=cfg.mission)
    fpu = m.mission.tool("formed_police")
    site = int(np.flatnonzero(m.villages.cell == fpu.sites[0][0].cell)[0])
    far = int(np.argmax(np.hypot(m.villages.x - m.villages.x[site], m.villages.y - m.villages.y[site])))
    near = hourly(m, lambda: fpu.police_response(site, raid=True), 400)
    assert 0 < sum(a for a, _ in near) < 400 and 0 < sum(s for _, s in near) < 400
    assert all(r == (0, False) for r in hourly(m, lambda: fpu.police_response(far, raid=True), 50))


def observed(troop_share: float, seed: int):
    cfg = make_config("strategy=unarmed", f"strategy.tools.observers.troop_share={troop_share}", "days=30")
    m = POCModel(cfg.scenario, cfg.strategy, seed=seed, mission=cfg.mission)
    deterrence = []
    for _ in range(30 * 24):
        m.step()
        deterrence.append(m.deterrence.sum())
    return m, np.array(deterrence)


def test_observers_sharpen_the_picture_and_deter_nobody():
    for seed in (0, 1, 2):
        blind, d_blind = observed(0.0, seed)
        seen, d_seen = observed(0.05, seed)
        assert seen.mission.outputs.observer_patrols > 0
        age = lambda m: np.mean(m.t - np.maximum(m.mission.picture.updated, -1))  # noqa: E731 (hours since heard)
        assert age(seen) < age(blind)
        # the troops they are drawn from leave the bases' garrisons, and nothing deters in their place
        assert d_seen.max() <= d_blind.max() + 1e-9
