"""What keeps a long sweep's memory flat: a finished model is freed (pocsim.mesa_compat), a job
hands back a small record, not its configs (pocsim.callbacks.LeanReturns), and gathering keeps
columns, not a dict per run, with the same table as before (pocsim.results.Columns)."""

import gc
import weakref

import pandas as pd
from conftest import make_config
from hydra.core.utils import JobReturn, JobStatus
from hydra.types import RunMode
from omegaconf import OmegaConf

from pocsim.callbacks import LeanReturns, run_subdir
from pocsim.results import Columns, override_value
from pocsim.run import simulate


def test_a_finished_model_is_freed():
    model, _ = simulate(make_config("days=1"))
    ids = sorted(a.unique_id for a in model.agents)
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None  # Mesa 3.3 alone kept it (and every model before it) for good
    again, _ = simulate(make_config("days=1"))
    assert sorted(a.unique_id for a in again.agents) == ids  # numbered from 1 in each model, as before


def job_config(mode):
    return OmegaConf.create({"hydra": {"mode": mode, "sweep": {"dir": "/s", "subdir": "seed=3"},
                                       "runtime": {"output_dir": "/s/seed=3"}}})


def test_a_sweep_job_hands_back_a_small_record():
    full = JobReturn(overrides=["seed=3"], cfg=OmegaConf.create({"a": 1}), hydra_cfg=job_config(RunMode.MULTIRUN),
                     status=JobStatus.COMPLETED, _return_value={"civilian_deaths": 2})
    assert run_subdir(full) == "seed=3"
    LeanReturns().on_job_end(config=job_config(RunMode.MULTIRUN), job_return=full)
    assert full.cfg is None and full.return_value is None and full.overrides == ["seed=3"]
    assert run_subdir(full) == "seed=3" and full.hydra_cfg["hydra"]["runtime"]["output_dir"] == "/s/seed=3"
    failed = JobReturn(status=JobStatus.FAILED, _return_value=ValueError("boom"))
    LeanReturns().on_job_end(config=job_config(RunMode.MULTIRUN), job_return=failed)
    assert isinstance(failed._return_value, ValueError)  # the sweeper still raises it
    single = JobReturn(cfg=OmegaConf.create({"a": 1}), status=JobStatus.COMPLETED, _return_value={"x": 1})
    LeanReturns().on_job_end(config=job_config(RunMode.RUN), job_return=single)
    assert single.cfg is not None and single.return_value == {"x": 1}  # a single run keeps everything


def test_columns_make_the_table_a_list_of_dicts_makes():
    rows = [{"seed": 0, "run_dir": "a", "status": "ok", "deaths": 3, "name": "x"},
            {"seed": 1, "run_dir": "b", "status": "failed", "error": "boom"},
            {"seed": 2, "run_dir": "c", "status": "ok", "deaths": 4.5, "name": "y", "flag": True},
            {"run_dir": "d", "status": "missing", "error": "no result", "x": [1, 2]}]
    table = Columns()
    for row in rows:
        table.append(row)
    pd.testing.assert_frame_equal(table.frame(), pd.DataFrame(rows), check_exact=True)


def test_override_values_are_typed_as_yaml_types_them():
    cases = {"3": 3, "-0": 0, "007": 7, "0.5": 0.5, "true": True, "null": None, "none": "none",
             "a,b": "a,b", "[1,2]": [1, 2], "[1": "[1", "1e3": "1e3"}
    for text, value in cases.items():
        assert override_value(text) == value and type(override_value(text)) is type(value), text
    first = override_value("[1,2]")
    first.append(3)
    assert override_value("[1,2]") == [1, 2]  # a list is never shared between rows
