"""The model's outputs equal the stored baseline (tests/baseline/): optimisations must not change
what a seed produces. A deliberate change of behaviour rewrites the baseline with
`python tests/baseline/regression.py --write` and says why in its commit."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).with_name("baseline")))
import regression  # noqa: E402

STORED = json.loads(regression.BASELINE.read_text())


@pytest.mark.parametrize("name, overrides", regression.RUNS, ids=[n for n, _ in regression.RUNS])
def test_outputs_equal_the_stored_baseline(name, overrides):
    diff = regression.differences({name: STORED[name]}, {name: regression.outputs(overrides)})
    assert not diff, "outputs moved (rewrite tests/baseline/outputs.json only if deliberate):\n" + "\n".join(diff)


def test_the_baseline_covers_every_run():
    assert set(STORED) == {n for n, _ in regression.RUNS}


def test_a_changed_output_is_reported():
    changed = json.loads(json.dumps(STORED))
    changed["none"]["digests"]["events"] = "0" * 16
    assert regression.differences(STORED, changed) == [f"none.digests.events: {STORED['none']['digests']['events']!r} -> '{'0' * 16}'"]
