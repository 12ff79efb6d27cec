"""Command line: `pocsim` (and `python -m pocsim`) is a Hydra app.

    pocsim scenario=default seed=3 days=90 hydra.run.dir=out/x

Bad input ends with one line on stderr naming the key or file and what is allowed, exit status 2
and no traceback; set HYDRA_FULL_ERROR=1 for the full one. Nothing is left half-written: a run
folder holds its files only once the run has finished (pocsim.run.write_run).
"""

from __future__ import annotations

import _thread
import functools
import json
import os
import re
import signal
import sys
import threading
import traceback
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from pocsim import posterior, run_folder
from pocsim.atomic import write_atomically
from pocsim.callbacks import interactive
from pocsim.config import ConfigError, PocsimConfig, register_configs
from pocsim.entry import interrupted
from pocsim.run_folder import REFUSAL, clear_unfinished_writes, finished, remove_hydra_files
from pocsim.validate import validate

register_configs()


def to_config(cfg: DictConfig) -> PocsimConfig:
    cfg = posterior.apply(cfg)  # first: it takes away the +posterior=true switch, a key outside the schema
    _reject_unknown_keys(cfg, _schema())
    conf = OmegaConf.to_object(cfg)
    validate(conf)
    return conf


@functools.lru_cache(maxsize=1)
def _schema() -> DictConfig:
    """The typed schema as a config, built once per process (~30 ms; a sweep worker checks every run
    against it). Only read, never changed."""
    return OmegaConf.structured(PocsimConfig)


def _reject_unknown_keys(cfg, schema, prefix: str = "") -> None:
    """`+key=value` can add keys the schema does not know; they would be silently ignored."""
    # (an optional section that is None in the schema, like `export`, was type-checked on merge)
    if isinstance(cfg, DictConfig) and isinstance(schema, DictConfig) and not schema._is_none():
        for key in cfg.keys():
            if key == "hydra":
                continue
            path = f"{prefix}{key}"
            if key not in schema:
                known = ", ".join(str(k) for k in schema.keys())
                raise ConfigError(f"{path}: unknown key (known keys here: {known})")
            _reject_unknown_keys(cfg._get_node(key), schema._get_node(key), path + ".")


# Set by main(): whether the user asked for full tracebacks (HYDRA_FULL_ERROR=1).
_FULL_ERROR = False
_IN_MAIN = False  # set by main(): this process is the one the user started
_CTRL_C_FORWARDED: list = []  # keep_ctrl_c_from_workers has run in this process
_FAILED: list[Exception] = []


