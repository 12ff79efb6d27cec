"""Hydra callbacks: progress over a sweep's runs, the sweep's report when it ends, and lean job returns.

Registered in configs/config.yaml, so every multirun (any launcher) ends with results.parquet,
the comparison table, figures and report.md in its sweep folder, and the sweep's process holds only
a small record per run however many runs there are (LeanReturns).
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.utils import JobStatus
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig

# The last sweep's outcome, for the command's exit status: (runs finished, runs in all, first error).
LAST_SWEEP: dict = {}


def interactive() -> bool:
    """Progress only for a person at a terminal: not in CI, not into a file."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def count_jobs(config: DictConfig) -> int | None:
    try:
        overrides = list(config.hydra.overrides.task)
        overrides += [f"{k}={v}" for k, v in (config.hydra.sweeper.get("params") or {}).items()]
        parsed = OverridesParser.create().parse_overrides(overrides)
        return math.prod(len(list(o.sweep_string_iterator())) for o in parsed if o.is_sweep_override())
    except Exception:  # a count is a nicety; never let it stop a sweep
        return None


class LeanReturns(Callback):
    """A sweep's job returns cut down to the overrides, the status and the run folder.

    Hydra's launchers hand every job's JobReturn back to the sweep's process and its sweeper keeps
    them all until the sweep ends: with the job's whole config, Hydra's config and the summary, that
    is ~200 KB pickled (several hundred KB as Python objects) per run, which grows the driver by
    gigabytes over a 10,000-run sweep on Ray. Everything a run produced is in its folder; the
    sweep's process only needs the status (a failed job keeps its exception) and where the run
    wrote (`hydra_cfg`, a plain dict holding only `hydra.sweep.subdir`, `hydra.sweep.dir` and
    `hydra.runtime.output_dir`: see `run_subdir`). This runs where the job ran (a Ray worker, a
    joblib process), before the return is pickled. `on_job_end` is called in reverse order of
    registration, so a callback registered after this one still sees the full return.
    """

    def on_job_end(self, config: DictConfig, job_return, **kwargs) -> None:
        hydra = config.hydra
        if hydra.mode != RunMode.MULTIRUN:
            return
        job_return.cfg = None
        job_return.hydra_cfg = {"hydra": {"sweep": {"dir": str(hydra.sweep.dir), "subdir": str(hydra.sweep.subdir)},
                                          "runtime": {"output_dir": str(hydra.runtime.output_dir)}}}
        if job_return.status == JobStatus.COMPLETED:
            job_return.return_value = None  # the run's summary.json holds it


def run_subdir(job_return) -> str:
    """A job's run folder below the sweep folder, from a full or a lean (LeanReturns) job return."""
    from omegaconf import OmegaConf

    cfg = job_return.hydra_cfg
    if isinstance(cfg, dict):
        return cfg["hydra"]["sweep"]["subdir"]
    return str(OmegaConf.select(cfg, "hydra.sweep.subdir"))


OWN_LENGTH = ("SequentialSweeper", "SensitivitySweeper")  # sweepers that decide their runs as they go


class SweepReport(Callback):
    def __init__(self) -> None:
        self.bar = None

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        from pocsim.cli import keep_ctrl_c_from_workers

        keep_ctrl_c_from_workers()  # before the launcher starts any worker
        if interactive() and config.hydra.launcher._target_.endswith("BasicLauncher"):
            from tqdm import tqdm

            # a sequential or sensitivity sweep decides its length as it goes
            total = None if config.hydra.sweeper._target_.endswith(OWN_LENGTH) else count_jobs(config)
            self.bar = tqdm(total=total, unit="run", desc="sweep", file=sys.stderr)

    def on_job_end(self, config: DictConfig, job_return, **kwargs) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        # Hydra turns a callback's exception into a warning; keep the error for the exit status.
        from pocsim.cli import one_line
        from pocsim.report import report
        from pocsim.results import gather

        if self.bar is not None:
            self.bar.close()
        if config.hydra.sweeper._target_.endswith("SensitivitySweeper"):
            # its own report (pocsim/sensitivity_report.py): a strategy table over hundreds of
            # parameter points would say nothing
            print(f"sensitivity analysis: {Path(config.hydra.sweep.dir) / 'sensitivity.md'}")
            return
        if count_jobs(config) == 0:
            LAST_SWEEP.update(error="the sweep has no runs: a swept value list or range is empty")
            return
        sweep_dir = Path(config.hydra.sweep.dir)
        try:
            results = gather(sweep_dir, write=False)
            failed = results[results.status != "ok"]
            LAST_SWEEP.update(finished=int((results.status == "ok").sum()), total=len(results),
                              first_error=str(failed.error.iloc[0]) if len(failed) else "")
            print(report(sweep_dir))
        except Exception as exc:
            LAST_SWEEP.update(error=f"{sweep_dir}: the sweep ran but its report failed: {one_line(exc)}")
