"""Figures of pocsim-validate (pocsim/pattern_validation.py): every pattern's real years beside the
simulated runs, and the inter-event times of both logs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pocsim.plots import _plain_log, _save, _styled, at_least

REAL, SIMULATED = "#222222", "#1f77b4"


@_styled
def pattern_strips(table: pd.DataFrame, real: pd.DataFrame, sim: pd.DataFrame, out_dir,
                   name="validation_patterns") -> list[Path]:
    """One small panel per pattern: each simulated run a blue dot, each real year a black cross, the
    simulated 5-95 % range shaded. A cross far outside the shading is a pattern the model misses."""
    keys = list(table["pattern"])
    cols = 3
    rows = math.ceil(len(keys) / cols)
    fig = Figure(figsize=(13, 2.1 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    rng = np.random.default_rng(0)  # vertical jitter only, so that dots do not hide each other
    for ax, row in zip(axes, table.itertuples()):
        s, r = sim[row.pattern].dropna(), real[row.pattern].dropna()
        if not math.isnan(row.sim_lo):
            ax.axvspan(row.sim_lo, row.sim_hi, color=SIMULATED, alpha=0.15, lw=0)
        ax.scatter(s, 1 + rng.uniform(-0.15, 0.15, len(s)), s=14, color=SIMULATED, alpha=0.7, label="simulated runs")
        ax.scatter(r, np.zeros(len(r)) + rng.uniform(-0.15, 0.15, len(r)), marker="x", s=30, color=REAL,
                   label="real years")
        ax.set_yticks([0, 1], ["real", "sim."])
        ax.set_ylim(-0.6, 1.6)
        ax.set_title(row.label, fontsize=9, loc="left")
        ax.tick_params(labelsize=8)
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    axes[0].legend(loc="upper right", fontsize=7)
    fig.suptitle("Each pattern: real years (x) and simulated runs (dots, 5-95 % shaded)")
    return _save(fig, out_dir, name)


@_styled
def interevent_times(gaps: dict[str, np.ndarray], out_dir, name="validation_interevent") -> list[Path]:
    """Complementary CDF of the days between consecutive events (within a year or a run). A Poisson
    process falls as a straight line on these axes (log share, linear days); bursts bend it: many
    short gaps and a long tail of quiet spells."""
    fig = Figure(figsize=(10, 6), layout="constrained")
    ax = fig.subplots()
    for (label, g), colour in zip(gaps.items(), (SIMULATED, REAL)):
        g = np.sort(np.asarray(g, dtype=float))
        if not len(g):
            continue
        x, share = at_least(g, g)  # P(gap >= x)
        ax.step(x, share, where="post", lw=2.5, color=colour, label=f"{label} ({len(g):,} gaps)")
        mean = g.mean()
        if mean > 0:  # the exponential with the same mean: what a memoryless clock would give
            ax.plot(x, np.exp(-x / mean), ls=":", color=colour, lw=1.5, label=f"{label}: Poisson, same mean")
    ax.set_yscale("log")
    _plain_log(ax.yaxis)
    ax.set_xlabel("Days between consecutive fatal events, x")
    ax.set_ylabel("Share of gaps of at least x days")
    ax.set_title("Inter-event times: bursts show as more short and more long gaps than Poisson")
    ax.legend()
    return _save(fig, out_dir, name)
