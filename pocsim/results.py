"""Gather a sweep's runs into one table, and compare strategies with confidence intervals.

A sweep folder holds one run folder per job (Hydra's layout: `<sweep>/<subdir>/.hydra/overrides.yaml`).
`gather` reads each run's overrides and its summary.json (or error.json for a run that failed)
one at a time, never a run's tables, and writes `results.parquet`: one row per run with the swept
values, the status, every summary metric, the version and commit. It keeps the table as columns
while it reads (not a dict per run) and parses each distinct override value once: 10,000 runs
gather in ~1.5 s, the process growing by ~50 MiB (benchmarks/README.md, `ray_sweep.py`).
`comparison` then gives, per strategy, each metric's mean with a 95% bootstrap interval over
runs and the paired difference to the baseline (runs that differ only by strategy share a seed,
hence a world).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from pocsim.atomic import replace_atomically, write_atomically
from pocsim.config import ConfigError
from pocsim.paired import paired_summary
from pocsim.run_folder import finished, read_json

HARM = ["civilian_deaths", "civilian_injuries", "displaced", "people_exposed_hours", "reprisal_deaths",
        "retaliation_deaths", "deaths_off_road", "deaths_near_towns", "deaths_by_rebels", "deaths_by_militias",
        "deaths_by_state_forces"]
OUTPUTS = ["patrols", "patrol_km", "jpt_visits", "alerts_answered_in_time"]
# overrides that say how a sweep runs, not what it simulates
NOT_PARAMETERS = {"experiment", "lesson", "export", "resume", "quiet", "launcher"}
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when there, Python otherwise
SEQUENTIAL = "sequential.json"  # a sequential sweep's state: its rule, batches, runs and why it stopped
SWEEP_RUNS = "sweep_runs.json"  # the runs of the basic sweep that last ran in the folder


def run_folders(sweep_dir: Path) -> list[Path]:
    """Run folders below a sweep folder, in a stable order. A sweep lists its own runs (a sequential
    one in sequential.json, the basic one in sweep_runs.json), so runs left in the same folder by
    an earlier sweep do not mix in; a sweep cut short lists none, and then every run folder counts."""
    for listing in (Path(sweep_dir) / SEQUENTIAL, Path(sweep_dir) / SWEEP_RUNS):
        if listing.exists():
            return [Path(sweep_dir) / run for run in json.loads(listing.read_text())["runs"]]
    return sorted(p.parent.parent for p in Path(sweep_dir).glob("**/.hydra/overrides.yaml"))


def write_sweep_runs(sweep_dir: Path, runs: list[str] | None) -> None:
    """The run folders (below the sweep folder) of the sweep that just ran; None: forget the list."""
    listing = Path(sweep_dir) / SWEEP_RUNS
    if runs is None:
        listing.unlink(missing_ok=True)
    else:
        sweep_dir.mkdir(parents=True, exist_ok=True)
        write_atomically(listing, json.dumps({"runs": sorted(runs)}, indent=1) + "\n")


def parameters(run_dir: Path) -> dict:
    """The command-line overrides of one run, as typed values (seed=3 -> 3)."""
    with open(run_dir / ".hydra" / "overrides.yaml") as f:
        overrides = yaml.load(f, Loader=YAML_LOADER) or []
    out = {}
    for item in overrides:
        key, _, value = item.partition("=")
        key = key.lstrip("+~")
        if key.startswith("hydra.") or key in NOT_PARAMETERS:
            continue
        out[key] = override_value(value)
    return out


_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)")  # YAML reads these as ints, and int() the same way


def override_value(value: str):
    """An override's value as YAML types it ("3" -> 3, "a,b" -> "a,b", "[1, 2]" -> [1, 2]); a value
    YAML cannot read stays the string it is."""
    if _DECIMAL.fullmatch(value):  # the seed of every run: no YAML parser needed
        number = int(value)
        # beyond 64 bits a results table cannot store it as a number (validation refuses such runs)
        return number if -2**63 <= number < 2**63 else value
    typed = _yaml_value(value)
    return typed if isinstance(typed, (str, int, float, bool, type(None))) else yaml.load(value, Loader=YAML_LOADER)


@functools.lru_cache(maxsize=4096)
def _yaml_value(value: str):
    """Parsed once per distinct value (a sweep repeats its values run after run); a list or a dict
    is parsed again by the caller, so no two rows share a mutable value."""
    try:
        return yaml.load(value, Loader=YAML_LOADER)
    except yaml.YAMLError:
        return value


def gather(sweep_dir: str | Path, write: bool = True, runs: list[Path] | None = None) -> pd.DataFrame:
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise ConfigError(f"{sweep_dir}: not a folder")
    runs = run_folders(sweep_dir) if runs is None else runs
    if not (sweep_dir / "multirun.yaml").exists() or not runs:
        raise ConfigError(f"{sweep_dir}: not a sweep folder (expected the multirun.yaml and run folders "
                          "that `pocsim -m ...` writes)")
    table = Columns()
    for run in runs:
        row = {**parameters(run), "run_dir": str(run.relative_to(sweep_dir)) or "."}
        summary = finished(run)
        if summary is not None:
            row.update(status="ok", error="", **summary, **read_json(run / "timing.json", {}))
        elif (run / "summary.json").exists():
            row.update(status="failed", error=f"{run / 'summary.json'}: not a readable summary (damaged?); "
                                              "resume=true runs it again")
        elif isinstance(error := read_json(run / "error.json", None), dict):
            row.update(status="failed", **error)
        else:
            row.update(status="missing", error="no result (interrupted, or still running)")
        table.append(row)
    df = _storable(table.frame())
    if write:
        replace_atomically(sweep_dir / "results.parquet", lambda tmp: df.to_parquet(tmp, index=False))
    return df


def _storable(df: pd.DataFrame) -> pd.DataFrame:
    """A column mixing kinds of value (a swept seed beyond 64 bits stays text beside the numbers;
    validation refused that run) is kept as text, which a parquet file can hold."""
    for column in df.columns[df.dtypes == object]:
        kinds = {type(v) for v in df[column] if not (isinstance(v, float) and np.isnan(v))}
        if len(kinds) > 1 and not kinds <= {int, float}:
            df[column] = [v if isinstance(v, float) and np.isnan(v) else str(v) for v in df[column]]
    return df


class Columns:
    """Rows gathered one at a time into a column per key: what `pd.DataFrame(list_of_dicts)` gives
    (columns in the order keys first appear, a key a row lacks is NaN there), holding each value
    once instead of a dict per row (10,000 rows of ~50 keys: ~40 MiB less at the peak)."""

    def __init__(self) -> None:
        self.columns: dict[str, list] = {}
        self.n = 0

    def append(self, row: dict) -> None:
        columns, n = self.columns, self.n
        for key, value in row.items():
            column = columns.get(key)
            if column is None:
                column = columns[key] = [np.nan] * n
            column.append(value)
        self.n = n = n + 1
        if len(row) < len(columns):
            for column in columns.values():
                if len(column) < n:
                    column.append(np.nan)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.columns, index=pd.RangeIndex(self.n))


def swept(df: pd.DataFrame) -> list[str]:
    """Parameter columns: those that came from overrides (they precede run_dir)."""
    return list(df.columns[: list(df.columns).index("run_dir")])


def contrast(df: pd.DataFrame) -> tuple[str, object]:
    """What a sweep compares, and its baseline: the strategy if it varies (against `none`),
    otherwise the first other swept parameter that varies (against its first value)."""
    ok = df[df.status == "ok"] if "status" in df.columns else df  # a failed run is no arm to compare
    varying = [c for c in swept(df) if c != "seed" and ok[c].nunique() > 1]
    by = "strategy" if "strategy" in varying or not varying else varying[0]
    values = list(ok[by].dropna().unique()) if by in ok.columns else []
    try:
        values.sort()  # numbers as numbers: 300 troops before 1200
    except TypeError:
        values.sort(key=str)
    baseline = "none" if by == "strategy" else (values[0] if len(values) else None)
    return by, baseline


def boot_ci(x: np.ndarray, rng, n_boot: int = 2000, confidence: float = 0.95) -> tuple[float, float]:
    if len(x) < 2:
        return (float(x[0]), float(x[0])) if len(x) else (np.nan, np.nan)
    means = x[rng.integers(0, len(x), (n_boot, len(x)))].mean(axis=1)
    tail = 50 * (1 - confidence)
    lo, hi = np.percentile(means, [tail, 100 - tail])
    return float(lo), float(hi)


def comparison(df: pd.DataFrame, by: str = "strategy", baseline: str = "none", metrics=None,
               seed: int = 0, confidence: float = 0.95) -> pd.DataFrame:
    """Long table: one row per (group, metric) with mean, bootstrap CI (at `confidence`), and the paired
    difference to the baseline group (matched on every other swept parameter): its mean with a
    95% interval, median, Hodges-Lehmann estimate, change in percent, the share of worlds in which
    the arm was lower, and whether the difference is resolved (pocsim/paired.py)."""
    metrics = metrics or [m for m in HARM + OUTPUTS if m in df.columns]
    ok = df[df.status == "ok"] if "status" in df.columns else df
    if by not in ok.columns:
        ok = ok.assign(**{by: "all"})
    keys = [c for c in swept(df) if c != by] if "run_dir" in df.columns else []
    # other parameters that vary (e.g. the scenario in a lesson across two worlds) keep their
    # arms apart: means are per arm, and differences pair runs within the same arm
    within = [c for c in keys if c != "seed" and ok[c].nunique() > 1]
    rng = np.random.default_rng(seed)
    base = ok[ok[by] == baseline]
    rows = []
    for group, runs in ok.groupby(within + [by], sort=False):
        group = group if isinstance(group, tuple) else (group,)
        paired = runs.merge(base, on=keys, suffixes=("", "_base")) if keys and len(base) else None
        for metric in metrics:
            x = runs[metric].to_numpy(dtype=float)
            lo, hi = boot_ci(x, rng, confidence=confidence)
            row = {**dict(zip(within, group[:-1])), by: group[-1], "metric": metric, "n": len(x), "mean": x.mean(),
                   "ci_low": lo, "ci_high": hi, **paired_summary(np.array([]), np.nan)}
            if paired is not None and group[-1] != baseline and len(paired):
                d = paired[metric].to_numpy(dtype=float) - paired[f"{metric}_base"].to_numpy(dtype=float)
                row.update(paired_summary(d, paired[f"{metric}_base"].mean(), seed, confidence))
            rows.append(row)
    return pd.DataFrame(rows)


def run_arms(results: pd.DataFrame, by: str) -> pd.Series:
    """Each run's arm, labelled as in the comparison table (other varying parameters first)."""
    within = [c for c in swept(results) if c not in (by, "seed") and results[c].nunique() > 1]
    cols = within + ([by] if by in results.columns else [])
    if not cols:
        return pd.Series("all", index=results.index)
    return results[cols].astype(str).agg(" / ".join, axis=1)


def arm_labels(comp: pd.DataFrame, by: str) -> pd.Series:
    """One label per row: the contrast's value, prefixed by any other varying parameter."""
    cols = list(comp.columns[: list(comp.columns).index("metric")])
    return comp[cols].astype(str).agg(" / ".join, axis=1) if len(cols) > 1 else comp[by].astype(str)
