"""A small training driver for strategies whose ``fit`` is broken upstream.

``fit`` works under ``MirroredStrategy`` and ``TPUStrategy``. Under
``MultiWorkerMirroredStrategy`` Keras 3's ``fit`` fails (keras issue 20585,
tensorflow issue 72388), so :func:`train` runs the *same* ``train_step``
through ``strategy.run``, with the same host-side choice of which player
moves (``model.generator_turn()``).

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    with strategy.scope():
        model = zoo.load("dcgan-mnist", pretrained=False)
    logs = zoo.distribute.train(model, zoo.data.load("mnist", batch_size=128), steps=1000,
                                strategy=strategy)
"""

import functools

import tensorflow as tf


def _as_tf_dataset(batches):
    """A never-ending ``zoo.data.Batches`` as a ``tf.data.Dataset`` of the same batches."""
    first = batches[0]
    signature = tf.nest.map_structure(
        lambda a: tf.TensorSpec((None,) + a.shape[1:], tf.as_dtype(a.dtype)), first)
    return tf.data.Dataset.from_generator(lambda: iter(batches), output_signature=signature)


def train(model, dataset, steps, strategy=None):
    """Run ``steps`` training steps of ``model`` on ``dataset`` (global batches).

    Returns the last logs as Python floats, averaged over replicas.
    """
    strategy = strategy or tf.distribute.get_strategy()
    if not isinstance(dataset, tf.data.Dataset):  # zoo.data.Batches: numpy batches
        dataset = _as_tf_dataset(dataset.repeating())
    batches = iter(strategy.experimental_distribute_dataset(dataset.repeat()))

    def step_fn(update_generator):
        step = functools.partial(model.train_step, update_generator=update_generator)
        return tf.function(lambda batch: strategy.run(step, args=(batch,)))

    steps_fns = {True: step_fn(True), False: step_fn(False)}
    logs = {}
    for _ in range(steps):
        logs = steps_fns[model.generator_turn_on_host()](next(batches))
    return {k: float(strategy.reduce("MEAN", v, axis=None)) for k, v in logs.items()}
