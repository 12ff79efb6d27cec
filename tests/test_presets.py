"""Every arm of every experiment and lesson preset uses the tools it is meant to: an arm that
fields an alert network raises alerts, one that fields patrols or teams patrols and visits. (An
experiment once ran its alert arms with no alert network at all, unnoticed.)"""

import itertools
from pathlib import Path

import pytest
from hydra import compose, initialize_config_module
from omegaconf import OmegaConf

from pocsim.cli import to_config
from pocsim.run import simulate

CONFIGS = Path(__file__).parents[1] / "configs"
PRESETS = [f"experiment={p.stem}" for p in sorted((CONFIGS / "experiment").glob("*.yaml"))] + \
          [f"lesson={p.stem}" for p in sorted((CONFIGS / "lesson").glob("*.yaml"))]
DAYS = 30
# a fielded tool -> the output that shows it at work within a month
SHOWS = {"route_patrols": "patrols", "threat_patrols": "patrols", "joint_protection_teams": "jpt_visits",
         "alert_network": "alerts_raised", "observers": "observer_patrols"}


def arms(preset: str) -> list[list[str]]:
    """The overrides of each arm of the preset's sweep (seeds aside)."""
    with initialize_config_module(config_module="pocsim.configs", version_base="1.3"):
        cfg = compose("config", overrides=[f"+{preset}"], return_hydra_config=True)
    params = {k: str(v).split(",") for k, v in OmegaConf.to_container(cfg.hydra.sweeper.params).items() if k != "seed"}
    return [[f"{k}={v}" for k, v in zip(params, combo)] for combo in itertools.product(*params.values())]


@pytest.mark.parametrize("preset", PRESETS)
def test_each_arm_uses_its_tools(preset):
    for arm in arms(preset):
        with initialize_config_module(config_module="pocsim.configs", version_base="1.3"):
            cfg = to_config(compose("config", overrides=[f"+{preset}", *arm, "seed=0", f"days={DAYS}"]))
        model, summary = simulate(cfg)
        for tool in getattr(model.mission, "tools", []):
            total = {"troops": cfg.mission.troops, "police": cfg.mission.police,
                     "civilian_staff": cfg.mission.civilian_staff}
            wants = [(kind, share * total[kind], unit) for kind, share, unit in tool.wants() if share > 0]
            # a share that covers a whole unit is always granted it (rounding never starves a tool)
            assert all(tool.granted(kind) >= unit for kind, people, unit in wants if people >= unit), tool.name
            if any(tool.granted(kind) == 0 for kind, _, _ in wants):
                continue  # a share of a small force that covers no whole unit: 12.5% of 600 troops is half a company
            if tool.name in SHOWS:
                assert summary[SHOWS[tool.name]] > 0, \
                    f"{preset} {arm}: {tool.name} fielded but {SHOWS[tool.name]} = 0 in {DAYS} days"
            if tool.name == "reaction_force":
                assert any(u.kind == "reaction_force" for u in model.mission.units), f"{preset} {arm}: no standby"
