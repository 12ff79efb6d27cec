"""A sweep's figures, drawn into <sweep>/figures by the sweep's report (pocsim/report.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pocsim.results import run_arms, swept

FIGURES = "figures"


def mean_daily(sweep_dir: Path, results: pd.DataFrame, by: str = "strategy") -> dict[str, pd.DataFrame]:
    """Mean daily deaths per group, accumulated run by run."""
    sums: dict[str, pd.Series] = {}
    counts: dict[str, int] = {}
    for _, run in results[results.status == "ok"].iterrows():
        path = sweep_dir / run.run_dir / "timeseries.parquet"
        if not path.exists():
            continue
        series = pd.read_parquet(path, columns=["day", "civilian_deaths"]).set_index("day").civilian_deaths
        group = str(run.get(by, "all"))
        sums[group] = sums[group].add(series, fill_value=0) if group in sums else series.astype(float)
        counts[group] = counts.get(group, 0) + 1
    return {g: (s / counts[g]).rename("civilian_deaths").reset_index() for g, s in sums.items()}


def draw(sweep_dir: Path, results: pd.DataFrame, comp: pd.DataFrame, by: str) -> list[Path]:
    """Figures, with the sweep's contrast (`by`) in the role the plots call "strategy"."""
    from pocsim import plots

    out = sweep_dir / FIGURES
    ok = results[results.status == "ok"]
    arms = ok.assign(strategy=run_arms(ok, by))
    made = plots.strategy_comparison(comp, out)
    made += plots.output_vs_outcome(arms, out)
    made += plots.daily_harm(mean_daily(sweep_dir, arms), out)
    if "mission.troops" in swept(results):
        made += plots.dose_response(arms, out)
    # one map per arm: its first run (lowest seed), to see where harm fell and where troops went
    first = arms.sort_values([c for c in ("seed",) if c in arms.columns] or ["run_dir"])
    for group, runs in first.groupby("strategy", sort=False):
        run_dir = sweep_dir / runs.iloc[0].run_dir
        if (run_dir / "villages.parquet").exists():
            made += plots.harm_map(run_dir, out / ("map_" + group.replace(" / ", "_")))
    return made
