"""A sweep's run folders are named by their overrides, shortened with a hash when too long for a
file name (pocsim/run_name.py)."""

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from pocsim.run_name import NAME_MAX, run_name

from tests.conftest import SMALL
from tests.test_sweeps import pocsim


def test_a_name_that_fits_is_kept():
    assert run_name("seed=0,strategy=none") == "seed=0,strategy=none"
    assert run_name("") == ""
    fits = "x=" + "a" * (NAME_MAX - 2)
    assert run_name(fits) == fits


@given(st.lists(st.from_regex(r"[a-z.]{1,40}=[0-9a-zé]{1,30}", fullmatch=True), min_size=1, max_size=30))
def test_a_long_name_fits_keeps_whole_overrides_and_is_its_own(items):
    name = ",".join(items)
    short = run_name(name)
    assert len(short.encode()) <= NAME_MAX
    assert run_name(name) == short  # the same overrides, the same folder (resume finds it)
    if len(name.encode()) > NAME_MAX:
        kept, tail = short.rsplit(",~", 1)
        assert len(tail) == 16
        assert name.startswith(kept) and (kept == "" or name[len(kept)] == ",")  # whole overrides
        assert run_name(name + ",seed=1") != short  # other overrides, another folder


def test_one_override_longer_than_a_name():
    short = run_name("k=" + "é" * 300)
    assert len(short.encode()) <= NAME_MAX and short.startswith("k=éé")


def test_a_sweep_with_many_overrides_runs_and_resumes(tmp_path):
    many = [f"scenario.violence.{key}" for key in ("lethality=0.07", "raid_interval_hours=96.0", "escape_rate=0.5",
                                                   "search_hours=2.0", "opportunism=0.3", "clash_range_km=2.0")]
    args = ["-m", "seed=0,1", "days=2", *SMALL, *many, "hydra.sweep.dir=sw"]
    run = pocsim(*args, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    folders = sorted(p.name for p in (tmp_path / "sw").iterdir() if p.is_dir() and p.name != "figures")
    assert len(folders) == 2 and all("~" in f for f in folders)
    assert len(pd.read_parquet(tmp_path / "sw" / "results.parquet")) == 2
    stamps = {f: (tmp_path / "sw" / f / "summary.json").stat().st_mtime_ns for f in folders}
    again = pocsim(*args, "resume=true", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    # resume found both runs under their shortened names and ran neither again
    assert {f: (tmp_path / "sw" / f / "summary.json").stat().st_mtime_ns for f in folders} == stamps
