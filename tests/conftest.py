import pytest
from hydra import compose, initialize_config_module

from pocsim import ucdp
from pocsim.cli import to_config

# The UCDP GED extract for the Central African Republic (not shipped): tests that read it skip without it.
CAR = ucdp.default_path()
needs_car = pytest.mark.skipif(not CAR.is_file(), reason=f"UCDP CAR extract not found at {CAR} "
                               "(set POCSIM_UCDP_CSV to a GED 23.1 CAR file)")

# A small world (60 x 60 km, 90 villages) so a model test runs in well under a second.
SMALL = [
    "scenario.terrain.width=60", "scenario.terrain.height=60", "scenario.terrain.n_towns=3",
    "scenario.terrain.town_spacing_km=15", "scenario.villages.count=90",
]


def make_config(*overrides: str, small: bool = True):
    """Compose the real Hydra config (as the command line does) and validate it."""
    with initialize_config_module(config_module="pocsim.configs", version_base="1.3"):
        cfg = compose("config", overrides=[*(SMALL if small else []), *overrides])
    return to_config(cfg)


def hourly(m, call, hours: int) -> list:
    """`call()` once in each of `hours` successive hours of model `m`: draws are keyed by the hour
    (pocsim/streams.py), so calls within one hour repeat the same draw."""
    out = []
    for t in range(hours):
        m.t = t
        out.append(call())
    return out


@pytest.fixture
def small_config():
    return make_config()
