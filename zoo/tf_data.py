"""The two datasets that stay ``tf.data`` pipelines (TensorFlow and tfds needed):
``celeb_a`` and ``cycle_gan/<pair>``, read from their tfds copies. Everything
else is in ``zoo.data`` as numpy batches; ``zoo.data.load`` sends these two here,
with ``read``, its reader of a tfds copy already on this machine (so this module
needs nothing of ``zoo.data``).
"""

import numpy as np
import tensorflow as tf

from zoo import errors

AUTOTUNE = tf.data.AUTOTUNE


def _parallel_calls():
    """AUTOTUNE, or one call at a time where TensorFlow's op determinism is on (recipes turn
    it on): TensorFlow 2.21 rewrites a parallel map under it into a sequential one and
    prints an error line doing so ("NodeDef mentions attribute use_unbounded_threadpool
    which is not in the op definition"), which a user reads as an error."""
    from tensorflow.python.framework import config  # the setting has no public reader

    return None if config.is_op_determinism_enabled() else AUTOTUNE


def to_model_range(image, size, channels):
    """uint8 image -> float32 in [-1, 1] at ``size`` x ``size`` x ``channels``."""
    image = tf.cast(image, tf.float32)
    if image.shape[-1] != channels:
        if channels == 1:
            image = tf.image.rgb_to_grayscale(image)
        else:
            image = tf.image.grayscale_to_rgb(image)
    if image.shape[0] != size or image.shape[1] != size:
        image = tf.image.resize(image, (size, size), antialias=True)
    return tf.clip_by_value(image / 127.5 - 1.0, -1.0, 1.0)


def load(read, name, split, batch_size, image_size, channels, labels, shuffle, drop_remainder,
         seed, data_dir):
    """``name``'s batches; ``read(name, split, data_dir)`` gives its tfds copy."""
    if name.startswith("cycle_gan/"):
        return _load_pair(read, name, split, batch_size, image_size, channels, shuffle, seed,
                          data_dir)
    if labels:
        raise errors.ZooValueError("celeb_a has attributes, not class labels; use labels=False.")
    size, ch = image_size or 64, channels or 3

    def prepare(example):  # DCGAN's preparation: centre crop 108x108, resize
        image = tf.image.crop_to_bounding_box(example["image"], 55, 35, 108, 108)
        return to_model_range(image, size, ch)

    ds = read(name, split, data_dir).map(prepare, num_parallel_calls=_parallel_calls()).cache()
    if shuffle:
        ds = ds.shuffle(10_000, seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(AUTOTUNE)


def _jitter(image, size, channels, pad, seed):
    """The CycleGAN paper's augmentation: resize up, random crop back, random flip.

    Stateless, keyed on ``seed`` (the stream's seed and the element's index), so
    the n-th element is the same in every run and after ``skip(n)`` on resume.
    """
    image = to_model_range(image, size + pad, channels)
    image = tf.image.stateless_random_crop(image, (size, size, channels), seed=seed)
    return tf.image.stateless_random_flip_left_right(image, seed=seed[::-1])


def _load_pair(read, name, split, batch_size, image_size, channels, shuffle, seed, data_dir):
    size, ch, pad = image_size or 256, channels or 3, (image_size or 256) * 30 // 256
    domains = [read(name, f"{split}{d}", data_dir) for d in "AB"]
    streams = []
    for i, ds in enumerate(domains):
        ds = ds.map(lambda e: e["image"]).cache()
        if shuffle:
            ds = ds.shuffle(10_000, seed=None if seed is None else seed + i)
        base = np.random.SeedSequence().entropy % 2**31 if seed is None else 1000 * seed
        stream = tf.constant(base + i, tf.int64)
        ds = ds.repeat().enumerate().map(
            lambda k, x, s=stream: _jitter(x, size, ch, pad, tf.stack([s, k])),
            num_parallel_calls=_parallel_calls())
        streams.append(ds)
    # Both domains repeat; an epoch is as long as the larger domain.
    lengths = [int(d.reduce(0, lambda n, _: n + 1)) for d in domains]
    steps = max(lengths) // batch_size
    ds = tf.data.Dataset.zip(tuple(streams)).batch(batch_size, drop_remainder=True)
    return ds.take(max(steps, 1)).prefetch(AUTOTUNE)
