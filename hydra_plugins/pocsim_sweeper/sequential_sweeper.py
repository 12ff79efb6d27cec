"""A Hydra sweeper that runs every arm on the same seeds, batch after batch, until the answer is clear.

    pocsim -m hydra/sweeper=sequential strategy=none,static_deterrence,modular hydra.sweeper.max_seeds=60

Each batch adds `batch_seeds` seeds and runs every arm (the cartesian product of the swept values,
as Hydra's basic sweeper builds it) on each of them through whatever launcher is configured
(joblib, Ray, Slurm), so the comparison stays paired. After each batch the stopping rule
(pocsim.sequential) judges every arm against the baseline, a few lines of progress go to stderr,
and `sequential.json` in the sweep folder records the rule, the batches, the runs and why the sweep
stopped. With `resume=true` finished runs return at once, so an interrupted sweep picks up where
it was.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.utils import JobReturn
from hydra.plugins.launcher import Launcher
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf

from hydra_plugins.pocsim_sweeper.compose_once import compose_once, validate
from pocsim.callbacks import run_subdir
from pocsim.config import ConfigError
# pocsim.results is imported where it is used: this module loads whenever pocsim's CLI does,
# in every sweep worker, which must not pay for pandas and scipy.stats
from pocsim.sequential import OPEN, StoppingRule, settled, verdicts

# why a sequential sweep stopped, as sequential.json and the report say it
SETTLED, MAX_SEEDS, MAX_MINUTES, NOTHING_FINISHED = "settled", "max_seeds", "max_minutes", "no run finished"


class SequentialSweeper(Sweeper):
    def __init__(self, params: Optional[Dict[str, str]] = None, **rule: Any) -> None:
        super().__init__()
        self.params = dict(params or {})
        self.rule = StoppingRule(**rule)
        self.config: Optional[DictConfig] = None
        self.launcher: Optional[Launcher] = None
        self.hydra_context: Optional[HydraContext] = None

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        from hydra.core.plugins import Plugins

        hydra_context = compose_once(hydra_context)
        self.hydra_context = hydra_context
        self.config = config
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config)

    def sweep(self, arguments: List[str]) -> List[Sequence[JobReturn]]:
        from pocsim.results import gather  # pandas and scipy: in the sweep's own process only

        assert self.config is not None and self.launcher is not None and self.hydra_context is not None
        rule = self.rule
        check_rule(rule)
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        overrides = parser.parse_overrides([f"{k}={v}" for k, v in self.params.items()] + list(arguments))
        check_arms(overrides, rule)
        arms = BasicSweeper.split_arguments(overrides, None)[0]
        quiet = bool(self.config.get("quiet"))

        sweep_dir = Path(self.config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
        state: dict = {"rule": asdict(rule), "confidence": rule.confidence, "looks": rule.looks, "arms": len(arms),
                       "batches": [], "runs": [], "stopped": None}
        returns: List[Sequence[JobReturn]] = []
        start = time.monotonic()
        batch = 0
        while True:
            seeds = rule.seeds(batch)
            jobs = [arm + [f"seed={seed}"] for seed in seeds for arm in arms]  # whole worlds per batch
            validate(self.hydra_context, self.config, jobs)
            with warnings.catch_warnings():
                # loky replaces a worker whose memory grew (numba's compiled code) between batches and
                # warns about it; the jobs are resubmitted and finish, so it is noise to a planner
                warnings.filterwarnings("ignore", message="A worker stopped while some jobs", category=UserWarning)
                done = self.launcher.launch(jobs, initial_job_idx=batch * len(arms) * rule.batch_seeds)
            returns.append(done)
            state["runs"] += [run_subdir(r) for r in done]  # a full or a lean return (pocsim.callbacks)
            results = gather(sweep_dir, write=False, runs=[sweep_dir / run for run in state["runs"]])
            minutes = (time.monotonic() - start) / 60
            finished = bool((results.status == "ok").any())
            table = verdicts(results, rule) if finished else None
            state["batches"].append({"seeds": seeds, "minutes": round(minutes, 2), "verdicts": records(table)})
            batch += 1
            state["stopped"] = (NOTHING_FINISHED if not finished else SETTLED if settled(table)
                                else MAX_SEEDS if not rule.seeds(batch) else MAX_MINUTES if minutes >= rule.max_minutes
                                else None)
            write_state(sweep_dir, state)
            if not quiet:
                print(progress(state), file=sys.stderr, flush=True)
            if state["stopped"]:
                return returns


def check_rule(rule: StoppingRule) -> None:
    """One line naming the key and what is allowed, before anything runs."""
    from pocsim.results import HARM

    key = "hydra.sweeper."
    if rule.batch_seeds < 1:
        raise ConfigError(f"{key}batch_seeds: must be >= 1, got {rule.batch_seeds}")
    if rule.max_seeds < 2:
        raise ConfigError(f"{key}max_seeds: must be >= 2 (a paired interval needs two worlds), got {rule.max_seeds}")
    if not rule.max_minutes > 0:
        raise ConfigError(f"{key}max_minutes: must be > 0, got {rule.max_minutes}")
    if not 0 <= rule.tolerance < 1:
        raise ConfigError(f"{key}tolerance: must be in [0, 1) (a share of the baseline's mean), got {rule.tolerance}")
    if not 0 < rule.alpha < 1:
        raise ConfigError(f"{key}alpha: must be in (0, 1), got {rule.alpha}")
    if rule.first_seed < 0:
        raise ConfigError(f"{key}first_seed: must be >= 0, got {rule.first_seed}")
    if rule.metric not in HARM:
        raise ConfigError(f"{key}metric: {rule.metric!r} is not an outcome (allowed: {', '.join(HARM)})")


def check_arms(overrides, rule: StoppingRule) -> None:
    keys = {o.get_key_element().lstrip("+~"): o for o in overrides}
    if "seed" in keys:
        raise ConfigError("seed: the sequential sweeper chooses the seeds itself (hydra.sweeper.first_seed, "
                          "batch_seeds, max_seeds); drop seed=..., or sweep seeds with hydra/sweeper=basic")
    by = keys.get(rule.by)
    if by is None or not by.is_sweep_override():
        raise ConfigError(f"hydra.sweeper.by: {rule.by} is not swept; sweep it with its baseline, "
                          f"e.g. {rule.by}={rule.baseline},OTHER")
    values = [str(v) for v in by.sweep_string_iterator()]
    if str(rule.baseline) not in values:
        raise ConfigError(f"hydra.sweeper.baseline: {rule.baseline} is not among {rule.by}={','.join(values)}")
    if len(values) < 2:
        raise ConfigError(f"{rule.by}: a comparison needs the baseline and at least one other value")


# what sequential.json keeps of each arm's verdict after a batch
RECORDED = ("n", "n_paired", "diff_mean", "diff_low", "diff_high", "diff_pct", "base_mean", "share_lower", "verdict",
            "seeds_needed")


def records(table) -> list[dict]:
    if table is None:
        return []
    cols = [c for c in table.columns if c in RECORDED]
    arm_cols = list(table.columns[: list(table.columns).index("metric")])
    out = []
    for _, row in table.iterrows():
        rec = {"arm": " / ".join(str(row[c]) for c in arm_cols)}
        for c in cols:
            value = row[c]
            rec[c] = value if isinstance(value, str) else (None if value != value else float(value))
        out.append(rec)
    return out


def write_state(sweep_dir: Path, state: dict) -> None:
    from pocsim.results import SEQUENTIAL

    tmp = sweep_dir / f".{SEQUENTIAL}.tmp"
    tmp.write_text(json.dumps(state, indent=1) + "\n")
    os.replace(tmp, sweep_dir / SEQUENTIAL)


def progress(state: dict) -> str:
    """A few lines after each batch: the worlds so far, and each arm's difference and verdict."""
    last = state["batches"][-1]
    seeds = [s for b in state["batches"] for s in b["seeds"]]
    head = (f"sequential sweep: batch {len(state['batches'])}, seeds {seeds[0]}-{seeds[-1]} "
            f"({len(seeds)} worlds x {state['arms']} arms), {last['minutes']:.1f} min")
    lines = [head]
    for rec in last["verdicts"]:
        more = (f" (about {int(rec['seeds_needed'])} seeds would settle it)"
                if rec["verdict"] == OPEN and rec["seeds_needed"] else "")
        lines.append(f"  {rec['arm']:<28} {change(rec)}  {rec['verdict']}{more}")
    if state["stopped"]:
        lines.append(f"  stopped: {state['stopped']}")
    return "\n".join(lines)


def change(rec: dict) -> str:
    """The paired difference in percent of the baseline's mean, or in numbers when that mean is 0."""
    if rec["diff_mean"] is None:
        return "no paired worlds yet"
    if rec["base_mean"]:
        base = rec["base_mean"]
        return f"{rec['diff_pct']:+6.1f}% [{100 * rec['diff_low'] / base:+.0f}%, {100 * rec['diff_high'] / base:+.0f}%]"
    return f"{rec['diff_mean']:+.1f} [{rec['diff_low']:+.1f}, {rec['diff_high']:+.1f}] (baseline 0)"
