"""A Hydra sweeper for global sensitivity analysis: Morris screening over the parameter table, then
Sobol indices on the most influential parameters, every point run for every arm on the same seeds.

    pocsim -m +experiment=sensitivity                       # configs/experiment/sensitivity.yaml
    pocsim -m hydra/sweeper=sensitivity strategy=none,modular hydra.sweeper.include=[scenario.violence]
    pocsim -m +experiment=robustness                        # the ranking across parameter sets

Points come from SALib with a fixed sampling seed, so the same command makes the same points; each
run's folder is named by stage, point, arm and seed (morris/p00012/strategy=none,seed=1), so with
`resume=true` an interrupted analysis runs only what is missing. Runs go through whatever launcher
is configured (joblib here, Ray or Slurm on a cluster). The analysis (pocsim/sensitivity.py) and
its report (pocsim/sensitivity_report.py) are written into the sweep folder: sensitivity.md,
morris.csv, sobol.csv and the figures.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.utils import JobReturn
from hydra.plugins.launcher import Launcher
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf, open_dict

from hydra_plugins.pocsim_sweeper.compose_once import compose_once, validate
from pocsim.config import ConfigError

METHODS = ("screening", "morris", "sobol", "robustness")


class SensitivitySweeper(Sweeper):
    def __init__(self, params: Optional[Dict[str, str]] = None, **settings: Any) -> None:
        super().__init__()
        self.params = dict(params or {})
        self.s = settings
        self.config: Optional[DictConfig] = None
        self.launcher: Optional[Launcher] = None
        self.hydra_context: Optional[HydraContext] = None
        self.job_idx = 0

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        from hydra.core.plugins import Plugins

        self.hydra_context = compose_once(hydra_context)
        self.config = config
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=self.hydra_context, task_function=task_function, config=config)

    def sweep(self, arguments: List[str]) -> List[Sequence[JobReturn]]:
        from pocsim import sensitivity, sensitivity_report

        assert self.config is not None and self.hydra_context is not None
        s = self.s
        check(s)
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        parsed = parser.parse_overrides([f"{k}={v}" for k, v in self.params.items()] + list(arguments))
        if any(o.get_key_element().lstrip("+~") == "seed" for o in parsed):
            raise ConfigError("seed: the sensitivity sweeper runs seeds 0 to hydra.sweeper.seeds - 1 itself; drop seed=...")
        arms = BasicSweeper.split_arguments(parsed, None)[0]
        # a run folder is named by what differs between the arms (and the seed), not by every override
        self.swept = {o.get_key_element() for o in parsed if o.is_sweep_override()}
        configs, keys = self.arm_configs(arms)
        if not any(f"{s['by']}={s['baseline']}" in arm for arm in arms):
            raise ConfigError(f"hydra.sweeper.baseline: sweep {s['by']}={s['baseline']},OTHER (every point runs "
                              "the baseline, whose paired difference each strategy's effect is)")
        sweep_dir = Path(self.config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(self.config, sweep_dir / "multirun.yaml")

        by_key: dict = {}  # every arm's parameters (a strategy's tools bring their own), each once
        for cfg in configs:
            for f in sensitivity.factors(cfg, s["include"], s["exclude"]):
                by_key.setdefault(f.key, f)
        factors = list(by_key.values())
        if not factors:
            raise ConfigError(f"hydra.sweeper.include: no parameter with a range under {s['include'] or 'any key'} "
                              f"(excluding {s['exclude']}); pocsim-params lists them")
        returns, report = [], sensitivity_report.Report(sweep_dir, s)
        if s["method"] in ("screening", "morris"):
            points = sensitivity.morris_points(factors, s["trajectories"], s["levels"], s["sample_seed"], s["groups"])
            returns.append(self.run_stage("morris", factors, points, arms, keys))
            table = self.outcomes(sweep_dir, returns[-1])
            report.morris(factors, points, table)
            factors = report.top(factors, s["top"])
        if s["method"] in ("screening", "sobol"):
            points = sensitivity.sobol_points(factors, s["sobol_n"], s["sample_seed"], s["groups"])
            returns.append(self.run_stage("sobol", factors, points, arms, keys))
            report.sobol(factors, self.outcomes(sweep_dir, returns[-1]))
        if s["method"] == "robustness":
            returns.append(self.robustness(factors, arms, keys, configs[0].scenario.posterior, report, sweep_dir))
        report.write()
        return returns

    def arm_configs(self, arms: list[list[str]]):
        """Each arm's validated config and the parameter keys it has (a strategy's tools bring their own)."""
        from pocsim.cli import to_config
        from pocsim.params import walk

        loader = self.hydra_context.config_loader
        configs = []
        for arm in arms:
            cfg = loader.load_sweep_config(self.config, list(arm))
            with open_dict(cfg):
                del cfg["hydra"]  # as the run itself sees its config
            configs.append(to_config(cfg))
        return configs, [{row.key for row in walk(c)} for c in configs]

    def robustness(self, factors, arms, keys, posterior_file: str, report, sweep_dir: Path):
        """Parameter sets from the ranges (Latin hypercube), or rows of the scenario's calibrated
        posterior drawn by weight, each run for every arm on the same seeds."""
        import numpy as np
        import pandas as pd

        from pocsim import posterior, robustness

        n, seed = self.s["sets"], self.s["sample_seed"]
        if posterior_file and self.s["from_posterior"]:
            df = posterior.load(posterior_file)
            w = df[posterior.WEIGHT]
            rows = np.random.default_rng(seed).choice(len(df), size=n, p=w / w.sum())
            values = df.drop(columns=posterior.WEIGHT).iloc[rows].reset_index(drop=True)
            # draws repeat a particle as often as its weight says: each set gets seeds of its own, or
            # repeated draws would be the same runs counted again
            done = self.run_stage("robustness", [], np.zeros((n, 0)), arms, keys,
                                  extra=[[f"scenario.posterior_sample={r}"] for r in rows], own_seeds=True)
            source = f"{n} draws from the posterior {posterior_file}"
        else:
            points = robustness.sets(factors, n, seed)
            values = pd.DataFrame(points, columns=[f.key for f in factors])
            done = self.run_stage("robustness", factors, points, arms, keys)
            source = f"{n} Latin-hypercube sets over {len(factors)} parameters' ranges"
        rank = robustness.ranking(stage_results(sweep_dir, done), self.s["metric"], self.s["by"])
        report.robustness(source, rank, values, self.s["metric"])
        return done

    def run_stage(self, stage: str, factors, points, arms, keys, extra=None,
                  own_seeds: bool = False) -> Sequence[JobReturn]:
        """Every point x seed x arm; the same seeds at every point (common random numbers across
        points), or with `own_seeds` seeds i*seeds .. (i+1)*seeds-1 at point i."""
        from pocsim import sensitivity

        jobs = []
        for i, point in enumerate(points):
            values = sensitivity.overrides(factors, point)
            first = i * self.s["seeds"] if own_seeds else 0
            for seed in range(first, first + self.s["seeds"]):
                for arm, have in zip(arms, keys):
                    mine = [v for f, v in zip(factors, values) if f.key in have] + (extra[i] if extra else [])
                    name = ",".join([a.lstrip("+~") for a in arm if a.split("=")[0] in self.swept] + [f"seed={seed}"])
                    jobs.append([*arm, *mine, f"seed={seed}", f"hydra.sweep.subdir='{stage}/p{i:05d}/{name}'"])
        validate(self.hydra_context, self.config, jobs)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="A worker stopped while some jobs", category=UserWarning)
            done = self.launcher.launch(jobs, initial_job_idx=self.job_idx)
        self.job_idx += len(jobs)
        return done

    def outcomes(self, sweep_dir: Path, done: Sequence[JobReturn]):
        from pocsim import sensitivity

        return sensitivity.outcomes(stage_results(sweep_dir, done), self.s["by"], self.s["baseline"])


def stage_results(sweep_dir: Path, done: Sequence[JobReturn]):
    """The gathered runs the stage launched (never runs an earlier analysis, with other points or
    seeds, left in the same folder), with their point number."""
    from pocsim.callbacks import run_subdir
    from pocsim.results import gather

    runs = sorted({sweep_dir / run_subdir(r) for r in done})
    results = gather(sweep_dir, write=False, runs=runs)
    results["point"] = results["run_dir"].str.extract(r"/p(\d+)/", expand=False).astype(int)
    return results


def check(s: dict) -> None:
    key = "hydra.sweeper."
    if s["method"] not in METHODS:
        raise ConfigError(f"{key}method: must be one of {', '.join(METHODS)}, got {s['method']!r}")
    if s["seeds"] < 1:
        raise ConfigError(f"{key}seeds: must be >= 1, got {s['seeds']}")
    if s["trajectories"] < 2:
        raise ConfigError(f"{key}trajectories: must be >= 2 (Morris' statistics need two), got {s['trajectories']}")
    if s["levels"] < 2 or s["levels"] % 2:
        raise ConfigError(f"{key}levels: must be an even number >= 2, got {s['levels']}")
    n = s["sobol_n"]
    if n < 2 or n & (n - 1):
        raise ConfigError(f"{key}sobol_n: must be a power of 2 >= 2 (Sobol' sequences), got {n}")
    if s["sets"] < 2:
        raise ConfigError(f"{key}sets: must be >= 2, got {s['sets']}")
    if s["top"] < 2:
        raise ConfigError(f"{key}top: must be >= 2, got {s['top']}")
