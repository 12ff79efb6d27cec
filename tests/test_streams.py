"""Keyed draws are numpy's own generators: the numba port of SeedSequence's key derivation
(pocsim/kernels/seeds.py) gives bit for bit the numbers of Generator(Philox(SeedSequence(...)))."""

import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pocsim.kernels.seeds import KeyedSeed, assembled_entropy, keyed_philox_key, philox_key
from pocsim.streams import Streams

ids = st.integers(0, 2**70)  # beyond 32 and 64 bits: SeedSequence splits them into several words


@settings(max_examples=300, deadline=None)
@given(seed=ids, key=st.lists(ids, min_size=1, max_size=6))
def test_philox_key_equals_numpys_seed_sequence(seed, key):
    expected = np.random.SeedSequence(seed, spawn_key=tuple(key)).generate_state(2, np.uint64)
    assert philox_key(assembled_entropy(seed, tuple(key))).tolist() == expected.tolist()
    small = tuple(k % 2**63 for k in key)  # the numba path's ids are int64
    expected = np.random.SeedSequence(seed, spawn_key=small).generate_state(2, np.uint64)
    assert keyed_philox_key(assembled_entropy(seed, ()), small).tolist() == expected.tolist()


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**40), purpose=st.text(min_size=1, max_size=20),
       rest=st.lists(st.integers(0, 2**64), max_size=4))  # past int64: numpy's own path
def test_a_keyed_draw_is_the_generator_numpy_would_build(seed, purpose, rest):
    reference = np.random.Generator(np.random.Philox(np.random.SeedSequence(
        seed, spawn_key=(zlib.crc32(purpose.encode("utf-8")), *rest))))
    got = Streams(seed).draw(purpose, *rest)
    assert got.random(8).tolist() == reference.random(8).tolist()
    assert got.lognormal(0.0, 1.0, 4).tolist() == reference.lognormal(0.0, 1.0, 4).tolist()


def test_negative_ids_are_refused():
    with pytest.raises(ValueError, match="non-negative"):
        Streams(0).draw("target", -1)


def test_the_shortcut_only_serves_a_philox_key():
    with pytest.raises(ValueError, match="Philox key"):
        KeyedSeed(np.zeros(2, dtype=np.uint64)).generate_state(4, np.uint32)
