"""Global sensitivity analysis (pocsim/sensitivity.py, the sensitivity sweeper) at tiny sizes. The
analysis path is checked on functions with known indices, fed through the same results table a
sweep gathers, so an index computed from the wrong outcome, arm or point fails."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from pocsim import sensitivity
from pocsim.config import ConfigError
from pocsim.sensitivity import Factor
from tests.conftest import SMALL, make_config

pytest.importorskip("SALib")

FACTORS = [Factor(f"x{i}", f"x{i}", 0.0, 1.0, False) for i in range(3)]


def results_of(points: np.ndarray, seeds=(0, 1)) -> pd.DataFrame:
    """A sweep's gathered results for known functions: the baseline's deaths 10 x0 + x1 (x2 has no
    effect), its exposure x2 alone, and 'modular' adding 5 x2 deaths (its effect depends on x2 only).
    Rows shuffled: indices must follow the point numbers, not the row order."""
    rows = []
    for i, (x0, x1, x2) in enumerate(points):
        for seed in seeds:
            base = {"point": i, "seed": seed, "status": "ok", "civilian_deaths": 10 * x0 + x1,
                    "people_exposed_hours": x2}
            rows += [base | {"strategy": "none"},
                     base | {"strategy": "modular", "civilian_deaths": base["civilian_deaths"] + 5 * x2}]
    return pd.DataFrame(rows).sample(frac=1.0, random_state=1)


def test_morris_ranks_a_known_function():
    points = sensitivity.morris_points(FACTORS, trajectories=10, levels=4, seed=0)
    table = sensitivity.outcomes(results_of(points))
    deaths = sensitivity.morris_indices(FACTORS, points, table["civilian_deaths"], seed=0)
    assert list(deaths.index) == ["x0", "x1", "x2"]
    assert deaths.loc["x0", "mu_star"] == pytest.approx(10, rel=1e-6) and deaths.loc["x2", "mu_star"] == 0
    effect = sensitivity.morris_indices(FACTORS, points, table["modular - none: civilian_deaths"], seed=0)
    assert sensitivity.deciding(effect, "mu_star", "mu_star_conf") == ["x2"]  # the paired difference, not the level


def test_sobol_indices_of_a_known_function():
    points = sensitivity.sobol_points(FACTORS, n=256, seed=0)
    table = sensitivity.outcomes(results_of(points, seeds=(0,)))
    st = sensitivity.sobol_indices(FACTORS, table["civilian_deaths"], seed=0)["ST"]
    assert st["x0"] == pytest.approx(100 / 101, abs=0.05) and st["x1"] == pytest.approx(1 / 101, abs=0.02)
    assert abs(st["x2"]) < 0.01
    exposure = sensitivity.sobol_indices(FACTORS, table["people_exposed_hours"], seed=0)
    assert sensitivity.deciding(exposure, "ST", "ST_conf") == ["x2"]


def test_grouped_indices_are_a_sections():
    """Group screening: x0 and x1 form section a, x2 section b. A trajectory takes sections + 1
    points, and the indices are the sections', computed from the same outcomes as above."""
    grouped = [Factor("a.x0", "x0", 0.0, 1.0, False), Factor("a.x1", "x1", 0.0, 1.0, False),
               Factor("b.x2", "x2", 0.0, 1.0, False)]
    points = sensitivity.morris_points(grouped, trajectories=10, levels=4, seed=0, grouped=True)
    assert points.shape == (10 * (2 + 1), 3)
    table = sensitivity.outcomes(results_of(points))
    deaths = sensitivity.morris_indices(grouped, points, table["civilian_deaths"], seed=0, grouped=True)
    assert list(deaths.index) == ["a", "b"]
    assert 9 <= deaths.loc["a", "mu_star"] <= 11 and deaths.loc["b", "mu_star"] == 0  # 10 x0 + x1, moved together
    effect = sensitivity.morris_indices(grouped, points, table["modular - none: civilian_deaths"], seed=0, grouped=True)
    assert sensitivity.deciding(effect, "mu_star", "mu_star_conf") == ["b"]
    points = sensitivity.sobol_points(grouped, n=256, seed=0, grouped=True)
    assert len(points) == 256 * (2 + 2)
    table = sensitivity.outcomes(results_of(points, seeds=(0,)))
    st = sensitivity.sobol_indices(grouped, table["civilian_deaths"], seed=0, grouped=True)["ST"]
    assert st["a"] == pytest.approx(1, abs=0.05) and abs(st["b"]) < 0.01
    exposure = sensitivity.sobol_indices(grouped, table["people_exposed_hours"], seed=0, grouped=True)
    assert sensitivity.deciding(exposure, "ST", "ST_conf") == ["b"]


def test_a_strategys_effect_is_paired_by_point_and_seed():
    df = pd.DataFrame({"point": [0, 0, 0, 0], "seed": [0, 1, 0, 1], "strategy": ["none", "none", "modular", "modular"],
                       "civilian_deaths": [10.0, 100.0, 12.0, 90.0], "people_exposed_hours": [1.0, 1.0, 1.0, 1.0]})
    table = sensitivity.outcomes(df)
    assert table.loc[0, "civilian_deaths"] == 55.0
    assert table.loc[0, "modular - none: civilian_deaths"] == pytest.approx((2 - 10) / 2)


