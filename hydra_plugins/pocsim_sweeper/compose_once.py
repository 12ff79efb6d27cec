"""Compose each sweep's config once per choice of config groups, not once per run.

Hydra composes a job's config from scratch for every run of a sweep (defaults list, every YAML
file, the typed schema, merges): ~0.1-0.15 s of one process per run, and twice per run, since the
sweeper first checks every job's config before it launches any (`validate_batch_is_legal`). In a
sweep of short runs that serial work bounded the parallel efficiency, and a 10,000-run Ray sweep
would have spent ~16 minutes composing before its first run (now ~3; benchmarks/README.md).

Runs of a sweep mostly differ in plain values (`seed=7`, `days=90`), which Hydra applies to the
composed config as its very last step (`ConfigLoaderImpl._apply_overrides_to_config`). So the
config composed for one choice of config groups (`strategy=modular`, `scenario=country`) and
Hydra overrides is kept, and each run gets a copy with its own values applied by that same Hydra
function, and the fields Hydra derives from the task overrides (`hydra.overrides.task`,
`hydra.job.override_dirname`) set as Hydra sets them. tests/test_compose_once.py holds the result
equal to Hydra's own composition, node for node and flag for flag.

The kept configs live in a module-level table, so that a loky worker, which unpickles the loader
afresh with every task, still finds what it composed for the sweep's earlier runs. The sweeper
checks a batch before launching it by applying each distinct value once to a scratch copy of the
kept config, rather than building every run's config.
"""

from __future__ import annotations

import copy
import functools
import os
import uuid
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Tuple

from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override, OverrideType
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf

# (loader's token, config name, structural overrides) -> composed config; a few per sweep
_COMPOSED: "OrderedDict[Tuple[Any, ...], DictConfig]" = OrderedDict()
_KEEP = 16
# Hydra settings that only name a run's folder: applied to the kept config like a plain value, so
# that the sensitivity sweeper's per-run subdir does not compose every run afresh
NAMING_KEYS = frozenset({"hydra.sweep.subdir"})


def compose_once(hydra_context: HydraContext) -> HydraContext:
    """The same context, its config loader composing once per choice of config groups."""
    if isinstance(hydra_context.config_loader, ComposeOnceLoader):
        return hydra_context
    return HydraContext(config_loader=ComposeOnceLoader(hydra_context.config_loader),
                        callbacks=hydra_context.callbacks)


class ComposeOnceLoader:
    """Hydra's config loader, but `load_sweep_config` reuses the composition of earlier runs."""

    def __init__(self, inner: ConfigLoaderImpl) -> None:
        self.inner = inner
        self.token = uuid.uuid4().hex  # this sweep's entries in the module-level table
        self._checked: dict[Tuple[Any, ...], tuple[DictConfig, set]] = {}  # key -> (scratch copy, lines)

    def __getstate__(self) -> dict:  # the batch checks stay in the sweep's process
        return {**self.__dict__, "_checked": {}}

    def __getattr__(self, name: str) -> Any:  # everything else is Hydra's own
        if name.startswith("_") or name == "inner":  # asked before __init__ ran (copying, unpickling)
            raise AttributeError(name)
        return getattr(self.inner, name)

    def _parse(self, master_config: DictConfig, sweep_overrides: List[str]):
        """(key of the kept config, the kept config, all overrides parsed, the plain values)."""
        hydra_overrides = OmegaConf.to_container(master_config.hydra.overrides.hydra)
        assert isinstance(hydra_overrides, list)
        parsed = _parse_overrides(hydra_overrides + list(sweep_overrides))
        values = [o for o in parsed if self._plain_value(o)]
        structure = [o.input_line for o in parsed[len(hydra_overrides):] if not self._plain_value(o)]
        key = (self.token, master_config.hydra.job.config_name, tuple(hydra_overrides), tuple(structure))
        template = _COMPOSED.get(key)
        if template is None:
            template = self.inner.load_sweep_config(master_config, structure)
            _COMPOSED[key] = template
            while len(_COMPOSED) > _KEEP:
                _COMPOSED.popitem(last=False)
        else:
            _COMPOSED.move_to_end(key)
        return key, template, parsed, values

    def check(self, master_config: DictConfig, sweep_overrides: List[str]) -> None:
        """Fail as `load_sweep_config` would, without building the run's config: each distinct plain
        value is applied once, to a scratch copy of the kept config (values set plain keys; none
        depends on another)."""
        key, template, _, values = self._parse(master_config, sweep_overrides)
        if key not in self._checked:
            self._checked[key] = (copy.deepcopy(template), set())
        scratch, seen = self._checked[key]
        for override in values:
            if override.input_line not in seen:
                ConfigLoaderImpl._apply_overrides_to_config([override], scratch)
                seen.add(override.input_line)

    def load_sweep_config(self, master_config: DictConfig, sweep_overrides: List[str]) -> DictConfig:
        _, template, parsed, values = self._parse(master_config, sweep_overrides)
        cfg = copy.deepcopy(template)
        # What Hydra's _load_configuration_impl does after composing, for the run's own values
        ConfigLoaderImpl._apply_overrides_to_config(values, cfg)
        task = [o for o in parsed if not o.is_hydra_override()]
        cfg.hydra.overrides.task = [o.input_line for o in task]
        cfg.hydra.overrides.hydra = [o.input_line for o in parsed if o.is_hydra_override()]
        cfg.hydra.runtime.cwd = os.getcwd()
        job = cfg.hydra.job
        job.override_dirname = _overrides_dirname(task, job.config.override_dirname)
        OmegaConf.copy_cache(from_config=master_config, to_config=cfg)
        return cfg

    def _plain_value(self, override: Override) -> bool:
        """`key=value` on a config node, not a config group, a package, an addition or a deletion;
        of Hydra's own settings only those that name the run's folder (others, such as
        hydra.searchpath, can change what is composed)."""
        return (override.type == OverrideType.CHANGE and override.package is None
                and (not override.is_hydra_override() or override.key_or_group in NAMING_KEYS)
                and not override.is_sweep_override()
                and not isinstance(override.value(), dict)
                and not self.inner.repository.group_exists(override.key_or_group))