@hydra.main(config_path="pkg://pocsim.configs", config_name="config", version_base="1.3")
def app(cfg: DictConfig) -> dict | None:
    from pocsim.run import format_summary, simulate, write_run

    hc = HydraConfig.get()
    run_dir = Path(hc.runtime.output_dir)
    in_sweep = hc.mode == RunMode.MULTIRUN
    if REFUSAL and not in_sweep:  # the folder is another run's (pocsim/run_folder.py): touch nothing
        _FAILED.append(REFUSAL[0])
        return None
    if not _IN_MAIN and threading.current_thread() is threading.main_thread():
        # a launcher's worker process (main() ran elsewhere): Ctrl-C is the sweep's to handle. The
        # fork hook in main() misses workers started without os.fork (loky can spawn by fork_exec)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if in_sweep and cfg.get("resume") and (done := finished(run_dir)) is not None:
        return done  # done in an earlier try (a damaged summary.json is run again)
    clear_unfinished_writes(run_dir)
    try:
        conf = to_config(cfg)
        recorder = None
        written = {}  # export files: what each is -> where it was written, for the printed summary
        if conf.export is not None:
            from pocsim.export import FrameRecorder

            recorder = FrameRecorder(conf.export.frame_days)
        record = (lambda m: recorder.record(m) if m.day % conf.export.frame_days == 0 or m.day == conf.days
                  else None) if recorder else None
        model, summary = simulate(conf, progress=not in_sweep and not conf.quiet and interactive() and conf.days >= 30,
                                  each_day=record)
        extra = None
        if recorder is not None:
            from pocsim.export import export

            extra = lambda folder: written.update(export(folder, model, summary, recorder, conf.export))  # noqa: E731
    except Exception as exc:
        bug = not isinstance(exc, ConfigError)
        if bug:  # not bad input: keep the traceback beside the run's config, for a bug report
            write_traceback(run_dir)
        if in_sweep:
            # One failed run must not sink the sweep: record why, for the results table.
            write_error(run_dir, exc)
            return None
        if _FULL_ERROR:
            raise
        if bug:
            _FAILED.append(InternalError(f"{one_line(exc)} (a bug: the traceback is in {run_dir / TRACEBACK})"))
            return None
        remove_hydra_files(run_dir)
        # Returned, not raised: Hydra would add a line of its own to the one we print.
        _FAILED.append(exc)
        return None
    for earlier in ("error.json", TRACEBACK):  # a rerun that now works
        (run_dir / earlier).unlink(missing_ok=True)
    write_run(run_dir, model, summary, extra)
    if not conf.quiet and not in_sweep:  # a sweep prints its comparison table at the end instead
        print(format_summary(summary))
        for what, path in written.items():  # written in a temporary folder, then moved into the run folder
            print(f"  {what:<20}{run_dir / path.name}")
        print(f"  run folder          {run_dir}")
    return summary


class InternalError(RuntimeError):
    """A run failed on a bug, not on bad input (exit status 1)."""


TRACEBACK = "traceback.txt"


def write_traceback(run_dir: Path) -> None:
    """The exception being handled, in full, into the run folder."""
    run_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(run_dir / TRACEBACK, traceback.format_exc())


def write_error(run_dir: Path, exc: Exception) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(run_dir / "error.json", json.dumps({"error": one_line(exc), "error_type": type(exc).__name__}) + "\n")


def one_line(exc: BaseException) -> str:
    """Hydra and OmegaConf errors span several lines; keep what names the key and what is allowed."""
    text = str(exc).strip()
    cause = exc.__cause__ or exc.__context__
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    head = lines[0] if lines else exc.__class__.__name__
    options = re.search(r"Available options in '([^']+)':\n((?:\s+\S+\n?)+)", text)
    if options:
        names = ", ".join(options.group(2).split())
        return f"{head} (allowed {options.group(1)} options: {names})"
    full_key = re.search(r"full_key:\s*(\S+)", text)
    if full_key and not head.startswith(full_key.group(1)):
        head = f"{full_key.group(1)}: {head}"
    if cause is not None and str(cause).strip() and "full_key" not in text:
        cause_line = one_line(cause)
        if cause_line not in head:
            head = f"{head} ({cause_line})"
    return head.replace("\n", " ")


def _hint(exc: Exception) -> str:
    """What to do about a common mistake, where the message alone does not say."""
    if str(exc).startswith("Ambiguous value for argument"):  # strategy=a,b without -m
        return " (several values make a sweep: add -m, e.g. pocsim -m strategy=modular,none)"
    return ""


