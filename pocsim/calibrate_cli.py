"""pocsim-calibrate: run or resume an ABC calibration study, and export its posterior.

    pocsim-calibrate experiments/ouaka_calibration/study.yaml --db out/calibration/ouaka.db \\
        --population 200 --generations 6 --workers 2 --export pocsim/posteriors/car_ouaka.csv

The same command goes on from the last generation in --db; --generations is the total wanted.
--generations 0 only reports (and exports) what the database holds.

    pocsim-calibrate experiments/ouaka_calibration/study.yaml --check out/ouaka_posterior [--region ouham]

sets the record's statistics beside their spread over the runs of a sweep (a posterior predictive
check when the runs draw from the posterior, +posterior=true; out of sample with another region).
Bad input: one line, exit 2.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from pocsim.arguments import OneLineParser
from pocsim.config import ConfigError


def report(history, scale, study) -> str:
    from pocsim.calibration import generation_summary, posterior_table, weighted_quantiles
    from pocsim.posterior import mean

    gens = generation_summary(history)
    table = posterior_table(history, scale)
    lines = [f"study {study.name}: {len(gens)} generation(s), {int(gens['samples'].sum())} simulations",
             gens.to_string(index=False, float_format=lambda v: f"{v:.3g}"), "",
             "posterior (last generation): weighted mean [5%, 95%]"]
    means = mean(table)
    for key in study.parameters:
        q = weighted_quantiles(table[key].to_numpy(), table["weight"].to_numpy(), (0.05, 0.95))
        lines.append(f"  {key:55s} {means[key]:10.4g} [{q[0]:.4g}, {q[1]:.4g}]")
    return "\n".join(lines)


def check_report(study, folders) -> str:
    from pocsim.calibration import predictive_check

    table = predictive_check(study, folders)
    lines = [f"{study.region}, {study.years[0]}-{study.years[1]}, against {table.attrs['runs']} runs",
             "", "| statistic | record | runs: median [5%, 95%] | record within | share of runs below |",
             "|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.statistic} | {r.record:.3g} | {r.runs_median:.3g} [{r.runs_5:.3g}, {r.runs_95:.3g}] | "
                     f"{'yes' if r.within else '**no**'} | {r.share_below:.0%} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = OneLineParser(prog="pocsim-calibrate", description=__doc__.split("\n\n")[0])
    ap.add_argument("study", help="the study's YAML file (e.g. experiments/ouaka_calibration/study.yaml)")
    ap.add_argument("--db", help="pyabc's SQLite database: created, or resumed if it exists")
    ap.add_argument("--check", nargs="+", type=Path, metavar="FOLDER",
                    help="instead of calibrating: the record beside the runs below these folders")
    ap.add_argument("--region", help="with --check: another region's record (out of sample), e.g. ouham")
    ap.add_argument("--population", type=int, default=200,
                    help="particles per generation (default 200; with 60, eight parameters' weights collapse)")
    ap.add_argument("--generations", type=int, default=6, help="generations in all, resumed ones included")
    ap.add_argument("--workers", type=int, default=os.cpu_count(), help="processes (joblib launcher)")
    ap.add_argument("--launcher", default="joblib", help="joblib (local processes), ray (RAY_ADDRESS) or serial")
    ap.add_argument("--min-acceptance", type=float, default=0.01, help="stop below this acceptance rate")
    ap.add_argument("--export", type=Path, help="write the last generation's particles and weights here (CSV)")
    args = ap.parse_args(argv)
    try:
        if args.population < 2:
            raise ConfigError(f"--population: must be at least 2, got {args.population}")
        if args.generations < 0:
            raise ConfigError(f"--generations: must be >= 0, got {args.generations}")
        if args.workers is None or args.workers < 1:
            raise ConfigError(f"--workers: must be at least 1, got {args.workers}")
        if not 0 <= args.min_acceptance < 1:
            raise ConfigError(f"--min-acceptance: must be in [0, 1), got {args.min_acceptance}")
        from pocsim.calibration import Study, export, run

        study = Study.load(args.study)
        if args.check:
            if args.region:
                study.region = args.region
            print(check_report(study, args.check))
            return
        if not args.db:
            raise ConfigError("--db: required to calibrate (pyabc's database, created or resumed)")
        if args.generations == 0 and not Path(args.db).exists():
            raise ConfigError(f"--db: {args.db} does not exist (nothing to report)")
        logging.getLogger("ABC").setLevel(logging.INFO)
        history, scale = run(study, Path(args.db), args.population, args.generations, args.workers, args.launcher,
                             args.min_acceptance)
        print(report(history, scale, study))
        if args.export is not None:
            export(history, scale, args.export)
            print(f"posterior written to {args.export}")
    except ConfigError as exc:
        if os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        print(f"pocsim-calibrate: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        if os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        print("pocsim-calibrate: interrupted; the generations finished are kept in --db (the same command "
              "goes on from there)", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
