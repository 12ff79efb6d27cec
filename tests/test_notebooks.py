"""Every notebook in notebooks/ runs from top to bottom without an error, in the small world
(POCSIM_NB_SMALL=1) and from a scratch folder, as a reader would run it."""

import importlib.util
from pathlib import Path

import nbclient
import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def missing_requirement(notebook: Path) -> str | None:
    """Why a notebook cannot run here, or None."""
    if notebook.stem.startswith("02") and importlib.util.find_spec("pocsim.results") is None:
        return "pocsim.results (gather, comparison) does not exist yet; notebook 02 needs it"
    return None


def execute(notebook: Path, tmp_path, monkeypatch):
    """Run a notebook as a reader would; returns it with its outputs."""
    # The kernel inherits this environment: small world, and the notebook's own tiny sweep.
    monkeypatch.setenv("POCSIM_NB_SMALL", "1")
    monkeypatch.delenv("POCSIM_SWEEP_DIR", raising=False)
    monkeypatch.delenv("POCSIM_NB_DAYS", raising=False)
    nb = nbformat.read(notebook, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, with the failing cell and its traceback
    return nb


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(notebook, tmp_path, monkeypatch):
    reason = missing_requirement(notebook)
    if reason:
        pytest.skip(reason)
    execute(notebook, tmp_path, monkeypatch)


def test_ucdp_notebook_without_the_data_says_how_to_get_it(tmp_path, monkeypatch):
    """Without a GED file notebook 03 runs no simulation (so this costs seconds): it prints where to
    download the data and where to put it, and skips the comparison."""
    monkeypatch.setenv("POCSIM_UCDP_CSV", str(tmp_path / "no-ged-here.csv"))
    notebook = next(p for p in NOTEBOOKS if p.stem.startswith("03"))
    nb = execute(notebook, tmp_path, monkeypatch)
    printed = "".join(out.get("text", "") for cell in nb.cells for out in cell.get("outputs", []))
    for needed in ("https://ucdp.uu.se/downloads/", "version 23.1", "Central African Republic",
                   "ucdp_ged_23_1_central_african_republic.csv", "POCSIM_UCDP_CSV", "skipped"):
        assert needed in printed
    assert not any(out.get("output_type") in ("display_data", "execute_result")
                   for cell in nb.cells for out in cell.get("outputs", []))


def test_jupyter_runs_a_notebook_from_the_shell_as_the_readme_says(tmp_path):
    """The [notebooks] extra gives `jupyter nbconvert --execute` (and `jupyter lab`); notebook 03
    without a GED file is the quickest to run."""
    import os
    import subprocess
    import sys

    notebook = next(p for p in NOTEBOOKS if p.stem.startswith("03"))
    jupyter = Path(sys.executable).parent / "jupyter"
    env = {**os.environ, "POCSIM_NB_SMALL": "1", "POCSIM_UCDP_CSV": str(tmp_path / "none.csv")}
    r = subprocess.run([str(jupyter), "nbconvert", "--to", "notebook", "--execute", str(notebook),
                        "--output-dir", str(tmp_path)], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / notebook.name).exists()
    r = subprocess.run([str(jupyter), "lab", "--version"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip().startswith("4."), r.stderr
