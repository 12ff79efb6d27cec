"""A calibrated posterior applied to runs (pocsim/posterior.py): the mean by default, one draw per
seed with +posterior=true, from a stream of its own, recorded in the run's summary."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hydra import compose, initialize_config_module

from pocsim import posterior
from pocsim.cli import to_config
from pocsim.config import ConfigError
from pocsim.run import simulate
from tests.conftest import SMALL, make_config

KEYS = ["scenario.violence.lethality", "scenario.groups.FPL.aggression"]


@pytest.fixture
def csv(tmp_path):
    path = tmp_path / "post.csv"
    pd.DataFrame({KEYS[0]: [0.05, 0.15], KEYS[1]: [0.2, 0.9], "weight": [0.75, 0.25]}).to_csv(path, index=False)
    posterior.load.cache_clear()
    return str(path)


def composed(*overrides):
    with initialize_config_module(config_module="pocsim.configs", version_base="1.3"):
        return compose("config", overrides=[*SMALL, "days=3", *overrides])


def fpl(cfg):
    return next(g for g in cfg.scenario.groups if g.name == "FPL")


def test_without_a_row_the_config_keeps_its_values(csv):
    """The scenario's YAML holds the posterior mean; naming the file changes nothing by itself, and
    a command-line override wins as for any value."""
    cfg = to_config(composed(f"scenario.posterior={csv}", "scenario.violence.lethality=0.1"))
    assert cfg.scenario.violence.lethality == 0.1 and fpl(cfg).aggression == fpl(make_config()).aggression
    assert cfg.scenario.posterior_sample == -1
    one = to_config(composed(f"scenario.posterior={csv}", "scenario.posterior_sample=1"))
    assert one.scenario.violence.lethality == 0.15 and fpl(one).aggression == 0.9


def test_a_draw_per_seed_follows_the_weights(csv):
    df = posterior.load(csv)
    rows = [posterior.sample(df, seed) for seed in range(400)]
    assert 0.68 < rows.count(0) / 400 < 0.82  # weight 0.75
    assert [posterior.sample(df, 7)] * 2 == [posterior.sample(df, 7), posterior.sample(df, 7)]  # reproducible
    cfg = to_config(composed("+posterior=true", f"scenario.posterior={csv}", "seed=7"))
    row = posterior.sample(df, 7)
    assert cfg.scenario.posterior_sample == row and cfg.scenario.violence.lethality == df[KEYS[0]][row]


def test_a_drawn_run_is_the_run_with_those_values_typed_in(csv):
    """The draw has its own stream: the world and every other draw stay as they were for the seed."""
    drawn = to_config(composed("+posterior=true", f"scenario.posterior={csv}", "seed=3"))
    values = posterior.row_values(posterior.load(csv), posterior.sample(posterior.load(csv), 3))
    typed = make_config("days=3", "seed=3", f"scenario.violence.lethality={values[KEYS[0]]}",
                        f"scenario.groups.0.aggression={values[KEYS[1]]}")
    assert fpl(typed).aggression == fpl(drawn).aggression
    a, b = simulate(drawn)[1], simulate(typed)[1]
    assert a["posterior_sample"] == drawn.scenario.posterior_sample and "posterior_sample" not in b
    keep = lambda s: {k: v for k, v in s.items() if k not in ("runtime_s", "posterior_sample")}  # noqa: E731
    assert keep(a) == keep(b)


def test_a_posterior_naming_an_unknown_key_group_or_row_is_refused(tmp_path, csv):
    with pytest.raises(ConfigError, match="scenario.posterior_sample: must be -1"):
        to_config(composed(f"scenario.posterior={csv}", "scenario.posterior_sample=2"))
    with pytest.raises(ConfigError, match="scenario.posterior: .* not found"):
        to_config(composed("scenario.posterior=nothing.csv"))
    for column, match in (("scenario.groups.UPC.aggression", "names no group"),
                          ("scenario.violence.nothing", "not a key")):
        path = tmp_path / "bad.csv"
        pd.DataFrame({column: [0.1], "weight": [1.0]}).to_csv(path, index=False)
        posterior.load.cache_clear()
        with pytest.raises(ConfigError, match=match):
            to_config(composed(f"scenario.posterior={path}", "scenario.posterior_sample=0"))


def test_draw_without_a_calibrated_scenario_is_one_line(tmp_path):
    out = subprocess.run([sys.executable, "-m", "pocsim", "+posterior=true", "days=1", f"hydra.run.dir={tmp_path}/r"],
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert "has no calibrated posterior" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "r" / "summary.json").exists()


def test_the_posterior_mean_is_a_weighted_mean():
    df = pd.DataFrame({"a": [1.0, 3.0], "weight": [1.0, 3.0]})
    assert posterior.mean(df) == {"a": pytest.approx(2.5)}
    assert np.isclose(sum(posterior.mean(df).values()), 2.5)
