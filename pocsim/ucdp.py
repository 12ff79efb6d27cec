"""Read UCDP GED event files, and summarise real and simulated event logs the same way.

The UCDP Georeferenced Event Dataset (GED) lists one row per event of organised violence with its
date, place, sides and deaths (`best` estimate, with `low` and `high`). `type_of_violence` is
1 state-based, 2 non-state, 3 one-sided violence against civilians, and `side_a` is the perpetrator.
pocsim's events.parquet uses the same column names, so both go through the functions below.

Download a GED CSV from https://ucdp.uu.se/downloads/ (any version with the original column names).
The project ships no UCDP data; tests and notebooks read GED 23.1 for the Central African Republic from
`../shared/data/` beside the repository, or from the file named by POCSIM_UCDP_CSV (see `default_path`).

Data: UCDP Georeferenced Event Dataset (GED) Global version 23.1, licence CC BY 4.0. Cite
- Davies, Shawn, Therese Pettersson & Magnus Öberg (2023). Organized violence 1989-2022, and the
  return of conflict between states. Journal of Peace Research 60(4).
- Sundberg, Ralph & Erik Melander (2013). Introducing the UCDP Georeferenced Event Dataset.
  Journal of Peace Research 50(4): 523-532.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

import pocsim

# What the analyses here need; a GED file has more columns, which are kept as they are.
REQUIRED = ("id", "year", "type_of_violence", "side_a", "side_b", "best", "low", "high", "date_start",
            "latitude", "longitude")
CAR_FILE = "ucdp_ged_23_1_central_african_republic.csv"
ONE_SIDED = 3
DOWNLOADS = "https://ucdp.uu.se/downloads/"


def shared_path() -> Path:
    """Where the CAR extract lives when POCSIM_UCDP_CSV is not set: shared/data beside the repository."""
    return Path(pocsim.__file__).resolve().parents[2] / "shared" / "data" / CAR_FILE


def default_path() -> Path:
    """$POCSIM_UCDP_CSV if set, else the CAR extract in shared/data beside the repository."""
    env = os.environ.get("POCSIM_UCDP_CSV")
    if env:
        return Path(env)
    return shared_path()


def how_to_get(path=None) -> str:
    """Where the GED file was looked for and how to get one: the message a notebook prints when
    the file is missing (the project ships no UCDP data)."""
    path = Path(path) if path is not None else default_path()
    looked = (f"POCSIM_UCDP_CSV names {path}, which does not exist" if os.environ.get("POCSIM_UCDP_CSV")
              else f"No UCDP GED file at {path}")
    cut = (f"python -c \"from pocsim import ucdp; ucdp.load_ged('GEDEvent_v23_1.csv', "
           f"country='Central African Republic').to_csv('{CAR_FILE}', index=False)\"")
    return (f"{looked}. To get one: download the UCDP Georeferenced Event Dataset (GED) Global version 23.1 "
            f"as CSV from {DOWNLOADS} (ged231-csv.zip, which holds GEDEvent_v23_1.csv), keep the events in the "
            f"Central African Republic (country_id 482), e.g.\n    {cut}\n"
            f"then put {CAR_FILE} in {shared_path().parent}/ or set POCSIM_UCDP_CSV to its path before "
            "starting Jupyter.")


def load_ged(path=None, country=None, one_sided_only: bool = False) -> pd.DataFrame:
    """Load a GED CSV (default: `default_path()`), check its columns, parse dates, optionally filter.

    country: a name matched against the `country` column (case-insensitive), or a number matched
    against `country_id`; the file must have that column. one_sided_only: keep type_of_violence 3.
    Raises ValueError naming the file and what is missing or malformed.
    """
    path = Path(path) if path is not None else default_path()
    # low_memory=False: the global file mixes types in some columns and pandas would warn per chunk.
    ged = pd.read_csv(path, low_memory=False)
    missing = [c for c in REQUIRED if c not in ged.columns]
    if missing:
        raise ValueError(f"{path}: not a UCDP GED file, missing column(s) {', '.join(missing)}")
    for col in ("date_start", "date_end"):
        if col in ged:
            try:  # GED writes "2013-12-05" or "2013-12-05 00:00:00.000" depending on version
                ged[col] = pd.to_datetime(ged[col], format="ISO8601")
            except (ValueError, TypeError) as exc:
                raise ValueError(f"{path}: column {col} holds a value that is not a date ({exc})") from None
    if country is not None:
        col = "country_id" if isinstance(country, (int, np.integer)) else "country"
        if col not in ged:
            raise ValueError(f"{path}: filtering by country needs a {col!r} column, which this file lacks")
        keep = ged[col] == country if col == "country_id" else ged[col].str.casefold() == str(country).casefold()
        ged = ged[keep]
    if one_sided_only:
        ged = ged[ged["type_of_violence"] == ONE_SIDED]
    return ged.reset_index(drop=True)


def deaths_per_event_summary(best) -> dict:
    """Shape of the deaths-per-event distribution: how heavy its tail is, in numbers a reader can
    compare between a simulated log and a real one. Events with 0 deaths count as events."""
    d = np.sort(np.asarray(best, dtype=float))[::-1]
    n, total = len(d), float(d.sum())
    top = d[: math.ceil(n / 10)].sum()  # the deadliest tenth of events (at least one)
    return {
        "n_events": n,
        "deaths": total,
        "median": float(np.median(d)) if n else math.nan,
        "mean": total / n if n else math.nan,
        "share_10_plus": float((d >= 10).mean()) if n else math.nan,
        "top_decile_death_share": float(top / total) if total > 0 else math.nan,
        "max": float(d[0]) if n else math.nan,
    }


def perpetrator_kind(events: pd.DataFrame) -> pd.Series:
    """'state', 'non-state' or 'mission' per event. A simulated log says so in perpetrator_kind;
    in GED, a government as side_a is a state perpetrator (foreign governments included)."""
    if "perpetrator_kind" in events:
        return events["perpetrator_kind"].replace({"rebel": "non-state", "militia": "non-state"})
    is_state = events["side_a"].astype(str).str.startswith("Government of")
    return pd.Series(np.where(is_state, "state", "non-state"), index=events.index)


def perpetrator_shares(events: pd.DataFrame, weight: str | None = None) -> pd.Series:
    """Share of events (or, with weight="best", of deaths) by kind of perpetrator."""
    kinds = perpetrator_kind(events)
    counts = events[weight].groupby(kinds).sum() if weight else kinds.value_counts()
    return (counts / counts.sum()).sort_values(ascending=False).rename("share")
