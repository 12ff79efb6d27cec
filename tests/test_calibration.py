"""The ABC calibration (pocsim/calibration.py, pocsim-calibrate) at a tiny size: its statistics are
pocsim-validate's patterns, its priors the parameter table's ranges, its study resumes where it
stopped, and its exported posterior is what runs apply (pocsim/posterior.py)."""

import math
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from pocsim import calibration, patterns
from pocsim.config import ConfigError
from tests.conftest import SMALL, needs_car

PARAMETERS = ["scenario.violence.raid_interval_hours", "scenario.groups.FPL.aggression"]


def tiny_study(**kw) -> calibration.Study:
    return calibration.Study(name="tiny", overrides=[*SMALL, "days=20"], region="ouaka", years=(2013, 2022),
                             parameters=PARAMETERS, log_scale=["scenario.violence.raid_interval_hours"], **kw)


def test_statistics_fill_what_too_few_events_leave_undefined():
    empty = patterns.patterns(pd.DataFrame(columns=["day", "x_km", "y_km", "deaths", "state"]), 0.0, 365.0, 1e5)
    s = calibration.statistics(empty, 1e5, 1.0)
    assert s["log10_events_per_million_year"] == pytest.approx(math.log10(0.5 / 0.1))  # half an event
    assert s["burstiness"] == 0.0 and s["log10_knox_ratio"] == 0.0 and s["log10_weekly_var_mean"] == 0.0
    assert all(math.isfinite(v) for v in s.values())


def test_statistics_are_the_patterns_transformed():
    rng = np.random.default_rng(1)
    n = 80
    log = pd.DataFrame({"day": np.sort(rng.uniform(0, 365, n)), "x_km": rng.uniform(0, 50, n),
                        "y_km": rng.uniform(0, 50, n), "deaths": rng.zipf(2.2, n), "state": rng.random(n) < 0.2})
    p = patterns.patterns(log, 0.0, 365.0, 2e5)
    s = calibration.statistics(p, 2e5, 365 / 365.25)
    assert s["log10_events_per_million_year"] == pytest.approx(math.log10(p["events_per_million_year"]))
    assert s["log10_deaths_mean"] == pytest.approx(math.log10(log["deaths"].mean()))
    assert s["state_event_share"] == pytest.approx(log["state"].mean())
    assert s["burstiness"] == pytest.approx(patterns.burstiness(log["day"]))


@needs_car
def test_observed_statistics_are_ouakas_record():
    """160 fatal one-sided events in Ouaka 2013-2022 (GED 23.1), 276,710 people: 57.8 a million a year."""
    s = calibration.observed(calibration.Study.load("experiments/ouaka_calibration/study.yaml"))
    assert 10 ** s["log10_events_per_million_year"] == pytest.approx(160 / 0.27671 / 10, rel=1e-3)
    assert s["deaths_median"] == 4.0
    assert 0.0 < s["state_event_share"] < 0.1


def test_priors_are_the_parameter_tables_ranges():
    study = tiny_study()
    ranges = calibration.prior_ranges(calibration.compose(study), study)
    assert ranges == {"scenario.violence.raid_interval_hours": (24.0, 336.0),
                      "scenario.groups.FPL.aggression": (0.0, 1.0)}


def test_the_logit_scale_keeps_the_priors_uniform_on_each_range():
    """ABC moves on the logit of a parameter's place in its range: the standard logistic prior there
    is the uniform (or log-uniform) prior on the range, and every value maps back inside it."""
    from scipy import stats

    scale = calibration.Scale({"a": (24.0, 336.0), "b": (0.0, 1.0)}, log_scale=["a"])
    y = stats.logistic.rvs(size=4000, random_state=0)
    a, b = scale.to_value("a", y), scale.to_value("b", y)
    assert stats.kstest(np.log(a), stats.uniform(np.log(24), np.log(336 / 24)).cdf).pvalue > 0.01
    assert stats.kstest(b, stats.uniform(0, 1).cdf).pvalue > 0.01
    assert scale.to_value("a", np.array([-800.0, 800.0])) == pytest.approx([24.0, 336.0])
    assert scale.to_value("a", scale.to_logit("a", 96.0)) == pytest.approx(96.0)


@pytest.mark.parametrize("key, log, match", [
    ("scenario.name", [], "not a parameter with a range"),
    ("scenario.violence.no_such_key", [], "not a parameter with a range"),
    ("scenario.groups.FPL.aggression", ["scenario.groups.FPL.aggression"], "log-uniform prior needs low > 0"),
])
def test_a_study_names_only_parameters_with_ranges(key, log, match):
    study = tiny_study()
    study.parameters, study.log_scale = [key], log
    with pytest.raises(ConfigError, match=match):
        calibration.prior_ranges(calibration.compose(study), study)


