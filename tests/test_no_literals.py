"""No behavioural number hides in mechanism code: every one is a config parameter (pocsim/params.py).

A numeric literal in the world, the mission, the model or the threat field is an offender unless
it is pure mathematics: 0, 1, -1; an exponent, or 0.5 and 2 as the base of a power (a half-life,
a doubling); hours per day and similar unit conversions; an epsilon or a sentinel; an index, a
range() bound, an array dimension or an axis; the decimal places of round(). Defaults are not
offenders either: anything inside param()/setting(), and the default of a dataclass field (a
config dataclass may live beside its mechanism; tests/test_params.py checks its metadata). The
few other pure mathematics are listed per file in ALLOWED with the reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted([*(ROOT / "pocsim/world").glob("*.py"), *(ROOT / "pocsim/mission").rglob("*.py"),
                ROOT / "pocsim/model.py", ROOT / "pocsim/threat.py"])

MATHS = {0, 1, -1, 24, 60, 365, 3600}  # identities, hours per day, minutes/seconds, days per year
EPSILON = 1e-6  # below this a literal only guards a division or a comparison
SENTINEL = 1e9  # at or above this a literal stands for "never" or "infinitely far"
HALVING = {0.5, 2}  # as the base of a power: a half-life or a doubling
SHAPE_CALLS = {"zeros", "ones", "empty", "full", "reshape"}
SHAPE_KEYWORDS = {"axis", "shape", "size"}
CONFIG_CALLS = {"param", "setting"}

# (file relative to the repository, code around the literal) -> why it is pure mathematics.
# Keyed by code rather than line number so that it survives edits above it.
ALLOWED: dict[tuple[str, str], str] = {
    ("pocsim/mission/picture.py", "-0.5 * sigma**2"): "mu = -sigma^2/2: the lognormal error has mean one",
    ("pocsim/mission/picture.py", "2 * n)"): "errors for two quantities (threat, the displaced) from one draw",
    ("pocsim/world/violence.py", "-0.5 * self.cfg.raid_intent_sigma**2"): "mu = -sigma^2/2: mean-preserving lognormal",
    ("pocsim/mission/presence.py", "stamp.shape[0] // 2"): "the centre of a square stamp",
    ("pocsim/mission/presence.py", "(2 * radius**2)"): "the Gaussian kernel exp(-r^2 / (2 sigma^2))",
    ("pocsim/mission/patrol.py", "2 * self.route.km"): "a patrol goes out and back along its route",
    ("pocsim/world/landscape.py", "2 * np.pi"): "a full turn in radians",
    ("pocsim/world/route.py", "np.sqrt(2.0)"): "the length of a diagonal step between cells",
    ("pocsim/world/terrain.py", "WATER = 0, 1, 2"): "category codes of the landcover layer",
    ("pocsim/world/terrain.py", "MAIN_ROAD = 0, 1, 2"): "category codes of the road layer",
    ("pocsim/world/terrain.py", "1000.0"): "metres per kilometre",
    ("pocsim/world/terrain_io.py", "len(shape) != 2 or min(shape) < 2"): "a layer is a 2-D grid",
    ("pocsim/world/violence.py", "type_of_violence=3"): "UCDP GED code: one-sided violence",
    ("pocsim/world/violence.py", "type_of_violence=1 if state_based else 2"): "UCDP GED codes: state-based, non-state",
    ("pocsim/world/encounters.py", "type_of_violence=3"): "UCDP GED code: one-sided violence",
    ("pocsim/world/terrain.py", "REACH_CACHE_ENTRIES = 1024 * 2**20, 256"): "cache capacity: memory use, not results",
    ("pocsim/model.py", "NEAR_CACHE_SIZE = 200_000"): "cache capacity: memory use, not results",
    ("pocsim/model.py", "DEFENCE_CELLS_KEPT = 512"): "cache capacity: memory use, not results",
    ("pocsim/mission/presence.py", "(2 * self.radius + 1) ** 2"): "cells in a square of that radius",
    ("pocsim/threat.py", "(2 * changed[1] + 1) ** 2"): "cells in a square of that radius",
    ("pocsim/world/armed_groups.py", "step = search_hours / 8"): "cache granularity of the search range: results do not depend on it",
    ("pocsim/mission/navigation.py", "ROUTES_KEPT = 4096"): "cache capacity: memory use, not results",
    ("pocsim/mission/navigation.py", "ORIGIN_SETS_KEPT = 8"): "cache capacity: memory use, not results",
    ("pocsim/mission/navigation.py", "VILLAGE_VECTORS_KEPT = 1024"): "cache capacity: memory use, not results",
    ("pocsim/world/armed_groups.py", "max(self.aggression, 1e-3)"): "a group with no aggression rests (all but) for ever",
    ("pocsim/world/landscape.py", "max(scale, 0.5)"): "half a cell: below it a Gaussian filter does nothing",
    ("pocsim/world/landscape.py", "spacing /= 2"): "bisection: halve the town spacing until the towns fit",
}


def constant(node):
    """The value of a literal number, signed (-1) or a power (10**9), else None. Other arithmetic
    on literals is not folded: in 3600 * 24 each part must be allowed on its own."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = constant(node.operand)
        return None if value is None else -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        base, exponent = constant(node.left), constant(node.right)
        if base is not None and exponent is not None:
            try:
                return base**exponent
            except ArithmeticError:
                return None
    return None


