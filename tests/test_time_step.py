"""The time step: rates are per hour, so a shorter step must give the same world, within a stated
tolerance. Measured (default scenario, no mission, 60 days, seeds 0-15; docs/ODD.md, Time): mean
deaths 168 at 0.25 h, 169 at 0.5 h, 187 at 1 h, 209 at 2 h; 2 h and longer steps are refused."""

import numpy as np
from scipy import stats

from pocsim.run import simulate

from conftest import make_config

SEEDS = range(16)
DAYS = 60


def deaths(step_hours: float) -> np.ndarray:
    return np.array([simulate(make_config(f"seed={s}", f"days={DAYS}", f"step_hours={step_hours}", small=False))[1]
                     ["civilian_deaths"] for s in SEEDS])


def test_half_hour_and_hour_steps_give_the_same_deaths_within_fifteen_percent():
    half, hour = deaths(0.5), deaths(1.0)
    assert abs(hour.mean() - half.mean()) <= 0.15 * half.mean(), (half.mean(), hour.mean())
    # and the same distribution over worlds (each world is a seed: the same at both steps)
    assert stats.ks_2samp(half, hour).pvalue > 0.05
    assert stats.spearmanr(half, hour).statistic > 0.8  # the same worlds are the violent ones
