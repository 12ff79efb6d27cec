"""scenario=car_ouaka: a prefecture in Ouaka's proportions (RGPH 2003: 276,710 people on 49,900 km2,
five sub-prefecture seats), with its communities' weights and the rainy season."""

import pytest

from pocsim.config import ConfigError
from pocsim.model import POCModel
from tests.conftest import make_config


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ouakas_proportions(seed):
    cfg = make_config("scenario=car_ouaka", small=False)
    m = POCModel(cfg.scenario, seed=seed)
    v = m.villages
    ny, nx = m.terrain.shape
    assert abs(ny * nx * m.terrain.cell_km**2 - 49_900) < 0.01 * 49_900
    assert int(v.is_town.sum()) == 5
    assert 0.8 * 276_710 < v.population.sum() < 1.2 * 276_710
    banda = v.communities.index("Banda")
    assert (v.community == banda).mean() > 0.5  # the majority, whatever the world
    assert list(cfg.scenario.seasons.rainy_months) == [5, 6, 7, 8, 9, 10]


def test_community_weights_widen_a_communitys_home_area():
    shares = {}
    for weights in ("[]", "[4.0,1.0,1.0]"):
        cfg = make_config(f"scenario.villages.community_weights={weights}", "scenario.villages.community_mixing=0",
                          small=False)
        m = POCModel(cfg.scenario, seed=3)
        shares[weights] = (m.villages.community == 0).mean()
    assert shares["[4.0,1.0,1.0]"] > shares["[]"]


@pytest.mark.parametrize("weights", ["[1.0,2.0]", "[1.0,0.0,1.0]"])
def test_community_weights_must_match_the_communities(weights):
    with pytest.raises(ConfigError, match="scenario.villages.community_weights"):
        make_config(f"scenario.villages.community_weights={weights}")


def test_car_ouaka_runs_at_its_calibrated_posterior_mean():
    """The calibrated values are pocsim/posteriors/car_ouaka.csv's weighted mean (pocsim-calibrate),
    written into the YAML to 4 significant digits: this holds them to the file."""
    from pocsim import posterior
    from pocsim.params import walk

    cfg = make_config("scenario=car_ouaka", small=False)
    values = {row.key: row.value for row in walk(cfg)}
    mean = posterior.mean(posterior.load("car_ouaka.csv"))
    assert cfg.scenario.posterior == "car_ouaka.csv" and cfg.scenario.posterior_sample == -1
    for key, value in mean.items():
        assert values[key] == pytest.approx(value, rel=6e-4), key
    assert cfg.scenario.group_behaviour.campaigns  # the dynamics the posterior was calibrated with
    ouham = make_config("scenario=car_ouham", small=False)  # out of sample: the same values
    assert ouham.scenario.violence.lethality == cfg.scenario.violence.lethality


def test_posterior_draws_differ_by_seed():
    from pocsim import posterior

    df = posterior.load("car_ouaka.csv")
    assert len({posterior.sample(df, seed) for seed in range(40)}) > 1
    cfg = make_config("scenario=car_ouaka", "+posterior=true", "seed=5", small=False)
    assert cfg.scenario.posterior_sample == posterior.sample(df, 5)
