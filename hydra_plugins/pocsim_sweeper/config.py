"""The sweepers' configs: `hydra/sweeper=sequential` (its fields are pocsim.sequential.StoppingRule's),
`hydra/sweeper=sensitivity` (global sensitivity analysis), and
the compose-once basic sweeper, stored as `hydra/sweeper=basic` by pocsim.config.register_sweeper."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional

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


@dataclass
class SensitivitySweeperConf:
    """Global sensitivity analysis (sensitivity_sweeper.py; pocsim/sensitivity.py)."""
    _target_: str = "hydra_plugins.pocsim_sweeper.sensitivity_sweeper.SensitivitySweeper"
    params: Optional[Dict[str, str]] = None  # the arms (e.g. strategy: none,modular); never the seed
    method: str = "screening"  # screening (Morris, then Sobol on the top), morris, sobol, robustness
    include: List[str] = field(default_factory=list)  # key prefixes of the parameters to vary; [] = all
    # numerics (the time step, the grid's resolution) and the map's extent, which is the scenario rather than
    # an assumption about it (and a 1,000 x 1,000 map costs 25 times the default's run time)
    exclude: List[str] = field(default_factory=lambda: ["step_hours", "scenario.terrain.cell_km",
                                                        "scenario.terrain.width", "scenario.terrain.height"])
    seeds: int = 3  # seeds 0..seeds-1 at every point, for every arm
    trajectories: int = 10  # Morris: trajectories of k + 1 points
    levels: int = 4  # Morris: grid levels
    # Morris and Sobol on the table's sections (scenario.violence, strategy.tools.mediation, ...), each moved
    # as one: (sections + 1) x trajectories Morris points, which screens every parameter on a small machine
    groups: bool = False
    top: int = 15  # Sobol on this many parameters (or sections), the most influential in the screening
    sobol_n: int = 64  # Sobol: base sample (a power of 2); n x (k + 2) points
    sample_seed: int = 0  # SALib's sampling seed: the same command makes the same points
    sets: int = 50  # robustness: parameter sets
    from_posterior: bool = True  # robustness: draw the sets from the scenario's calibrated posterior if it has one
    metric: str = "civilian_deaths"  # robustness: the harm strategies are ranked by
    by: str = "strategy"
    baseline: str = "none"


ConfigStore.instance().store(group="hydra/sweeper", name="sensitivity", node=SensitivitySweeperConf,
                             provider="pocsim")
