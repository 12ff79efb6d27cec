"""Stored outputs the model must keep reproducing (a Covasim-style regression baseline).

    python tests/baseline/regression.py          # check, and print what changed
    python tests/baseline/regression.py --write  # store the current outputs as the new baseline

For a set of short runs covering every strategy and the lessons' special worlds, the baseline holds
each run's summary (timing and provenance aside) and a digest of every table it writes. An
optimisation must leave all of them unchanged; a change of behaviour must be deliberate: rerun with
`--write`, commit `outputs.json` with the change, and say in the commit why the outputs moved.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pandas as pd

BASELINE = Path(__file__).with_name("outputs.json")
DAYS = 30
# (name, overrides): every strategy on the default world, and the lessons' worlds that switch on
# mechanisms the default leaves off (militias defending villages, groups that target peacekeepers).
RUNS = [
    *[(s, [f"strategy={s}"]) for s in ("none", "static_deterrence", "mobile_operations", "unarmed", "modular")],
    ("peacekeepers_targeted", ["+lesson=peacekeepers_targeted"]),
    ("state_as_perpetrator", ["+lesson=state_as_perpetrator"]),
]
SEED = 3
NOT_OUTPUTS = ("runtime_s", "pocsim_version", "git_commit")  # not outputs of the model


def digest(table) -> str:
    """Byte-level digest of a table's values (not of a parquet file, whose bytes vary with pyarrow)."""
    df = table.to_pandas()
    h = hashlib.sha256(",".join(f"{c}:{t}" for c, t in df.dtypes.astype(str).items()).encode())
    h.update(pd.util.hash_pandas_object(df, index=False).values.tobytes())
    return h.hexdigest()[:16]


def outputs(overrides: list[str]) -> dict:
    from hydra import compose, initialize_config_module

    from pocsim.cli import to_config
    from pocsim.run import mission_tables, simulate, villages_table

    with initialize_config_module(config_module="pocsim.configs", version_base="1.3"):
        cfg = to_config(compose("config", overrides=[*overrides, f"seed={SEED}", f"days={DAYS}"]))
    model, summary = simulate(cfg)
    patrols, bases = mission_tables(model)
    tables = {"events": model.ledger.events_table(), "timeseries": model.ledger.timeseries_table(),
              "villages": villages_table(model), "patrols": patrols, "bases": bases}
    return {"summary": {k: v for k, v in summary.items() if k not in NOT_OUTPUTS},
            "digests": {k: digest(t) for k, t in tables.items()}}


def current() -> dict:
    return {name: outputs(ov) for name, ov in RUNS}


def differences(stored: dict, now: dict) -> list[str]:
    out = []
    for name in sorted(set(stored) | set(now)):
        a, b = stored.get(name, {}), now.get(name, {})
        for part in ("summary", "digests"):
            pa_, pb = a.get(part, {}), b.get(part, {})
            out += [f"{name}.{part}.{k}: {pa_.get(k)!r} -> {pb.get(k)!r}"
                    for k in sorted(set(pa_) | set(pb)) if pa_.get(k) != pb.get(k)]
    return out


def main() -> None:
    now = current()
    if "--write" in sys.argv:
        BASELINE.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
        print(f"wrote {BASELINE}")
        return
    diff = differences(json.loads(BASELINE.read_text()), now)
    print("\n".join(diff) if diff else "outputs equal the stored baseline")
    sys.exit(1 if diff else 0)


if __name__ == "__main__":
    main()