def _name(node) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


def _field_defaults(cls: ast.ClassDef) -> list:
    """A dataclass field's default is a declared default: test_params checks a config field carries
    unit, range and source."""
    if not any(_name(d) == "dataclass" for d in cls.decorator_list):
        return []
    return [st.value for st in cls.body if isinstance(st, ast.AnnAssign) and st.value is not None
            and "ClassVar" not in ast.unparse(st.annotation)]


def _positional(node) -> list:
    """Nodes whose literals are structure, not quantities: exponents, indices, dimensions, defaults."""
    if isinstance(node, ast.ClassDef):
        return _field_defaults(node)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):  # x ** 0.5, 0.5 ** (t / half_life)
        return [part for part in (node.right, node.left) if constant(part) is not None
                and (part is node.right or constant(part) in HALVING)]
    if isinstance(node, ast.Subscript):  # a[0], shape[1], a[:, 1] (not slice bounds: a[:3] picks a number)
        index = node.slice
        return [i for i in (index.elts if isinstance(index, ast.Tuple) else [index]) if not isinstance(i, ast.Slice)]
    if isinstance(node, ast.Call):
        name = _name(node)
        if name in CONFIG_CALLS:
            return [node]
        if name == "range":
            return list(node.args)
        if name == "round":  # decimal places of a reported figure
            return node.args[1:]
        dims = [kw.value for kw in node.keywords if kw.arg in SHAPE_KEYWORDS]
        if name in SHAPE_CALLS:  # reshape(-1, 3), zeros((n, 2)): every argument of the one, the first of the others
            dims += node.args if name == "reshape" else node.args[:1]
        return [e for d in dims for e in (d.elts if isinstance(d, ast.Tuple) else [d])
                if isinstance(constant(e), int)]
    return []


def _allowance(rel: str, line: str, literal: str):
    return next(((f, code) for f, code in ALLOWED if f == rel and code in line and literal in code), None)


def offenders(path: Path, root: Path = ROOT, used: set | None = None) -> list[str]:
    """file:line: literal for each offender; the ALLOWED entries that matched go into `used`."""
    source = path.read_text()
    lines = source.splitlines()
    tree = ast.parse(source, str(path))
    exempt = {id(n) for node in ast.walk(tree) for part in _positional(node) for n in ast.walk(part)}
    rel = path.relative_to(root).as_posix()
    found, seen = [], set()
    for node in ast.walk(tree):  # breadth first: a signed literal or a power is met before its parts
        value = constant(node)
        if value is None or id(node) in seen:
            continue
        seen.update(id(n) for n in ast.walk(node))
        if id(node) in exempt or value in MATHS or abs(value) < EPSILON and value != 0 or abs(value) >= SENTINEL:
            continue
        literal = ast.get_source_segment(source, node)
        allowance = _allowance(rel, lines[node.lineno - 1], literal)
        if allowance is None:
            found.append((node.lineno, node.col_offset, f"{rel}:{node.lineno}: {literal}"))
        elif used is not None:
            used.add(allowance)
    return [text for *_, text in sorted(found)]


def test_mechanism_code_has_no_behavioural_literals():
    found = [line for path in FILES for line in offenders(path)]
    if found:
        pytest.fail(f"{len(found)} numeric literals in mechanism code; make each a param() of a config dataclass "
                    "(pocsim/params.py), or if it is pure mathematics add it to ALLOWED in "
                    "tests/test_no_literals.py with the reason:\n" + "\n".join(found), pytrace=False)


def test_every_allowance_is_still_needed():
    used: set = set()
    for path in FILES:
        offenders(path, used=used)
    stale = sorted(set(ALLOWED) - used)
    assert not stale, f"ALLOWED entries that match no code any more (remove them): {stale}"


def test_the_checker_tells_structure_from_quantities(tmp_path):
    code = ("x = a ** 0.5 + b[0] + c[:, 2] + d ** -2 + 24 * h + 1e-9 - 10**9 + e[-1] + 0.5 ** (t / k)\n"
            "y = np.zeros((n, 3)) + f.reshape((-1, 4)).sum(axis=2) + sum(range(5)) + np.full(n, 0.3)\n"
            "z = param(0.07, unit='1', low=0.02, high=0.2, source='s') + round(q, 3)\n"
            "@dataclass\nclass P:\n    k: int = 3\n    order: ClassVar[int] = 50\n"
            "bad = 0.07 * g[:3] - 2.5 + h(-7) + 3600 * 24 + 2**10 + 0.5 ** (1 / (30 * 24))\n")
    path = tmp_path / "probe.py"
    path.write_text(code)
    found = offenders(path, root=tmp_path)
    assert [f.split(": ", 1)[1] for f in found] == ["0.3", "50", "0.07", "3", "2.5", "-7", "2**10", "30"]
