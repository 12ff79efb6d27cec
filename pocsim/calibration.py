"""Calibration of a scenario's uncertain parameters against a real event record, by approximate
Bayesian computation (pyabc's ABC-SMC; Toni et al. 2009, Klinger et al. 2018).

A study (a YAML file, e.g. experiments/ouaka_calibration/study.yaml) names the runs (Hydra overrides:
scenario, strategy, dynamics, days), the real record (a GED region and years, as pocsim-validate
takes them), and the parameters to calibrate by their keys in the parameter table. Each prior is
uniform over the parameter's documented plausible range (log-uniform for keys listed under
`log_scale`), so the calibration can move a parameter only where its source allows it.

The summary statistics are pocsim-validate's patterns (pocsim/patterns.py), computed by the same
functions on both logs: the yearly rate of fatal one-sided events per million people, the size of
events (median and mean deaths, share with 10 or more), the timing (burstiness, weekly
variance/mean), the clustering (Knox ratio) and the state forces' share. A simulated run stands for
an average year of the record: its rates and sizes are set against the record's decade as one
(a sum over years), its timing and clustering against the median real year (a decade has trends
no year has). The distance is pyabc's adaptive weighted Euclidean distance, each statistic scaled
by its spread among the generation's simulations. Particles move between generations by Student-t
kernels (pocsim/abc_transition.py), whose tails keep the importance weights from collapsing.

The study is resumable: pyabc keeps every generation in an SQLite database, and the same command
goes on from the last generation finished. Parallel ABC accepts particles in the order they
finish, so a rerun is a new sample of the same posterior, not the same bytes; the exported CSV
(pocsim/posteriors/<scenario>.csv) is the record runs use, and runs from it are reproducible.
Simulations run on a pool of local processes (`--launcher joblib`, the default) or on Ray's pool
(`--launcher ray`, on a cluster: `ray start` first and set RAY_ADDRESS).
"""

from __future__ import annotations

import copy
import math
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from pocsim import patterns
from pocsim.atomic import write_atomically
from pocsim.config import ConfigError


@dataclass
class Study:
    name: str
    overrides: list[str]  # the runs: Hydra overrides on top of config.yaml
    region: str  # pocsim-validate's --region: ouaka, ouham, car
    years: tuple[int, int]
    parameters: list[str]  # parameter-table keys to calibrate
    log_scale: list[str] = field(default_factory=list)
    ged: str | None = None  # default: pocsim.ucdp.default_path()

    @classmethod
    def load(cls, file) -> "Study":
        try:
            raw = yaml.safe_load(Path(file).read_text())
            return cls(**{**raw, "years": tuple(raw["years"])})
        except FileNotFoundError:
            raise ConfigError(f"study: {file} does not exist") from None
        except (TypeError, KeyError, yaml.YAMLError) as exc:
            raise ConfigError(f"study: {file} is not a study (name, overrides, region, years, parameters): "
                              f"{exc}") from None


# statistic -> (pattern, transform, value when the run has too few events for the pattern);
# logs for quantities that span orders of magnitude
STATISTICS = {
    "log10_events_per_million_year": ("events_per_million_year", math.log10, None),
    "deaths_median": ("deaths_median", float, 1.0),
    "log10_deaths_mean": ("deaths_mean", math.log10, 0.0),
    "share_10_plus": ("share_10_plus", float, 0.0),
    "burstiness": ("burstiness", float, 0.0),
    "log10_weekly_var_mean": ("weekly_var_mean", math.log10, 0.0),
    "log10_knox_ratio": ("knox_ratio", math.log10, 0.0),
    "state_event_share": ("state_event_share", float, 0.0),
}
# against the record's decade as one window; the others against its median year
POOLED = {"n_events", "events_per_million_year", "deaths_median", "deaths_mean", "share_10_plus",
          "state_event_share"}


