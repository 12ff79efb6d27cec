"""The GED loader against the CAR extract in ../shared/data (not shipped with the project)."""

import numpy as np
import pandas as pd
import pytest

from pocsim import ucdp
from tests.conftest import CAR, needs_car


@needs_car
def test_car_extract_counts():
    ged = ucdp.load_ged(CAR)
    assert len(ged) == 1848
    assert pd.api.types.is_datetime64_any_dtype(ged["date_start"])
    one_sided = ucdp.load_ged(CAR, one_sided_only=True)
    assert len(one_sided) == 1076
    assert one_sided["best"].sum() == 8067


@needs_car
def test_perpetrator_shares_of_car_sum_to_one():
    shares = ucdp.perpetrator_shares(ucdp.load_ged(CAR, one_sided_only=True))
    assert set(shares.index) == {"state", "non-state"}
    assert shares.sum() == pytest.approx(1.0)
    assert shares["non-state"] > shares["state"]  # CAR's armed groups, not the state, did most of it


def test_missing_columns_name_the_file_and_columns(tmp_path):
    bad = tmp_path / "not_ged.csv"
    pd.DataFrame({"id": [1], "year": [2020], "best": [3]}).to_csv(bad, index=False)
    with pytest.raises(ValueError, match="not_ged.csv") as err:
        ucdp.load_ged(bad)
    assert "side_a" in str(err.value) and "latitude" in str(err.value)


@needs_car
def test_country_filter_needs_a_country_column():
    with pytest.raises(ValueError, match="'country'"):
        ucdp.load_ged(CAR, country="Central African Republic")


def test_deaths_per_event_summary_on_known_arrays():
    s = ucdp.deaths_per_event_summary([1] * 9 + [91])
    assert s == {"n_events": 10, "deaths": 100.0, "median": 1.0, "mean": 10.0, "share_10_plus": 0.1,
                 "top_decile_death_share": 0.91, "max": 91.0}
    # 11 events: the top tenth rounds up to two events (20 + 10 of 34 deaths)
    s = ucdp.deaths_per_event_summary(np.array([0] * 5 + [1] * 4 + [10, 20]))
    assert s["share_10_plus"] == pytest.approx(2 / 11)
    assert s["top_decile_death_share"] == pytest.approx(30 / 34)
    assert s["median"] == 1.0
    empty = ucdp.deaths_per_event_summary([])
    assert empty["n_events"] == 0 and np.isnan(empty["median"])


def test_simulated_perpetrators_use_perpetrator_kind():
    events = pd.DataFrame({"side_a": ["FPL", "Government", "FPL", "MISSION"],
                           "perpetrator_kind": ["rebel", "state", "rebel", "mission"], "best": [5, 1, 2, 2]})
    assert ucdp.perpetrator_shares(events).to_dict() == {"non-state": 0.5, "state": 0.25, "mission": 0.25}
    assert ucdp.perpetrator_shares(events, weight="best")["non-state"] == pytest.approx(0.7)
