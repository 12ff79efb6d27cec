"""A sweep's figures, drawn into <sweep>/figures by the sweep's report (pocsim/report.py).

The sweep's contrast (`by`: the strategy, or the lesson's parameter) colours every figure; any other
parameter that varies (a troop level, a scenario) gets its own panel or map figure, so an arm is
only ever set beside the arms it was paired with.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pocsim.results import swept

FIGURES = "figures"


def other_settings(results: pd.DataFrame, by: str) -> list[str]:
    """The swept parameters besides the contrast and the seed that vary: one panel per combination."""
    return [c for c in swept(results) if c not in (by, "seed") and results[c].nunique() > 1]


def _settings_groups(ok: pd.DataFrame, by: str):
    """(settings dict, runs) per combination of the other varying settings, in a stable order."""
    others = other_settings(ok, by)
    if not others:
        yield {}, ok
        return
    for values, runs in ok.groupby(others, sort=True):
        values = values if isinstance(values, tuple) else (values,)
        yield dict(zip(others, values)), runs


def cumulative(sweep_dir: Path, results: pd.DataFrame, by: str) -> dict[str, dict]:
    """Cumulative civilian deaths by day (day 0 = 0) of every run, per panel and arm. Time series
    are read one run at a time and only the cumulative deaths kept, so memory stays flat."""
    from pocsim.plots import settings_label

    panels: dict[str, dict] = {}
    for settings, runs in _settings_groups(results[results.status == "ok"], by):
        arms: dict = {}
        for _, run in runs.sort_values("run_dir").iterrows():
            path = sweep_dir / run.run_dir / "timeseries.parquet"
            if not path.exists():
                continue
            daily = pd.read_parquet(path, columns=["day", "civilian_deaths"]).groupby("day").civilian_deaths.sum()
            daily = daily.reindex(range(int(daily.index.max()) + 1), fill_value=0)
            arms.setdefault(run[by], []).append(np.concatenate([[0.0], np.cumsum(daily.to_numpy(float))]))
        panels[settings_label(settings)] = {a: _stack(rows) for a, rows in arms.items()}
    return panels


def _stack(rows: list[np.ndarray]) -> np.ndarray:
    """Runs x days, NaN past the end of a shorter run (percentiles then skip it)."""
    out = np.full((len(rows), max(len(r) for r in rows)), np.nan)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


def map_figures(results: pd.DataFrame, by: str) -> list[tuple[dict, int, list[tuple[object, str]]]]:
    """Per combination of other settings: the lowest seed every arm ran (so the panels share one
    world), and (arm, run folder) for each arm on it."""
    from pocsim.plots import ordered

    out = []
    for settings, runs in _settings_groups(results[results.status == "ok"], by):
        per_arm = runs.groupby(by)["seed"].apply(set)
        common = set.intersection(*per_arm) or set(runs["seed"])
        seed = min(common)
        on_seed = runs[runs["seed"] == seed].sort_values("run_dir").drop_duplicates(by)
        arms = [(a, on_seed.loc[on_seed[by] == a, "run_dir"].iloc[0]) for a in ordered(on_seed[by])]
        out.append((settings, seed, arms))
    return out


def _slug(settings: dict) -> str:
    return "".join(f"_{k.rsplit('.', 1)[-1]}={v}" for k, v in settings.items()).replace("/", "-").replace(" ", "")


def draw(sweep_dir: Path, results: pd.DataFrame, comp: pd.DataFrame, by: str, baseline) -> list[Path]:
    """Every figure of the sweep report, contrasting `by` against its baseline (`comp` is the
    comparison table of pocsim.results.comparison)."""
    from pocsim import maps, plots

    sweep_dir = Path(sweep_dir)
    out = sweep_dir / FIGURES
    ok = results[results.status == "ok"]
    made = plots.strategy_comparison(comp, out, by=by, baseline=baseline)
    made += plots.paired_changes(ok, out, by=by, baseline=baseline)
    made += plots.cumulative_deaths(cumulative(sweep_dir, ok, by), out, by=by)
    if "mission.troops" in swept(results) and ok["mission.troops"].nunique() > 1:
        made += plots.dose_response(ok, out, by=by if by != "mission.troops" else None)
    # maps: one figure per combination of other settings, one panel per arm, all on one colour scale
    figures = [(s, seed, [(a, d) for a, d in arms if (sweep_dir / d / "villages.parquet").exists()])
               for s, seed, arms in map_figures(results, by)]
    figures = [f for f in figures if f[2]]
    scale = maps.harm_scale(sweep_dir / d for _, _, arms in figures for _, d in arms)
    for settings, seed, arms in figures:
        days = int(ok.loc[ok.run_dir == arms[0][1], "days"].iloc[0]) if "days" in ok else None
        where = plots.settings_label(settings)
        title = (f"Where civilians died and where the mission patrolled: seed {seed}"
                 + (f", {days} days" if days else "") + (f"; {where}" if where else "")
                 + "\none colour scale for every panel; circle area = population")
        made += maps.harm_maps([(plots.value_label(by, a), sweep_dir / d) for a, d in arms], out,
                                name="harm_maps" + _slug(settings), title=title, scale=scale)
    return made
