"""The literature's estimators (pocsim/literature.py): the cell-month panel from hand-made run folders,
and each estimator recovering an effect planted in synthetic data (or finding none where none is)."""

import numpy as np
import pandas as pd
import pytest
import yaml

from pocsim import literature

DAY = 24  # steps per day (step_hours 1)


def write_run(folder, events, bases, days=61, width=75, strategy="static_deterrence", troops=600, seed=0):
    """A run folder as pocsim writes one, with only what the panel reads: 75 x 75 km at 1 km cells is
    3 x 3 cells of 25 km; 61 days from 2024-01-01 are January, February (29 days) and 1 March."""
    (folder / ".hydra").mkdir(parents=True)
    cfg = {"scenario": {"start_date": "2024-01-01", "terrain": {"width": width, "height": width, "cell_km": 1.0}},
           "strategy": {"name": strategy}, "mission": {"troops": troops}, "seed": seed, "days": days,
           "step_hours": 1.0}
    (folder / ".hydra" / "config.yaml").write_text(yaml.safe_dump(cfg))
    (folder / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump([f"seed={seed}"]))
    pd.DataFrame(events, columns=["type_of_violence", "step", "x", "y", "perpetrator_kind", "best"]).astype(
        {"type_of_violence": "int8", "step": "int64", "x": "int64", "y": "int64", "best": "int64"}
    ).to_parquet(folder / "events.parquet")
    pd.DataFrame(bases, columns=["x", "y", "step", "temporary"]).assign(cell=0).astype(
        {"x": "int64", "y": "int64", "step": "int64", "temporary": bool}).to_parquet(folder / "bases.parquet")
    return folder


EVENTS = [
    (3, 10, 3, 3, "rebel", 4),  # January, cell (0, 0)
    (3, 40 * DAY, 30, 3, "state", 2),  # February, cell (1, 0)
    (3, 41 * DAY, 30, 4, "state", 0),
    (3, 50 * DAY, 60, 60, "mission", 1),  # collateral harm: its own column
    (1, 20 * DAY, 3, 3, "state", 7),  # a clash, not violence against civilians
    (3, 60 * DAY + 5, 74, 74, "rebel", 9),  # 1 March, the last cell
]
BASES = [
    (60, 60, 0, False),  # permanent, cell (2, 2)
    (3, 3, 0, True),  # temporary, cell (0, 0): stays
    (3, 60, 0, True),  # temporary, cell (0, 2): moves on 15 February (day 45) ...
    (60, 3, 45 * DAY, True),  # ... to cell (2, 0)
]


@pytest.fixture
def panel(tmp_path):
    return literature.cell_months([write_run(tmp_path / "run", EVENTS, BASES)])


def at(panel, cx, cy, column):
    return panel[(panel.cx == cx) & (panel.cy == cy)].sort_values("month")[column].tolist()


def test_panel_is_complete_and_sums_to_the_log(panel):
    assert len(panel) == 9 * 3 and not panel.duplicated(["cell", "month"]).any()
    assert at(panel, 0, 0, "days") == [31, 29, 1]
    assert panel[["rebel_events", "rebel_deaths"]].sum().tolist() == [2, 13]
    assert panel[["state_events", "state_deaths"]].sum().tolist() == [2, 2]  # the clash is left out
    assert panel[["mission_events", "mission_deaths"]].sum().tolist() == [1, 1]
    assert at(panel, 0, 0, "rebel_events") == [1, 0, 0]
    assert at(panel, 1, 0, "state_events") == [0, 2, 0]
    assert at(panel, 2, 2, "rebel_deaths") == [0, 0, 9]
    assert (panel[["rebel_events", "state_events"]].sum(axis=1) == 0).sum() == 27 - 3  # zeros are rows


def test_presence_in_the_cell_and_around_it(panel):
    assert at(panel, 2, 2, "base") == [1, 1, 1]  # permanent
    assert at(panel, 0, 0, "base") == [1, 1, 1]  # temporary, never moved
    assert at(panel, 0, 2, "base") == [1, 0, 0]  # left after 14 of February's 29 days
    assert at(panel, 0, 2, "base_share") == pytest.approx([1, 14 / 29, 0])
    assert at(panel, 2, 0, "base") == [0, 1, 1]  # arrived for the other 15
    assert at(panel, 1, 1, "base") == [0, 0, 0]
    for corner in [(0, 0), (2, 0), (0, 2), (2, 2)]:  # no base in any cell touching a corner
        assert at(panel, *corner, "ring_base") == [0, 0, 0]
    assert at(panel, 1, 1, "ring_base") == [1, 1, 1]
    assert at(panel, 1, 2, "ring_share") == pytest.approx([1, 1, 1])  # (0, 2) then (2, 2): always one
    assert set(panel["strategy"]) == {"static_deterrence"} and set(panel["troops"]) == {600}


