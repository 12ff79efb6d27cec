"""A calibrated scenario's posterior: parameter samples with weights, applied to a composed config.

A calibration (pocsim/calibration.py, `pocsim-calibrate`) stores its posterior as a small CSV
beside the configs (configs/posterior/<scenario>.csv): one column per calibrated parameter, keyed
as in the parameter table (`scenario.violence.lethality`, `scenario.groups.UPC.aggression`), and a
`weight` column. A scenario that names the file (`posterior.file`) runs at the posterior mean;
`+posterior=true` draws one sample per seed instead, so a sweep over seeds spreads over the
posterior as well as over worlds (the draw has a stream of its own: the world and every other draw
stay as they were for that seed).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from pocsim.config import ConfigError

WEIGHT = "weight"


def path(file: str) -> Path:
    """A posterior file by name (in configs/posterior, as installed) or by path."""
    p = Path(file)
    if p.is_absolute() or p.exists():
        return p
    import pocsim.configs

    return Path(pocsim.configs.__file__).parent / "posterior" / file


@lru_cache(maxsize=8)
def load(file: str) -> pd.DataFrame:
    p = path(file)
    if not p.exists():
        raise ConfigError(f"posterior.file: {file} not found (a CSV in configs/posterior written by pocsim-calibrate)")
    df = pd.read_csv(p)
    if WEIGHT not in df.columns or len(df) == 0 or not (df[WEIGHT] >= 0).all() or df[WEIGHT].sum() <= 0:
        raise ConfigError(f"posterior.file: {file} needs rows and a non-negative '{WEIGHT}' column")
    return df


def mean(df: pd.DataFrame) -> dict[str, float]:
    w = df[WEIGHT].to_numpy() / df[WEIGHT].sum()
    return {key: float(np.dot(w, df[key].to_numpy())) for key in df.columns if key != WEIGHT}


def sample(df: pd.DataFrame, seed: int) -> tuple[int, dict[str, float]]:
    """(row, values) drawn by weight from the seed's own stream for this purpose."""
    from pocsim.streams import Streams

    w = df[WEIGHT].to_numpy() / df[WEIGHT].sum()
    row = int(Streams(seed)["posterior"].choice(len(df), p=w))
    return row, {key: float(df[key].iloc[row]) for key in df.columns if key != WEIGHT}


def set_values(cfg: DictConfig, values: dict[str, float]) -> None:
    """Set parameter-table keys in a composed config; a group's key names the group, not its index."""
    groups = [g.name for g in cfg.scenario.groups]
    for key, value in values.items():
        parts = key.split(".")
        if parts[:2] == ["scenario", "groups"]:
            if parts[2] not in groups:
                raise ConfigError(f"posterior: {key} names no group of this scenario (groups: {', '.join(groups)})")
            parts = ["scenario", "groups", str(groups.index(parts[2])), *parts[3:]]
        dotted = ".".join(parts)
        if OmegaConf.select(cfg, dotted, default=None) is None:
            raise ConfigError(f"posterior: {key} is not a key of this config")
        OmegaConf.update(cfg, dotted, value, merge=False)


def apply(cfg: DictConfig) -> DictConfig:
    """The config with its posterior applied (a copy), and `posterior.sample` recording which row
    (-1 for the mean). Without `posterior.file` the config is returned as it is."""
    post = cfg.get("posterior")
    if post is None or not post.get("file"):
        if post is not None and post.get("use") == "draw":
            raise ConfigError(f"+posterior=true: scenario {cfg.scenario.name} has no calibrated posterior "
                              "(posterior.file); calibrated scenarios: car_ouaka, car_ouham")
        return cfg
    df = load(str(post.file))
    if post.use == "mean":
        row, values = -1, mean(df)
    elif post.use == "draw":
        row, values = sample(df, int(cfg.seed))
    else:
        raise ConfigError(f"posterior.use: must be mean or draw, got {post.use!r}")
    cfg = copy.deepcopy(cfg)
    set_values(cfg, values)
    cfg.posterior.sample = row
    return cfg
