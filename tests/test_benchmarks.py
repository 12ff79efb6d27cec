"""The benchmarks still run: a smoke test of their --quick mode (tiny sizes, one repeat)."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def table_rows(out: str) -> dict[str, list[str]]:
    """The markdown table's body rows, by their first cell."""
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and not set(line) <= set("|-") and cells[0] != "model":
            rows[cells[0]] = cells
    return rows


def rate(cell: str) -> float:
    return float(re.sub(r"[,\s]", "", cell))


def test_mesa_epstein_quick_reports_both_models_with_positive_rates():
    r = subprocess.run([sys.executable, "benchmarks/mesa_epstein.py", "--quick"], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "mesa " in r.stdout and "numba " in r.stdout  # the machine line
    header = next(line for line in r.stdout.splitlines() if line.startswith("| model"))
    columns = [c.strip() for c in header.strip().strip("|").split("|")]
    rows = table_rows(r.stdout)
    assert set(rows) == {"Mesa Epstein civil violence", "pocsim, strategy none", "pocsim, strategy modular"}
    for name, cells in rows.items():
        assert len(cells) == len(columns), name
        for col in ("steps/s", "agent-steps/s"):
            assert rate(cells[columns.index(col)]) > 0, (name, col)
    assert rate(rows["pocsim, strategy modular"][columns.index("(agents + villages)-steps/s")]) > 0