def synthetic(rng, rebel=-0.7, state=0.0, ring=0.0, runs=12, cells=16, months=6):
    """A cell-month panel with place, run and month effects and known presence effects (log rate)."""
    rows = pd.MultiIndex.from_product([range(runs), range(cells), range(months)], names=["r", "cell", "month"])
    p = rows.to_frame(index=False)
    p["seed"] = p["r"] % 2
    p["run"] = "run" + p["r"].astype(str)
    p["place"] = p["seed"].astype(str) + ":" + p["cell"].astype(str)
    p["days"] = 30.0
    p["base"] = (rng.random(len(p)) < 0.3).astype(int)
    p["ring_base"] = (rng.random(len(p)) < 0.4).astype(int)
    log_rate = (rng.normal(0, 0.5, 2 * cells)[p["seed"] * cells + p["cell"]] + rng.normal(0, 0.3, runs)[p["r"]]
                + rng.normal(0, 0.2, months)[p["month"]] + np.log(0.1))  # per day
    for actor, effect in (("rebel", rebel), ("state", state)):
        mean = np.exp(log_rate + effect * p["base"] + ring * p["ring_base"]) * p["days"]
        p[f"{actor}_events"] = rng.poisson(mean)
        p[f"{actor}_deaths"] = p[f"{actor}_events"] * 2
    return p


def row(table, outcome, term):
    return table[(table.outcome == outcome) & (table.term == term)].iloc[0]


def test_fjelde_recovers_a_rebel_reduction_and_a_state_null():
    table = literature.fjelde(synthetic(np.random.default_rng(1), rebel=-0.7, state=0.4))
    rebel, state = row(table, "rebel events", "base"), row(table, "state events", "base")
    assert rebel.ci_low < -0.7 < rebel.ci_high and rebel.verdict == "agrees"
    assert state.ci_low < 0.4 < state.ci_high and state.ci_low > -0.7  # the state column, not the rebel one
    assert state.verdict == "agrees"  # no reduction
    contrast = row(table, "rebel vs state events", "base:state")
    assert contrast.ci_low < 1.1 < contrast.ci_high and contrast.verdict == "agrees"


def test_a_null_effect_is_not_resolved_and_a_state_reduction_disagrees():
    table = literature.fjelde(synthetic(np.random.default_rng(2), rebel=0.0, state=-0.7))
    assert row(table, "rebel events", "base").verdict == "not resolved"
    assert row(table, "state events", "base").verdict == "disagrees"
    assert row(table, "rebel vs state events", "base:state").verdict == "disagrees"


def test_peitz_recovers_displacement_to_the_ring():
    table = literature.peitz(synthetic(np.random.default_rng(3), rebel=-0.6, state=-0.6, ring=0.5))
    base, ring = row(table, "one-sided events", "base"), row(table, "one-sided events", "ring_base")
    assert base.ci_low < -0.6 < base.ci_high and base.verdict == "agrees"
    assert ring.ci_low < 0.5 < ring.ci_high and ring.verdict == "agrees"


def run_months(rng, slope, curve, runs=40, months=6):
    """One cell per run-month: what `hultman` sums over; deaths negative binomial around a known curve."""
    p = pd.MultiIndex.from_product([range(runs), range(months)], names=["r", "month"]).to_frame(index=False)
    p["run"], p["seed"], p["days"], p["cell"] = "run" + p["r"].astype(str), p["r"] % 4, 30.0, 0
    p["troops"] = (p["r"] // 4 % 5) * 1000
    p["mission"] = p["r"] % 10 != 9  # strategy none: no troops deployed, whatever mission.troops says
    k = p["troops"] * p["mission"] / 1000
    mean = np.exp(np.log(40) + slope * k + curve * k**2)
    p["rebel_deaths"] = rng.negative_binomial(2, 2 / (2 + mean))  # dispersion 1/2
    p["state_deaths"] = 0
    return p


def test_hultman_recovers_diminishing_returns():
    table = literature.hultman(run_months(np.random.default_rng(4), slope=-0.8, curve=0.1))
    slope, curve = row(table, table.outcome.iloc[0], "troops_k"), row(table, table.outcome.iloc[0], "troops_k2")
    assert slope.ci_low < -0.8 < slope.ci_high and slope.verdict == "agrees"
    assert curve.ci_low < 0.1 < curve.ci_high
    flat = literature.hultman(run_months(np.random.default_rng(5), slope=0.0, curve=0.0))
    assert flat[flat.term == "troops_k"].verdict.item() == "not resolved"


@pytest.mark.parametrize("make, says", [
    (lambda p: p / "nowhere", "not a folder"),
    (lambda p: p, "no run folders"),
    (lambda p: (write_run(p / "r", EVENTS, BASES) / "events.parquet").unlink() or p, "no events.parquet"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, make, says):
    assert literature.main([str(make(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err
