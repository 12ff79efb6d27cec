"""Every assumption a named parameter: each config field says what it is, is read by the model,
and docs/parameters.md lists them all as `pocsim-params` prints them."""

from __future__ import annotations

import csv
import difflib
import io
import os
import subprocess
import sys
import typing
from dataclasses import MISSING, dataclass, fields, is_dataclass
from pathlib import Path
from typing import List

import pytest

from pocsim import params_cli
from pocsim.config import PocsimConfig
from pocsim.params import info, param, setting, walk
from pocsim.run import simulate
from pocsim.streams import Streams
from pocsim.world.world import build_world
from tests.conftest import make_config
from tests.test_terrain_io import write_files

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs/parameters.md"
DOC_ARGS = ["--all-strategies", "--output", "docs/parameters.md"]
SCENARIOS = sorted(p.stem for p in (ROOT / "configs/scenario").glob("*.yaml") if p.stem != "__init__")
STRATEGIES = sorted(p.stem for p in (ROOT / "configs/strategy").glob("*.yaml"))

# Fields read outside the model (by the command line, a sweep, the exports, people), with the reason.
READ_OUTSIDE_THE_MODEL = {
    "ScenarioConfig.description": "text for people choosing a scenario",
    "StrategyConfig.description": "text for people choosing a strategy",
    "PocsimConfig.quiet": "pocsim.cli: whether to print the summary",
    "PocsimConfig.resume": "pocsim.cli: a sweep skips the runs already done",
    "PocsimConfig.export": "pocsim.cli: slides of the run, made after it (pocsim/export.py)",
    "ExportConfig.format": "pocsim/export.py, after the run",
    "ExportConfig.frame_days": "pocsim.cli and pocsim/export.py, after the run",
    "ExportConfig.fps": "pocsim/export.py, after the run",
    "PocsimConfig.teaching": "pocsim/report_text.py: a lesson's note for the trainer, in the sweep's report",
    "TeachingNote.title": "pocsim/report_text.py, the sweep's report",
    "TeachingNote.setup": "pocsim/report_text.py, the sweep's report",
    "TeachingNote.point_at": "pocsim/report_text.py, the sweep's report (metrics world by world)",
    "TeachingNote.expect": "pocsim/report_text.py, the sweep's report",
    "TeachingNote.ask": "pocsim/report_text.py, the sweep's report",
    "ScenarioConfig.posterior_sample": "pocsim/posterior.py: which posterior row sets the calibrated values, "
                                       "before the model is built (these runs have no posterior)",
}
# Numbers that control a run rather than describe the world: a setting will do, no unit or range.
RUN_CONTROL = {"PocsimConfig.seed", "PocsimConfig.days", "ExportConfig.frame_days", "ExportConfig.fps",
               "ScenarioConfig.posterior_sample"}


def composed_configs() -> list:
    """Every scenario (with the default strategy) and every strategy (with the default scenario)."""
    return [make_config(f"scenario={s}") for s in SCENARIOS] + [make_config(f"strategy={s}") for s in STRATEGIES]


def config_classes(configs) -> set[type]:
    """Dataclasses reachable from PocsimConfig through field types (Optional, List, ...) and any
    dataclass the composed configs hold."""
    found: set[type] = set()

    def by_type(tp):
        if isinstance(tp, type) and is_dataclass(tp):
            if tp in found:
                return
            found.add(tp)
            hints = typing.get_type_hints(tp)
            for f in fields(tp):
                by_type(hints[f.name])
        for arg in typing.get_args(tp):
            by_type(arg)

    def by_value(value):
        if is_dataclass(value) and not isinstance(value, type):
            by_type(type(value))
            for f in fields(value):
                by_value(getattr(value, f.name))
        elif isinstance(value, (list, tuple)):
            for item in value:
                by_value(item)

    by_type(PocsimConfig)
    for config in configs:
        by_value(config)
    return found


def is_number(tp) -> bool:
    """int or float, also inside Optional[...] or List[...]; bool is a switch, not a number."""
    return tp in (int, float) or any(is_number(arg) for arg in typing.get_args(tp))


def default(f):
    if f.default is not MISSING:
        return f.default
    return f.default_factory() if f.default_factory is not MISSING else None


def label(cls, name: str) -> str:
    return f"{cls.__qualname__}.{name}"


@pytest.fixture(scope="module")
def classes():
    return config_classes(composed_configs())


# --- metadata -----------------------------------------------------------------------------------

