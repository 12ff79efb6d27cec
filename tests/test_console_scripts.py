"""Every console script meets bad input with one line naming what is wrong, exit status 2, no
usage block and no traceback (pocsim's own command line is tested in test_cli.py, the app's in
test_app.py)."""

import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
BAD = [
    (["pocsim-report", "/nonexistent"], "pocsim-report: error: /nonexistent: not a folder"),
    (["pocsim-report", "--bogus", "x"], "pocsim-report: error: unrecognized arguments: --bogus"),
    (["pocsim-validate", ".", "--region", "nowhere"], "pocsim-validate: error: argument --region: invalid choice"),
    (["pocsim-validate", ".", "--years", "2020-2010"], "pocsim-validate: error: --years: must be YEAR or FIRST-LAST"),
    (["pocsim-params", "--format", "xml"], "pocsim-params: error: argument --format: invalid choice"),
    (["pocsim-params", "days=-3"], "pocsim-params: error: days: must be from 1"),
    (["pocsim-calibrate", "/nonexistent.yaml"], "pocsim-calibrate: error: study: /nonexistent.yaml does not exist"),
    (["pocsim-calibrate", "x.yaml", "--population", "many"], "pocsim-calibrate: error: argument --population"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line(tmp_path, args, message):
    r = subprocess.run([str(BIN / args[0]), *args[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2
    assert r.stderr.strip().startswith(message) and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr
