"""The outcome ledger: what happened to civilians, as an event log and daily totals.

Events use UCDP GED column names where they mean the same thing (id, date_start, date_end,
type_of_violence, side_a, side_b, best), so a simulated log can be read beside a real one.
Outputs of the mission (patrols, visits...) are a separate ledger; nothing here is computed
from them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

EVENT_SCHEMA = pa.schema([
    ("id", pa.int64()),
    ("date_start", pa.string()),
    ("date_end", pa.string()),
    ("type_of_violence", pa.int8()),  # 1 state-based, 2 non-state, 3 one-sided (against civilians)
    ("side_a", pa.string()),  # perpetrator
    ("side_b", pa.string()),
    ("best", pa.int64()),  # deaths
    ("step", pa.int64()),
    ("x", pa.int64()),
    ("y", pa.int64()),
    ("village_id", pa.int64()),  # -1 when not at a village
    ("perpetrator_kind", pa.string()),  # rebel, militia (a community's self-defence group), state, or mission
    ("injuries", pa.int64()),
    ("displaced", pa.int64()),  # people who fled because of this event
    ("hours", pa.float64()),  # how long it went on
    ("interrupted_by", pa.string()),  # who cut it short, "" if nobody
    # raid, reprisal (for perceived collaboration), retaliation (revenge on a community), incident
    # (small opportunistic violence), clash, collateral
    ("kind", pa.string()),
])

DAILY_FIELDS = ("civilian_deaths", "civilian_injuries", "attacks", "clashes", "fled", "returned",
                "people_exposed_hours")


class Ledger:
    def __init__(self, model):
        self.model = model
        self.start = dt.date.fromisoformat(model.scenario.start_date)
        self.events: list[tuple] = []
        self.days: list[dict] = []
        self.today = dict.fromkeys(DAILY_FIELDS, 0)
        self.totals = dict.fromkeys(DAILY_FIELDS, 0)

    def date(self, step: int) -> str:
        return (self.start + dt.timedelta(hours=step * self.model.step_hours)).isoformat()

    def event(self, *, step, type_of_violence, side_a, side_b, best, cell, village_id, perpetrator_kind,
              injuries, displaced, hours, interrupted_by, kind) -> None:
        x, y = self.model.terrain.xy(cell)
        end_step = step + max(int(np.ceil(hours / self.model.step_hours)) - 1, 0)
        self.events.append((len(self.events), self.date(step), self.date(end_step), type_of_violence, side_a,
                            side_b, int(best), int(step), int(x), int(y), int(village_id), perpetrator_kind,
                            int(injuries), int(displaced), float(hours), interrupted_by, kind))
        if type_of_violence == 3:
            self.add(attacks=1)
        else:
            self.add(clashes=1)

    def add(self, **amounts) -> None:
        for k, a in amounts.items():
            self.today[k] += a

    def close_day(self, day: int, displaced: int, mean_threat: float) -> None:
        for k in DAILY_FIELDS:
            self.totals[k] += self.today[k]
        self.days.append({"day": day, "date": (self.start + dt.timedelta(days=day)).isoformat(), **self.today,
                          "displaced": displaced, "mean_village_threat": mean_threat})
        self.today = dict.fromkeys(DAILY_FIELDS, 0)

    def attacks_on(self, villages, since: float) -> list[tuple[int, int, str]]:
        """(village, start step, perpetrator) of attacks on these villages that started at or after
        step `since` (what people there can tell of)."""
        wanted = set(int(v) for v in villages)
        return [(e[10], e[7], e[4]) for e in self.events if e[3] == 3 and e[7] >= since and e[10] in wanted]

    def close_run(self) -> None:
        """What was counted after the last day closed (attacks logged as the run ended) belongs to
        that last day."""
        if self.days:
            for k in DAILY_FIELDS:
                self.days[-1][k] += self.today[k]
                self.totals[k] += self.today[k]
            self.today = dict.fromkeys(DAILY_FIELDS, 0)

    def events_table(self) -> pa.Table:
        columns = list(zip(*self.events)) if self.events else [[] for _ in EVENT_SCHEMA]
        return pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in zip(columns, EVENT_SCHEMA)],
                                    schema=EVENT_SCHEMA)

    def timeseries_table(self) -> pa.Table:
        names = ["day", "date", *DAILY_FIELDS, "displaced", "mean_village_threat"]
        return pa.table({n: [d[n] for d in self.days] for n in names})

    def deaths_by(self, perpetrator_kind: str) -> int:
        return int(sum(e[6] for e in self.events if e[3] == 3 and e[11] == perpetrator_kind))

    def deaths_of_kind(self, kind: str) -> int:
        return int(sum(e[6] for e in self.events if e[16] == kind))

    def count(self, kind: tuple, interrupted: bool = False, interrupted_by: tuple = ()) -> int:
        return sum(1 for e in self.events if e[16] in kind and (e[15] != "" if interrupted else e[15] in interrupted_by))