def test_a_tiny_study_runs_resumes_and_exports(tmp_path):
    pytest.importorskip("pyabc")
    from pocsim import posterior

    study, db = tiny_study(), tmp_path / "abc.db"
    target = {name: 0.0 for name in calibration.STATISTICS} | {"log10_events_per_million_year": 2.0}
    history, scale = calibration.run(study, db, population_size=4, generations=2, launcher="serial", target=target)
    assert history.max_t == 1
    first = history.get_distribution(t=0)[0].sort_index()
    # resumes, on the pool of local processes
    history, scale = calibration.run(study, db, population_size=4, generations=3, launcher="joblib", workers=2)
    assert history.max_t == 2
    pd.testing.assert_frame_equal(history.get_distribution(t=0)[0].sort_index(), first)  # kept, not redone

    gens = calibration.generation_summary(history)
    assert list(gens["t"]) == [0, 1, 2] and gens["ess"].between(1, 4).all()
    assert gens["ess"].iloc[0] == pytest.approx(4.0)  # generation 0: the prior's own draws, equal weights
    table = calibration.export(history, scale, tmp_path / "posterior.csv")
    assert list(table.columns) == [*PARAMETERS, "weight"] and len(table) == 4
    assert table["weight"].sum() == pytest.approx(1.0)
    assert table[PARAMETERS[0]].between(24, 336).all() and table[PARAMETERS[1]].between(0, 1).all()

    mean = posterior.mean(posterior.load(str(tmp_path / "posterior.csv")))
    assert mean[PARAMETERS[0]] == pytest.approx(float((table[PARAMETERS[0]] * table["weight"]).sum()), rel=1e-5)


def test_the_cli_reports_bad_input_in_one_line(tmp_path):
    for args, key in ((["nope.yaml", "--db", str(tmp_path / "x.db")], "study: nope.yaml"),
                      (["experiments/ouaka_calibration/study.yaml", "--db", "x.db", "--population", "1"],
                       "--population"),
                      (["experiments/ouaka_calibration/study.yaml", "--db", str(tmp_path / "none.db"),
                        "--generations", "0"], "--db"),
                      (["experiments/ouaka_calibration/study.yaml", "--db", str(tmp_path / "r.db"),
                        "--launcher", "ray"], "RAY_ADDRESS")):
        env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
        out = subprocess.run([sys.executable, "-m", "pocsim.calibrate_cli", *args], capture_output=True, text=True,
                             env=env)
        assert out.returncode == 2, out.stderr
        assert out.stderr.count("\n") == 1 and key in out.stderr and "Traceback" not in out.stderr


def test_ctrl_c_keeps_the_finished_generations_and_says_so_in_one_line(tmp_path):
    pytest.importorskip("pyabc")
    import yaml

    from tests.test_cli import _interrupt
    from tests.test_pattern_validation import write_ged

    study = tiny_study()
    file = tmp_path / "study.yaml"
    file.write_text(yaml.safe_dump({"name": study.name, "overrides": study.overrides, "region": study.region,
                                    "years": [2015, 2017], "parameters": study.parameters,
                                    "log_scale": study.log_scale, "ged": str(write_ged(tmp_path / "ged.csv"))}))
    db, created = tmp_path / "abc.db", []

    def simulating():  # a second after pyabc made its database: the workers are running simulations
        if db.exists() and not created:
            created.append(time.time())
        return bool(created) and time.time() - created[0] > 1.0

    code, out, err = _interrupt([sys.executable, "-m", "pocsim.calibrate_cli", str(file), "--db", str(db),
                                 "--population", "4", "--generations", "50", "--workers", "2"], tmp_path,
                                after=simulating)
    assert code == 130, err
    lines = [line for line in err.splitlines() if not line.startswith("ABC")]  # pyabc's progress lines
    assert lines == ["pocsim-calibrate: interrupted; the generations finished are kept in --db (the same "
                     "command goes on from there)"], err
    assert "Traceback" not in out + err


def test_the_predictive_check_sets_the_record_beside_the_runs(tmp_path, monkeypatch):
    sweep = tmp_path / "sweep"
    subprocess.run([sys.executable, "-m", "pocsim", "-m", "seed=0,1,2", "days=60", "quiet=true", *SMALL,
                    f"hydra.sweep.dir={sweep}"], check=True, capture_output=True)
    from pocsim.pattern_validation import simulated_runs

    _, runs = simulated_runs([sweep])
    own = [calibration.statistics(r, r["population"], r["days"] / 365.25)
           for r in runs.to_dict("records")]
    middle = {name: float(np.median([s[name] for s in own])) for name in calibration.STATISTICS}
    far = middle | {"log10_events_per_million_year": 9.0}
    monkeypatch.setattr(calibration, "observed", lambda study: far)
    table = calibration.predictive_check(tiny_study(), [sweep]).set_index("statistic")
    assert table.attrs["runs"] == 3
    assert table.loc["deaths_median", "within"] and not table.loc["log10_events_per_million_year", "within"]
    assert table.loc["log10_events_per_million_year", "share_below"] == 1.0
    assert table.loc["log10_events_per_million_year", "runs_median"] == pytest.approx(
        middle["log10_events_per_million_year"])
