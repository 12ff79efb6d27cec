"""Which assumptions decide the answer: global sensitivity analysis over the parameter table.

The factors are the parameters with a plausible range (pocsim/params.py; docs/parameters.md), a
subset chosen by key prefix. SALib samples them (Morris trajectories for screening, Saltelli's
scheme for Sobol indices; Morris 1991, Campolongo et al. 2007, Saltelli et al. 2010) and analyses
the outcomes; the sensitivity sweeper (hydra_plugins/pocsim_sweeper/sensitivity_sweeper.py) runs
the points through Hydra's launchers. Every point runs every strategy on the same seeds, so a
strategy's effect at a point is a paired difference (common random numbers), averaged over seeds.

Outcomes per point: civilian deaths and people-exposed-hours under the baseline (no mission), and
for each other strategy its paired difference to the baseline: the quantity a planner decides on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pocsim.config import ConfigError

OUTCOMES = ("civilian_deaths", "people_exposed_hours")


@dataclass(frozen=True)
class Factor:
    key: str  # as in the parameter table: scenario.groups.FPL.aggression
    override: str  # as Hydra takes it: scenario.groups.0.aggression
    low: float
    high: float
    integer: bool

    @property
    def group(self) -> str:
        """The table's section the parameter is in (scenario.violence, strategy.tools.mediation,
        scenario.groups.FPL): group screening moves a section's parameters together."""
        return self.key.rsplit(".", 1)[0]


def factors(config, include: list[str], exclude: list[str]) -> list[Factor]:
    """The parameters of a validated config (PocsimConfig) with a numeric range, whose key starts
    with one of `include` (all when empty) and none of `exclude`. A tool's share of the mission's
    troops, police or staff is left out unless named in full in `include`: it is the strategy's
    allocation, a decision rather than an assumption, and shares drawn one by one would add up to
    more than the mission has (a config refused at most points)."""
    from pocsim.params import walk
    from pocsim.posterior import config_key
    from pocsim.validate import SHARES

    def under(key, prefixes):
        return any(key == p or key.startswith(p + ".") for p in prefixes)

    groups = [g.name for g in config.scenario.groups]
    out = []
    for row in walk(config):
        info = row.info
        if (info is None or not info.quantity or info.low is None or info.high is None
                or isinstance(info.low, (list, tuple)) or isinstance(row.value, (bool, list, tuple))
                or not info.low < info.high):
            continue
        if (include and not under(row.key, include)) or under(row.key, exclude):
            continue
        if row.key.rsplit(".", 1)[-1] in SHARES and row.key.startswith("strategy.tools.") and row.key not in include:
            continue
        out.append(Factor(row.key, config_key(row.key, groups), float(info.low), float(info.high), isinstance(row.value, int)))
    return out


def problem(fs: list[Factor], grouped: bool = False) -> dict:
    """SALib's problem. `grouped`: the factors are the table's sections (Factor.group), each
    moved as one; a Morris trajectory then takes sections + 1 points rather than parameters + 1, and
    the indices are a section's (Campolongo et al. 2007)."""
    p = {"num_vars": len(fs), "names": [f.key for f in fs], "bounds": [[f.low, f.high] for f in fs]}
    if grouped:
        p["groups"] = [f.group for f in fs]
    return p


def names(fs: list[Factor], grouped: bool = False) -> list[str]:
    """What the indices are of: the parameters, or their sections in order of first appearance."""
    from SALib.util import extract_group_names

    return list(extract_group_names(problem(fs, grouped))[0])


def morris_points(fs: list[Factor], trajectories: int, levels: int, seed: int, grouped: bool = False) -> np.ndarray:
    from SALib.sample import morris

    return morris.sample(problem(fs, grouped), trajectories, num_levels=levels, seed=seed)


def sobol_points(fs: list[Factor], n: int, seed: int, grouped: bool = False) -> np.ndarray:
    """Saltelli's scheme for first-order and total indices: n (a power of 2) x (k + 2) points,
    k the parameters or, grouped, the sections."""
    from SALib.sample import sobol

    return sobol.sample(problem(fs, grouped), n, calc_second_order=False, seed=seed)


def overrides(fs: list[Factor], point: np.ndarray) -> list[str]:
    """A point as Hydra overrides; integer parameters rounded (Morris' levels fall between them)."""
    return [f"{f.override}={int(round(v)) if f.integer else float(v)!r}" for f, v in zip(fs, point)]


