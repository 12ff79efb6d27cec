"""pocsim-validate: a run's or a sweep's violence beside a real record, pattern by pattern.

    pocsim-validate outputs/2026-11-27/10-00-00 --region ouaka
    pocsim-validate multirun/2026-11-27/10-00-00 --ged ged.csv --adm1 "Ouham province" --years 2013-2022 --population 369220

Both logs go through the same functions (pocsim.patterns): fatal one-sided events only, dates to
the day. The real record is cut into calendar years, each a window like a simulated year, so a
simulated run is set beside the spread of real years, not beside a decade pooled (a decade has
trends that no single year has: its weekly counts vary more, its bursts are longer). Each simulated
run is one value; a sweep gives the spread over its runs (seeds, worlds).

Writes into --out (default: the run or sweep folder) `validation.md` (the side-by-side table, with
the real years' median and range and the runs' median and 5-95 % range, and for each pattern
a verdict: matches, near or misses; see `side_by_side`), `patterns.csv` (every real year and every
run, one row each) and the figures `validation_patterns`, `validation_deaths_per_event` and
`validation_interevent`. Everything is written to a temporary folder first and moved in at the end:
an error leaves nothing half-written.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from pocsim import patterns, ucdp
from pocsim.arguments import OneLineParser
from pocsim.config import ConfigError


@dataclass(frozen=True)
class Region:
    adm1: str | None
    population: int
    years: tuple[int, int]
    source: str


# Populations at the 2003 census (RGPH 2003, Institut centrafricain des statistiques; as tabulated
# by statoids.com). Displacement and growth since make any figure uncertain: pass --population to
# use another. GED 23.1 calls prefectures "provinces" in adm_1.
CENSUS = "RGPH 2003 census (Institut centrafricain des statistiques, via statoids.com)"
REGIONS = {
    "car": Region(None, 3_895_139, (2013, 2022), CENSUS),
    "ouaka": Region("Ouaka province", 276_710, (2013, 2022), CENSUS),
    "ouham": Region("Ouham province", 369_220, (2013, 2022), CENSUS),
}

# pattern -> (label, format); the order of the table
PATTERNS = {
    "events_per_million_year": ("fatal events per million people per year", "{:.0f}"),
    "deaths_median": ("deaths per event, median", "{:.1f}"),
    "deaths_mean": ("deaths per event, mean", "{:.1f}"),
    "share_10_plus": ("share of events with >= 10 deaths", "{:.0%}"),
    "tail_alpha": ("tail exponent alpha (discrete power law)", "{:.2f}"),
    "tail_xmin": ("tail lower bound x_min (KS-chosen)", "{:.0f}"),
    "top_decile_death_share": ("share of deaths in the largest 10% of events", "{:.0%}"),
    "burstiness": ("burstiness B of inter-event times (0 = Poisson)", "{:.2f}"),
    "memory": ("memory coefficient M of inter-event times", "{:.2f}"),
    "weekly_var_mean": ("weekly event counts, variance / mean", "{:.2f}"),
    "knox_ratio": ("Knox ratio, 10 km / 14 days (1 = no clustering)", "{:.2f}"),
    "state_event_share": ("share of events by state forces", "{:.0%}"),
    "state_death_share": ("share of deaths by state forces", "{:.0%}"),
    "n_events": ("fatal events (per year / per run)", "{:.0f}"),
}


def real_years(ged_path, adm1=None, bbox=None, years=None, population=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(normalised log, patterns per calendar year) of a GED file's fatal one-sided events."""
    path = Path(ged_path) if ged_path else ucdp.default_path()
    if not path.exists():
        raise ConfigError(f"--ged: {path} does not exist. Download the UCDP GED CSV from "
                          f"https://ucdp.uu.se/downloads/ (Georeferenced Event Dataset) and pass it with --ged "
                          f"or set POCSIM_UCDP_CSV")
    try:
        ged = ucdp.load_ged(path, one_sided_only=True)
    except ValueError as exc:
        raise ConfigError(f"--ged: {exc}") from None
    if adm1 is not None:
        known = sorted(ged["adm_1"].dropna().unique()) if "adm_1" in ged else []
        if adm1 not in known:
            raise ConfigError(f"--adm1: {adm1!r} is not in {path.name}; it has: {', '.join(known) or 'no adm_1 column'}")
        ged = ged[ged["adm_1"] == adm1]
    if bbox is not None:
        west, south, east, north = bbox
        ged = ged[ged["longitude"].between(west, east) & ged["latitude"].between(south, north)]
    if years is not None:
        ged = ged[ged["year"].between(*years)]
    log = patterns.from_ged(ged)
    log["window"] = pd.to_datetime(log["day"], unit="D").dt.year
    if log.empty:
        raise ConfigError("the filters (--adm1, --bbox, --years) leave no fatal one-sided event in the GED file")
    return log, patterns.by_year(log, population)


