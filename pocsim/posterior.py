"""A calibrated scenario's posterior: parameter samples with weights, applied to a composed config.

A calibration (pocsim/calibration.py, `pocsim-calibrate`) stores its posterior as a small CSV in
pocsim/posteriors: one column per calibrated parameter, keyed as in the parameter table
(`scenario.violence.lethality`, `scenario.groups.UPC.aggression`), and a `weight` column. The
scenario's YAML holds the posterior mean (to 4 significant digits, held to the file by a test), so
overrides on the command line win as for any value. `scenario.posterior_sample=N` runs one
particle instead, and `+posterior=true` draws a particle per seed, so a sweep over seeds spreads over
the posterior as well as over worlds; a particle sets every calibrated key. The draw has a stream of
its own: the world and every other draw stay as they were for that seed.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import numpy as np
from omegaconf import DictConfig, OmegaConf, open_dict

from pocsim.config import ConfigError

WEIGHT = "weight"
SWITCH = "posterior"  # +posterior=true: a key of its own, outside the schema


def path(file: str) -> Path:
    """A posterior file by name (in pocsim/posteriors) or by path."""
    p = Path(file)
    return p if p.is_absolute() or p.exists() else Path(__file__).parent / "posteriors" / file


@lru_cache(maxsize=8)
def load(file: str):
    # pandas only here: pocsim.cli imports this module in every sweep worker, which must not pay for it
    import pandas as pd

    p = path(file)
    if not p.is_file():
        raise ConfigError(f"scenario.posterior: {file} not found (a CSV in pocsim/posteriors, from pocsim-calibrate)")
    df = pd.read_csv(p)
    if WEIGHT not in df.columns or len(df) == 0 or not (df[WEIGHT] >= 0).all() or df[WEIGHT].sum() <= 0:
        raise ConfigError(f"scenario.posterior: {file} needs rows and a non-negative '{WEIGHT}' column")
    return df


def mean(df) -> dict[str, float]:
    w = df[WEIGHT].to_numpy() / df[WEIGHT].sum()
    return {key: float(np.dot(w, df[key].to_numpy())) for key in df.columns if key != WEIGHT}


def row_values(df, row: int) -> dict[str, float]:
    return {key: float(df[key].iloc[row]) for key in df.columns if key != WEIGHT}


def sample(df, seed: int) -> int:
    """A row drawn by weight from the seed's own stream for this purpose."""
    from pocsim.streams import Streams

    return int(Streams(seed)["posterior"].choice(len(df), p=df[WEIGHT].to_numpy() / df[WEIGHT].sum()))


def config_key(key: str, groups: list[str]) -> str:
    """A parameter-table key as the config addresses it: the table names a group
    (scenario.groups.UPC.aggression), the config's list takes its index (scenario.groups.0.aggression)."""
    parts = key.split(".")
    if parts[:2] != ["scenario", "groups"]:
        return key
    if parts[2] not in groups:
        raise ConfigError(f"scenario.posterior: {key} names no group of this scenario (groups: {', '.join(groups)})")
    return ".".join(["scenario", "groups", str(groups.index(parts[2])), *parts[3:]])


def set_values(cfg: DictConfig, values: dict[str, float]) -> None:
    """Set parameter-table keys in a composed config."""
    groups = [g.name for g in cfg.scenario.groups]
    for key, value in values.items():
        dotted = config_key(key, groups)
        if OmegaConf.select(cfg, dotted, default=None) is None:
            raise ConfigError(f"scenario.posterior: {key} is not a key of this config")
        OmegaConf.update(cfg, dotted, value, merge=False)


def apply(cfg: DictConfig) -> DictConfig:
    """The config with the posterior particle it asks for (a copy; `scenario.posterior_sample` says
    which row; -1: none, the YAML's posterior mean), and without the `+posterior=true` switch."""
    draw = cfg.get(SWITCH, None)
    if draw is not None:
        if not isinstance(draw, bool):
            raise ConfigError(f"posterior: +posterior=true draws the calibrated parameters per seed; got {draw!r}")
        cfg = copy.deepcopy(cfg)
        with open_dict(cfg):
            del cfg[SWITCH]
    file = cfg.scenario.posterior
    if not file:
        if draw:
            raise ConfigError(f"+posterior=true: scenario {cfg.scenario.name} has no calibrated posterior "
                              "(scenario.posterior; calibrated scenarios: car_ouaka, car_ouham)")
        return cfg
    df = load(str(file))
    row = sample(df, int(cfg.seed)) if draw else int(cfg.scenario.posterior_sample)
    if not -1 <= row < len(df):
        raise ConfigError(f"scenario.posterior_sample: must be -1 (the mean) or a row 0-{len(df) - 1} of {file}, "
                          f"got {row}")
    if row == -1:
        return cfg
    cfg = copy.deepcopy(cfg)
    set_values(cfg, row_values(df, row))
    cfg.scenario.posterior_sample = row
    return cfg
