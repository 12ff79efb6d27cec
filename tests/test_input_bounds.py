"""Nothing accepted that makes no sense: every numeric config key, given NaN, +-inf, 0, a huge or a
tiny value, is either refused with one error naming that key, or runs to a finite, non-negative
summary. (The command line's side, one line and no folder left, is in test_cli.py.)"""

import copy
import math
import re
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pocsim.config import ConfigError
from pocsim.params import walk
from pocsim.run import simulate
from pocsim.validate import WIDEN, validate

from conftest import make_config

FLOATS = [math.nan, math.inf, -math.inf, 0.0, 1e30, 1e-30]
INTS = [0, 10**30, -(10**30)]  # a command line cannot give an integer key NaN or inf: OmegaConf refuses


def numeric_keys(conf) -> list[tuple[str, object, object]]:
    """(key as a command line sets it, current value, metadata) of every number; a list's elements
    one by one."""
    keys = []
    for row in walk(conf, indexed=True):
        values = row.value if isinstance(row.value, list) else [row.value]
        if values and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in values):
            if isinstance(row.value, list):
                keys += [(f"{row.key}[{i}]", x, row.info) for i, x in enumerate(values)]
            else:
                keys.append((row.key, row.value, row.info))
    return keys


def with_value(conf, key: str, value):
    """A copy of the config with one key (dotted, [i] for list items) set."""
    conf = copy.deepcopy(conf)
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", key)
    obj = conf
    for part in parts[:-1]:
        obj = obj[int(part[1:-1])] if part.startswith("[") else getattr(obj, part)
    last = parts[-1]
    if last.startswith("["):
        obj[int(last[1:-1])] = value
    else:
        setattr(obj, last, value)
    return conf


def documented_range(info) -> bool:
    """Whether a quantity has a plausible range of numbers in the table (docs/parameters.md)."""
    return info is not None and info.quantity and all(isinstance(x, (int, float)) for x in (info.low, info.high))


def hostile(value, info) -> list:
    """The values to try: NaN, +-inf, 0, huge and tiny, and the largest the bounds allow."""
    out = list(INTS if isinstance(value, int) else FLOATS)
    if info is not None and info.quantity and isinstance(info.high, (int, float)) and info.high > 0:
        top = WIDEN * info.high
        out.append(int(top) if isinstance(value, int) else float(top))
    return out


@lru_cache(maxsize=1)
def verdicts() -> tuple[list, list]:
    """Every hostile value of every numeric key of the small default world with the modular
    strategy (every tool on): (refused: key, value, message), (accepted: key, value)."""
    conf = make_config("strategy=modular", "days=2")
    refused, accepted = [], []
    for key, value, info in numeric_keys(conf):
        for bad in hostile(value, info):
            try:
                validate(with_value(conf, key, bad))
            except ConfigError as exc:
                refused.append((key, bad, str(exc)))
            else:
                accepted.append((key, bad))
    return refused, accepted


def test_every_refusal_names_the_key_it_refuses():
    refused, accepted = verdicts()
    assert len(refused) > 1000 and accepted  # every key tried; some values pass
    wrong = [(key, bad, msg) for key, bad, msg in refused if not _names(msg, key)]
    assert not wrong, wrong[:10]


def _names(message: str, key: str) -> bool:
    """The message starts with the key, or (a cross-field check) names it."""
    base = re.sub(r"\[\d+\]$", "", key)
    return message.startswith((key, base)) or key in message or base.split(".")[-1] in message


def test_no_value_that_is_not_finite_is_accepted():
    _, accepted = verdicts()
    assert not [(key, v) for key, v in accepted if isinstance(v, float) and not math.isfinite(v)]


def test_huge_values_are_refused():
    """1e30 of anything (people, troops, km, hours, rates) is a typo, not a scenario."""
    _, accepted = verdicts()
    assert not [(key, v) for key, v in accepted if abs(v) >= 1e30]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_accepted_value_runs_to_a_finite_non_negative_summary(data):
    _, accepted = verdicts()
    key, value = data.draw(st.sampled_from(accepted), label="key, value")
    conf = with_value(make_config("strategy=modular", "days=2"), key, value)
    try:
        _, summary = simulate(conf)
    except ConfigError as exc:  # a check that needs the world (e.g. no room for the towns): one line, a key
        assert re.match(r"(scenario|mission|strategy)\.[\w.\[\]]+: ", str(exc)), exc
        return
    numbers = {k: v for k, v in summary.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    numbers.pop("posterior_sample", None)  # -1 names the posterior's mean
    bad = {k: v for k, v in numbers.items() if not math.isfinite(v) or v < 0}
    assert not bad, (key, value, bad)


@pytest.mark.parametrize("key,value", [("scenario.violence.lethality", math.inf),
                                       ("scenario.villages.town_population_median", 1e300),
                                       ("scenario.threat.source_per_fighter", 1e30),
                                       ("mission.helicopter_kmh", math.inf)])
def test_the_reported_cases_are_refused(key, value):
    """Values that ran to the end or overflowed before the bounds existed."""
    with pytest.raises(ConfigError, match=re.escape(key)):
        validate(with_value(make_config(), key, value))


def test_every_documented_range_is_accepted():
    """A parameter's plausible range (docs/parameters.md) is what sensitivity and robustness
    analyses sample: each end of it, set alone, must validate. (A Morris run found
    civilian_lead_weight documented up to 3 and refused above 1.) The troop, police and staff
    shares are exempt only from their sum, which is a cross-field rule of the strategy."""
    conf = make_config("strategy=modular", "days=2", small=False)  # (the small world has no room for 3,000 villages)
    refused = []
    for key, value, info in numeric_keys(conf):
        if not documented_range(info):
            continue
        for end in (info.low, info.high):
            try:
                validate(with_value(conf, key, type(value)(end)))
            except ConfigError as exc:
                if "must add up to at most 1" not in str(exc):
                    refused.append((key, end, str(exc)))
    assert not refused, refused[:10]


@pytest.mark.parametrize("strategy", ["static_deterrence", "mobile_operations", "unarmed", "modular"])
def test_a_sections_ranges_hold_together(strategy):
    """Group screening (hydra.sweeper.groups) moves a section's parameters together: each section
    set at once to its low ends, its high ends, or alternating ends, must validate. (Villages along
    roads up to 0.7 and along rivers up to 0.4 once refused the corner where both were high.)"""
    from pocsim.validate import SHARES

    conf = make_config(f"strategy={strategy}", "days=2", small=False)
    sections: dict = {}
    for key, value, info in numeric_keys(conf):
        if documented_range(info) and key.rsplit(".", 1)[-1] not in SHARES:  # shares: the strategy's allocation
            sections.setdefault(key.rsplit(".", 1)[0], []).append((key, value, info))
    refused = []
    for section, rows in sections.items():
        for name, pick in [("low", lambda i: 0), ("high", lambda i: 1), ("alternating", lambda i: i % 2),
                           ("alternating the other way", lambda i: 1 - i % 2)]:
            c = conf
            for i, (key, value, info) in enumerate(rows):
                c = with_value(c, key, type(value)((info.low, info.high)[pick(i)]))
            try:
                validate(c)
            except ConfigError as exc:
                refused.append((section, name, str(exc)))
    assert not refused, refused[:10]
