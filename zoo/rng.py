"""Counter-based random numbers that are the same on every Keras backend.

Training noise (latent vectors, dropout masks, WGAN-GP's interpolation
weights, CycleGAN's pool choices) must not depend on the backend, the device,
XLA, or how the batch is split across replicas: otherwise a checkpoint trained
on one backend cannot be checked against another, and a resumed run draws other
numbers than an uninterrupted one. TensorFlow's and JAX's stateless generators
give different streams, and PyTorch has none, so the zoo hashes its own.

Each value is a pure function of ``(key, step, position)``: a 32-bit integer
hash (Wellons' "lowbias32", applied twice) of the element's position in the
*global* tensor, keyed on the key and the step. Only int32 multiply, xor and
shift are used, which wrap the same way on every backend and device.
"""

import math

from keras import ops

_M1 = 0x7FEB352D
_M2 = 0x846CA68B - (1 << 32)  # the same bits as an int32


def _shr(x, k):
    """Logical right shift of int32 bits (``>>`` on int32 is arithmetic)."""
    return ops.bitwise_and(ops.right_shift(x, k), (1 << (32 - k)) - 1)


def _mix(x):
    x = ops.bitwise_xor(x, _shr(x, 16))
    x = ops.multiply(x, ops.convert_to_tensor(_M1, "int32"))
    x = ops.bitwise_xor(x, _shr(x, 15))
    x = ops.multiply(x, ops.convert_to_tensor(_M2, "int32"))
    return ops.bitwise_xor(x, _shr(x, 16))


def bits(shape, key, step):
    """Non-negative int32 values below 2**24, one per element of ``shape``.

    ``key`` and ``step`` are Python ints or integer scalar tensors.
    """
    size = 1
    for d in shape:
        size = size * d
    key = ops.cast(key, "int32")
    step = ops.cast(step, "int32")
    k = _mix(ops.bitwise_xor(_mix(key), _mix(step + 0x3C6EF372)))
    counter = ops.arange(size, dtype="int32")
    x = _mix(ops.bitwise_xor(_mix(ops.bitwise_xor(counter, k)), k))
    return ops.reshape(_shr(x, 8), shape)


def uniform(shape, key, step):
    """Uniform float32 in [0, 1), multiples of 2**-24."""
    return ops.cast(bits(shape, key, step), "float32") * (1.0 / (1 << 24))


def normal(shape, key, step):
    """Standard normal float32: Box-Muller on positions 2i and 2i + 1 for element i."""
    u = ops.cast(bits(tuple(shape) + (2,), key, step), "float32")
    u1 = (u[..., 0] + 1.0) * (1.0 / (1 << 24))  # (0, 1]: log is finite
    u2 = u[..., 1] * (1.0 / (1 << 24))
    return ops.sqrt(-2.0 * ops.log(u1)) * ops.cos((2.0 * math.pi) * u2)
