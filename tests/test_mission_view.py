"""The mission sees the world only through its view (pocsim/view.py): no reference to the model,
the armed groups or the true threat is reachable from it, its code reads none, and a group that
moves unseen changes none of its decisions."""

import ast
import gc
from pathlib import Path

import numpy as np
from conftest import make_config

from pocsim.model import POCModel
from pocsim.threat import ThreatField
from pocsim.view import MissionView
from pocsim.world.armed_groups import ArmedGroup
from pocsim.world.displacement import Displacement
from pocsim.world.villages import Villages
from pocsim.world.violence import Violence

MISSION = Path(__file__).parents[1] / "pocsim" / "mission"
TRUTH = (POCModel, ArmedGroup, ThreatField, Villages, Violence, Displacement)
# attributes that only the true world has: reading one from mission code is a leak
FORBIDDEN = {"model", "threat_at_villages", "hosted", "violence", "displacement", "present", "residents",
             "deterrence", "targets_peacekeepers", "aggression", "grievance", "abuse_cost", "vulnerability",
             "_MissionView__model"}
WORLD_MODULES = ("pocsim.model", "pocsim.threat", "pocsim.view", "pocsim.world.armed_groups", "pocsim.world.violence",
                 "pocsim.world.displacement", "pocsim.world.villages", "pocsim.world.encounters")


def model(strategy, **kw):
    cfg = make_config(f"strategy={strategy}", "days=3", **kw)
    return POCModel(cfg.scenario, cfg.strategy, seed=1, mission=cfg.mission)


def test_mission_code_reads_no_truth():
    leaks = []
    for path in sorted(MISSION.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN:
                leaks.append(f"{path.name}:{node.lineno} .{node.attr}")
            if isinstance(node, ast.ImportFrom) and (node.module or "") in WORLD_MODULES:
                leaks.append(f"{path.name}:{node.lineno} from {node.module}")
            if isinstance(node, ast.Import) and any(a.name in WORLD_MODULES for a in node.names):
                leaks.append(f"{path.name}:{node.lineno} import")
    assert not leaks, "mission code reaches the true world:\n" + "\n".join(leaks)


def reachable_truth(root) -> list:
    """World objects reachable from `root` without going through the view (the one door)."""
    seen, found, todo = set(), [], [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, (MissionView, type)) or type(obj).__name__ in ("module", "function"):
            continue
        seen.add(id(obj))
        if isinstance(obj, TRUTH):
            found.append(type(obj).__name__)
            continue
        todo.extend(gc.get_referents(obj))
    return found


def test_no_reference_to_the_world_is_reachable_from_the_mission():
    for strategy in ("static_deterrence", "mobile_operations", "unarmed", "modular"):
        m = model(strategy)
        m.run(2)
        assert reachable_truth(m.mission) == [], strategy
    # the check can fail: a leak planted in a tool is found
    m.mission.tools[0].leak = m.groups[0]
    assert reachable_truth(m.mission) == ["ArmedGroup"]


def decisions(m) -> tuple:
    u = m.mission.units
    return (m.mission.outputs.summary(), [(x.cell, x.state) for x in u], m.mission.picture.estimate.tobytes(),
            [b.cell for b in m.mission.bases], m.deterrence.tobytes())


def test_a_group_moving_unseen_changes_no_mission_decision():
    """Two identical worlds; in one, a group is moved far from every unit. The mission hours that
    follow (the world otherwise held still) are the same in both as long as nobody reports it."""
    a, b = model("mobile_operations"), model("mobile_operations")
    for m in (a, b):
        m.run(1)
    g = 0
    far = int(np.argmax([min(np.hypot(*np.subtract(a.terrain.xy(c), a.terrain.xy(u.cell))) for u in a.mission.units)
                         for c in a.villages.cell]))
    b.groups[g].cell = int(a.villages.cell[far])
    for _ in range(36):
        for m in (a, b):
            m.mission.step()
            m.t += 1
    assert a.mission.picture.last_seen[g] == b.mission.picture.last_seen[g]  # no report of it reached either
    assert decisions(a) == decisions(b)
    # and the test can fail: a group moved onto a patrol's path is seen, and the picture differs
    for _ in range(48):
        out = [u for u in b.mission.units if u.state != "idle"]
        if out:
            b.groups[g].cell = out[0].cell  # walk with a unit in the field
        for m in (a, b):
            m.mission.step()
            m.t += 1
    assert a.mission.picture.last_seen[g] != b.mission.picture.last_seen[g]
