"""The sweepers' configs: `hydra/sweeper=sequential` (its fields are pocsim.sequential.StoppingRule's) and
the compose-once basic sweeper, stored as `hydra/sweeper=basic` by pocsim.config.register_sweeper."""

from dataclasses import dataclass
from typing import Dict, Optional

from hydra._internal.core_plugins.basic_sweeper import BasicSweeperConf
from hydra.core.config_store import ConfigStore


@dataclass
class SequentialSweeperConf:
    _target_: str = "hydra_plugins.pocsim_sweeper.sequential_sweeper.SequentialSweeper"
    # the arms, as in Hydra's basic sweeper (e.g. strategy: none,modular); never the seed
    params: Optional[Dict[str, str]] = None
    by: str = "strategy"
    baseline: str = "none"
    metric: str = "civilian_deaths"
    tolerance: float = 0.10
    alpha: float = 0.05
    batch_seeds: int = 10
    max_seeds: int = 40
    max_minutes: float = 60.0
    first_seed: int = 0


ConfigStore.instance().store(group="hydra/sweeper", name="sequential", node=SequentialSweeperConf,
                             provider="pocsim")


@dataclass
class ComposeOnceSweeperConf(BasicSweeperConf):
    """Hydra's basic sweeper, composing each choice of config groups once (compose_once.py)."""
    _target_: str = "hydra_plugins.pocsim_sweeper.compose_once.ComposeOnceSweeper"
