"""The sweep report's figures, read back from two tiny real sweeps (Hydra multirun, 6 days in the
small world): one over strategies, one over a lesson's parameter (`+patrolling`). Every figure is
drawn again with pocsim.plots._save wrapped, so the Figure objects themselves can be inspected."""

import shutil

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection

from pocsim import plots
from pocsim.results import comparison, contrast, gather
from pocsim.sweep_figures import cumulative, draw
from tests.conftest import SMALL
from tests.test_sweeps import pocsim

ONE_FOLDER_PER_JOB = "hydra.sweep.subdir=${hydra.job.num}"  # short run folder names


def tiny_sweep(cwd, *params):
    # seed 1 has deaths within six days (the maps' colour scale needs some)
    r = pocsim("-m", *params, "seed=1,2", "days=6", *SMALL, "hydra.sweep.dir=sw", ONE_FOLDER_PER_JOB, cwd=cwd)
    assert r.returncode == 0, r.stderr[-3000:]
    return cwd / "sw"


@pytest.fixture(scope="module")
def strategies(tmp_path_factory):
    return tiny_sweep(tmp_path_factory.mktemp("strategies"), "strategy=none,unarmed,modular")


@pytest.fixture(scope="module")
def patrolling(tmp_path_factory):
    return tiny_sweep(tmp_path_factory.mktemp("patrolling"), "strategy=static_deterrence", "+patrolling=none,route")


def drawn(sweep, monkeypatch):
    """Draw the sweep's figures again: {name: (Figure, [png, svg])}."""
    results = gather(sweep, write=False)
    by, baseline = contrast(results)
    comp = comparison(results, by=by, baseline=baseline)
    figures, save = {}, plots._save

    def keep(fig, out_dir, name):
        figures[name] = (fig, save(fig, out_dir, name))
        return figures[name][1]

    monkeypatch.setattr(plots, "_save", keep)
    draw(sweep, results, comp, by, baseline)
    return figures, results, by, baseline


def texts(fig) -> list[str]:
    """Every piece of text a reader sees: titles, labels, tick labels, legend entries."""
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()]


