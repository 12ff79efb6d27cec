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