def _parse_overrides(lines: List[str]) -> List[Override]:
    """Hydra's parse of each override, kept by its text: a sensitivity stage's thousand runs
    repeat a few hundred distinct overrides, and Hydra's grammar takes milliseconds for each.
    A line that does not parse raises Hydra's own error (errors are not kept)."""
    return [_parse_override(line) for line in lines]


@functools.lru_cache(maxsize=16384)
def _parse_override(line: str) -> Override:
    return OverridesParser.create().parse_overrides(overrides=[line])[0]


def _overrides_dirname(overrides: List[Override], conf: DictConfig) -> str:
    return get_overrides_dirname(overrides=overrides, kv_sep=conf.kv_sep, item_sep=conf.item_sep,
                                 exclude_keys=conf.exclude_keys)


def validate(hydra_context: HydraContext, config: DictConfig, batch) -> None:
    """Hydra's check of a batch before launching it (Sweeper.validate_batch_is_legal), the cheap way."""
    for overrides in batch:
        hydra_context.config_loader.check(config, list(overrides))


class ComposeOnceSweeper(Sweeper):
    """Hydra's basic sweeper (`hydra/sweeper=basic`), its runs' configs composed once per choice of groups.

    It wraps the basic sweeper rather than subclassing it: Hydra's plugin scan executes the module of
    its core plugins afresh, after pocsim's own imports, so a class derived from the first BasicSweeper
    would not be one of the second's, and `super()` would fail."""

    def __init__(self, max_batch_size: Optional[int] = None, params: Optional[Dict[str, str]] = None) -> None:
        from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

        super().__init__()
        self.basic = BasicSweeper(max_batch_size=max_batch_size, params=params)

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        hydra_context = compose_once(hydra_context)
        self.basic.setup(hydra_context=hydra_context, task_function=task_function, config=config)
        self.basic.validate_batch_is_legal = lambda batch: validate(hydra_context, config, batch)

    def sweep(self, arguments: List[str]) -> Any:
        """The basic sweep, then the list of its runs (pocsim.results.SWEEP_RUNS), so that runs an
        earlier sweep left in the same folder stay out of this one's table."""
        from pathlib import Path

        from pocsim.callbacks import run_subdir
        from pocsim.results import write_sweep_runs

        sweep_dir = Path(str(self.basic.config.hydra.sweep.dir))
        write_sweep_runs(sweep_dir, None)  # until this sweep has run: an earlier sweep's list says nothing
        returns = self.basic.sweep(arguments)
        write_sweep_runs(sweep_dir, [run_subdir(r) for batch in returns for r in batch])
        return returns
