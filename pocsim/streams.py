"""Random numbers keyed by what they decide: common random numbers that survive a decision.

Building the world draws from named streams (`streams["terrain"]`), each derived from the run's
seed and its name, so two runs that differ only by strategy face the same world at t=0.

Every stochastic decision while the model runs draws from `streams.draw(purpose, *ids)`: a fresh
counter-based generator (Philox) keyed by the seed, what the draw decides, and who, where and when
or which (e.g. `draw("incident", village, step)`; an armed group's decisions by their number,
`draw("rest", group, k)` for its k-th rest, and a raid's hours by `("raid_hour", group, k, hour)`,
so a group whose raid the mission delays lives the same sequence of decisions shifted in time). A
decision therefore gets the same random numbers whatever happened before it: when the mission
changes one group's plan, other groups' rests and targets, other villages' escapes and unrelated
incidents draw exactly what they would have drawn, and two strategies run on one seed stay paired
(after Starsim's per-decision random streams). Ids are non-negative integers. A draw made every step
whatever happens, with the same shape (the order groups move in, one uniform per village for
incidents), may use a named stream instead: its n-th call is the same in every run, and it is
cheaper.
"""

from __future__ import annotations

import zlib

import numpy as np

from pocsim.kernels.seeds import KeyedSeed, assembled_entropy, keyed_philox_key

INT64_MAX = 2**63 - 1


class Streams:
    def __init__(self, seed: int):
        self.seed = int(seed)
        self._cache: dict[str, np.random.Generator] = {}
        self._purposes: dict[str, int] = {}
        self._run_entropy = assembled_entropy(self.seed, ())

    def __getitem__(self, name: str) -> np.random.Generator:
        if name not in self._cache:
            # crc32 of the name is stable across Python processes (unlike hash()).
            key = zlib.crc32(name.encode("utf-8"))
            self._cache[name] = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(key,)))
        return self._cache[name]

    def draw(self, purpose: str, *ids: int) -> np.random.Generator:
        """The generator of one decision (see the module docstring)."""
        # = Generator(Philox(SeedSequence(seed, spawn_key=(crc32(purpose), *ids)))), built without
        # numpy's slow SeedSequence (pocsim/kernels/seeds.py): the same numbers
        key = (self._purpose_key(purpose), *map(int, ids))
        if min(key) < 0 or max(key) > INT64_MAX:
            # the numba path takes int64 ids; numpy's own path refuses negative ones with a clear error
            return np.random.Generator(np.random.Philox(np.random.SeedSequence(self.seed, spawn_key=key)))
        return np.random.Generator(np.random.Philox(KeyedSeed(keyed_philox_key(self._run_entropy, key))))

    def _purpose_key(self, purpose: str) -> int:
        key = self._purposes.get(purpose)
        if key is None:
            key = self._purposes[purpose] = zlib.crc32(purpose.encode("utf-8"))
        return key
