"""Patterns of violence against civilians, computed the same way on a real log and a simulated one.

Pattern-oriented validation asks whether a model reproduces several patterns of the real record at
once, not one total. Both logs are first normalised (`from_ged`, `from_run`) to fatal one-sided
events (violence against civilians, deaths >= 1), one row each: `day` (days since 1970-01-01, whole
days, as GED dates events), `x_km`, `y_km` (planar), `deaths` and `state` (state forces did it).
`patterns` then computes, over an observation window [start, end):

- Rate: events per million inhabitants per year.
- Severity: median and mean deaths per event, share of events with 10+ deaths, share of all deaths
  in the deadliest tenth of events, and the tail of deaths per event as a discrete power law
  p(x) = x^-alpha / zeta(alpha, xmin) for x >= xmin, fitted by maximum likelihood with xmin chosen
  to minimise the Kolmogorov-Smirnov distance between the tail and the fit (Clauset, Shalizi &
  Newman 2009, Power-law distributions in empirical data, SIAM Review 51(4): 661-703).
- Timing: with tau the inter-event times, burstiness B = (sigma_tau - mu_tau) / (sigma_tau + mu_tau)
  (-1 periodic, 0 Poisson, towards 1 bursty) and memory M = correlation of consecutive taus
  (tau_i, tau_i+1) (Goh & Barabási 2008, Burstiness and memory in complex systems, EPL 81: 48002);
  and the variance/mean of weekly counts (1 for a Poisson process, larger when events bunch).
- Space-time clustering: the Knox ratio, pairs of events close in both space and time over the
  number expected if closeness in space and in time were independent (Knox 1964, The detection of
  space-time interactions, Applied Statistics 13(1): 25-30).
- Perpetrators: the state forces' share of events and of deaths.

Each statistic is NaN when the window has too few events to say anything (see `patterns`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize, special, stats
from scipy.spatial import cKDTree

from pocsim import ucdp

KM_PER_DEGREE = 111.32  # of latitude, and of longitude at the equator
TAIL_MIN_EVENTS = 10  # a candidate xmin needs this many events at or above it
ALPHA_BOUNDS = (1 + 1e-6, 6.0)  # zeta(alpha, xmin) diverges at alpha = 1
EPOCH = pd.Timestamp("1970-01-01")


def to_day(date) -> pd.Series | float:
    """Days since 1970-01-01 of a date or a Series of dates (strings or datetimes), floored to the
    whole day: GED records dates to the day, so simulated events are dated to the day too."""
    if isinstance(date, pd.Series):
        return (pd.to_datetime(date).dt.floor("D") - EPOCH) / pd.Timedelta(days=1)
    return (pd.Timestamp(date).floor("D") - EPOCH) / pd.Timedelta(days=1)


def _one_sided(events: pd.DataFrame) -> pd.DataFrame:
    return events[(events["type_of_violence"] == ucdp.ONE_SIDED) & (events["best"] >= 1)]


def _log(day, x_km, y_km, deaths, state) -> pd.DataFrame:
    return pd.DataFrame({"day": np.asarray(day, dtype=float), "x_km": np.asarray(x_km, dtype=float),
                         "y_km": np.asarray(y_km, dtype=float), "deaths": np.asarray(deaths, dtype=np.int64),
                         "state": np.asarray(state, dtype=bool)})


def from_ged(ged: pd.DataFrame) -> pd.DataFrame:
    """The normalised log of a GED frame (as `ucdp.load_ged` returns it).

    Positions are projected equirectangularly about the log's mean latitude, so east-west distances
    are off by cos(latitude)/cos(mean latitude): under 1% across the Central African Republic
    (2-11 N), less than 100 m on the 10 km of the Knox test. Use one country (or region) at a time."""
    ged = _one_sided(ged)
    lat0 = math.radians(ged["latitude"].mean()) if len(ged) else 0.0
    return _log(to_day(ged["date_start"]), ged["longitude"] * KM_PER_DEGREE * math.cos(lat0),
                ged["latitude"] * KM_PER_DEGREE, ged["best"], ucdp.perpetrator_kind(ged) == "state")


def from_run(events: pd.DataFrame, cell_km: float) -> pd.DataFrame:
    """The normalised log of a simulated run's events.parquet; an event sits at its cell's centre."""
    events = _one_sided(events)
    return _log(to_day(events["date_start"]), (events["x"] + 0.5) * cell_km, (events["y"] + 0.5) * cell_km,
                events["best"], events["perpetrator_kind"] == "state")


def tail_fit(deaths) -> tuple[float, float, int, float]:
    """(alpha, xmin, n_tail, ks) of the discrete power law fitted to the tail of deaths per event.

    Every value with at least TAIL_MIN_EVENTS events at or above it is a candidate xmin; for each,
    alpha maximises the likelihood over (1, 6], and the candidate whose fit has the smallest KS
    distance to the tail wins (Clauset et al. 2009). NaNs and n_tail 0 if there is no candidate."""
    x = np.sort(np.asarray(deaths, dtype=float))
    n = len(x)
    log_sum = np.cumsum(np.log(x)[::-1])[::-1]  # sum of log x over each tail x[i:]
    best = (math.nan, math.nan, 0, math.inf)
    for xmin in np.unique(x):
        i = np.searchsorted(x, xmin)
        n_tail = n - i
        if n_tail < TAIL_MIN_EVENTS:
            break
        res = optimize.minimize_scalar(lambda a: n_tail * math.log(special.zeta(a, xmin)) + a * log_sum[i],
                                       bounds=ALPHA_BOUNDS, method="bounded")
        alpha = float(res.x)
        # Both CDFs step only at integers and the empirical one only at observed values, so the
        # largest gap lies at an observed value or just below one.
        values = np.unique(x[i:])
        at = np.unique(np.concatenate([values, values[1:] - 1]))
        empirical = np.searchsorted(x[i:], at, side="right") / n_tail
        fitted = 1 - special.zeta(alpha, at + 1) / special.zeta(alpha, xmin)
        ks = float(np.abs(empirical - fitted).max())
        if ks < best[3]:
            best = (alpha, float(xmin), int(n_tail), ks)
    return best if best[2] else (math.nan, math.nan, 0, math.nan)


def gaps(day) -> np.ndarray:
    """Inter-event times: the differences of the sorted event days (zeros included)."""
    return np.diff(np.sort(np.asarray(day, dtype=float)))


def burstiness(day) -> float:
    """Goh & Barabási's B of the inter-event times (zero gaps included: events on one day are a
    burst; sigma with ddof=0, as theirs is the distribution's). NaN with fewer than 3 events (one gap
    has no spread, so B would be -1 by construction) or when all events fall on one instant."""
    tau = gaps(day)
    if len(tau) < 2 or tau.mean() == 0:
        return math.nan
    sigma, mu = tau.std(), tau.mean()
    return float((sigma - mu) / (sigma + mu))


def memory(day) -> float:
    """Goh & Barabási's M, the correlation of consecutive inter-event times; NaN with fewer than 3
    pairs of consecutive gaps (5 events; with 2 pairs it is +-1 by construction) or constant gaps."""
    tau = gaps(day)
    a, b = tau[:-1], tau[1:]
    if len(a) < 3 or a.std() == 0 or b.std() == 0:
        return math.nan
    return float(stats.pearsonr(a, b).statistic)


def weekly_var_mean(day, start_day: float, end_day: float) -> float:
    """Variance (ddof=1) over mean of event counts in the full weeks from start_day; events in a
    trailing part-week are left out. NaN with fewer than 2 full weeks or no event in them."""
    weeks = int((end_day - start_day) // 7)
    if weeks < 2:
        return math.nan
    week = np.floor((np.asarray(day, dtype=float) - start_day) / 7).astype(int)
    counts = np.bincount(week[(week >= 0) & (week < weeks)], minlength=weeks)
    if counts.sum() == 0:
        return math.nan
    return float(counts.var(ddof=1) / counts.mean())


def knox_ratio(log: pd.DataFrame, km: float = 10.0, days: float = 14.0) -> float:
    """N_st / (N_s N_t / N_pairs): pairs within `km` and `days` (both inclusive) over the number
    expected if closeness in space and in time were independent. NaN when N_s or N_t is 0."""
    n = len(log)
    t = log["day"].to_numpy(dtype=float)
    pairs = cKDTree(log[["x_km", "y_km"]].to_numpy(dtype=float)).query_pairs(km, output_type="ndarray")
    n_st = int((np.abs(t[pairs[:, 0]] - t[pairs[:, 1]]) <= days).sum())
    ts = np.sort(t)
    n_t = int((np.searchsorted(ts, ts + days, side="right") - np.arange(n) - 1).sum())
    if len(pairs) == 0 or n_t == 0:
        return math.nan
    return n_st * (n * (n - 1) / 2) / (len(pairs) * n_t)


def patterns(log: pd.DataFrame, start_day: float, end_day: float, population: float | None,
             knox_km: float = 10.0, knox_days: float = 14.0) -> dict[str, float]:
    """The patterns of the events of `log` in [start_day, end_day).

    The window, not the first and last event, sets the span: weeks without events count.
    NaN when there are too few events: no events for the severity and perpetrator statistics,
    fewer than 3 for burstiness, fewer than 5 for memory, no pair close in space or none close in
    time for the Knox ratio, fewer than 10 for the tail (`tail_fit`); population None gives no rate.
    """
    if not end_day > start_day:
        raise ValueError(f"the window [{start_day}, {end_day}) is empty")
    log = log[(log["day"] >= start_day) & (log["day"] < end_day)]
    n, deaths = len(log), log["deaths"].to_numpy()
    summary = ucdp.deaths_per_event_summary(deaths)
    alpha, xmin, n_tail, _ = tail_fit(deaths)
    years = (end_day - start_day) / 365.25
    return {
        "n_events": float(n),
        "deaths": summary["deaths"],
        "events_per_million_year": n / (population / 1e6) / years if population is not None else math.nan,
        "deaths_median": summary["median"],
        "deaths_mean": summary["mean"],
        "share_10_plus": summary["share_10_plus"],
        "top_decile_death_share": summary["top_decile_death_share"],
        "tail_alpha": alpha,
        "tail_xmin": xmin,
        "tail_n": float(n_tail),
        "burstiness": burstiness(log["day"]),
        "memory": memory(log["day"]),
        "weekly_var_mean": weekly_var_mean(log["day"], start_day, end_day),
        "knox_ratio": knox_ratio(log, knox_km, knox_days),
        "state_event_share": float(log["state"].mean()) if n else math.nan,
        "state_death_share": float(deaths[log["state"].to_numpy()].sum() / deaths.sum()) if n else math.nan,
    }


def by_year(log: pd.DataFrame, population: float | None) -> pd.DataFrame:
    """`patterns` for each calendar year with at least one event (the window is the whole year)."""
    years = np.unique(pd.to_datetime(log["day"], unit="D").dt.year)
    return pd.DataFrame([{"year": int(y), **patterns(log, to_day(f"{y}-01-01"), to_day(f"{y + 1}-01-01"),
                                                     population)} for y in years])


def ks_distance(a, b) -> float:
    """Two-sample Kolmogorov-Smirnov statistic of two samples of deaths per event."""
    return float(stats.ks_2samp(a, b).statistic)
