"""TensorFlow: gradient tapes, traced step functions, ``tf.distribute`` replicas."""

import functools

import tensorflow as tf

from zoo.backends import compat


def replica_info():
    """(replica id, number of replicas) of the current replica context."""
    ctx = tf.distribute.get_replica_context()
    if ctx is None:  # cross-replica context: behave like one device
        return 0, 1
    return ctx.replica_id_in_sync_group, ctx.num_replicas_in_sync


def all_gather(x):
    """The global batch of ``x``, gathered from every replica in order."""
    ctx = tf.distribute.get_replica_context()
    if ctx is None or ctx.num_replicas_in_sync == 1:
        return x
    return ctx.all_gather(x, axis=0)


def apply_gradients(optimizer, loss_fn, variables):
    with tf.GradientTape() as tape:
        scaled, out = loss_fn()
    grads = tape.gradient(scaled, variables)
    optimizer.apply_gradients(zip(grads, variables))
    return out


def input_gradient(fn, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return tape.gradient(y, x)


def gradient_norm(loss_fn, variables, restore=()):
    saved = [tf.identity(v.value) for v in restore]
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.cast(loss_fn(), tf.float32))
    grads = tape.gradient(loss, variables)
    for v, value in zip(restore, saved):
        v.assign(value)
    return float(tf.linalg.global_norm([tf.cast(g, tf.float32) for g in grads]))


def leaky_relu(x, negative_slope):
    # The values and gradients of tf.nn.leaky_relu, but the gradient reads the
    # output, not the input (the same sign for a slope >= 0). TensorFlow's own
    # gradient reads the input, the convolution's output, so when Grappler's
    # remapper fuses convolution, bias and activation into one kernel it finds a
    # reader of the bias it removed, gives up on the whole step graph and prints
    # "remapper failed: ... LeakyReluGrad ... BiasAdd" on every run. The
    # stop_gradient keeps an enclosing tape (WGAN-GP's penalty differentiates
    # this gradient again) from differentiating the inner op the old way.
    @tf.custom_gradient
    def forward(x):
        y = tf.nn.leaky_relu(tf.stop_gradient(x), negative_slope)
        return y, lambda g: tf.raw_ops.LeakyReluGrad(gradients=g, features=y, alpha=negative_slope)

    return forward(x)


def make_train_function(model):
    if model.steps_per_execution > 1:
        return _many_steps_function(model)
    # Two traced functions, one with and one without the generator update: an
    # optimizer update inside tf.cond is not allowed under MirroredStrategy.
    both = compat.make_function(model, functools.partial(model.train_step, update_generator=True))
    critic_only = compat.make_function(
        model, functools.partial(model.train_step, update_generator=False)
    )

    def train_function(iterator):
        return (both if model.generator_turn_on_host() else critic_only)(iterator)

    return train_function


def _many_steps_function(model):
    """``steps_per_execution`` = K > 1: one call runs ``model.steps_this_call()`` steps
    in one traced loop, each step's player chosen in the graph from the counters. Each
    step runs under ``strategy.run``; the choice between the two steps is traced only
    where ``generator_turn`` is not a constant."""
    strategy = model.distribute_strategy

    def replicated(update_generator):
        step = functools.partial(model.train_step, update_generator=update_generator)

        def run(data):
            return strategy.run(step, args=(data,))  # its logs go unused: see steps()

        return run if model.run_eagerly else tf.function(
            run, autograph=False, jit_compile=model.jit_compile)

    both, critic_only = replicated(True), replicated(False)

    # No strategy at all (not even a one-device one): the choice can be a tf.cond.
    alone = not tf.distribute.has_strategy() and strategy is tf.distribute.get_strategy()

    def one_step(data):
        turn = model.generator_turn()
        if isinstance(turn, bool) or model.run_eagerly:  # known now: nothing to choose in the graph
            (both if bool(turn) else critic_only)(data)
        elif alone:
            tf.cond(turn, lambda: both(data), lambda: critic_only(data))
        else:
            # Under a strategy either step is a loop of 0 or 1 trips, not a tf.cond branch:
            # MirroredStrategy's cross-replica optimizer update fails inside tf.cond ("You
            # must feed a value for placeholder tensor 'cond/...'"), and runs inside a loop.
            for run, go in ((both, turn), (critic_only, tf.logical_not(turn))):
                tf.while_loop(lambda go: go, lambda go, run=run: (run(data), False)[1], (go,))

    def steps(iterator, n):
        if model.run_eagerly:
            for _ in range(int(n)):
                one_step(next(iterator))
        else:
            tf.while_loop(lambda i: i < n, lambda i: (one_step(next(iterator)), i + 1)[1],
                          (tf.constant(0),))
        # The epoch's loss means, read once after the steps (the steps' own go unused).
        return compat.reduce_per_replica(strategy.run(model.record), strategy)

    if not model.run_eagerly:
        steps = tf.function(steps, autograph=False)

    def train_function(iterator):
        return steps(iterator, tf.constant(model.steps_this_call()))

    return train_function


def inference_function(model, fn):
    return tf.function(fn, reduce_retracing=True)
