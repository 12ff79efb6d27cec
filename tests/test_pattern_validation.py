"""pocsim-validate end to end: a small sweep beside a GED file, its outputs, and bad input."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from pocsim.pattern_validation import PATTERNS, main
from tests.conftest import SMALL, needs_car


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """Three runs of 120 days on the small world, as `pocsim -m` writes them."""
    root = tmp_path_factory.mktemp("validate")
    r = subprocess.run([sys.executable, "-m", "pocsim", "-m", *SMALL, "days=120", "seed=0,1,2",
                        f"hydra.sweep.dir={root / 'sweep'}", "~hydra.callbacks.sweep_report", "quiet=true"],
                       capture_output=True, text=True, cwd=root)
    assert r.returncode == 0, r.stderr
    return root / "sweep"


def write_ged(path):
    """A GED-shaped file: two regions, three years (2015-2017), a state perpetrator, a non-fatal and a
    state-based event."""
    rng = np.random.default_rng(5)
    n = 90
    days = pd.Timestamp("2015-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 3 * 365, n)), unit="D")
    frame = pd.DataFrame({
        "id": range(n), "year": days.year, "type_of_violence": np.where(np.arange(n) % 15 == 0, 1, 3),
        "side_a": np.where(np.arange(n) % 4 == 0, "Government of Central African Republic", "UPC"),
        "side_b": "Civilians", "best": rng.integers(0, 30, n), "low": 0, "high": 40,
        "date_start": days.strftime("%Y-%m-%d"), "latitude": 5.7 + rng.uniform(0, 1, n),
        "longitude": 20.7 + rng.uniform(0, 1, n), "adm_1": np.where(np.arange(n) % 3 == 0, "Ouham province",
                                                                       "Ouaka province")})
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def ged(tmp_path_factory):
    return write_ged(tmp_path_factory.mktemp("ged") / "ged.csv")


def test_writes_the_table_figures_and_rows(sweep, ged, tmp_path, capsys):
    out = tmp_path / "v"
    main([str(sweep), "--ged", str(ged), "--region", "ouaka", "--out", str(out)])
    printed = capsys.readouterr().out
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["validation.md", "patterns.csv", *(f"validation_{f}.{e}" for f in
                            ("patterns", "deaths_per_event", "interevent") for e in ("png", "svg"))])
    text = (out / "validation.md").read_text()
    for label, _ in PATTERNS.values():
        assert label in text and label in printed
    rows = pd.read_csv(out / "patterns.csv")
    assert (rows["source"] == "simulated").sum() == 3
    real = rows[rows["source"] == "real"]
    assert sorted(real["year"]) == [2015, 2016, 2017]
    # the real rows hold only Ouaka's fatal one-sided events
    g = pd.read_csv(ged)
    kept = g[(g["adm_1"] == "Ouaka province") & (g["type_of_violence"] == 3) & (g["best"] >= 1)]
    assert real["n_events"].sum() == len(kept)
    assert real["deaths"].sum() == kept["best"].sum()
    # events per million with the preset's census population
    per_year = kept.groupby("year").size()
    assert np.allclose(real.sort_values("year")["events_per_million_year"],
                       per_year.to_numpy() / 0.27671 / (np.array([365, 366, 365]) / 365.25))


def test_simulated_rows_are_each_run_alone(sweep, ged, tmp_path):
    """A sweep's row for a run equals validating that run folder by itself."""
    main([str(sweep), "--ged", str(ged), "--out", str(tmp_path / "all")])
    runs = sorted(p.parent.parent for p in sweep.glob("*/.hydra/overrides.yaml"))
    main([str(runs[1]), "--ged", str(ged), "--out", str(tmp_path / "one")])
    every = pd.read_csv(tmp_path / "all" / "patterns.csv").query("source == 'simulated'").set_index("run")
    one = pd.read_csv(tmp_path / "one" / "patterns.csv").query("source == 'simulated'").set_index("run")
    pd.testing.assert_frame_equal(every.loc[one.index], one)


