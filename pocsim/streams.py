"""Named random streams: common random numbers across strategies.

Each part of the model draws from its own generator, derived from the run's seed and the stream's
name (not from the order in which streams are created). The world (terrain, villages, the armed
groups at t=0) is built only from world streams, so two runs that differ only by strategy face the
same world, and the mission's own draws never shift the draws of the armed groups.
"""

from __future__ import annotations

import zlib

import numpy as np


class Streams:
    def __init__(self, seed: int):
        self.seed = int(seed)
        self._cache: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        if name not in self._cache:
            # crc32 of the name is stable across Python processes (unlike hash()).
            key = zlib.crc32(name.encode("utf-8"))
            self._cache[name] = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(key,)))
        return self._cache[name]