def outcomes(results: pd.DataFrame, by: str = "strategy", baseline: str = "none") -> pd.DataFrame:
    """One row per point: the baseline's outcomes and each other arm's paired difference to it,
    averaged over the seeds both finished. `results` has columns point, seed, `by` and OUTCOMES."""
    ok = results[results["status"] == "ok"] if "status" in results else results
    base = ok[ok[by] == baseline].set_index(["point", "seed"])[list(OUTCOMES)]
    if base.empty:
        raise ConfigError(f"hydra.sweeper.baseline: no finished run of {by}={baseline}")
    table = base.groupby("point").mean()
    for arm in sorted(set(ok[by]) - {baseline}):
        other = ok[ok[by] == arm].set_index(["point", "seed"])[list(OUTCOMES)]
        diff = (other - base).dropna()  # paired: the same point and seed, hence the same world
        for outcome in OUTCOMES:
            table[f"{arm} - {baseline}: {outcome}"] = diff[outcome].groupby("point").mean()
    _no_point_lost(results, table.dropna())
    return table.sort_index()


def _no_point_lost(results: pd.DataFrame, table: pd.DataFrame) -> None:
    """Morris and Sobol need every point: when all of a point's runs of an arm failed, say why,
    with the error most of the failed runs gave (a range or a rule of the config, usually)."""
    lost = sorted(set(results["point"]) - set(table.index))
    if not lost:
        return
    failed = results[results["point"].isin(lost) & (results.get("status", "ok") != "ok")]
    why = ""
    if len(failed) and "error" in failed:
        counts = failed["error"].value_counts()
        why = f"; {len(failed)} of their runs failed, {counts.iloc[0]} of them with: {counts.index[0]}"
    raise ConfigError(f"{len(lost)} of {results['point'].nunique()} points have no paired result "
                      f"(points {lost[:5]}){why}")


def morris_indices(fs: list[Factor], points: np.ndarray, y: pd.Series, seed: int,
                   grouped: bool = False) -> pd.DataFrame:
    """mu* (mean absolute elementary effect), its confidence interval and sigma, per factor (or
    section; SALib gives a section no sigma), most influential first. `y` is indexed by point
    number; every point must be there."""
    from SALib.analyze import morris

    missing = sorted(set(range(len(points))) - set(y.dropna().index))
    if missing:
        raise ConfigError(f"Morris needs every point of a trajectory; points {missing[:5]} have no result")
    res = morris.analyze(problem(fs, grouped), points, y.sort_index().to_numpy(), seed=seed)
    table = pd.DataFrame({"mu_star": res["mu_star"], "mu_star_conf": res["mu_star_conf"], "sigma": res["sigma"]},
                         index=pd.Index(names(fs, grouped), name="parameter"))
    return table.sort_values("mu_star", ascending=False)


def sobol_indices(fs: list[Factor], y: pd.Series, seed: int, grouped: bool = False) -> pd.DataFrame:
    """First-order and total Sobol indices with 95 % bootstrap intervals, largest total first."""
    from SALib.analyze import sobol

    res = sobol.analyze(problem(fs, grouped), y.sort_index().to_numpy(), calc_second_order=False, seed=seed)
    table = pd.DataFrame({"S1": res["S1"], "S1_conf": res["S1_conf"], "ST": res["ST"], "ST_conf": res["ST_conf"]},
                         index=pd.Index(names(fs, grouped), name="parameter"))
    return table.sort_values("ST", ascending=False)


def deciding(table: pd.DataFrame, column: str, conf: str, share: float = 0.1) -> list[str]:
    """Parameters whose index is clearly above zero (its interval excludes 0) and at least `share`
    of the largest: the ones that decide the outcome."""
    top = table[column].max()
    keep = table[(table[column] - table[conf] > 0) & (table[column] >= share * top)]
    return list(keep.index)


def sentence(outcome: str, names: list[str], method: str) -> str:
    if not names:
        return f"{outcome}: no parameter stands out ({method}: every index's interval reaches zero)."
    listed = ", ".join(f"`{n}`" for n in names[:-1]) + (" and " if len(names) > 1 else "") + f"`{names[-1]}`"
    return f"{outcome}: decided by {listed} ({method})."