def _interrupt_again(unraisable, default=sys.unraisablehook) -> None:
    """A Ctrl-C that lands in a finaliser or a weakref callback is 'ignored' by Python with a
    traceback, and the sweep would go on: deliver it again a moment later, from another thread,
    so that it lands once the callback is over, where it stops the sweep."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        # interrupt_main, not raise_signal: a signal raised from the timer's thread goes to that
        # thread, where it can sit blocked; this runs the SIGINT handler in the main thread itself
        again = threading.Timer(0.1, _thread.interrupt_main, args=(signal.SIGINT,))
        again.daemon = True
        again.start()
    else:
        default(unraisable)


def keep_ctrl_c_from_workers() -> None:
    """Called as a sweep starts (pocsim.callbacks.SweepReport), in the command's own process only.
    Ctrl-C goes to every process of the terminal's group, joblib's workers too. loky starts them
    by fork-and-exec, past os.register_at_fork, and one that gets Ctrl-C before its first task (a
    replacement, say) prints a traceback of its own. So SIGINT is blocked here, before any worker
    exists: threads inherit the block, and processes keep it across exec, so no worker ever sees
    it. One thread of ours waits for it and hands it to the main thread, where it stops the sweep
    as a Ctrl-C always did. (Not at start-up: a single run would import joblib for nothing.)"""
    if (not _IN_MAIN or _CTRL_C_FORWARDED or not hasattr(signal, "pthread_sigmask")
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        return  # (not pocsim's command, done already, not POSIX, or Ctrl-C ignored or handled otherwise)
    _CTRL_C_FORWARDED.append(True)
    # The resource trackers (loky's, multiprocessing's) unblock SIGINT after starting their process:
    # start them first, so that the block below stays
    from multiprocessing import resource_tracker

    from joblib.externals.loky.backend import resource_tracker as loky_tracker

    loky_tracker.ensure_running()
    resource_tracker.ensure_running()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})

    def forward() -> None:
        while True:
            signal.sigwait({signal.SIGINT})
            _thread.interrupt_main(signal.SIGINT)

    threading.Thread(target=forward, name="pocsim Ctrl-C", daemon=True).start()


def main() -> None:
    global _FULL_ERROR, _IN_MAIN
    _FULL_ERROR = os.environ.get("HYDRA_FULL_ERROR") == "1"
    _IN_MAIN = True
    # Let errors reach us instead of Hydra's multi-line report; print one line unless asked.
    os.environ["HYDRA_FULL_ERROR"] = "1"
    # Ctrl-C is the sweep's to handle: processes forked by os.fork leave it to their parent, which
    # stops them, instead of each printing a traceback (loky's workers: keep_ctrl_c_from_workers).
    os.register_at_fork(after_in_child=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    sys.unraisablehook = _interrupt_again
    try:
        app()
    except SystemExit:
        raise
    except (KeyboardInterrupt, Exception) as exc:
        if _FULL_ERROR:
            raise
        if interrupted(exc):  # Ctrl-C inside an import can come wrapped in a RuntimeError
            single = run_folder.abandon()  # a single run cut short: its folder as it was before it
            print("pocsim: interrupted; " + ("the run did not finish (nothing of it was kept)" if single else
                                              "finished runs are kept (resume=true picks up the rest)"),
                  file=sys.stderr)
            sys.exit(130)
        _FAILED.append(exc)
    if _FAILED:
        bug = isinstance(_FAILED[0], InternalError)
        print(f"pocsim: {'internal error' if bug else 'error'}: {one_line(_FAILED[0])}{_hint(_FAILED[0])}",
              file=sys.stderr)
        sys.exit(1 if bug else 2)
    from pocsim.callbacks import LAST_SWEEP

    if LAST_SWEEP.get("error"):
        print(f"pocsim: error: {LAST_SWEEP['error']}", file=sys.stderr)
        sys.exit(2)
    if LAST_SWEEP and LAST_SWEEP["finished"] == 0:
        # every run of the sweep failed: that is bad input, not bad luck
        print(f"pocsim: error: no run of the sweep finished; first error: {LAST_SWEEP['first_error']}", file=sys.stderr)
        sys.exit(2)
    if LAST_SWEEP and LAST_SWEEP["finished"] < LAST_SWEEP["total"]:
        print(f"pocsim: {LAST_SWEEP['total'] - LAST_SWEEP['finished']} of {LAST_SWEEP['total']} runs failed; "
              "their errors are in results.parquet. Rerun with resume=true to retry only those.", file=sys.stderr)
        sys.exit(1)
