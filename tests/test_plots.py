"""Every figure function on a few real small runs: PNG and SVG written, and the SVG byte-identical
when drawn twice (figures can be regenerated and diffed)."""

import json

import pandas as pd
import pytest

from pocsim import maps, plots
from pocsim.results import comparison
from pocsim.run import simulate, write_run
from pocsim.sweep_figures import cumulative
from tests.conftest import make_config

STRATEGIES = ("none", "modular")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two strategies x two seeds x two troop levels, 20 days each in the small world, and the table
    pocsim.results.gather makes of them (swept values first, under their command-line names)."""
    sweep = tmp_path_factory.mktemp("sweep")
    rows = []
    for strategy in STRATEGIES:
        for seed in (0, 1):
            for troops in (300, 1200):
                name = f"mission.troops={troops},seed={seed},strategy={strategy}"
                model, summary = simulate(make_config(f"strategy={strategy}", f"seed={seed}", "days=20",
                                                      f"mission.troops={troops}"))
                write_run(sweep / name, model, summary)
                rows.append({"mission.troops": troops, "seed": seed, "strategy": strategy, "run_dir": name,
                             "status": "ok", "error": "", **summary})
    return sweep, pd.DataFrame(rows)


def draw_all(runs, out):
    sweep, results = runs
    first = sweep / results["run_dir"].iloc[-1]
    series = {s: pd.concat(pd.read_parquet(sweep / d / "timeseries.parquet")
                           for d in results.loc[results["strategy"] == s, "run_dir"]) for s in STRATEGIES}
    return {
        "strategy_comparison": plots.strategy_comparison(comparison(results), out),
        "output_vs_outcome": plots.output_vs_outcome(results, out),
        "harm_map": maps.harm_map(first, out),
        "harm_map_no_mission": maps.harm_map(sweep / results["run_dir"].iloc[0], out, name="harm_map_none"),
        "daily_harm": plots.daily_harm(series, out),
        "paired_changes": plots.paired_changes(results, out),
        "cumulative_deaths": plots.cumulative_deaths(cumulative(sweep, results, "strategy"), out),
        "harm_maps": maps.harm_maps([(s, sweep / d) for s, d in results.loc[results.seed == 0].groupby("strategy")
                                      .run_dir.first().items()], out, title="seed 0"),
        "dose_response": plots.dose_response(results, out),
        "deaths_per_event": plots.deaths_per_event(
            {"simulated": pd.concat(pd.read_parquet(sweep / d / "events.parquet") for d in results["run_dir"])["best"],
             "made up": [0, 1, 1, 2, 3, 5, 12, 40], "empty": []}, out),
    }


def test_every_figure_writes_png_and_svg(runs, tmp_path):
    for name, paths in draw_all(runs, tmp_path).items():
        assert [p.suffix for p in paths] == [".png", ".svg"], name
        assert all(p.is_file() and p.stat().st_size > 1000 for p in paths), name
        assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_figures_are_deterministic(runs, tmp_path):
    first, second = draw_all(runs, tmp_path / "a"), draw_all(runs, tmp_path / "b")
    for name in first:
        assert first[name][1].read_bytes() == second[name][1].read_bytes(), name
        assert first[name][0].read_bytes() == second[name][0].read_bytes(), name


def test_failed_runs_are_left_out(runs, tmp_path):
    _, results = runs
    failed = results.iloc[:1].assign(status="failed", civilian_deaths=float("nan"), patrols=float("nan"))
    paths = plots.output_vs_outcome(pd.concat([results, failed]), tmp_path)
    assert paths[1].read_bytes() == plots.output_vs_outcome(results, tmp_path / "b")[1].read_bytes()


def test_unknown_metric_is_named(runs, tmp_path):
    with pytest.raises(ValueError, match="no_such_metric"):
        plots.strategy_comparison(comparison(runs[1]), tmp_path, metrics=("no_such_metric",))


def test_harm_map_title_names_the_run(runs, tmp_path):
    sweep, results = runs
    svg = maps.harm_map(sweep / results["run_dir"].iloc[-1], tmp_path)[1].read_text()
    summary = json.loads((sweep / results["run_dir"].iloc[-1] / "summary.json").read_text())
    assert f"seed {summary['seed']}" in svg


def test_groups_other_than_strategies(runs, tmp_path):
    """A sweep over troop levels: numbers as groups, in numeric order, the lowest as baseline."""
    _, results = runs
    table = comparison(results[results["strategy"] == "modular"], by="mission.troops", baseline=300)
    paths = plots.strategy_comparison(table, tmp_path, by="mission.troops", baseline=300)
    assert "Outcomes by troops deployed" in paths[1].read_text()
    assert plots.ordered(["modular", 1200, 300, "none"]) == ["none", "modular", 300, 1200]


def test_parameters_are_named_in_words():
    assert plots.name_of("strategy.tools.reaction_force.enabled") == "Reaction force enabled"
    assert plots.name_of("strategy.tools.observers.troop_share") == "Observers troop share"
    assert plots.name_of("+patrolling") == "Patrolling"
    assert plots.value_label("strategy.tools.reaction_force.enabled", True) == "Reaction force enabled: True"
    assert plots.value_label("mission.authorisation_hours", 6) == "Authorisation delay: 6 hours"
    assert plots.value_label("strategy", "none") == "no mission"


def test_troop_levels_split_the_arms(runs, tmp_path):
    """Strategies at two troop levels: one cumulative panel per troop level, and the paired
    differences taken within a troop level (each arm against no mission at the same troops)."""
    sweep, results = runs
    panels = cumulative(sweep, results, "strategy")
    assert list(panels) == ["Troops deployed: 300", "Troops deployed: 1200"]
    pairs = plots.paired_differences(results, "strategy", "none", ["civilian_deaths"])
    assert len(pairs) == 4 and set(pairs.strategy) == {"modular"}
    row = pairs[(pairs.seed == 1) & (pairs["mission.troops"] == 1200)].iloc[0]
    at = results.set_index(["strategy", "seed", "mission.troops"]).civilian_deaths
    assert row.civilian_deaths == at["modular", 1, 1200] - at["none", 1, 1200]