def statistics(pattern: dict, population: float, years: float) -> dict[str, float]:
    """The summary statistics of one window's patterns. Too few events for a pattern give its
    'nothing there' value (no clustering, no bursts); no events at all count as half an event, so
    the rate stays finite and a silent world is far from a violent record, not undefined."""
    out = {}
    for name, (key, transform, empty) in STATISTICS.items():
        value = pattern[key]
        if key == "events_per_million_year":
            value = max(pattern["n_events"], 0.5) / (population / 1e6) / years
        elif value is None or not math.isfinite(value) or (transform is math.log10 and value <= 0):
            out[name] = float(empty)
            continue
        out[name] = float(transform(value))
    return out


def observed(study: Study) -> dict[str, float]:
    """The record's summary statistics (see the module docstring)."""
    from pocsim.pattern_validation import REGIONS, real_years

    if study.region not in REGIONS:
        raise ConfigError(f"region: must be one of {', '.join(REGIONS)}, got {study.region!r}")
    region = REGIONS[study.region]
    log, years = real_years(study.ged, adm1=region.adm1, years=study.years, population=region.population)
    first, last = study.years
    whole = patterns.patterns(log, patterns.to_day(date(first, 1, 1)), patterns.to_day(date(last + 1, 1, 1)),
                              region.population)
    typical = {key: float(years[key].median()) for key in years.columns if key != "year"}
    pattern = {key: (whole[key] if key in POOLED else typical.get(key, math.nan)) for key in whole}
    return statistics(pattern, region.population, last - first + 1)


class Simulator:
    """pyabc's model: one run of the study's config with the particle's parameters and a fresh seed,
    reduced to the summary statistics. Picklable (a plain config dict), so it runs in workers."""

    def __init__(self, config: dict, study: Study, scale: Scale):
        self.config = config
        self.study = study
        self.scale = scale

    def __call__(self, particle: dict) -> dict[str, float]:
        from pocsim.cli import to_config
        from pocsim.posterior import set_values
        from pocsim.run import simulate

        cfg = typed(self.config)
        set_values(cfg, {key: float(self.scale.to_value(key, particle[key])) for key in self.study.parameters})
        # a fresh world per simulation: ABC integrates over worlds as the posterior predictive does
        cfg.seed = int(np.random.SeedSequence().generate_state(1)[0] % 2**31)
        cfg.quiet = True
        conf = to_config(cfg)
        model, summary = simulate(conf)
        log = patterns.from_run(model.ledger.events_table().to_pandas(), conf.scenario.terrain.cell_km)
        start = patterns.to_day(conf.scenario.start_date)
        pattern = patterns.patterns(log, start, start + conf.days, summary["population"])
        return statistics(pattern, summary["population"], conf.days / 365.25)