def test_the_report_has_the_new_figures(strategies):
    names = {p.name for p in (strategies / "figures").iterdir()}
    for stem in ("strategy_comparison", "paired_outputs_vs_deaths", "cumulative_deaths", "harm_maps"):
        assert {f"{stem}.png", f"{stem}.svg"} <= names, stem
        png = (strategies / "figures" / f"{stem}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and 20_000 < len(png) < 3_000_000, stem
    assert not any(n.startswith(("daily_harm", "map_", "patrols_vs")) for n in names)  # replaced, not doubled
    assert "cumulative_deaths.png" in (strategies / "report.md").read_text()


def test_every_axis_has_data(strategies, patrolling, monkeypatch):
    for sweep in (strategies, patrolling):
        figures, *_ = drawn(sweep, monkeypatch)
        for name, (fig, _) in figures.items():
            panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
            assert panels, name
            for ax in panels:
                assert ax.lines or ax.collections or ax.images or ax.patches, (name, ax.get_title())


def test_maps_share_one_colour_scale_over_the_ground(strategies, monkeypatch):
    figures, results, *_ = drawn(strategies, monkeypatch)
    fig, _ = figures["harm_maps"]
    maps = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert len(maps) == 3  # one panel per arm, no blank panel
    # the ground under each map, then patrol-hours where the arm patrolled
    assert all(ax.images and ax.images[0].get_array().ndim == 3 for ax in maps)
    patrol = {ax.images[1].norm.vmax for ax in maps if len(ax.images) > 1}
    deaths = {c.norm.vmax for ax in maps for c in ax.collections if c.get_array() is not None}
    assert len(patrol) == 1 and len(deaths) == 1
    most = max(pd.read_parquet(strategies / d / "villages.parquet").deaths.max()
               for d in results[results.seed == 1].run_dir)
    assert deaths == {max(most, 2)}  # the worst village in any arm sets the top of the scale
    assert "seed 1" in fig.get_suptitle()


def test_paired_points_are_the_paired_differences(strategies, monkeypatch):
    figures, results, by, baseline = drawn(strategies, monkeypatch)
    fig, _ = figures["paired_outputs_vs_deaths"]
    base = results[results.strategy == "none"].set_index("seed")
    panels = {ax.get_xlabel(): ax for ax in fig.axes}
    for output, label in (("patrols", "Change in patrols per run"), ("jpt_visits", "Change in joint protection "
                                                                                    "team visits per run")):
        ax = panels[label]
        drawn_points = {c.get_label(): sorted(map(tuple, c.get_offsets().tolist()))
                        for c in ax.collections if isinstance(c, PathCollection)}
        for arm in ("unarmed", "modular"):
            runs = results[results.strategy == arm].set_index("seed")
            expected = sorted(zip(runs[output] - base.loc[runs.index, output],
                                  runs.civilian_deaths - base.loc[runs.index, "civilian_deaths"]))
            if (np.array(expected)[:, 0] == 0).all():  # never changed this output: named, not drawn
                assert arm not in drawn_points and arm in ax.get_title(loc="left")
            else:
                assert drawn_points[arm] == [tuple(map(float, p)) for p in expected]
        assert drawn_points["no mission (baseline)"] == [(0.0, 0.0)]
        worlds = [line for line in ax.lines if line.get_color() == "#999999"]
        assert len(worlds) == 2 and all(line.get_xydata()[0].tolist() == [0, 0] for line in worlds)


def test_cumulative_deaths_end_at_each_runs_total(strategies):
    results = gather(strategies, write=False)
    panels = cumulative(strategies, results, "strategy")
    assert list(panels) == [""]
    for arm, runs in panels[""].items():
        assert isinstance(runs, np.ndarray) and runs.shape == (2, 7)  # 2 seeds x day 0 and 6 days
        totals = results[results.strategy == arm].sort_values("run_dir").civilian_deaths
        assert runs[:, -1].tolist() == totals.astype(float).tolist()
        assert (np.diff(runs, axis=1) >= 0).all()


def test_a_lesson_sweep_names_its_parameter(patrolling, monkeypatch):
    figures, results, by, baseline = drawn(patrolling, monkeypatch)
    assert (by, baseline) == ("patrolling", "none")
    for name, (fig, _) in figures.items():
        words = " ".join(texts(fig) + [fig.get_suptitle()])
        assert "strateg" not in words.lower(), name  # the strategy is held fixed: not what is compared
        assert "atrolling" in words, name
    legend = texts(figures["cumulative_deaths"][0])
    assert "Patrolling: route" in legend and "Patrolling: none" in legend
    assert "Outcomes by patrolling" in figures["strategy_comparison"][0].get_suptitle()


def test_same_sweep_same_bytes(patrolling, tmp_path):
    copies = [tmp_path / "a", tmp_path / "b"]
    for copy in copies:
        shutil.copytree(patrolling, copy, ignore=shutil.ignore_patterns("figures"))
        results = gather(copy, write=False)
        comp = comparison(results, by="patrolling", baseline="none")
        draw(copy, results, comp, "patrolling", "none")
    first = sorted(p.name for p in (copies[0] / "figures").iterdir())
    assert first == sorted(p.name for p in (copies[1] / "figures").iterdir()) and len(first) >= 8
    for name in first:
        assert (copies[0] / "figures" / name).read_bytes() == (copies[1] / "figures" / name).read_bytes(), name


def test_no_panel_for_an_output_no_arm_changed(patrolling, tmp_path):
    results = gather(patrolling, write=False)
    same = results.assign(patrols=1, jpt_visits=0, alerts_answered_in_time=0)
    assert plots.paired_changes(same, tmp_path, by="patrolling", baseline="none") == []
    assert plots.cumulative_deaths({"": {}}, tmp_path) == []