def test_a_point_whose_runs_all_failed_is_named_with_their_error():
    """A sample can leave what a config allows (shares summing above 1): the analysis must say
    so, not only that points are missing."""
    points = sensitivity.morris_points(FACTORS, trajectories=2, levels=4, seed=0)
    df = results_of(points)
    broken = (df.point == 3) & (df.strategy == "modular")
    error = "strategy.tools: the shares of mission.troops must add up to at most 1"
    df.loc[broken, ["status", "error"]] = ["failed", error]
    df.loc[broken, "civilian_deaths"] = np.nan
    with pytest.raises(ConfigError, match=r"1 of 8 points have no paired result \(points \[3\]\); 2 of their runs "
                                          r"failed, 2 of them with: strategy.tools: the shares"):
        sensitivity.outcomes(df)


def test_factors_come_from_the_parameter_table():
    cfg = make_config("strategy=modular")
    fs = {f.key: f for f in sensitivity.factors(cfg, ["scenario.violence", "scenario.groups", "mission"],
                                                ["mission.reports"])}
    assert fs["scenario.violence.lethality"].low == 0.02 and fs["scenario.violence.lethality"].high == 0.2
    assert fs["scenario.groups.FPL.aggression"].override == "scenario.groups.0.aggression"
    assert fs["mission.troops"].integer and not fs["scenario.violence.lethality"].integer
    assert not any(k.startswith(("mission.reports", "scenario.terrain", "strategy.")) for k in fs)
    assert sensitivity.overrides([fs["mission.troops"]], np.array([1234.6])) == ["mission.troops=1235"]
    # a tool's share of the mission is the strategy's allocation: only when named in full
    tools = {f.key for f in sensitivity.factors(cfg, ["strategy.tools.mediation"], [])}
    assert "strategy.tools.mediation.success" in tools and "strategy.tools.mediation.staff_share" not in tools
    named = sensitivity.factors(cfg, ["strategy.tools.mediation.staff_share"], [])
    assert [f.key for f in named] == ["strategy.tools.mediation.staff_share"]


def sweep(tmp_path, *extra):
    return subprocess.run(
        [sys.executable, "-m", "pocsim", "-m", "+experiment=sensitivity", "strategy=none,modular", "hydra.launcher.n_jobs=1",
         "hydra.sweeper.include=[scenario.threat]", "hydra.sweeper.trajectories=2", "hydra.sweeper.sobol_n=2",
         "hydra.sweeper.top=2", "hydra.sweeper.seeds=1", "days=2", "quiet=true", *SMALL,
         f"hydra.sweep.dir={tmp_path / 'sens'}", *extra], capture_output=True, text=True)


def test_a_tiny_analysis_runs_through_hydra_and_resumes(tmp_path):
    out = sweep(tmp_path)
    assert out.returncode == 0, out.stderr
    d = tmp_path / "sens"
    for name in ("sensitivity.md", "morris.csv", "sobol.csv", "morris.png", "sobol.png"):
        assert (d / name).is_file(), name
    k = len(pd.read_csv(d / "morris.csv").query("outcome == 'civilian_deaths'"))
    summaries = sorted(d.glob("*/p*/*/summary.json"))
    assert len(summaries) == 2 * (k + 1) * 2 + 2 * (2 + 2) * 2  # (Morris + Sobol points) x arms x seeds
    assert len(pd.read_csv(d / "sobol.csv").query("outcome == 'civilian_deaths'")) == 2  # the top two
    text = (d / "sensitivity.md").read_text()
    assert "modular - none: civilian_deaths" in text and "Sobol" in text
    stamps = {p: p.stat().st_mtime_ns for p in summaries}
    morris = (d / "morris.csv").read_text()
    again = sweep(tmp_path)  # resume=true in the experiment: nothing runs again, the same analysis
    assert again.returncode == 0, again.stderr
    assert {p: p.stat().st_mtime_ns for p in sorted(d.glob("*/p*/*/summary.json"))} == stamps
    assert (d / "morris.csv").read_text() == morris
    # a larger analysis in the same folder leaves runs with a second seed; the first analysis,
    # run again, reads only its own runs
    assert sweep(tmp_path, "hydra.sweeper.seeds=2").returncode == 0
    assert (d / "morris.csv").read_text() != morris
    assert sweep(tmp_path).returncode == 0
    assert (d / "morris.csv").read_text() == morris


def test_a_grouped_screening_runs_through_hydra(tmp_path):
    out = sweep(tmp_path, "hydra.sweeper.include=[scenario.threat,scenario.encounters]", "hydra.sweeper.groups=true",
                "hydra.sweeper.method=morris")
    assert out.returncode == 0, out.stderr
    d = tmp_path / "sens"
    morris = pd.read_csv(d / "morris.csv")
    assert set(morris["parameter"]) == {"scenario.threat", "scenario.encounters"}
    assert len(sorted(d.glob("morris/p*/*/summary.json"))) == 2 * (2 + 1) * 2  # arms x (sections + 1) x trajectories
    assert (d / "morris.png").is_file() and not (d / "sobol.csv").exists()
    assert "Grouped" in (d / "sensitivity.md").read_text()


@pytest.mark.parametrize("extra, key", [
    (["hydra.sweeper.method=nope"], "hydra.sweeper.method"),
    (["hydra.sweeper.sobol_n=3"], "hydra.sweeper.sobol_n"),
    (["hydra.sweeper.include=[scenario.nothing]"], "hydra.sweeper.include"),
    (["seed=1,2"], "seed"),
])
def test_bad_settings_give_one_line(tmp_path, extra, key):
    out = sweep(tmp_path, *extra)
    assert out.returncode == 2 and key in out.stderr and "Traceback" not in out.stderr
    assert not list((tmp_path / "sens").glob("*/p*"))
