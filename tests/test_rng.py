"""zoo.rng: the same bits on every backend, and numbers that behave like random ones."""

import math

import numpy as np
import pytest
from keras import ops

from zoo import rng


def lowbias32(x):
    """Wellons' hash on Python ints, written independently of zoo.rng's int32 tricks."""
    x &= 0xFFFFFFFF
    x ^= x >> 16
    x = (x * 0x7FEB352D) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x846CA68B) & 0xFFFFFFFF
    return x ^ (x >> 16)


def reference_bits(n, key, step):
    k = lowbias32(lowbias32(key) ^ lowbias32(step + 0x3C6EF372))
    return [lowbias32(lowbias32(i ^ k) ^ k) >> 8 for i in range(n)]


@pytest.mark.parametrize("key, step", [(0, 0), (7919, 12345), (2**31 - 1, 2**31 - 1)])
def test_bits_are_the_documented_hash(key, step):
    got = ops.convert_to_numpy(rng.bits((5, 7), key, step)).ravel().tolist()
    assert got == reference_bits(35, key, step)


def test_uniform_and_normal_look_random():
    u = ops.convert_to_numpy(rng.uniform((200_000,), 3, 1))
    assert 0 <= u.min() and u.max() < 1
    counts = np.bincount((u * 20).astype(int), minlength=20)
    chi2 = ((counts - 10_000) ** 2 / 10_000).sum()
    assert chi2 < 45  # 19 degrees of freedom: p < 0.001 above 43.8
    z = ops.convert_to_numpy(rng.normal((100_000,), 3, 1))
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
    assert abs((z**3).mean()) < 0.05 and abs((z**4).mean() - 3) < 0.1
    assert np.isfinite(z).all()


def test_keys_and_steps_give_unrelated_streams():
    base = ops.convert_to_numpy(rng.normal((10_000,), 5, 10))
    for key, step in [(6, 10), (5, 11), (5 + 7919, 10)]:
        other = ops.convert_to_numpy(rng.normal((10_000,), key, step))
        assert abs(np.corrcoef(base, other)[0, 1]) < 0.05
    # A longer draw starts with the shorter one: each value depends on its position only.
    longer = ops.convert_to_numpy(rng.normal((20_000,), 5, 10))
    np.testing.assert_array_equal(longer[:10_000], base)


def test_normal_is_box_muller_of_the_bits():
    u = np.asarray(reference_bits(8, 9, 4), np.float64).reshape(4, 2)
    expected = np.sqrt(-2 * np.log((u[:, 0] + 1) / 2**24)) * np.cos(2 * math.pi * u[:, 1] / 2**24)
    np.testing.assert_allclose(ops.convert_to_numpy(rng.normal((4,), 9, 4)), expected, atol=1e-5)
