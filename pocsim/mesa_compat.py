"""Let finished models go: Mesa 3.3 keeps every model that ever made an agent.

`mesa.Agent._ids` (Mesa 3.3) is a class-level `defaultdict` from each model to the counter that
numbers its agents, so it holds a strong reference to every model for the life of the process
(mesa issue #3179, fixed upstream in mesa PR #3180 by numbering agents in the model). A process
that runs model after model, such as a sweep's Ray or joblib worker, grew by ~0.5 MB a run of even
the smallest world (a 10,000-run sweep: gigabytes; benchmarks/ray_sweep.py). Keyed weakly, each
counter goes with its model; numbering is unchanged (from 1 within each model). A Mesa without
that class-level dict is left as it is.
"""

from __future__ import annotations

import itertools
import weakref
from collections import defaultdict

import mesa


class ModelCounters(weakref.WeakKeyDictionary):
    """Agent-id counters per model, each dropped with its model (a defaultdict otherwise)."""

    def __getitem__(self, model):
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = self[model] = itertools.count(1)
            return counter


def free_finished_models() -> bool:
    """Replace Mesa 3.3's strong per-model counters by weak ones (once; the counters of models
    alive now are kept). True if Mesa had them."""
    ids = mesa.Agent.__dict__.get("_ids")
    if isinstance(ids, ModelCounters):
        return True
    if not isinstance(ids, defaultdict):
        return False
    weak = ModelCounters()
    weak.update(ids)
    mesa.Agent._ids = weak
    return True


free_finished_models()