def simulated_runs(folders: list[Path], where: dict[str, str] | None = None,
                   pool: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pooled normalised log, patterns per run) of every run below the given folders whose
    overrides match `where` (key -> value as typed on the command line). Runs that differ in
    anything but the seed (a sweep's arms) are refused unless `pool`: their spread would mix
    strategies, not worlds."""
    from omegaconf import OmegaConf

    from pocsim.results import parameters, run_folders

    runs = [run for folder in folders for run in ([folder] if (folder / "events.parquet").exists()
                                                 else run_folders(folder))]
    runs = [run for run in runs if (run / "events.parquet").exists() and (run / "summary.json").exists()]
    if not runs:
        raise ConfigError(f"{', '.join(map(str, folders))}: no run folder with events.parquet and summary.json")
    settings = {run: {k: str(v) for k, v in parameters(run).items() if k != "seed"} for run in runs}
    for key, value in (where or {}).items():
        runs = [run for run in runs if settings[run].get(key) == value]
        if not runs:
            raise ConfigError(f"--where {key}={value}: no run has it")
    arms = sorted({tuple(sorted(settings[run].items())) for run in runs})
    if len(arms) > 1 and not pool:
        varying = sorted({k for arm in arms for k, _ in arm if len({dict(a).get(k) for a in arms}) > 1})
        raise ConfigError(f"the runs differ in {', '.join(varying)}: choose one arm with --where KEY=VALUE "
                          f"(e.g. --where {varying[0]}={dict(arms[0]).get(varying[0])}) or pool them with --pool")
    logs, rows = [], []
    for i, run in enumerate(runs):
        cfg = OmegaConf.load(run / ".hydra" / "config.yaml")
        start = patterns.to_day(cfg.scenario.start_date)
        population = pd.read_json(run / "summary.json", typ="series")["population"]
        log = patterns.from_run(pd.read_parquet(run / "events.parquet"), cfg.scenario.terrain.cell_km)
        rows.append({"run": str(run), "population": population, "days": cfg.days,
                     **patterns.patterns(log, start, start + cfg.days, population)})
        logs.append(log.assign(window=i))
    return pd.concat(logs, ignore_index=True), pd.DataFrame(rows)


def pooled(real_log: pd.DataFrame, real: pd.DataFrame, population) -> dict:
    """The patterns of all real years as one window (as the literature often quotes them; a decade
    holds trends that no simulated year has, so the verdicts use the years one by one)."""
    first, last = int(real["year"].min()), int(real["year"].max())
    return patterns.patterns(real_log, patterns.to_day(date(first, 1, 1)), patterns.to_day(date(last + 1, 1, 1)),
                             population)


def side_by_side(real: pd.DataFrame, sim: pd.DataFrame, real_log: pd.DataFrame, sim_log: pd.DataFrame,
                 real_pooled: dict) -> pd.DataFrame:
    """One row per pattern: the real years' median, quartiles and range, the runs' median and 5-95 %
    range, the verdict and the ratio of the medians. Verdict: `matches` when each spread takes in
    the other's centre (the runs' median lies within the real years' quartiles and the real median
    within the runs' 5-95 % range); `near` when one of the two holds, or at least the runs' median
    lies within the range of real years; `misses` otherwise."""
    rows = []
    for key, (label, fmt) in PATTERNS.items():
        r, s = real[key].dropna(), sim[key].dropna()
        row = {"pattern": key, "label": label, "fmt": fmt, "real_years": len(r), "sim_runs": len(s), "verdict": "n/a",
               "real_pooled": real_pooled[key]}
        for name, values, quantiles in (("real", r, (0.0, 0.25, 0.5, 0.75, 1.0)), ("sim", s, (0.05, 0.5, 0.95))):
            q = values.quantile(quantiles).to_numpy() if len(values) else np.full(len(quantiles), math.nan)
            row.update(zip([f"{name}_{n}" for n in (("min", "q25", "median", "q75", "max") if name == "real"
                                                     else ("lo", "median", "hi"))], q))
        if len(r) and len(s):
            sim_typical = row["real_q25"] <= row["sim_median"] <= row["real_q75"]
            real_typical = row["sim_lo"] <= row["real_median"] <= row["sim_hi"]
            within = row["real_min"] <= row["sim_median"] <= row["real_max"]
            row["verdict"] = ("matches" if sim_typical and real_typical
                              else "near" if sim_typical or real_typical or within else "misses")
        row["ratio"] = row["sim_median"] / row["real_median"] if row["real_median"] else math.nan
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["ks"] = patterns.ks_distance(sim_log["deaths"], real_log["deaths"])
    return table


def markdown(table: pd.DataFrame, real_name: str, sim_name: str, real_log: pd.DataFrame, sim_log: pd.DataFrame,
             population_note: str) -> str:
    def f(fmt, v):
        return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else fmt.format(v)

    lines = [
        "# Violence beside the real record, pattern by pattern", "",
        f"Real: {real_name}: {len(real_log):,} fatal one-sided events, {table['real_years'].max()} calendar years "
        f"with events; population {population_note}. Simulated: {sim_name}: {table['sim_runs'].max()} runs, "
        f"{len(sim_log):,} fatal one-sided events.", "",
        "Each real year is a window like a simulated run; the real column gives the median over years and, in "
        "brackets, the lowest and highest year; the simulated column the median over runs and the 5-95 % range. "
        "The verdict: *matches* when the simulated median lies within the real years' quartiles and the real "
        "median within the simulated 5-95 % range; *near* when one of the two holds, or at least the simulated "
        "median lies within the range of real years; *misses* otherwise. Fatal one-sided events only "
        "(violence against civilians, at least one death), dates to the day (pocsim/patterns.py).", "",
        "| pattern | real (median [min, max] over years) | simulated (median [5%, 95%] over runs) | verdict "
        "| simulated / real | real, all years as one window |",
        "|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        verdict = f"**{row.verdict}**" if row.verdict == "misses" else row.verdict
        lines.append(f"| {row.label} | {f(row.fmt, row.real_median)} [{f(row.fmt, row.real_min)}, "
                     f"{f(row.fmt, row.real_max)}] | {f(row.fmt, row.sim_median)} [{f(row.fmt, row.sim_lo)}, "
                     f"{f(row.fmt, row.sim_hi)}] | {verdict} | {f('{:.2f}', row.ratio)} | {f(row.fmt, row.real_pooled)} |")
    missed = [row.label for row in table.itertuples() if row.verdict == "misses"]
    lines += ["", f"Deaths per event, all real years against all runs pooled: two-sample KS distance "
                  f"{table.attrs['ks']:.2f} (0 = the same distribution, 1 = disjoint).", "",
              f"Missed: {'; '.join(missed)}." if missed else "No pattern is missed.",
              "", "![patterns](validation_patterns.png)", "",
              "![deaths per event](validation_deaths_per_event.png)", "",
              "![inter-event times](validation_interevent.png)", ""]
    return "\n".join(lines)


def write(out: Path, table: pd.DataFrame, real: pd.DataFrame, sim: pd.DataFrame, real_log: pd.DataFrame,
          sim_log: pd.DataFrame, text: str) -> list[Path]:
    """Everything into a temporary folder beside `out`, then moved in: nothing half-written."""
    from pocsim import plots, validation_figures

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix=".validation-") as tmp:
        tmp = Path(tmp)
        (tmp / "validation.md").write_text(text)
        rows = pd.concat([real.assign(source="real"), sim.assign(source="simulated")], ignore_index=True)
        rows.to_csv(tmp / "patterns.csv", index=False)
        validation_figures.pattern_strips(table, real, sim, tmp)
        plots.deaths_per_event({"simulated (all runs)": sim_log["deaths"], "real (all years)": real_log["deaths"]},
                               tmp, name="validation_deaths_per_event")
        validation_figures.interevent_times({"simulated": _gaps(sim_log), "real": _gaps(real_log)}, tmp)
        written = []
        for path in sorted(tmp.iterdir()):
            os.replace(path, out / path.name)
            written.append(out / path.name)
    return written


def _gaps(log: pd.DataFrame) -> np.ndarray:
    """Days between consecutive events within each window (a real year, a run), not across two."""
    return np.concatenate([patterns.gaps(days) for _, days in log.groupby("window")["day"]] or [np.array([])])


def _years(text: str) -> tuple[int, int]:
    first, _, last = text.partition("-")
    try:
        years = int(first), int(last or first)
    except ValueError:
        years = None
    if years is None or years[0] > years[1]:
        raise ConfigError(f"--years: must be YEAR or FIRST-LAST with FIRST <= LAST, e.g. 2013-2022, got {text!r}")
    return years


def _bbox(text: str) -> tuple[float, ...]:
    try:
        box = tuple(float(v) for v in text.split(","))
    except ValueError:
        box = ()
    if len(box) != 4 or not (box[0] < box[2] and box[1] < box[3]):
        raise ConfigError(f"--bbox: must be WEST,SOUTH,EAST,NORTH in degrees with west < east and south < north, "
                          f"got {text!r}")
    return box


def main(argv: list[str] | None = None) -> None:
    ap = OneLineParser(prog="pocsim-validate", description="Compare the violence of pocsim runs with a "
                                 "UCDP GED record, pattern by pattern; writes validation.md, patterns.csv, figures.")
    ap.add_argument("runs", nargs="+", type=Path, help="run folders or sweep folders")
    ap.add_argument("--ged", help="a UCDP GED CSV (default: $POCSIM_UCDP_CSV or ../shared/data's CAR extract)")
    ap.add_argument("--region", choices=sorted(REGIONS),
                    help="preset: adm1, years 2013-2022 and the 2003 census population of that region")
    ap.add_argument("--adm1", help="keep one first-level unit (GED's adm_1, e.g. 'Ouaka province')")
    ap.add_argument("--bbox", type=str, help="keep events in WEST,SOUTH,EAST,NORTH (degrees)")
    ap.add_argument("--years", type=str, help="keep YEAR or FIRST-LAST")
    ap.add_argument("--population", type=float, help="people in the real region (for events per million)")
    ap.add_argument("--where", action="append", default=[], metavar="KEY=VALUE",
                    help="only runs with this override, e.g. strategy=none (repeatable)")
    ap.add_argument("--pool", action="store_true", help="pool runs that differ in more than their seed")
    ap.add_argument("--out", type=Path, help="where to write (default: the first run or sweep folder)")
    args = ap.parse_args(argv)
    try:
        region = REGIONS.get(args.region)
        adm1 = args.adm1 or (region.adm1 if region else None)
        years = _years(args.years) if args.years else (region.years if region else None)
        population = args.population or (region.population if region else None)
        if population is not None and not population > 0:
            raise ConfigError(f"--population: must be > 0, got {population}")
        bbox = _bbox(args.bbox) if args.bbox else None
        for folder in args.runs:
            if not folder.is_dir():
                raise ConfigError(f"{folder}: not a folder (give a run folder or a sweep folder)")
        where = {}
        for item in args.where:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise ConfigError(f"--where: must be KEY=VALUE, e.g. strategy=none, got {item!r}")
            where[key] = value
        real_log, real = real_years(args.ged, adm1, bbox, years, population)
        sim_log, sim = simulated_runs(args.runs, where, args.pool)
        table = side_by_side(real, sim, real_log, sim_log, pooled(real_log, real, population))
        real_name = " ".join(filter(None, [adm1 or "whole file", f"{years[0]}-{years[1]}" if years else None]))
        note = (f"{population:,.0f}" + (f" ({region.source})" if region and not args.population else "")
                if population else "not given (no events per million)")
        sim_name = ", ".join(map(str, args.runs)) + "".join(f", {k}={v}" for k, v in where.items())
        text = markdown(table, f"UCDP GED, {real_name}", sim_name, real_log, sim_log, note)
        out = args.out or args.runs[0]
        written = write(out, table, real, sim, real_log, sim_log, text)
    except ConfigError as exc:
        print(f"pocsim-validate: error: {exc}", file=sys.stderr)
        sys.exit(2)
    print(text.split("\n\n![")[0])
    print(f"\nwritten: {', '.join(p.name for p in written)} in {written[0].parent}")


if __name__ == "__main__":
    main()
