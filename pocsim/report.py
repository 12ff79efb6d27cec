"""A sweep's report: results.parquet, the comparison table, figures and report.md in the sweep folder.

Run at the end of every multirun (pocsim.callbacks) and as `pocsim-report SWEEP_DIR` on a sweep
run elsewhere. Time series are read one run at a time and summed, never all held at once.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from pocsim.config import ConfigError
from pocsim.results import arm_labels, comparison, contrast, format_comparison, gather, swept
from pocsim.sweep_figures import draw

def report(sweep_dir: str | Path, figures: bool = True) -> str:
    sweep_dir = Path(sweep_dir)
    results = gather(sweep_dir)
    ok = results[results.status == "ok"]
    lines = [f"sweep {sweep_dir}: {len(ok)} of {len(results)} runs finished"]
    failed = results[results.status != "ok"]
    for _, r in failed.head(5).iterrows():
        lines.append(f"  {r.status}: {r.run_dir}: {r.error}")
    if len(ok) == 0:
        return "\n".join(lines)
    by, baseline = contrast(results)
    comp = comparison(results, by=by, baseline=baseline)
    comp.to_csv(sweep_dir / "comparison.csv", index=False)
    lines += ["", format_comparison(comp, by, baseline)]
    made: list[Path] = []
    if figures:
        made = draw(sweep_dir, results, comp.assign(strategy=arm_labels(comp, by)), by)
        lines += ["", f"figures and report.md in {sweep_dir}"]
    write_markdown(sweep_dir, results, comp, made, by, baseline)
    return "\n".join(lines)


def write_markdown(sweep_dir: Path, results: pd.DataFrame, comp: pd.DataFrame, figures: list[Path], by: str,
                   baseline) -> None:
    ok = results[results.status == "ok"]
    text = [f"# Sweep report: {sweep_dir.name}", "",
            f"{len(ok)} of {len(results)} runs finished; parameters swept: {', '.join(swept(results)) or 'none'}.",
            "Means over runs with 95% bootstrap intervals; differences are paired on every other swept "
            "parameter (same seed, same world).", "", "```", format_comparison(comp, by, baseline), "```", ""]
    text += [f"![{p.stem}]({p.relative_to(sweep_dir)})" for p in figures if p.suffix == ".png"]
    (sweep_dir / "report.md").write_text("\n".join(text) + "\n")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="pocsim-report", description="Gather a pocsim sweep folder into "
                                 "results.parquet, a comparison table, figures and report.md.")
    ap.add_argument("sweep_dir")
    ap.add_argument("--no-figures", action="store_true")
    args = ap.parse_args(argv)
    try:
        print(report(args.sweep_dir, figures=not args.no_figures))
    except ConfigError as exc:
        print(f"pocsim-report: error: {exc}", file=sys.stderr)
        sys.exit(2)
