"""The words of a sweep's report: what was run, one sentence per arm, one wide table, how to read it.

A planner reads the opening sentences and decides; the wide table backs them up; the long table
(every metric, every statistic) goes to comparison.csv for whoever wants to check.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from pocsim.results import OUTPUTS, SEQUENTIAL, YAML_LOADER, arm_labels, run_arms, swept
from pocsim.sequential import StoppingRule, sentence, verdicts

OUTCOMES = ["civilian_deaths", "civilian_injuries", "displaced", "people_exposed_hours"]
# short column names for the wide table
SHORT = {"civilian_deaths": "deaths", "civilian_injuries": "injuries", "displaced": "displaced",
         "people_exposed_hours": "exposed-hours", "patrols": "patrols", "patrol_km": "patrol km",
         "jpt_visits": "team visits", "alerts_answered_in_time": "alerts answered in time"}

HOW_TO_READ = """\
**How to read this.** Each world is one seed: the same terrain, villages and armed groups, and the
same random draw for every decision the mission does not change, for every arm. So each arm's
difference to the baseline is measured world by world (paired), which removes part of the luck of
the draw (on `default` over 180 days, paired intervals are 15-40% narrower: benchmarks/pairing.py).
"vs baseline" is the mean of those paired differences with its interval; a difference is *resolved*
when the interval excludes zero, and *no difference that matters* when the whole interval lies
within the tolerance. Civilian harm is heavy-tailed (one massacre moves a mean), so read beside the
mean the median paired difference, the Hodges-Lehmann estimate (in comparison.csv) and the share of
worlds in which the arm did better. Patrols, patrol km, team visits and alerts answered are what the
mission *did*, not whether civilians were safer: compare them with the harm columns, and see the
paired output-vs-outcome figure."""


def sequential_state(sweep_dir: Path) -> dict | None:
    path = sweep_dir / SEQUENTIAL
    return json.loads(path.read_text()) if path.exists() else None


def rule_for(results: pd.DataFrame, by: str, baseline, state: dict | None) -> StoppingRule:
    """The sequential sweep's own rule, or for a plain sweep the same verdicts at 95% (one look)."""
    if state is not None:
        return StoppingRule(**state["rule"])
    n = max(1, results.seed.nunique()) if "seed" in results.columns else 1
    return StoppingRule(by=by, baseline=baseline, batch_seeds=n, max_seeds=n)


def what_was_run(config: dict, results: pd.DataFrame, state: dict | None, rule: StoppingRule) -> list[str]:
    """Scenario, days, seeds, arms, resources, version; the stopping rule and why the sweep stopped.
    `config` is the sweep's composed config (sweep_config)."""
    ok = results[results.status == "ok"]
    mission = config.get("mission", {})
    seeds = sorted(ok.seed.unique()) if "seed" in ok.columns else []
    seed_text = f"{len(seeds)} seeds ({seeds[0]}-{seeds[-1]})" if seeds else "one seed"
    varied = [c for c in swept(results) if c != "seed" and results[c].nunique() > 1]
    arms = "; ".join(f"{c}: {', '.join(str(v) for v in results[c].unique())}" for c in varied)
    version = ok.pocsim_version.iloc[0] if "pocsim_version" in ok.columns and len(ok) else "?"
    commit = str(ok.git_commit.iloc[0])[:10] if "git_commit" in ok.columns and len(ok) else "?"
    days = ok.days.iloc[0] if "days" in ok.columns and len(ok) else config.get("days", "?")
    scenario = ok.scenario.iloc[0] if "scenario" in ok.columns and len(ok) else "?"
    resources = (f"{mission.get('troops', 0):,} troops, {mission.get('police', 0):,} police and "
                 f"{mission.get('civilian_staff', 0):,} civilian staff, the same for every arm")
    if any(c.startswith("mission.") for c in varied):
        resources += " (except where swept)"
    # arms whose strategy brings its own mission (unless it is the one the sweep's config shows)
    shown = config.get("strategy", {}).get("name")
    own = [s for s in results.get("strategy", pd.Series(dtype=str)).unique() if s != shown and sets_mission(s)]
    if own:
        resources += f" (except {', '.join(own)}, whose strategy config sets the mission's size)"
    lines = [f"Scenario `{scenario}`, {days} days, {seed_text}; arms ({arms or 'one'}); "
             f"{len(ok)} of {len(results)} runs finished. Mission resources: {resources}. "
             f"pocsim {version} (commit {commit})."]
    if state is not None:
        lines.append(f"Stopping rule: {rule.describe()}. {why_stopped(state, rule)}")
    else:
        lines.append(f"A fixed sweep (no stopping rule); intervals are {100 * rule.confidence:g}%.")
    return lines


def sets_mission(strategy: str) -> bool:
    """Whether the strategy's config brings its own `mission:` (a deployment as it was, e.g.
    historical_minusca), so its arm did not get the resources the sweep's config shows."""
    import pocsim.configs  # configs/ in a clone, the package pocsim.configs in an installed wheel

    path = Path(pocsim.configs.__file__).parent / "strategy" / f"{strategy}.yaml"
    return path.exists() and "mission" in (yaml.safe_load(path.read_text()) or {})


