"""The default sweeper composes each choice of config groups once (hydra_plugins/pocsim_sweeper/compose_once.py):
every run's config must still be exactly the one Hydra composes from scratch."""

from joblib.externals import cloudpickle

import pytest
from hydra import initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import ConfigCompositionException
from hydra.types import RunMode
from omegaconf import OmegaConf

import pocsim.cli  # noqa: F401  (registers the schema and pocsim's plugins)
from hydra_plugins.pocsim_sweeper.compose_once import ComposeOnceLoader

JOBS = [
    ["strategy=modular", "seed=0", "days=9"],
    ["strategy=modular", "seed=1", "days=9"],            # the same groups: served from the kept config
    ["strategy=modular", "days=9", "seed=2"],            # order kept in hydra.overrides.task
    ["strategy=none", "seed=3", "scenario.villages.count=120", "scenario.terrain.width=80"],
    ["scenario=country", "seed=2"],                      # another group, another composition
    ["+lesson=alert_without_response", "seed=4"],        # an added group
    ["strategy=modular", "seed=5", "hydra.job.name=x"],  # a Hydra override belongs to the kept key
    ["strategy=modular", "seed=6", "quiet=true", "resume=true"],
    ["strategy=modular", "seed=7", "hydra.sweep.subdir='stage/p00001/seed=7'"],  # names the folder: a value
    ["strategy=modular", "seed=8", "hydra.job.name=x", "hydra.sweep.subdir=y"],
]


@pytest.fixture(scope="module")
def loaders():
    with initialize_config_module(config_module="pocsim.configs", version_base="1.3"):
        hydra_loader = GlobalHydra.instance().config_loader()
        master = hydra_loader.load_configuration(
            "config", ["+launcher=joblib", "hydra.sweep.dir=/tmp/pocsim-test-sweep", "strategy=none,modular",
                       "seed=range(0,4)"], run_mode=RunMode.MULTIRUN)
        yield hydra_loader, ComposeOnceLoader(hydra_loader), master


def fails_alike(hydras, ours) -> None:
    """Both calls raise Hydra's composition error, with the same message."""
    with pytest.raises(ConfigCompositionException) as expected:
        hydras()
    with pytest.raises(ConfigCompositionException) as got:
        ours()
    assert str(got.value) == str(expected.value)


def flags(cfg):
    return (OmegaConf.is_struct(cfg), OmegaConf.is_readonly(cfg), OmegaConf.is_struct(cfg.hydra),
            OmegaConf.is_readonly(cfg.hydra), OmegaConf.is_struct(cfg.scenario))


def test_every_run_config_is_hydras_own(loaders):
    hydra_loader, once, master = loaders
    for _ in range(2):  # the second pass comes entirely from kept compositions
        for job in JOBS:
            expected = hydra_loader.load_sweep_config(master, job)
            got = once.load_sweep_config(master, job)
            assert OmegaConf.to_yaml(got) == OmegaConf.to_yaml(expected), job
            assert flags(got) == flags(expected), job


def test_a_run_config_changed_in_place_leaves_the_next_runs_alone(loaders):
    _, once, master = loaders
    first = once.load_sweep_config(master, ["strategy=modular", "seed=11"])
    first.scenario.villages.count = 7
    first.hydra.job.name = "changed"
    second = once.load_sweep_config(master, ["strategy=modular", "seed=12"])
    assert second.scenario.villages.count != 7 and second.hydra.job.name != "changed"
    assert second.seed == 12 and list(second.hydra.overrides.task) == ["strategy=modular", "seed=12"]


@pytest.mark.parametrize("job", [["seed=abc"], ["scenario.nope=1"], ["strategy=nope"], ["strategy=modular", "days=x"]])
def test_bad_values_fail_as_hydra_fails(loaders, job):
    hydra_loader, once, master = loaders
    once.load_sweep_config(master, ["strategy=modular", "seed=1"])  # keep a composition to reuse
    fails_alike(lambda: hydra_loader.load_sweep_config(master, job), lambda: once.load_sweep_config(master, job))


def test_the_loader_travels_to_workers(loaders):
    """joblib's workers receive it pickled, with every task; they keep compositions in their own table."""
    _, once, master = loaders
    copy = cloudpickle.loads(cloudpickle.dumps(once))
    assert copy.token == once.token
    assert OmegaConf.to_yaml(copy.load_sweep_config(master, ["seed=3"])) == \
        OmegaConf.to_yaml(once.load_sweep_config(master, ["seed=3"]))


def test_it_is_the_default_sweeper_and_experiments_still_choose_theirs(loaders):
    from hydra.core.global_hydra import GlobalHydra

    _, _, master = loaders
    assert master.hydra.sweeper._target_.endswith("compose_once.ComposeOnceSweeper")
    experiment = GlobalHydra.instance().config_loader().load_configuration(
        "config", ["+experiment=compare_strategies"], run_mode=RunMode.MULTIRUN)
    assert experiment.hydra.sweeper._target_.endswith("sequential_sweeper.SequentialSweeper")


def test_a_batch_is_checked_as_hydra_checks_it(loaders):
    """check() fails exactly where load_sweep_config() fails, and passes where it passes."""
    hydra_loader, once, master = loaders
    good = [["strategy=modular", f"seed={s}", "days=9"] for s in range(3)] + [["scenario=country", "seed=1"]]
    for job in good:
        once.check(master, job)
    for job in (["strategy=modular", "seed=abc"], ["strategy=modular", "scenario.nope=1"], ["strategy=nope"]):
        fails_alike(lambda: hydra_loader.load_sweep_config(master, job), lambda: once.check(master, job))


def test_the_batch_checks_do_not_travel_with_every_task(loaders):
    _, once, master = loaders
    once.check(master, ["strategy=modular", "seed=1"])
    assert once._checked and not cloudpickle.loads(cloudpickle.dumps(once))._checked


def test_runs_that_differ_only_in_their_folder_are_composed_once(loaders, monkeypatch):
    """The sensitivity sweeper names every run's folder (hydra.sweep.subdir): that alone must not
    compose each run afresh."""
    hydra_loader, once, master = loaders
    jobs = [["strategy=unarmed", f"seed={s}", f"hydra.sweep.subdir='morris/p{s:05d}/seed={s}'"] for s in range(4)]
    expected = [OmegaConf.to_yaml(hydra_loader.load_sweep_config(master, job)) for job in jobs]
    composed = []
    inner = once.inner.load_sweep_config  # (Hydra's own loader: the reference above used it too)
    monkeypatch.setattr(once.inner, "load_sweep_config", lambda *a: composed.append(1) or inner(*a))
    for job, want in zip(jobs, expected):
        once.check(master, job)
        assert OmegaConf.to_yaml(once.load_sweep_config(master, job)) == want, job
    assert len(composed) == 1
