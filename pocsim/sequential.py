"""The stopping rule of a sequential comparison: run seeds in batches until the answer is clear.

Every arm (each strategy, within each other swept setting) is compared with the baseline on the
same seeds. After each batch each arm gets a verdict on its paired difference in the decision
metric (civilian deaths unless told otherwise):

- **fewer** / **more**: its interval excludes zero (resolved);
- **no difference that matters**: its interval lies within +-tolerance x the baseline's mean, so
  whatever the true difference is, it is smaller than what would change a decision;
- **not resolved**: neither yet.

The sweep stops when every arm is settled (one of the first three), or when the budget is spent
(`max_seeds`, `max_minutes`). Looking at the data after every batch and stopping at the first
clear answer would make "resolved" too easy (optional stopping), so the rule's intervals are
Bonferroni-adjusted over the planned looks: with 4 looks they are 98.75% intervals, not 95%.
The sweeper (hydra_plugins/pocsim_sweeper) runs the batches; this module only judges them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pandas and the results module load only when a verdict is asked for, so
    import pandas as pd  # that importing pocsim's CLI (every sweep worker does) stays light

FEWER, MORE, EQUIVALENT, OPEN = "fewer", "more", "no difference that matters", "not resolved"


@dataclass(frozen=True)
class StoppingRule:
    by: str = "strategy"  # the swept key whose arms are compared
    baseline: str = "none"  # the arm every other arm is compared with
    metric: str = "civilian_deaths"  # the outcome the decision is about
    tolerance: float = 0.10  # a difference within this share of the baseline's mean does not matter
    alpha: float = 0.05  # error rate over the whole sequential sweep, shared among its looks
    batch_seeds: int = 10  # seeds added per batch (every arm runs each of them)
    max_seeds: int = 40
    max_minutes: float = 60.0
    first_seed: int = 0

    @property
    def looks(self) -> int:
        return math.ceil(self.max_seeds / self.batch_seeds)

    @property
    def confidence(self) -> float:
        return 1 - self.alpha / self.looks

    def seeds(self, batch: int) -> list[int]:
        """The seeds batch `batch` (0, 1, ...) adds."""
        start = batch * self.batch_seeds
        stop = min(start + self.batch_seeds, self.max_seeds)
        return list(range(self.first_seed + start, self.first_seed + stop))

    def describe(self) -> str:
        return (f"batches of {self.batch_seeds} seeds (from seed {self.first_seed}) until every arm's paired "
                f"difference in {self.metric} to {self.by}={self.baseline} is resolved or within "
                f"+-{100 * self.tolerance:g}% of the baseline's mean, at most {self.max_seeds} seeds or "
                f"{self.max_minutes:g} minutes; {100 * self.confidence:g}% intervals "
                f"({100 * (1 - self.alpha):g}% shared over {self.looks} looks)")


def verdicts(results: pd.DataFrame, rule: StoppingRule) -> pd.DataFrame:
    """One row per arm other than the baseline: its paired difference, interval and verdict."""
    from pocsim.results import comparison

    comp = comparison(results, by=rule.by, baseline=rule.baseline, metrics=[rule.metric],
                      confidence=rule.confidence)
    base = comp[comp[rule.by].astype(str) == str(rule.baseline)]
    arms = comp[comp[rule.by].astype(str) != str(rule.baseline)].copy()
    within = list(comp.columns[: list(comp.columns).index(rule.by)])
    base_mean = (arms[within].merge(base[within + ["mean"]], on=within, how="left")["mean"].to_numpy()
                 if within else np.full(len(arms), base["mean"].iloc[0] if len(base) else np.nan))
    arms["base_mean"] = base_mean
    margin = rule.tolerance * np.abs(base_mean)
    arms["verdict"] = np.select(
        [arms.resolved & (arms.diff_mean < 0), arms.resolved & (arms.diff_mean > 0),
         (arms.diff_low >= -margin) & (arms.diff_high <= margin)],
        [FEWER, MORE, EQUIVALENT], default=OPEN)
    arms["seeds_needed"] = [seeds_needed(r, m) for (_, r), m in zip(arms.iterrows(), margin)]
    return arms.reset_index(drop=True)


def seeds_needed(row: pd.Series, margin: float) -> float:
    """Roughly how many seeds in all would settle an open arm if the spread of its paired
    differences stays as it is: enough for the interval's half-width to shrink below |difference|
    (resolved) or below margin - |difference| (no difference that matters), whichever comes first."""
    if row.verdict != OPEN or row.n_paired < 2:
        return np.nan
    half = (row.diff_high - row.diff_low) / 2
    target = max(abs(row.diff_mean), margin - abs(row.diff_mean))
    if not target > 0 or not half > 0:
        return np.nan
    return float(math.ceil(row.n_paired * (half / target) ** 2))


def settled(table: pd.DataFrame) -> bool:
    return bool(len(table)) and bool((table.verdict != OPEN).all())


def sentence(row: pd.Series, rule: StoppingRule, stopped: str = "") -> str:
    """What a planner reads first: one plain sentence on one arm against the baseline."""
    cols = list(row.index[: list(row.index).index("metric")])
    arm = " / ".join(str(row[c]) if c == "strategy" else f"{c}={row[c]}" for c in cols)
    if not row.n_paired:
        return f"{arm}: no world in which both it and the baseline finished: nothing to compare."
    n = int(row.n_paired)
    level = f"{100 * rule.confidence:g}%"
    worlds = f"lower in {round(row.share_lower * n)} of {n} worlds"
    if not row.base_mean:  # a baseline with none of it: say the difference in numbers
        return (f"{arm}: {row.diff_mean:+,.1f} {rule.metric.replace('_', ' ')} against none under the baseline "
                f"[{level} CI {row.diff_low:+,.1f} to {row.diff_high:+,.1f}], {worlds}: {row.verdict}.")
    pct = row.diff_pct
    lo, hi = 100 * row.diff_low / row.base_mean, 100 * row.diff_high / row.base_mean
    interval = f"[{level} CI {lo:+.0f}% to {hi:+.0f}%]"
    if row.verdict in (FEWER, MORE):  # the interval is on one side of zero: say it in the verdict's words
        word = "fewer" if row.verdict == FEWER else "more"
        near, far = sorted([abs(lo), abs(hi)])
        baseline = ("no mission" if str(rule.baseline) == "none" else str(rule.baseline)) if rule.by == "strategy" \
            else f"{rule.by}={rule.baseline}"
        return (f"{arm}: {abs(pct):.0f}% {word} {rule.metric.replace('_', ' ')} than {baseline} "
                f"[{level} CI {near:.0f}-{far:.0f}% {word}], {worlds}: resolved.")
    if row.verdict == EQUIVALENT:
        return (f"{arm}: no difference that matters after {n} seeds (difference {pct:+.0f}% {interval}, "
                f"within +-{100 * rule.tolerance:g}%); {worlds}: more seeds will not change the decision.")
    more = "" if np.isnan(row.seeds_needed) else f"; about {int(row.seeds_needed)} seeds would settle it"
    return (f"{arm}: not resolved after {n} seeds (difference {pct:+.0f}% {interval}, {worlds})"
            f"{more}{stopped}.")