def compose(study: Study) -> dict:
    """The study's run config, composed once (as Hydra composes a run), as a plain dict."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_module
    from omegaconf import OmegaConf

    from pocsim.config import register_configs

    register_configs()
    with initialize_config_module(config_module="pocsim.configs", version_base="1.3"):
        cfg = hydra_compose("config", overrides=study.overrides)
    cfg = OmegaConf.to_container(cfg, resolve=False)
    cfg.pop("hydra", None)
    cfg["scenario"]["posterior"] = ""  # calibrate from the priors, never from an earlier posterior
    return cfg


def typed(config: dict):
    """A plain config dict as the typed config Hydra composes (the schema's types and enums)."""
    from omegaconf import OmegaConf

    from pocsim.config import PocsimConfig

    return OmegaConf.merge(OmegaConf.structured(PocsimConfig), copy.deepcopy(config))


def prior_ranges(config: dict, study: Study) -> dict[str, tuple[float, float]]:
    """Each parameter's plausible range from the parameter table (pocsim/params.py)."""
    from pocsim.cli import to_config
    from pocsim.params import walk

    rows = {row.key: row for row in walk(to_config(typed(config)))}
    ranges = {}
    for key in study.parameters:
        row = rows.get(key)
        if row is None or row.info is None or not row.info.quantity or row.info.low is None:
            raise ConfigError(f"parameters: {key} is not a parameter with a range in the parameter table "
                              "(pocsim-params lists them)")
        low, high = float(row.info.low), float(row.info.high)
        if key in study.log_scale and low <= 0:
            raise ConfigError(f"log_scale: {key} has a range starting at {low}; a log-uniform prior needs low > 0")
        ranges[key] = (low, high)
    return ranges


class Scale:
    """ABC works on an unbounded scale: each parameter's value in its range (log-uniform for the
    `log_scale` keys) mapped to the logit of its place in the range. A uniform prior on the range is
    then exactly the standard logistic distribution, and the SMC's Gaussian moves never leave the
    range. On the range itself, a kernel that straddles an edge loses the proposals beyond it and
    gives the particles near the edge weights too large: a first run on the plain scale ended with
    one particle holding 88 % of the weight (docs/validation.md)."""

    def __init__(self, ranges: dict[str, tuple[float, float]], log_scale: list[str]):
        self.ranges = ranges
        self.log = set(log_scale)

    def _unit(self, key: str, value):
        low, high = self.ranges[key]
        if key in self.log:
            return (np.log(value) - np.log(low)) / (np.log(high) - np.log(low))
        return (value - low) / (high - low)

    def to_logit(self, key: str, value):
        u = np.clip(self._unit(key, value), 1e-12, 1 - 1e-12)
        return np.log(u) - np.log1p(-u)

    def to_value(self, key: str, logit):
        low, high = self.ranges[key]
        u = 1.0 / (1.0 + np.exp(-np.asarray(logit, dtype=float)))
        if key in self.log:
            return np.exp(np.log(low) + u * (np.log(high) - np.log(low)))
        return low + u * (high - low)

    def prior(self):
        import pyabc

        return pyabc.Distribution(**{key: pyabc.RV("logistic", 0.0, 1.0) for key in self.ranges})


def sampler(launcher: str, workers: int):
    import pyabc

    if launcher == "joblib":
        import multiprocessing
        import signal
        from concurrent.futures import ProcessPoolExecutor

        # Not loky's pool (the joblib launcher's): loky replaces a worker whose memory grew by 300 MB
        # since its first task, which a year of the model (0.5-3 GB, freed but kept by the
        # allocator) does after one to three simulations, and each new worker imports pocsim anew
        # (~2 s). These workers live for 100 simulations; Ctrl-C is the main process's to handle.
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"),
                                   max_tasks_per_child=100, initializer=signal.signal,
                                   initargs=(signal.SIGINT, signal.SIG_IGN))
        return pyabc.sampler.ConcurrentFutureSampler(pool, client_max_jobs=workers)
    if launcher == "ray":
        address = os.environ.get("RAY_ADDRESS")
        if not address:
            # never start a Ray instance of our own here: it would listen beyond loopback
            raise ConfigError("--launcher ray: set RAY_ADDRESS to a running Ray cluster (ray start --head on "
                              "it); on one machine use --launcher joblib")
        from ray.util.multiprocessing import Pool

        return pyabc.sampler.MappingSampler(map_=Pool(ray_address=address).map)
    if launcher == "serial":
        return pyabc.sampler.SingleCoreSampler()
    raise ConfigError(f"--launcher: must be joblib, ray or serial, got {launcher!r}")


