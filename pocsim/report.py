"""A sweep's report: results.parquet, comparison.csv, figures and report.md in the sweep folder.

Run at the end of every multirun (pocsim.callbacks) and as `pocsim-report SWEEP_DIR` on a sweep
run elsewhere. Time series are read one run at a time and summed, never all held at once.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from pocsim import report_text as text
from pocsim.atomic import write_atomically
from pocsim.arguments import OneLineParser
from pocsim.config import ConfigError
from pocsim.results import comparison, contrast, gather
from pocsim.sweep_figures import draw


def report(sweep_dir: str | Path, figures: bool = True) -> str:
    """Write the sweep's report files and return what to print: the opening, the plain sentences
    and the wide table (the long table is in comparison.csv)."""
    sweep_dir = Path(sweep_dir)
    results = gather(sweep_dir)
    ok = results[results.status == "ok"]
    lines = [f"sweep {sweep_dir}: {len(ok)} of {len(results)} runs finished"]
    failed = results[results.status != "ok"]
    for _, r in failed.head(5).iterrows():
        lines.append(f"  {r.status}: {r.run_dir}: {r.error}")
    if len(ok) == 0:
        return "\n".join(lines)
    state = text.sequential_state(sweep_dir)
    by, baseline = (state["rule"]["by"], state["rule"]["baseline"]) if state else contrast(results)
    rule = text.rule_for(results, by, baseline, state)
    comp = comparison(results, by=by, baseline=baseline, confidence=rule.confidence)
    comp.to_csv(sweep_dir / "comparison.csv", index=False)
    config = text.sweep_config(sweep_dir)
    opening = text.what_was_run(config, results, state, rule)
    sentences = text.plain_sentences(results, rule, state)
    wide = text.wide_table(comp, by, baseline)
    made: list[Path] = []
    if figures:
        made = draw(sweep_dir, results, comp, by, baseline)
    write_markdown(sweep_dir, text.trainer_note(config, results, by), opening, sentences, wide, made, rule)
    lines += ["", *opening, "", *sentences, "", text.plain(wide, PRINTED),
              "", f"every metric: comparison.csv; figures and report.md in {sweep_dir}"]
    return "\n".join(lines)


# report.md marks its summary so that `pocsim-report SWEEP --into README.md` can copy it
START, END = "<!-- comparison:start -->", "<!-- comparison:end -->"

# the wide table's columns printed at the end of a sweep (report.md has them all)
PRINTED = ["worlds", "deaths", "deaths vs baseline", "worlds with fewer deaths", "exposed-hours vs baseline",
           "patrols", "team visits"]


def write_markdown(sweep_dir: Path, note: list[str], opening: list[str], sentences: list[str], wide: pd.DataFrame,
                   figures: list[Path], rule) -> None:
    level = f"{100 * rule.confidence:g}%"
    out = [f"# {sweep_dir.name}: {rule.by} compared with {rule.baseline}", "", *note, START, *opening, "",
           *[f"- {s}" for s in sentences], "",
           f"Means over worlds; \"vs baseline\": the mean paired change with its {level} interval, and in "
           "percent of the baseline's mean. Every metric with every statistic is in "
           "`comparison.csv`.", "", text.markdown(wide), END, "", text.HOW_TO_READ, ""]
    out += [f"![{p.stem}]({p.relative_to(sweep_dir)})" for p in figures if p.suffix == ".png"]
    write_atomically(sweep_dir / "report.md", "\n".join(out) + "\n")


def main(argv: list[str] | None = None) -> None:
    ap = OneLineParser(prog="pocsim-report", description="Gather a pocsim sweep folder into "
                                 "results.parquet, a comparison table, figures and report.md.")
    ap.add_argument("sweep_dir")
    ap.add_argument("--no-figures", action="store_true")
    ap.add_argument("--into", metavar="FILE.md", help=f"also copy the summary into FILE.md, between its "
                    f"lines {START} and {END} (how the README's strategy table is made)")
    args = ap.parse_args(argv)
    try:
        print(report(args.sweep_dir, figures=not args.no_figures))
        if args.into:
            copy_summary(Path(args.sweep_dir) / "report.md", Path(args.into))
    except ConfigError as exc:
        print(f"pocsim-report: error: {exc}", file=sys.stderr)
        sys.exit(2)


def copy_summary(report_md: Path, target: Path) -> None:
    """Replace what lies between the markers in target with the marked summary of report_md."""
    source = report_md.read_text()
    summary = source[source.index(START): source.index(END) + len(END)]
    if not target.exists():
        raise ConfigError(f"--into: {target} does not exist")
    old = target.read_text()
    if START not in old or END not in old:
        raise ConfigError(f"--into: {target} has no {START} ... {END} lines to replace")
    new = old[: old.index(START)] + summary + old[old.index(END) + len(END):]
    write_atomically(target, new)
