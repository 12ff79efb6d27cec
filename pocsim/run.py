"""One run: build the model from a validated config, simulate, and write the run folder atomically."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import pocsim.mesa_compat  # noqa: F401  (Mesa 3.3 would keep every finished model: a sweep worker grew)
from pocsim.config import PocsimConfig
from pocsim.model import POCModel
from pocsim.provenance import provenance

TOWN_AREA_KM = 10.0
RAIDS = ("raid", "reprisal", "retaliation")  # event kinds of attacks on a village (not incidents)

# Files a finished run folder holds; summary.json is moved in last, so its presence means "complete".
RUN_FILES = ("events.parquet", "timeseries.parquet", "villages.parquet", "patrols.parquet", "bases.parquet",
             "timing.json", "summary.json")
# What differs between two runs of one config and seed: kept out of summary.json, so that every
# other file of a run folder is byte-identical on a rerun
TIMING = ("runtime_s",)


def simulate(cfg: PocsimConfig, progress: bool = False, each_day=None) -> tuple[POCModel, dict]:
    """Build and run one model, a day at a time. `progress` shows a bar of simulated days (for a
    person at a terminal); `each_day(model)` is called after every day (e.g. to record frames)."""
    t0 = time.perf_counter()
    model = POCModel(cfg.scenario, cfg.strategy, seed=cfg.seed, step_hours=cfg.step_hours, engine=cfg.engine,
                     mission=cfg.mission)
    days = range(cfg.days)
    if progress:
        from tqdm import tqdm

        days = tqdm(days, unit="day", desc=f"{cfg.scenario.name}/{cfg.strategy.name}", leave=False)
    for _ in days:
        model.run(1)
        if each_day is not None:
            each_day(model)
    model.finish()
    return model, summarize(model, cfg, time.perf_counter() - t0)


def summarize(model: POCModel, cfg: PocsimConfig, runtime_s: float) -> dict:
    v, led = model.villages, model.ledger
    return {
        "seed": cfg.seed,
        "scenario": cfg.scenario.name,
        "strategy": cfg.strategy.name,
        "days": cfg.days,
        "engine": model.engine,
        "population": int(v.population.sum()),
        "civilian_deaths": int(v.deaths.sum()),
        # where harm fell: far from any road (scenario.villages.off_road_km), and around the towns (within 10 km)
        "deaths_off_road": int(v.deaths[v.road_km > model.scenario.villages.off_road_km].sum()),
        "deaths_near_towns": int(v.deaths[model.near_towns(TOWN_AREA_KM)].sum()),
        "civilian_injuries": int(v.injuries.sum()),
        "displaced": v.displaced,  # away from home at the end of the run
        "displaced_peak": int(model.displaced_peak),
        "displacement_flights": int(v.flights.sum()),
        "attacks": int(led.totals["attacks"] + led.today["attacks"]),
        "clashes": int(led.totals["clashes"] + led.today["clashes"]),
        "deaths_by_rebels": led.deaths_by("rebel"),
        "deaths_by_militias": led.deaths_by("militia"),
        "deaths_by_state_forces": led.deaths_by("state"),
        "people_exposed_hours": round(model.people_exposed_hours, 3),
        "attacks_interrupted": led.count(kind=RAIDS, interrupted=True),
        "attacks_interrupted_by_mission": led.count(kind=RAIDS, interrupted_by=("patrol", "reaction force", "police")),
        "reprisal_deaths": led.deaths_of_kind("reprisal"),
        "retaliation_deaths": led.deaths_of_kind("retaliation"),
        "collateral_deaths": led.deaths_of_kind("collateral"),
        "runtime_s": round(runtime_s, 3),
        # a calibrated scenario's posterior row this run used (-1: the posterior mean)
        **({"posterior_sample": cfg.scenario.posterior_sample} if cfg.scenario.posterior else {}),
        **provenance(),
        **mission_outputs(model),
        # tools switched on that their share could not staff, and why ("" when every tool fielded someone)
        "tools_not_fielded": "; ".join(f"{name}: {why}" for name, why in sorted(model.mission.unstaffed.items())),
    }


def mission_outputs(model: POCModel) -> dict:
    """The output ledger (what the mission did); zeros when there is no mission."""
    from pocsim.mission.outputs import Outputs

    outputs = model.mission.outputs if model.mission.outputs is not None else Outputs()
    return outputs.summary()


def write_run(folder: Path, model: POCModel, summary: dict, extra=None) -> None:
    """Write into a hidden temporary folder beside the run files, then move each into place;
    an interrupted write leaves no partial file under a final name. The run's timing goes to
    timing.json, the rest of its summary to summary.json."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".writing-", dir=folder))
    try:
        pq.write_table(model.ledger.events_table(), tmp / "events.parquet")
        pq.write_table(model.ledger.timeseries_table(), tmp / "timeseries.parquet")
        pq.write_table(villages_table(model), tmp / "villages.parquet")
        patrols, bases = mission_tables(model)
        pq.write_table(patrols, tmp / "patrols.parquet")
        pq.write_table(bases, tmp / "bases.parquet")
        timing = {k: summary[k] for k in TIMING if k in summary}
        (tmp / "timing.json").write_text(json.dumps(timing, indent=2) + "\n")
        outcome = {k: v for k, v in summary.items() if k not in TIMING}
        (tmp / "summary.json").write_text(json.dumps(outcome, indent=2) + "\n")
        if extra is not None:
            extra(tmp)  # more files for the folder (exports), written before anything moves
        for name in sorted(set(os.listdir(tmp)) - set(RUN_FILES)) + list(RUN_FILES):
            os.replace(tmp / name, folder / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def villages_table(model: POCModel) -> pa.Table:
    """Harm per village, for maps of where it fell."""
    v = model.villages
    return pa.table({
        "village_id": np.arange(len(v), dtype=np.int64), "name": v.name.astype(str), "x": v.x, "y": v.y,
        "is_town": v.is_town, "community": np.asarray(v.communities, dtype=object)[v.community].astype(str),
        "road_km": v.road_km, "population": v.population, "deaths": v.deaths, "injuries": v.injuries,
        "fled": v.flights, "displaced_at_end": v.away,
    })


def mission_tables(model: POCModel) -> tuple[pa.Table, pa.Table]:
    """Where the mission was: patrol-hours per cell patrolled, and every base it opened
    (both empty without a mission)."""
    mission = model.mission
    grid = getattr(mission, "patrol_hours_grid", np.zeros(model.terrain.shape, dtype=np.float32)).ravel()
    cells = np.flatnonzero(grid)
    x, y = model.terrain.xy(cells)
    patrols = pa.table({"cell": cells.astype(np.int64), "x": x.astype(np.int64), "y": y.astype(np.int64),
                        "patrol_hours": grid[cells].astype(np.float64)})
    opened = np.array(getattr(mission, "bases_opened", []), dtype=np.int64).reshape(-1, 3)
    bx, by = model.terrain.xy(opened[:, 0])
    bases = pa.table({"cell": opened[:, 0], "x": bx.astype(np.int64), "y": by.astype(np.int64),
                      "step": opened[:, 1], "temporary": opened[:, 2].astype(bool)})
    return patrols, bases


def format_summary(s: dict) -> str:
    response = f"{s['mean_response_hours']:.1f} h" if s["mean_response_hours"] is not None else "-"
    return "\n".join([
        f"pocsim {s['pocsim_version']}: scenario={s['scenario']} strategy={s['strategy']} seed={s['seed']} "
        f"days={s['days']}  ({s['runtime_s']:.1f} s)",
        "  outcomes (what happened to civilians)",
        f"    population            {s['population']:>12,}",
        f"    civilian deaths       {s['civilian_deaths']:>12,}   = rebels {s['deaths_by_rebels']:,} + militias "
        f"{s['deaths_by_militias']:,} + state forces {s['deaths_by_state_forces']:,}"
        + (f" + the mission {s['collateral_deaths']:,}" if s["collateral_deaths"] else ""),
        f"                                         of the {s['civilian_deaths']:,}: {s['reprisal_deaths']:,} in "
        f"reprisals, {s['retaliation_deaths']:,} in retaliation",
        f"    civilian injuries     {s['civilian_injuries']:>12,}",
        f"    attacks on civilians  {s['attacks']:>12,}   ({s['attacks_interrupted']:,} cut short)",
        f"    displaced at end      {s['displaced']:>12,}   (peak {s['displaced_peak']:,})",
        f"    people-exposed-hours  {s['people_exposed_hours']:>12,.0f}",
        "  outputs (what the mission did)",
        f"    patrols               {s['patrols']:>12,}   ({s['patrol_km']:,.0f} km)",
        f"    team visits           {s['jpt_visits']:>12,}   ({s['follow_up_visits']:,} followed up)",
        f"    alerts                {s['alerts_raised']:>12,}   ({s['alerts_answered_in_time']:,} answered in time, "
        f"{s['alerts_false']:,} false; mean response {response})",
        *([f"    not fielded           {s['tools_not_fielded']}"] if s.get("tools_not_fielded") else []),
    ])