def run(study: Study, db: Path, population_size: int, generations: int, workers: int = 2,
        launcher: str = "joblib", min_acceptance: float = 0.01, target: dict | None = None):
    """Run (or go on with) the ABC-SMC study in `db` until `generations` generations are done or the
    acceptance rate falls below `min_acceptance`. `target` replaces the record's statistics (tests).
    Returns pyabc's History and the Scale its particles are on."""
    import pyabc

    from pocsim.abc_transition import StudentTransition

    config = compose(study)
    ranges = prior_ranges(config, study)
    scale = Scale(ranges, study.log_scale)
    abc = pyabc.ABCSMC(Simulator(config, study, scale), scale.prior(),
                       pyabc.AdaptivePNormDistance(p=2, scale_function=pyabc.distance.mad),
                       population_size=population_size, transitions=StudentTransition(),
                       sampler=sampler(launcher, workers))
    url = f"sqlite:///{Path(db).resolve()}"
    if Path(db).exists():
        abc.load(url)  # its last run: go on from the last generation it finished
        done = abc.history.max_t + 1
    else:
        Path(db).parent.mkdir(parents=True, exist_ok=True)
        abc.new(url, target if target is not None else observed(study),
                meta_info={"study": study.name, "overrides": " ".join(study.overrides)})
        done = 0
    if generations > done:
        abc.run(max_nr_populations=generations - done, min_acceptance_rate=min_acceptance)
    return abc.history, scale


def posterior_table(history, scale: Scale) -> pd.DataFrame:
    """The last generation's particles, as parameter values, and their weights (columns: the
    parameter keys in the study's order, weight)."""
    df, w = history.get_distribution(m=0, t=history.max_t)
    table = pd.DataFrame({key: scale.to_value(key, df[key].to_numpy()) for key in scale.ranges})
    table["weight"] = np.asarray(w) / np.sum(w)
    return table


def export(history, scale: Scale, out: Path) -> pd.DataFrame:
    table = posterior_table(history, scale)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(out, table.to_csv(index=False, float_format="%.6g"))
    return table


def predictive_check(study: Study, folders: list[Path]) -> pd.DataFrame:
    """The record's statistics beside their spread over the runs in `folders` (e.g. a sweep of
    draws from the posterior, +posterior=true): per statistic the record's value, the runs' median
    and 5-95 % range, whether the record lies within it, and the share of runs below the record
    (near 0 or 1: the record is in the runs' tail)."""
    from pocsim.pattern_validation import simulated_runs

    _, runs = simulated_runs(folders)
    sims = pd.DataFrame([statistics(run, run["population"], run["days"] / 365.25)
                         for run in runs.to_dict("records")])
    real = observed(study)
    rows = []
    for name in STATISTICS:
        lo, median, hi = sims[name].quantile([0.05, 0.5, 0.95])
        rows.append({"statistic": name, "record": real[name], "runs_median": median, "runs_5": lo, "runs_95": hi,
                     "within": bool(lo <= real[name] <= hi), "share_below": float((sims[name] < real[name]).mean())})
    table = pd.DataFrame(rows)
    table.attrs["runs"] = len(sims)
    return table


def generation_summary(history) -> pd.DataFrame:
    """Per generation: epsilon, simulations, acceptance rate and the effective sample size of the
    weights (1 / sum of squared normalised weights; a few particles carrying the weight means the
    posterior is known only roughly)."""
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].copy()
    pops["acceptance"] = history.get_nr_particles_per_population().reindex(pops["t"]).to_numpy() / pops["samples"]
    pops["ess"] = [effective_sample_size(history.get_distribution(m=0, t=int(t))[1]) for t in pops["t"]]
    return pops[["t", "epsilon", "samples", "acceptance", "ess"]].reset_index(drop=True)


def weighted_quantiles(values, weights, qs) -> list[float]:
    """Quantiles of weighted particles: the smallest value whose cumulative weight reaches q."""
    values, weights = np.asarray(values), np.asarray(weights, dtype=float)
    order = np.argsort(values)
    cum = np.cumsum(weights[order]) / np.sum(weights)
    return [float(values[order][min(np.searchsorted(cum, q), len(values) - 1)]) for q in qs]


def effective_sample_size(weights) -> float:
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    return float(1.0 / np.sum(w**2))