def metadata_problems(cls) -> list[str]:
    hints = typing.get_type_hints(cls)
    problems = []
    for f in fields(cls):
        name, i = label(cls, f.name), info(f)
        if isinstance(hints[f.name], type) and is_dataclass(hints[f.name]):
            continue  # a section, never a row of the table: its own fields carry the metadata
        if i is None:
            problems.append(f"{name}: no metadata (use param() or setting() from pocsim/params.py)")
            continue
        if not is_number(hints[f.name]) or name in RUN_CONTROL:
            continue
        if not i.quantity:
            problems.append(f"{name}: a number must be a param() with unit, range and source, not a setting()")
            continue
        if not i.unit.strip():
            problems.append(f"{name}: no unit (use '1' for a dimensionless share)")
        if not i.source.strip():
            problems.append(f"{name}: no source")
        if i.low is None or i.high is None:
            problems.append(f"{name}: no plausible range (low={i.low}, high={i.high})")
            continue
        if not within(default(f), i.low, i.high):
            problems.append(f"{name}: default {default(f)} outside its plausible range [{i.low}, {i.high}]")
    return problems


def within(value, low, high) -> bool:
    """A list element by element, against a bound per element or one bound for all."""
    if isinstance(value, (list, tuple)):
        lows = low if isinstance(low, (list, tuple)) else [low] * len(value)
        highs = high if isinstance(high, (list, tuple)) else [high] * len(value)
        return len(lows) == len(value) == len(highs) and all(map(within, value, lows, highs))
    return value is None or low <= value <= high


def test_the_metadata_check_finds_what_is_missing():
    @dataclass
    class Probe:
        ok: float = param(0.1, unit="1", low=0.0, high=1.0, source="assumption: a probe")
        bare: float = 0.5
        as_setting: int = setting(3, means="a number passed off as a choice")
        outside: float = param(2.0, unit="h", low=0.0, high=1.0, source="assumption: a probe")
        no_unit: float = param(0.1, unit=" ", low=0.0, high=1.0, source="assumption: a probe")
        switch: bool = setting(False, means="a switch needs no unit")
        octaves: List[float] = param(default_factory=lambda: [1.0, 0.5], unit="1", low=[1.0, 0.3], high=[1.0, 0.4],
                                     source="assumption: a probe")

    assert [p.split(":")[0] for p in metadata_problems(Probe)] == [
        f"{Probe.__qualname__}.{n}" for n in ("bare", "as_setting", "outside", "no_unit", "octaves")]


def test_every_config_field_says_what_it_is(classes):
    problems = sorted(p for cls in classes for p in metadata_problems(cls))
    if problems:
        pytest.fail(f"{len(problems)} config fields lack metadata:\n" + "\n".join(problems), pytrace=False)


# --- no dead fields -----------------------------------------------------------------------------

def record_reads(monkeypatch, classes) -> set[tuple[type, str]]:
    """Patch each config class so that reading one of its fields is noted as (class, field)."""
    reads: set[tuple[type, str]] = set()
    for cls in classes:
        names = {f.name for f in fields(cls)}
        original = cls.__getattribute__

        def __getattribute__(self, name, _names=names, _original=original):
            if name in _names:
                reads.add((type(self), name))
            return _original(self, name)

        monkeypatch.setattr(cls, "__getattribute__", __getattribute__)
    return reads


def runs(tmp_path) -> list:
    """Small runs that between them take every path through the config."""
    world = build_world(make_config().scenario, Streams(2))
    npz, csv_file = write_files(tmp_path, world, rows=lambda df: df.drop(columns=["is_town"]))  # towns by size
    overrides = [[f"strategy={s}"] for s in STRATEGIES] + [
        ["scenario=peacekeepers_targeted", "strategy=modular"],  # helicopters, a group that attacks the mission
        # retaliation, campaigns; the rainy season from the first day
        ["+dynamics=conflict", "strategy=none", "scenario.violence.opportunistic_rate=0.05",
         "scenario.group_behaviour.mobilisation.enabled=true",
         "scenario.seasons.rainy_months=[5,6,7,8,9,10]", "scenario.start_date=2024-06-01"],
        # a peace process (DDR); the host state refuses every movement near its forces (patrols
        # try again later); police stand near every attack (arrests, attacks stopped)
        ["scenario=state_perpetrator", "strategy=modular", "mission.freedom_of_movement=0",
         "strategy.tools.formed_police.site_km=50"],
        # small incidents where threat is high, made frequent so a three-week run surely has some
        ["scenario=state_perpetrator", "strategy=static_deterrence", "mission.freedom_of_movement=0",
         "scenario.violence.opportunistic_rate=0.05"],
        ["strategy=modular", "scenario.terrain.source=file", f"scenario.terrain.layers_file={npz}",
         f"scenario.terrain.settlements_file={csv_file}"],
    ]
    # an alert network answered by a reaction force with helicopters (lifts read their speed);
    # 30 days of the alert lesson's district give a couple of lifts
    lift = make_config("+lesson=alert_without_response", "strategy.tools.reaction_force.enabled=true", "days=30")
    # Some fields are read only when something happens (a clash, a return home, a helicopter
    # lift); in this small world three weeks are enough for all of it, at under a second a run.
    return [make_config(*o, "days=20") for o in overrides] + [lift]


