"""The sequential comparison: its stopping rule on worlds whose truth is known, and the sweeper
end to end (stops by its rule, records why, resumes, refuses what makes no sense)."""

import json

import numpy as np
import pandas as pd
import pytest

from pocsim.sequential import EQUIVALENT, FEWER, MORE, OPEN, StoppingRule, sentence, settled, verdicts
from tests.conftest import SMALL
from tests.test_sweeps import pocsim


def worlds(effects: dict, n: int, base=500.0, spread=100.0, noise=None, seed=0) -> pd.DataFrame:
    """A results table as `gather` makes it: per seed a baseline world, and each arm that world
    shifted by its true effect plus noise of its own (`noise`, default none)."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(n):
        world = base + rng.normal(0, spread)
        rows.append({"strategy": "none", "seed": s, "run_dir": f"none{s}", "status": "ok", "civilian_deaths": world})
        for arm, effect in effects.items():
            jitter = rng.normal(0, noise[arm]) if noise else 0.0
            rows.append({"strategy": arm, "seed": s, "run_dir": f"{arm}{s}", "status": "ok",
                         "civilian_deaths": world + effect + jitter})
    return pd.DataFrame(rows)


def test_the_rule_judges_each_arm_by_its_paired_interval():
    rule = StoppingRule(batch_seeds=10, max_seeds=40)
    table = verdicts(worlds({"good": -100, "bad": +100, "same": 0, "noisy": -20}, n=20,
                            noise={"good": 20, "bad": 20, "same": 5, "noisy": 300}), rule).set_index("strategy")
    assert table.loc["good", "verdict"] == FEWER and table.loc["bad", "verdict"] == MORE
    assert table.loc["same", "verdict"] == EQUIVALENT  # within +-10% of 500 whatever it truly is
    assert table.loc["noisy", "verdict"] == OPEN and table.loc["noisy", "seeds_needed"] > 20
    assert not settled(table) and settled(table.drop("noisy"))
    # pairing is what makes this possible: the worlds' spread (100) is larger than every effect's noise
    assert table.loc["good", "diff_high"] < 0


def test_intervals_are_shared_over_the_planned_looks():
    assert StoppingRule(batch_seeds=10, max_seeds=40).looks == 4
    assert StoppingRule(batch_seeds=10, max_seeds=40).confidence == pytest.approx(0.9875)
    assert StoppingRule(batch_seeds=10, max_seeds=10).confidence == pytest.approx(0.95)
    rule = StoppingRule(batch_seeds=4, max_seeds=10, first_seed=3)
    assert [rule.seeds(b) for b in range(4)] == [[3, 4, 5, 6], [7, 8, 9, 10], [11, 12], []]


def test_optional_stopping_rarely_resolves_an_arm_that_does_nothing():
    """Looking after every batch must not make 'resolved' cheap: over many null worlds the share
    of sweeps that ever call a do-nothing arm resolved stays near alpha."""
    rule = StoppingRule(batch_seeds=5, max_seeds=20)
    false = 0
    for rep in range(60):
        data = worlds({"null": 0}, n=20, noise={"null": 100}, seed=rep)
        for b in range(rule.looks):
            seeds = sum((rule.seeds(i) for i in range(b + 1)), [])
            if verdicts(data[data.seed.isin(seeds)], rule).verdict.iloc[0] in (FEWER, MORE):
                false += 1
                break
    assert false / 60 <= 0.15  # alpha 0.05 with Bonferroni; a percentile bootstrap at n=5 runs a little hot


def test_the_sentence_says_what_a_planner_needs():
    rule = StoppingRule(max_seeds=20, batch_seeds=20)
    table = verdicts(worlds({"static_deterrence": -100, "modular": 0}, n=20,
                            noise={"static_deterrence": 20, "modular": 400}), rule).set_index("strategy", drop=False)
    good = sentence(table.loc["static_deterrence"], rule)
    assert good.startswith("static_deterrence: 20% fewer civilian deaths than no mission [95% CI")
    assert "of 20 worlds: resolved." in good
    open_ = sentence(table.loc["modular"], rule, "; the seed budget is spent")
    assert open_.startswith("modular: not resolved after 20 seeds") and "seeds would settle it" in open_


TINY = [*SMALL, "days=3", "hydra.launcher.n_jobs=2", "hydra.sweeper.batch_seeds=2", "hydra.sweeper.max_seeds=4"]


@pytest.fixture(scope="module")
def sequential(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("sequential")
    r = pocsim("+experiment=compare_strategies", "strategy=none,unarmed,static_deterrence",
               *TINY, "hydra.sweep.dir=sw", cwd=cwd)
    assert r.returncode == 0, r.stderr
    return cwd, r


def test_the_sweep_stops_by_its_rule_and_says_why(sequential):
    cwd, r = sequential
    state = json.loads((cwd / "sw" / "sequential.json").read_text())
    seeds = [s for b in state["batches"] for s in b["seeds"]]
    last = state["batches"][-1]["verdicts"]
    # it stops when every arm is settled, or at the budget with some arm open; never before
    if state["stopped"] == "settled":
        assert all(v["verdict"] != OPEN for v in last)
    else:
        assert state["stopped"] == "max_seeds" and seeds == [0, 1, 2, 3]
        assert any(v["verdict"] == OPEN for v in last)
    for early in state["batches"][:-1]:
        assert any(v["verdict"] == OPEN for v in early["verdicts"])
    results = pd.read_parquet(cwd / "sw" / "results.parquet")
    assert len(results) == 3 * len(seeds) and sorted(results.seed.unique()) == seeds
    assert "sequential sweep: batch 1, seeds 0-1 (2 worlds x 3 arms)" in r.stderr  # progress per batch
    assert "unarmed" in r.stderr and "%" in r.stderr


def test_the_report_opens_with_what_was_run_and_a_sentence_per_strategy(sequential):
    cwd, r = sequential
    text = (cwd / "sw" / "report.md").read_text()
    head = text.split("| strategy |")[0]
    assert "Scenario `default`, 3 days" in head and "Stopping rule: batches of 2 seeds" in head
    assert "1,200 troops" in head and "pocsim 0.1" in head
    assert head.count("\n- unarmed: ") == 1 and head.count("\n- static_deterrence: ") == 1
    table = text.split("| strategy |")[1].splitlines()
    assert table[2].startswith("| none |")  # the baseline first, then the arms
    assert "How to read this" in text
    assert "unarmed: " in r.stdout and "deaths vs baseline" in r.stdout
    long = pd.read_csv(cwd / "sw" / "comparison.csv")
    assert {"diff_hl", "diff_median", "share_lower", "wilcoxon_p"} <= set(long.columns)


def test_resume_continues_without_rerunning_finished_worlds(sequential, tmp_path):
    cwd, _ = sequential
    state = json.loads((cwd / "sw" / "sequential.json").read_text())
    done = [cwd / "sw" / run / "summary.json" for run in state["runs"]]
    stamps = [p.stat().st_mtime_ns for p in done]
    r = pocsim("+experiment=compare_strategies", "strategy=none,unarmed,static_deterrence",
               *TINY, "hydra.sweep.dir=sw", "resume=true", cwd=cwd)
    assert r.returncode == 0, r.stderr
    assert [p.stat().st_mtime_ns for p in done] == stamps
    assert json.loads((cwd / "sw" / "sequential.json").read_text())["runs"] == state["runs"]


BAD = [
    (["seed=0,1"], "seed: the sequential sweeper chooses the seeds itself"),
    (["hydra.sweeper.baseline=nope"], "hydra.sweeper.baseline: nope is not among strategy="),
    (["hydra.sweeper.metric=patrols"], "hydra.sweeper.metric: 'patrols' is not an outcome"),
    (["hydra.sweeper.max_seeds=1"], "hydra.sweeper.max_seeds: must be >= 2"),
    (["strategy=modular"], "hydra.sweeper.by: strategy is not swept"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[b[1].split(":")[0] for b in BAD])
def test_bad_sequential_input_gets_one_line_before_anything_runs(tmp_path, args, message):
    r = pocsim("+experiment=compare_strategies", *args, *SMALL, "hydra.sweep.dir=sw", cwd=tmp_path)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], r.stderr
    assert not list(tmp_path.glob("sw/*/summary.json"))


def test_the_summary_goes_into_a_readme_between_its_markers(sequential, tmp_path):
    cwd, _ = sequential
    readme = tmp_path / "README.md"
    readme.write_text("# x\n<!-- comparison:start -->\nstale\n<!-- comparison:end -->\nafter\n")
    from pocsim.report import main

    main([str(cwd / "sw"), "--no-figures", "--into", str(readme)])
    text = readme.read_text()
    assert "stale" not in text and text.endswith("<!-- comparison:end -->\nafter\n")
    assert "Stopping rule: batches of 2 seeds" in text and "\n| none |" in text


def test_a_baseline_without_harm_is_spoken_of_in_numbers():
    rule = StoppingRule(batch_seeds=4, max_seeds=4)
    table = verdicts(worlds({"arm": 3.0}, n=4, base=0.0, spread=0.0, noise={"arm": 1.0}), rule)
    text = sentence(table.iloc[0], rule)
    assert "against none under the baseline" in text and "nan" not in text and "%" not in text.split("[")[0]
