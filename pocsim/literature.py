"""The literature's estimators run on simulated event logs (issue 12).

    python -m pocsim.literature SWEEP_DIR      markdown tables for a sweep (e.g. +experiment=troop_levels)

`cell_months` turns run folders into the panel the observational papers use: one row per run x
grid cell (25 km) x calendar month, zeros included, with one-sided violence by rebels (every
non-state group: the ledger's `perpetrator_kind` "rebel" and "militia", as UCDP counts both) and by state forces,
and the mission's presence. Three estimators then re-fit the papers' models with statsmodels and
say whether the simulated world agrees with each finding (FINDINGS, the reference for the verdicts).
Nothing here is tuned towards the papers: the verdicts are read off 95% intervals.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
import yaml

from pocsim import report_text, ucdp
from pocsim.config import ConfigError
from pocsim.results import YAML_LOADER, run_folders

CELL_KM = 25.0
# The papers' findings in one line each, and the sign each term should have if the model agrees
# (0: the paper finds no reduction).
FINDINGS = {
    "hultman": "Hultman, Kathman & Shannon 2013 (AJPS): more UN troops, fewer civilians killed per month, "
               "with diminishing returns",
    "fjelde": "Fjelde, Hultman & Nilsson 2019 (IO): local UN presence reduces rebel violence against "
              "civilians, not violence by government forces",
    "peitz": "Peitz & Reisch 2019: violence falls where UN troops are based and is displaced to the "
             "surrounding area",
}
ACTORS = ("rebel", "state", "mission")  # the ledger's perpetrator_kind values, each a column prefix


# --- the panel -----------------------------------------------------------------------------------
def cell_months(folders, cell_km: float = CELL_KM) -> pd.DataFrame:
    """One row per run x cell x month, months without events as zeros. Columns: run, seed, strategy,
    troops (configured), mission (a strategy other than none), cell, cx, cy, month (0 = the run's
    first calendar month), period, days (of the run in that month: the exposure), `{rebel,state,
    mission}_{events,deaths}` (one-sided violence, type 3; mission = collateral harm), base_share
    (share of the month's hours with a base in the cell), bases (mean number of bases there), base
    (a base there for at least half the month), ring_share / ring_base (the same for any of the
    eight neighbouring cells), and place (seed x cell: the same ground in the same world)."""
    frames = [_run_panel(Path(f), cell_km) for f in folders]
    if not frames:
        raise ConfigError("no run folders")
    return pd.concat(frames, ignore_index=True)


def _run_panel(folder: Path, cell_km: float) -> pd.DataFrame:
    cfg = _config(folder)
    scenario = cfg.get("scenario", {})
    terrain = scenario.get("terrain", {})
    km, step_hours = float(terrain.get("cell_km", 1.0)), float(cfg.get("step_hours", 1.0))
    events = _read(folder, "events.parquet")
    bases = _read(folder, "bases.parquet")
    width, height = terrain.get("width"), terrain.get("height")
    if not width or not height:  # a loaded terrain: its extent from where the villages are
        villages = _read(folder, "villages.parquet")
        width, height = int(villages.x.max()) + 1, int(villages.y.max()) + 1
    nx, ny = int(np.ceil(width * km / cell_km)), int(np.ceil(height * km / cell_km))
    hours = int(round(float(cfg["days"]) * 24))
    start = pd.Timestamp(scenario["start_date"])
    # each hour of the run -> its calendar month (0 = the first)
    hour_period = (start + pd.to_timedelta(np.arange(hours), unit="h")).to_period("M")
    periods = hour_period.unique()
    month_of_hour = ((hour_period.year - start.year) * 12 + hour_period.month - start.month).to_numpy()
    n_months = len(periods)

    grid = pd.MultiIndex.from_product([range(ny * nx), range(n_months)], names=["cell", "month"])
    out = pd.DataFrame(index=grid).reset_index()
    out["cy"], out["cx"] = np.divmod(out["cell"].to_numpy(), nx)
    out["period"] = periods.astype(str).to_numpy()[out["month"]]
    out["days"] = np.bincount(month_of_hour, minlength=n_months)[out["month"]] / 24.0

    osv = events[events["type_of_violence"] == ucdp.ONE_SIDED]
    cell = (osv["y"].to_numpy() * km // cell_km).astype(int) * nx + (osv["x"].to_numpy() * km // cell_km).astype(int)
    hour = np.clip((osv["step"].to_numpy() * step_hours).astype(int), 0, hours - 1)
    kind = osv["perpetrator_kind"].replace({"militia": "rebel"})  # the papers' rebels: every non-state group
    counts = pd.DataFrame({"cell": cell, "month": month_of_hour[hour], "kind": kind.to_numpy(),
                           "deaths": osv["best"].to_numpy()})
    for kind in ACTORS:
        mine = counts[counts["kind"] == kind].groupby(["cell", "month"])["deaths"].agg(["size", "sum"])
        mine = mine.reindex(grid, fill_value=0).to_numpy()
        out[f"{kind}_events"], out[f"{kind}_deaths"] = mine[:, 0], mine[:, 1]

    occupied = _occupancy(bases, km, cell_km, nx, ny, hours, step_hours)  # (cells, hours): bases there
    present = occupied > 0
    ring = _neighbours_any(present.reshape(ny, nx, hours)).reshape(ny * nx, hours)
    share = _monthly_mean(present, month_of_hour, n_months)
    out["base_share"] = share.ravel()
    out["bases"] = _monthly_mean(occupied, month_of_hour, n_months).ravel()
    out["base"] = (share.ravel() >= 0.5).astype(int)
    out["ring_share"] = _monthly_mean(ring, month_of_hour, n_months).ravel()
    out["ring_base"] = (out["ring_share"] >= 0.5).astype(int)

    strategy = cfg.get("strategy", {}).get("name", "none")
    seed = int(cfg.get("seed", 0))
    run = {"run": str(folder), "seed": seed, "strategy": strategy,
           "troops": int(cfg.get("mission", {}).get("troops", 0)), "mission": strategy != "none"}
    out = out.assign(**run, place=[f"{seed}:{c}" for c in out["cell"]])
    return out[list(run) + [c for c in out.columns if c not in run]]


def _config(folder: Path) -> dict:
    path = folder / ".hydra" / "config.yaml"
    if not folder.is_dir():
        raise ConfigError(f"{folder}: not a folder")
    if not path.is_file():
        raise ConfigError(f"{folder}: no .hydra/config.yaml (not a run folder pocsim wrote)")
    cfg = yaml.load(path.read_text(), Loader=YAML_LOADER) or {}
    missing = [k for k in ("days", "seed") if k not in cfg] + (
        [] if "start_date" in cfg.get("scenario", {}) else ["scenario.start_date"])
    if missing:
        raise ConfigError(f"{path}: missing {', '.join(missing)}")
    return cfg


def _read(folder: Path, name: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(folder / name)
    except FileNotFoundError:
        raise ConfigError(f"{folder}: no {name} (a run that failed or is still running?)") from None


def _occupancy(bases: pd.DataFrame, km, cell_km, nx, ny, hours, step_hours) -> np.ndarray:
    """Bases in each cell in each hour. bases.parquet logs every arrival (cell, step, temporary),
    with no base id and no departure: a permanent base stays from its opening to the end; a
    temporary base stays until it moves on, and a later arrival is read as the move of the
    temporary base that moved last. Plans hand out spots by risk rank, and the logs show one base
    going back and forth between two spots while the others hold theirs; with one temporary base
    (or a base id in the log) the reading is exact, otherwise it is an inference."""
    occupied = np.zeros((ny * nx, hours), dtype=np.int16)
    coarse = ((bases["y"].to_numpy() * km // cell_km).astype(int) * nx
              + (bases["x"].to_numpy() * km // cell_km).astype(int))
    hour = np.clip((bases["step"].to_numpy() * step_hours).astype(int), 0, hours)
    temporary = bases["temporary"].to_numpy(dtype=bool)
    for c, h in zip(coarse[~temporary], hour[~temporary]):
        occupied[c, h:] += 1
    where: list[list] = []  # temporary bases: [cell, arrived], the last to move last
    first = hour[temporary].min() if temporary.any() else 0
    for c, h in sorted(zip(coarse[temporary], hour[temporary]), key=lambda a: a[1]):  # stable: log order
        if h > first and where:
            old, arrived = where.pop()
            occupied[old, arrived:h] += 1
        where.append([c, h])
    for c, arrived in where:
        occupied[c, arrived:] += 1
    return occupied


def _neighbours_any(present: np.ndarray) -> np.ndarray:
    """Whether any of the eight neighbouring cells holds a base (queen contiguity; not the cell itself)."""
    padded = np.pad(present, ((1, 1), (1, 1), (0, 0)))
    ny, nx = present.shape[:2]
    ring = np.zeros_like(present)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy or dx:
                ring |= padded[1 + dy:1 + dy + ny, 1 + dx:1 + dx + nx]
    return ring


def _monthly_mean(per_hour: np.ndarray, month_of_hour: np.ndarray, n_months: int) -> np.ndarray:
    sums = np.stack([per_hour[:, month_of_hour == m].sum(axis=1) for m in range(n_months)], axis=1)
    return sums / np.bincount(month_of_hour, minlength=n_months)


# --- the estimators --------------------------------------------------------------------------------
def hultman(panel: pd.DataFrame, deaths=("rebel_deaths", "state_deaths")) -> pd.DataFrame:
    """Civilians killed per run-month (one-sided violence by rebels and state forces, as UCDP counts
    it: the mission's collateral harm is not in the papers' data) on troops deployed and their
    square, in thousands (0 for strategy none, which deploys nobody whatever mission.troops says).
    Negative binomial (NB2), the log of the month's days as offset; world (seed) and month fixed
    effects, since runs that share a seed share a world; errors clustered by run."""
    runs = panel.assign(killed=panel[list(deaths)].sum(axis=1)).groupby(["run", "month"], as_index=False).agg(
        killed=("killed", "sum"), days=("days", "first"), troops=("troops", "first"),
        mission=("mission", "first"), seed=("seed", "first"))
    runs["troops_k"] = runs["troops"] * runs["mission"] / 1000.0
    runs["troops_k2"] = runs["troops_k"] ** 2
    model = smf.negativebinomial("killed ~ troops_k + troops_k2 + C(seed) + C(month)", runs,
                                 offset=np.log(runs["days"]))
    with warnings.catch_warnings():  # BFGS's notes; convergence is a column of the result
        warnings.simplefilter("ignore")
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(runs["run"])[0]},
                        method="bfgs", maxiter=2000, disp=0)
    return _rows(fit, "hultman", "civilians killed per run-month", {"troops_k": -1, "troops_k2": 1}, len(runs))


def fjelde(panel: pd.DataFrame, measure: str = "events") -> pd.DataFrame:
    """Rebel and state one-sided violence per cell-month each on a base in the cell; Poisson with
    fixed effects for the place (seed x cell: its people and ground), the run (its arm and how its
    conflict went) and the month (season); the log of the month's days as offset. Then both in one
    model, where base:state is how much less a base reduces state than rebel violence."""
    rows = []
    for actor in ("rebel", "state"):
        fit, n = _poisson_fe(panel, f"{actor}_{measure}", ["base"])
        rows.append(_rows(fit, "fjelde", f"{actor} {measure}", {"base": -1 if actor == "rebel" else 0}, n))
    stacked = pd.concat([panel.assign(y=panel[f"{a}_{measure}"], state=int(a == "state"), actor=a)
                         for a in ("rebel", "state")], ignore_index=True)
    for fe in ("place", "run", "month", "seed"):  # each actor its own fixed effects
        stacked[f"{fe}_actor"] = stacked[fe].astype(str) + "|" + stacked["actor"]
    fit, n = _poisson_fe(stacked, "y", ["base", "base:state"],
                         fe=(("place_actor", None), ("run_actor", "seed_actor"), ("month_actor", "actor")))
    rows.append(_rows(fit, "fjelde", f"rebel vs state {measure}", {"base:state": 1}, n))
    return pd.concat(rows, ignore_index=True)


def peitz(panel: pd.DataFrame, measure: str = "events") -> pd.DataFrame:
    """One-sided violence (rebels and state forces) per cell-month on a base in the cell and a base
    in a neighbouring cell, with the fixed effects of `fjelde`."""
    data = panel.assign(y=panel[f"rebel_{measure}"] + panel[f"state_{measure}"])
    fit, n = _poisson_fe(data, "y", ["base", "ring_base"])
    return _rows(fit, "peitz", f"one-sided {measure}", {"base": -1, "ring_base": 1}, n)


def _poisson_fe(data: pd.DataFrame, y: str, terms: list[str], fe=(("place", None), ("run", "seed"), ("month", None))):
    """Poisson with fixed effects as dummies (statsmodels GLM), errors clustered by run. A group whose
    outcome is zero throughout tells nothing and would send its dummy to minus infinity: dropped.
    Each fixed effect is (column, the column it is nested in): runs share a world with its places,
    so one run per world goes without a dummy, or the design would be singular."""
    data = data[data["days"] > 0]
    while True:
        empty = np.zeros(len(data), dtype=bool)
        for f, _ in fe:
            empty |= data.groupby(f, observed=True)[y].transform("sum").to_numpy() == 0
        if not empty.any():
            break
        data = data[~empty]
    exog = pd.DataFrame({t: np.prod([data[c].to_numpy(dtype=float) for c in t.split(":")], axis=0)
                         for t in terms}, index=data.index)
    const = pd.Series(1.0, index=data.index, name="const")
    exog = pd.concat([exog, *[_dummies(data, f, within) for f, within in fe], const], axis=1)
    model = sm.GLM(data[y].to_numpy(dtype=float), exog, family=sm.families.Poisson(), offset=np.log(data["days"]))
    fit = model.fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(data["run"])[0]}, maxiter=200)
    return fit, len(data)


def _dummies(data: pd.DataFrame, column: str, within: str | None) -> pd.DataFrame:
    """Indicator columns for a fixed effect, without the first level (of each `within` group)."""
    levels = data[column].astype(str)
    dummies = pd.get_dummies(levels, prefix=column, dtype=float)
    first = levels.groupby(data[within] if within else np.zeros(len(data))).min()
    return dummies.drop(columns=[f"{column}_{v}" for v in first])


def _rows(fit, study: str, outcome: str, expected: dict, n: int) -> pd.DataFrame:
    ci = fit.conf_int()
    mle = getattr(fit, "mle_retvals", None) or {}
    converged = bool(mle.get("converged", getattr(fit, "converged", True)))
    rows = []
    for term, sign in expected.items():
        low, high = float(ci.loc[term, 0]), float(ci.loc[term, 1])
        rows.append({"study": study, "outcome": outcome, "term": term, "coef": float(fit.params[term]),
                     "se": float(fit.bse[term]), "ci_low": low, "ci_high": high,
                     "rate_ratio": float(np.exp(fit.params[term])), "n": n, "expected": sign,
                     "converged": converged, "verdict": verdict(low, high, sign) if converged else "not resolved"})
    return pd.DataFrame(rows)


def verdict(low: float, high: float, expected: int) -> str:
    """The 95% interval against the paper's sign: on the expected side of zero, "agrees"; on the other,
    "disagrees"; across zero, "not resolved". For a paper that finds no reduction (0), only a
    significant reduction disagrees (the contrast row tests the difference itself)."""
    if expected == 0:
        return "disagrees" if high < 0 else "agrees"
    if low > 0:
        return "agrees" if expected > 0 else "disagrees"
    if high < 0:
        return "agrees" if expected < 0 else "disagrees"
    return "not resolved"


def estimates(panel: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([hultman(panel), fjelde(panel), peitz(panel)], ignore_index=True)


# --- the report ----------------------------------------------------------------------------------
def markdown(table: pd.DataFrame) -> str:
    cols = ["outcome", "term", "coef", "se", "ci_low", "ci_high", "rate_ratio", "n", "verdict"]
    fmt = {c: "{:.3f}".format for c in ("coef", "se", "ci_low", "ci_high", "rate_ratio")}
    return report_text.markdown(pd.DataFrame({c: table[c].map(fmt.get(c, str)) for c in cols}))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m pocsim.literature SWEEP_DIR", file=sys.stderr)
        return 2
    sweep = Path(argv[0])
    try:
        if not sweep.is_dir():
            raise ConfigError(f"{sweep}: not a folder")
        folders = run_folders(sweep)
        if not folders:
            raise ConfigError(f"{sweep}: no run folders (expected what `pocsim -m ...` writes)")
        panel = cell_months(folders)
    except ConfigError as e:
        print(f"pocsim.literature: error: {e}", file=sys.stderr)
        return 2
    print(f"{sweep}: {panel['run'].nunique()} runs, {len(panel):,} cell-months ({CELL_KM:g} km cells)\n")
    table = estimates(panel)
    for study, rows in table.groupby("study", sort=False):
        print(f"### {FINDINGS[study]}\n\n{markdown(rows)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