def test_every_config_field_is_read_by_the_model(monkeypatch, tmp_path, classes):
    configs = runs(tmp_path)  # composed and validated before recording: only the model's reads count
    reads = record_reads(monkeypatch, classes)
    for cfg in configs:
        simulate(cfg)
    unread = sorted(label(cls, f.name) for cls in classes for f in fields(cls)
                    if (cls, f.name) not in reads and label(cls, f.name) not in READ_OUTSIDE_THE_MODEL)
    if unread:
        pytest.fail(f"{len(unread)} config fields are never read by the model (dead, or not exercised by these "
                    "runs):\n" + "\n".join(unread), pytrace=False)


# --- docs/parameters.md and the command -----------------------------------------------------------

def test_the_parameter_doc_is_current(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the doc names its own command, --output path included
    (tmp_path / "docs").mkdir()
    params_cli.main(DOC_ARGS)
    fresh = (tmp_path / "docs/parameters.md").read_text()
    if fresh != DOC.read_text():
        diff = difflib.unified_diff(DOC.read_text().splitlines(), fresh.splitlines(), "docs/parameters.md",
                                    "regenerated", lineterm="", n=0)
        pytest.fail(f"docs/parameters.md is out of date; regenerate it with `pocsim-params {' '.join(DOC_ARGS)}`:\n"
                    + "\n".join(list(diff)[:40]), pytrace=False)
    assert not list((tmp_path / "docs").glob(".*")), "a temporary file was left beside the output"


def test_the_doc_shows_the_tools_of_every_strategy():
    """A tool that is off by default still has its parameters listed, from a strategy that fields it."""
    keys = {line.split("`")[1] for line in DOC.read_text().splitlines() if line.startswith("| `")}
    for strategy in STRATEGIES:
        cfg = make_config(f"strategy={strategy}")
        missing = sorted(row.key for row in walk(cfg) if row.key not in keys)
        assert not missing, f"strategy={strategy}: {len(missing)} keys missing from docs/parameters.md: {missing[:10]}"


def test_markdown_and_csv(capsys):
    params_cli.main(["scenario=forest_many_groups", "scenario.violence.lethality=0.1"])
    out = capsys.readouterr().out
    assert "## scenario.violence\n" in out and "## run (run control, not model assumptions)\n" in out
    assert "| `scenario.violence.lethality` | 0.1 |" in out
    params_cli.main(["--format", "csv", "days=5"])
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert rows["days"]["value"] == "5" and rows["days"]["section"] == "run"
    assert set(rows["scenario.violence.lethality"]) == {"section", "key", "value", "unit", "low", "high", "source",
                                                        "kind"}


@pytest.mark.parametrize("args,names", [(["scenario.violence.lethalty=0.1"], "lethalty"),
                                        (["scenario.violence.lethality=lots"], "scenario.violence.lethality"),
                                        (["scenario=nowhere"], "scenario"),
                                        (["--format", "pdf"], "--format")])
def test_bad_input_is_one_line_and_status_2(capsys, monkeypatch, args, names):
    monkeypatch.delenv("HYDRA_FULL_ERROR", raising=False)
    with pytest.raises(SystemExit) as exit_:
        params_cli.main(args)
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert err.count("\n") == 1 and err.startswith("pocsim-params: error: ") and names in err


def test_the_console_script(tmp_path):
    script = Path(sys.executable).parent / "pocsim-params"
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    bad = subprocess.run([script, "nosuchkey=1"], capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "nosuchkey" in bad.stderr, bad.stderr
    out = tmp_path / "p.csv"
    good = subprocess.run([script, "--format", "csv", "--output", out], capture_output=True, text=True, env=env)
    assert good.returncode == 0, good.stderr
    assert out.read_text().startswith("section,key,value,unit,low,high,source,kind\n")