@pytest.mark.parametrize("args, key", [
    (["--ged", "{missing}"], "--ged"),
    (["--adm1", "Atlantis province"], "--adm1"),
    (["--years", "twenty"], "--years"),
    (["--years", "1990-1991"], "--years"),
    (["--bbox", "1,2,3"], "--bbox"),
    (["--population", "-4"], "--population"),
    (["--where", "strategy"], "--where"),
    (["--where", "strategy=modular"], "--where"),
])
def test_bad_input_is_one_line_and_writes_nothing(sweep, ged, tmp_path, args, key):
    args = [a.format(missing=tmp_path / "nope.csv") for a in args]
    out = tmp_path / "v"
    r = subprocess.run([sys.executable, "-m", "pocsim.pattern_validation", str(sweep), *(
        [] if "--ged" in args else ["--ged", str(ged)]), *args, "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pocsim-validate: error: ") and key in lines[0], r.stderr
    assert not out.exists() or not any(out.iterdir())


def test_a_folder_without_runs_is_named(ged, tmp_path):
    r = subprocess.run([sys.executable, "-m", "pocsim.pattern_validation", str(tmp_path), "--ged", str(ged)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and str(tmp_path) in r.stderr and "no run folder" in r.stderr
    assert not any(tmp_path.iterdir())


@needs_car
def test_ouaka_record(sweep, tmp_path):
    """The real side for Ouaka 2013-2022 from GED 23.1: the counts that follow from the data alone."""
    main([str(sweep), "--region", "ouaka", "--out", str(tmp_path)])
    real = pd.read_csv(tmp_path / "patterns.csv").query("source == 'real'")
    assert real["n_events"].sum() == 160
    assert real["year"].between(2013, 2022).all()


def test_verdicts():
    """matches: each spread takes in the other's centre; near: one does, or the runs' median lies in
    the range of real years; misses: neither."""
    from pocsim.pattern_validation import side_by_side

    real = pd.DataFrame({key: [1.0, 2.0, 3.0, 4.0, 5.0] for key in PATTERNS})
    log = pd.DataFrame({"deaths": [1, 2, 3]})
    cases = {"matches": [2.8, 3.0, 3.2], "near": [4.6, 4.7, 4.8], "misses": [9.0, 9.5, 10.0]}
    for verdict, values in cases.items():
        sim = pd.DataFrame({key: values for key in PATTERNS})
        table = side_by_side(real, sim, log, log, {key: 3.0 for key in PATTERNS})
        assert set(table["verdict"]) == {verdict}, verdict
    # a narrow simulated spread that misses the real median, its own median typical of real years: near
    table = side_by_side(real, pd.DataFrame({key: [2.1, 2.1, 2.1] for key in PATTERNS}), log, log,
                         {key: 3.0 for key in PATTERNS})
    assert set(table["verdict"]) == {"near"}


@pytest.fixture(scope="module")
def two_arms(tmp_path_factory):
    root = tmp_path_factory.mktemp("arms")
    r = subprocess.run([sys.executable, "-m", "pocsim", "-m", *SMALL, "days=60", "seed=0,1", "strategy=none,unarmed",
                        f"hydra.sweep.dir={root / 'sweep'}", "~hydra.callbacks.sweep_report", "quiet=true"],
                       capture_output=True, text=True, cwd=root)
    assert r.returncode == 0, r.stderr
    return root / "sweep"


def test_a_sweep_of_several_arms_is_validated_one_arm_at_a_time(two_arms, ged, tmp_path):
    r = subprocess.run([sys.executable, "-m", "pocsim.pattern_validation", str(two_arms), "--ged", str(ged)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "differ in strategy" in r.stderr and "--where" in r.stderr
    main([str(two_arms), "--ged", str(ged), "--where", "strategy=none", "--out", str(tmp_path / "none")])
    rows = pd.read_csv(tmp_path / "none" / "patterns.csv").query("source == 'simulated'")
    assert len(rows) == 2 and rows["run"].str.contains("strategy=none").all()
    assert "strategy=none" in (tmp_path / "none" / "validation.md").read_text()
    main([str(two_arms), "--ged", str(ged), "--pool", "--out", str(tmp_path / "all")])
    assert (pd.read_csv(tmp_path / "all" / "patterns.csv")["source"] == "simulated").sum() == 4