def why_stopped(state: dict, rule: StoppingRule) -> str:
    seeds = sum(len(b["seeds"]) for b in state["batches"])
    open_arms = sum(v["verdict"] == "not resolved" for v in (state["batches"] or [{}])[-1].get("verdicts", []))
    minutes = state["batches"][-1]["minutes"] if state["batches"] else 0
    return {
        "settled": f"Stopped after {seeds} seeds ({minutes:.0f} min): every arm is settled.",
        "max_seeds": f"Stopped at the seed budget ({seeds} seeds, {minutes:.0f} min) with {open_arms} arm(s) "
                     "not resolved.",
        "max_minutes": f"Stopped at the time budget ({rule.max_minutes:g} min) after {seeds} seeds with "
                       f"{open_arms} arm(s) not resolved.",
        "no run finished": "Stopped: no run of the first batch finished (see the errors in results.parquet).",
    }.get(state["stopped"], f"Interrupted after {seeds} seeds (rerun with resume=true to continue).")


def plain_sentences(results: pd.DataFrame, rule: StoppingRule, state: dict | None) -> list[str]:
    table = verdicts(results, rule)
    budget = {"max_seeds": "; the seed budget is spent", "max_minutes": "; the time budget is spent"}
    stopped = budget.get(state["stopped"], "") if state else ""
    return [sentence(row, rule, stopped) for _, row in table.iterrows()]


def wide_table(comp: pd.DataFrame, by: str, baseline) -> pd.DataFrame:
    """One row per arm, baseline first: each harm's mean and paired change, then the outputs."""
    comp = comp.assign(arm=arm_labels(comp, by).to_numpy())
    arms = list(dict.fromkeys(comp.arm))
    arms.sort(key=lambda a: str(a).split(" / ")[-1] != str(baseline))  # stable: baseline(s) first
    table = pd.DataFrame([_row(comp[comp.arm == arm].set_index("metric"), arm) for arm in arms])
    return table.rename(columns={"arm": by})


def _row(m: pd.DataFrame, arm: str) -> dict:
    row = {"arm": arm, "worlds": int(m.n.iloc[0])}
    for metric in [x for x in OUTCOMES if x in m.index]:
        r = m.loc[metric]
        row[SHORT[metric]] = _num(r["mean"])
        row[f"{SHORT[metric]} vs baseline"] = ("" if np.isnan(r.diff_mean) else
                                              f"{_num(r.diff_mean, True)} [{_num(r.diff_low, True)}, "
                                              f"{_num(r.diff_high, True)}] ({_pct(r.diff_pct)})"
                                              + (" resolved" if r.resolved else ""))
        if metric == "civilian_deaths":
            row["worlds with fewer deaths"] = ("" if np.isnan(r.share_lower) else
                                              f"{round(r.share_lower * r.n_paired)} of {int(r.n_paired)}")
    for metric in [x for x in OUTPUTS if x in m.index]:
        row[SHORT[metric]] = _num(m.loc[metric, "mean"])
    return row


def trainer_note(config: dict, results: pd.DataFrame, by: str) -> list[str]:
    """A lesson's note (the `teaching` block of configs/lesson/*.yaml) with its metrics world by world,
    so a trainer sees whether the point holds in each world, not only on average."""
    note = config.get("teaching")
    if not note:
        return []
    lines = ["## Trainer's note", "", f"**{note['title']}** {note['setup']}", "",
             f"Point at: {', '.join(f'`{m}`' for m in note['point_at'])}. {note['expect']}", "",
             f"Ask the room: {note['ask']}", ""]
    ok = results[results.status == "ok"]
    metrics = [m for m in note["point_at"] if m in ok.columns]
    if metrics and "seed" in ok.columns:
        worlds = ok.assign(arm=run_arms(ok, by)).pivot_table(index="seed", columns="arm", values=metrics,
                                                              aggfunc="first", sort=False)
        table = pd.DataFrame({f"{metric}: {arm}": worlds[(metric, arm)].map(_num) for metric, arm in worlds.columns})
        lines += ["World by world (one row per seed):", "", markdown(table.reset_index().astype(str)), ""]
    return lines


def markdown(table: pd.DataFrame) -> str:
    head = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join("---" if i == 0 else "---:" for i, _ in enumerate(table.columns)) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def plain(table: pd.DataFrame, columns: list[str]) -> str:
    """The first column (the arm) and those of `columns` the table has, aligned for a terminal."""
    cols = [table.columns[0]] + [c for c in columns if c in table.columns]
    widths = [max(len(c), *(len(str(v)) for v in table[c])) for c in cols]
    first = cols[0]
    lines = ["  ".join(c.ljust(w) if c == first else c.rjust(w) for c, w in zip(cols, widths))]
    for _, row in table.iterrows():
        lines.append("  ".join(str(row[c]).ljust(w) if c == first else str(row[c]).rjust(w)
                               for c, w in zip(cols, widths)))
    return "\n".join(lines)


def _num(x: float, sign: bool = False) -> str:
    if x is None or np.isnan(x):
        return ""
    return f"{x:+,.0f}" if sign else f"{x:,.0f}"


def _pct(x: float) -> str:
    return "" if x is None or np.isnan(x) else f"{x:+.0f}%"


def sweep_config(sweep_dir: Path) -> dict:
    """The sweep's composed config (multirun.yaml), or {} when the folder has none."""
    path = sweep_dir / "multirun.yaml"
    if not path.exists():
        return {}
    with open(path) as f:
        return yaml.load(f, Loader=YAML_LOADER) or {}
