"""Philox keys of numpy's SeedSequence, computed in numba: the same generators, ten times cheaper.

A keyed draw (pocsim/streams.py) is `Generator(Philox(SeedSequence(seed, spawn_key=ids)))`. numpy
builds the SeedSequence and its Philox key in ~12 us, which made the mission's reports alone cost
~1.5 s a scenario-year. `philox_key` is an exact port of SeedSequence's entropy mixing
(pool size 4) and of `generate_state(2, np.uint64)` (numpy/random/bit_generator.pyx, stable
since numpy 1.19 under numpy's stream-compatibility policy); tests/test_streams.py checks it
against numpy on random seeds and ids. `KeyedSeed` hands the key to `Philox`, which accepts any
`ISeedSequence`, so the generator is the one numpy would have built, bit for bit.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.random.bit_generator import ISeedSequence

_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_POOL = 4
_MASK32 = 0xFFFFFFFF


@numba.njit(cache=True, inline="always")
def _hashmix(value, h):
    value = np.uint32(value ^ h)
    h = np.uint32(h * np.uint32(_MULT_A))
    value = np.uint32(value * h)
    return np.uint32(value ^ (value >> np.uint32(16))), h


@numba.njit(cache=True, inline="always")
def _mix(x, y):
    r = np.uint32(np.uint32(np.uint32(_MIX_L) * x) - np.uint32(np.uint32(_MIX_R) * y))
    return np.uint32(r ^ (r >> np.uint32(16)))


@numba.njit(cache=True)
def philox_key(entropy):
    """The two uint64 words `SeedSequence` with this assembled entropy gives a Philox key."""
    pool = np.zeros(_POOL, dtype=np.uint32)
    h = np.uint32(_INIT_A)
    for i in range(_POOL):  # the entropy up to the pool size
        pool[i], h = _hashmix(entropy[i] if i < entropy.size else np.uint32(0), h)
    for s in range(_POOL):  # every word into every other
        for d in range(_POOL):
            if s != d:
                hv, h = _hashmix(pool[s], h)
                pool[d] = _mix(pool[d], hv)
    for s in range(_POOL, entropy.size):  # the rest of the entropy into every word
        for d in range(_POOL):
            hv, h = _hashmix(entropy[s], h)
            pool[d] = _mix(pool[d], hv)
    key = np.zeros(2, dtype=np.uint64)
    hb = np.uint32(_INIT_B)
    for i in range(4):  # generate_state: 4 uint32 words, read little-endian as 2 uint64
        v = np.uint32(pool[i % _POOL] ^ hb)
        hb = np.uint32(hb * np.uint32(_MULT_B))
        v = np.uint32(v * hb)
        v = np.uint32(v ^ (v >> np.uint32(16)))
        key[i // 2] |= np.uint64(v) << np.uint64(32 * (i % 2))
    return key


@numba.njit(cache=True)
def keyed_philox_key(run_entropy, ids):
    """`philox_key` of the run entropy (`assembled_entropy(seed, ())`) followed by the words of
    each id (a tuple of non-negative int64): the key of SeedSequence(seed, spawn_key=ids),
    assembled in numba because building the entropy in Python cost as much as the mixing."""
    entropy = np.empty(run_entropy.size + 2 * len(ids), dtype=np.uint32)
    n = run_entropy.size
    entropy[:n] = run_entropy
    for v in ids:
        entropy[n] = np.uint32(v & _MASK32)  # zero is one word, [0]
        n += 1
        v >>= 32
        while v > 0:
            entropy[n] = np.uint32(v & _MASK32)
            n += 1
            v >>= 32
    return philox_key(entropy[:n])


def _words(n: int) -> list[int]:
    """An integer as SeedSequence reads it: little-endian 32-bit words, [0] for zero."""
    if n < 0:
        raise ValueError(f"random stream ids must be non-negative, got {n}")
    out = [n & _MASK32]
    n >>= 32
    while n:
        out.append(n & _MASK32)
        n >>= 32
    return out


def assembled_entropy(seed: int, spawn_key: tuple) -> np.ndarray:
    """SeedSequence(seed, spawn_key=spawn_key).get_assembled_entropy(), for a non-empty spawn key."""
    words = _words(seed)
    words += [0] * (_POOL - len(words))  # run entropy padded to the pool size when spawned
    for k in spawn_key:
        words += _words(k)
    return np.array(words, dtype=np.uint32)


class KeyedSeed(ISeedSequence):
    """Stands for a SeedSequence whose Philox key is already known."""

    __slots__ = ("key",)

    def __init__(self, key: np.ndarray):
        self.key = key

    def generate_state(self, n_words, dtype=np.uint32):
        # Philox asks for exactly its key; anything else would be a misuse of this shortcut
        if n_words != 2 or np.dtype(dtype) != np.uint64:
            raise ValueError("KeyedSeed only provides a Philox key (2 uint64 words)")
        return self.key.copy()
