"""JAX: pure functions of the variables' values, traced once and jitted.

Keras' JAX trainer is stateless and hands a step the values of *one*
optimizer's variables (``model.optimizer``); a GAN has two. So the zoo's JAX
step takes the values of every variable it touches (networks, both
optimizers, counters, pools, metrics), runs the variant's ordinary
``train_step`` inside a ``keras.StatelessScope`` that maps each variable to its
traced value, and returns the new values, which are written back to the
variables after each step. ``apply_gradients`` differentiates the loss with
``jax.value_and_grad`` with respect to the values of the variables it updates,
then lets the optimizer update them inside the same scope.

Under ``keras.distribution.DataParallel`` the batch arrives sharded and the
variables replicated; ``jax.jit`` partitions the step, which still sees the
global batch, so noise and losses are those of one device.
"""

import warnings

import jax
import jax.numpy as jnp
from keras import StatelessScope, ops

from zoo.backends.compat import get_stateless_scope
from zoo.errors import ZooError

# Step counters are int64 (as saved in every checkpoint). JAX without x64 keeps
# them as int32, which counts 2**31 steps, and warns at every model built.
warnings.filterwarnings("ignore", message="Explicitly requested dtype int64", category=UserWarning)


def leaky_relu(x, negative_slope):
    return ops.leaky_relu(x, negative_slope)


def replica_info():
    return 0, 1


def all_gather(x):
    return x


def apply_gradients(optimizer, loss_fn, variables):
    outer = get_stateless_scope()
    if outer is None:
        raise ZooError(
            "on JAX a zoo train_step runs inside the function that model.fit builds; "
            "train with model.fit, or call model.make_train_function() and use that."
        )
    ids = {id(v) for v in variables}

    def pure(values):
        scope = StatelessScope()
        scope.state_mapping = {
            **outer.state_mapping,
            **{id(v): x for v, x in zip(variables, values)},
        }
        with scope:
            scaled, out = loss_fn()
        # Other state the forward pass changed (batch-norm statistics, dropout counters).
        changed = {k: x for k, x in scope.state_mapping.items() if k not in ids}
        return scaled, (out, changed)

    (_, (out, changed)), grads = jax.value_and_grad(pure, has_aux=True)(
        [v.value for v in variables]
    )
    outer.state_mapping.update(changed)
    optimizer.apply(grads, variables)
    return out


def input_gradient(fn, x):
    return jax.grad(lambda x: jnp.sum(fn(x)))(x)


def gradient_norm(loss_fn, variables, restore=()):
    del restore  # in a stateless scope nothing is assigned

    def loss(values):
        scope = StatelessScope()
        scope.state_mapping = {id(v): x for v, x in zip(variables, values)}
        with scope:
            return jnp.mean(loss_fn().astype("float32"))

    grads = jax.grad(loss)([v.value for v in variables])
    return float(jnp.sqrt(sum(jnp.sum(jnp.square(g.astype("float32"))) for g in grads)))


def _state_variables(model):
    seen, out = set(), []
    for v in (model.variables + model.metrics_variables
              + model.d_optimizer.variables + model.g_optimizer.variables):
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def make_train_function(model):
    variables = _state_variables(model)

    def step(values, data, update_generator):
        with StatelessScope(state_mapping=list(zip(variables, values))) as scope:
            logs = model.train_step(data, update_generator=update_generator)
        return logs, [scope.get_current_value(v) for v in variables]

    if model.steps_per_execution > 1:
        return _many_steps_function(model, variables, step)

    steps = {
        turn: jax.jit(lambda values, data, turn=turn: step(values, data, turn))
        for turn in (True, False)
    }

    def train_function(state, iterator):
        # ``state`` is Keras' stateless hand-over, unused: see the module docstring.
        logs, values = steps[model.generator_turn_on_host()]([v.value for v in variables],
                                                          next(iterator))
        for v, x in zip(variables, values):
            v.assign(x)
        return logs, (None, None, None, None)

    return train_function


def _many_steps_function(model, variables, step):
    """``steps_per_execution`` = K > 1: one call takes ``model.steps_this_call()`` batches,
    stacked, and runs them in one jitted ``lax.scan``; each step's player is chosen by
    ``lax.cond`` from the counters (``generator_turn``) inside the scan."""

    def one_step(values, data):
        with StatelessScope(state_mapping=list(zip(variables, values))):
            turn = model.generator_turn()
        if isinstance(turn, bool):
            logs, values = step(values, data, turn)
        else:
            logs, values = jax.lax.cond(turn, lambda v, d: step(v, d, True),
                                        lambda v, d: step(v, d, False), values, data)
        return values, logs

    @jax.jit
    def steps(values, stacked):
        values, logs = jax.lax.scan(one_step, values, stacked)
        return jax.tree.map(lambda x: x[-1], logs), values  # the last step's logs

    def train_function(state, iterator):
        batches = _take(iterator, model.steps_this_call())
        stacked = jax.tree.map(lambda *xs: jnp.stack(xs), *batches)
        logs, values = steps([v.value for v in variables], stacked)
        for v, x in zip(variables, values):
            v.assign(x)
        return logs, (None, None, None, None)

    return train_function


def _take(iterator, n):
    """Up to ``n`` batches from ``iterator`` (fewer where it ends; StopIteration if none)."""
    batches = []
    for _ in range(n):
        try:
            batches.append(next(iterator))
        except StopIteration:
            break
    if not batches:
        raise StopIteration
    return batches


def make_test_function(model):
    """``evaluate``'s step: the model's ``test_step`` on the values of every variable,
    the metrics' new values written back (``test_step`` itself changes nothing else)."""
    variables = _state_variables(model)
    metrics = model.metrics_variables

    @jax.jit
    def step(values, data):
        with StatelessScope(state_mapping=list(zip(variables, values))) as scope:
            logs = model.test_step(data)
        return logs, [scope.get_current_value(v) for v in metrics]

    def test_function(state, iterator):
        for data in _take(iterator, model.steps_per_execution):
            logs, values = step([v.value for v in variables], data)
            for v, x in zip(metrics, values):
                v.assign(x)
        return logs, (None, None, None)

    return test_function


def make_predict_function(model):
    """``predict``'s step: the model's forward pass (``call``), changing nothing."""
    from keras.utils import unpack_x_y_sample_weight

    variables = model.variables

    @jax.jit
    def step(values, data):
        with StatelessScope(state_mapping=list(zip(variables, values))):
            return model(unpack_x_y_sample_weight(data)[0], training=False)

    def predict_function(state, iterator):
        values = [v.value for v in variables]
        outputs = [step(values, data) for data in _take(iterator, model.steps_per_execution)]
        return jax.tree.map(lambda *xs: jnp.concatenate(xs), *outputs), (None, None)

    return predict_function


def inference_function(model, fn):
    variables = model.variables

    @jax.jit
    def pure(values, *args):
        with StatelessScope(state_mapping=list(zip(variables, values))):
            return fn(*args)

    return lambda *args: pure([v.value for v in variables], *args)
