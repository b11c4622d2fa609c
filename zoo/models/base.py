"""What every variant shares: two optimizers, sampling, noise, step counters.

A variant file (``gan.py``, ``dcgan.py`` ...) holds its networks, its
``train_step`` and its presets. This module holds only the plumbing that would
otherwise be copied six times:

* ``compile(d_optimizer=..., g_optimizer=...)`` with both optimizers built
  eagerly on their variables (lazy building fails under ``tf.distribute``) and
  saved in the compile config, so a ``.keras`` file restores both.
* Player alternation. A ``train_step`` call is *one* discriminator/critic update
  on one batch; whether the generator also moves in that call is
  :meth:`generator_turn`, a function of the step counters (WGAN's 5-and-100
  schedule lives there). The backend's train function (``zoo/backends``) runs
  the step traced with or without the generator update: at
  ``compile(steps_per_execution=1)`` it asks on the host before each step; at
  K > 1 one call runs K steps and the turn is computed inside the traced loop,
  so an accelerator is not held up by Python between steps. Every K gives the
  same results; a call never runs past an epoch's end.
* Noise that matches one device and every backend: each replica draws the
  *global* batch of noise from ``zoo.rng`` keyed on ``(seed, step)`` and keeps
  its own slice, so two replicas draw different noise and together draw
  exactly what one device would.
* ``global_mean``: per-example losses averaged over the global batch, since
  gradients are summed across replicas.
* Mixed precision (``keras.mixed_precision.set_global_policy("mixed_bfloat16")``
  or ``"mixed_float16"``): networks compute in the policy's dtype and end in a
  float32 layer, so losses, the gradient penalty, the clipping, the metrics and
  the Wasserstein estimate are float32; weights stay float32 (so checkpoints
  load under any policy); under ``mixed_float16`` both optimizers get Keras'
  dynamic loss scaling.
* Generator weight averaging (Yazici et al. 2019, "The Unusual Effectiveness of
  Averaging in GAN Training"): with ``average_decay`` > 0 the model keeps an
  exponential moving average of every generator variable (batch-norm
  statistics included) as a second set of weights, updated after each
  generator update at no cost to the step. Training never reads it;
  ``sample(average=True)`` draws from it, and ``sample_average`` says which
  set ``sample`` uses by default (recipes ship the better one).
"""

import functools
import numbers
import warnings

import keras
import numpy as np
from keras import ops

from zoo import errors, files, rng
from zoo.backends import current as backend


def global_mean(per_example):
    """Average of a per-example loss over the *global* batch.

    Under a ``tf.distribute`` strategy every replica sees ``local`` examples and
    the optimizer sums the replicas' gradients, so dividing the local sum by
    ``local * replicas`` gives exactly the one-device gradient. Elsewhere this is
    a plain mean.
    """
    _, replicas = backend.replica_info()
    per_example = ops.cast(per_example, "float32")
    local = ops.cast(ops.shape(per_example)[0], "float32")
    return ops.sum(per_example) / (local * replicas)


def global_draw(draw, local_batch, shape, key, step):
    """``draw`` (``rng.normal``/``uniform``/``bits``) for the global batch; this replica's rows.

    Two replicas draw different values that together are what one device draws.
    """
    replica, replicas = backend.replica_info()
    values = draw((local_batch * replicas,) + tuple(shape), key, step)
    if replicas == 1:
        return values
    start = replica * local_batch
    return values[start : start + local_batch]


def training_parts(x, y=None):
    """The two parts of ``fit``'s data that can be looked at without drawing a batch:
    arrays (or tensors), or a ``tf.data.Dataset``'s element spec; None for the rest
    (a generator or a ``PyDataset``: iterating it would consume it)."""
    if isinstance(x, (tuple, list)):
        return x[0], (x[1] if len(x) > 1 else y)
    spec = getattr(x, "element_spec", None)  # tf.data: shapes and types, no values drawn
    if spec is not None:
        return (spec[0], spec[1] if len(spec) > 1 else None) if isinstance(spec, tuple) else (spec, None)
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return x, y
    return None, None


def check_training_images(images, image_shape, owner):
    """Refuse training images a model of ``image_shape`` would learn nothing from, saying
    what to do. Shape and type are checked on arrays and on specs; values on arrays only."""
    if not hasattr(images, "shape"):  # None, or a structure (a dict of features): not looked at
        return
    shape = tuple(images.shape)
    try:
        dtype = np.dtype(getattr(images.dtype, "as_numpy_dtype", images.dtype))
    except TypeError:  # a type numpy does not name (a torch dtype): not looked at
        dtype = np.dtype("float32")
    wanted = "(N, " + ", ".join(map(str, image_shape)) + ")"
    if len(shape) != 4 or any(d is not None and d != w for d, w in zip(shape[1:], image_shape)):
        hint = ("add the channel axis: x[..., None]." if shape[1:] == image_shape[:2] else
                "resize them (zoo.data.load and recipes' --data do), or build the model for "
                "their size (image_size=..., channels=...).")
        raise errors.ZooValueError(
            f"this {owner} trains on images of shape {wanted}, got {shape}: {hint}")
    if not np.issubdtype(dtype, np.floating):
        raise errors.ZooValueError(
            f"training images are {dtype}; the zoo's models train on floats in [-1, 1] (the "
            "range of the generator's tanh): x.astype('float32') / 127.5 - 1 for 0-255 pixels "
            "(zoo.data.load does this).")
    if not hasattr(images, "__array__") or not np.size(images):
        return
    values = np.asarray(images)
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    if lo < -1.001 or hi > 1.001:
        raise errors.ZooValueError(
            f"training images hold values from {lo:g} to {hi:g}; the zoo's models train on "
            "[-1, 1] (the range of the generator's tanh): x / 127.5 - 1 for 0-255 pixels.")
    if lo >= 0 and hi > 0:
        raise errors.ZooValueError(
            f"training images hold values from {lo:g} to {hi:g}, none below 0: they look like "
            "[0, 1] images, and the zoo's models train on [-1, 1] (the range of the "
            "generator's tanh): x * 2 - 1.")


def make_optimizer(spec):
    """An optimizer from a Keras config dict, an instance, or a string name."""
    if isinstance(spec, keras.optimizers.Optimizer):
        return spec
    if isinstance(spec, dict):
        return keras.optimizers.deserialize(spec)
    return keras.optimizers.get(spec)


def progress(steps, show, what, total_images, batch_size):
    """``steps``, with a progress bar on a terminal (never in a log or CI: only when
    standard error is a TTY)."""
    import sys

    if not (show and sys.stderr.isatty()):
        return steps
    from tqdm import tqdm

    return tqdm(steps, desc=f"{what} {total_images:,} images", unit="batch", leave=False)


def slerp(a, b, t):
    """Spherical interpolation between vectors ``a`` and ``b`` at ``t`` in [0, 1]
    (Shoemake 1985); the straight line where they are (anti)parallel."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    cos = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return (1 - t) * a + t * b
    return (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)


def for_policy(optimizer):
    """Under the ``mixed_float16`` dtype policy, ``optimizer`` wrapped in Keras'
    LossScaleOptimizer (float16 gradients underflow without loss scaling), as
    Keras' own ``compile`` does; otherwise ``optimizer`` itself."""
    lso = keras.optimizers.LossScaleOptimizer
    if keras.config.dtype_policy().name == "mixed_float16" and not isinstance(optimizer, lso):
        return lso(optimizer)
    return optimizer


@keras.saving.register_keras_serializable(package="zoo")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant ``initial`` for ``constant_steps``, then linear to 0 over ``decay_steps``."""

    def __init__(self, initial, constant_steps, decay_steps):
        self.initial, self.constant_steps, self.decay_steps = initial, constant_steps, decay_steps

    def __call__(self, step):
        step = ops.cast(step, "float32")
        if not self.decay_steps:
            return ops.convert_to_tensor(self.initial, "float32")
        frac = ops.clip((step - self.constant_steps) / self.decay_steps, 0.0, 1.0)
        return self.initial * (1.0 - frac)

    def get_config(self):
        return {
            "initial": self.initial,
            "constant_steps": self.constant_steps,
            "decay_steps": self.decay_steps,
        }


@keras.saving.register_keras_serializable(package="zoo")
class LeakyReLU(keras.layers.LeakyReLU):
    """Keras' LeakyReLU (same values, same gradients, same name in a weights file);
    on TensorFlow its gradient reads its output, so that Grappler can fuse the
    convolution before it (``zoo.backends``' ``leaky_relu`` says why)."""

    def call(self, inputs):
        return backend.leaky_relu(inputs, self.negative_slope)


class ExecutionWindow(keras.callbacks.Callback):
    """Before each call of a model's train function, tells it how many steps to run:
    ``steps_per_execution``, or what is left of the epoch where that is fewer. Keras'
    epoch loop hands a train function K steps' worth of calls whatever remains, which
    would run past ``steps_per_epoch`` and draw batches of the next epoch early."""

    def on_train_batch_begin(self, batch, logs=None):
        k, steps = self.model.steps_per_execution, (self.params or {}).get("steps")
        self.model._steps_this_call = min(k, steps - batch) if steps else k


def _steps_per_call(steps):
    """``steps_per_execution`` checked, as the backend runs it."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise errors.ZooValueError(
            f"steps_per_execution must be a whole number of steps, 1 or more (the training "
            f"steps one call runs), got {steps!r}.")
    if keras.backend.backend() == "torch":
        # PyTorch runs every step eagerly, one Python call each whatever K is (Keras'
        # torch trainer refuses K > 1): K is accepted, so one script runs on every backend.
        return 1
    return int(steps)


def _with_window(callbacks, model):
    """``fit``'s callbacks with an :class:`ExecutionWindow` added."""
    if isinstance(callbacks, keras.callbacks.CallbackList):  # Keras' own, already set up
        window = ExecutionWindow()
        window.set_model(model)
        window.set_params(callbacks.params)
        callbacks.callbacks.append(window)
        return callbacks
    return [*(callbacks or []), ExecutionWindow()]


class Adversarial(keras.Model):
    """The two-player game every zoo variant plays. Not used directly.

    It holds what a discriminator/generator pair needs whatever it maps from:
    ``compile`` with one optimizer per player, the learning rates, the step
    counters, the alternation of the two updates (``train_step`` and its hooks)
    and how the backends run it (steps per call). What the generator maps from
    is the job of the class beside it: :class:`NoiseToImage` (latent vectors to
    images: ``sample``, ``interpolate``, the averaged weights) or
    :class:`ImageToImage` (images to images: ``translate``).

    Subclasses define ``build_networks()``, ``default_optimizers()``, the two
    players' objectives (``d_objective``, ``g_objective``) or their own
    ``train_step``, and the forward pass ``call``.
    """

    tracker_names = ("d_loss", "g_loss")
    # The kind of model, and the Hub's pipeline tag: set by NoiseToImage and ImageToImage.
    task = None

    def __init__(self, image_size=28, channels=1, width=64, seed=0, name=None, **kwargs):
        unknown = sorted(set(kwargs) - {"trainable", "dtype"})  # what keras.Model takes too
        if unknown:
            from zoo.preset import constructor_arguments

            raise errors.ZooValueError(
                f"{type(self).__name__} takes no argument {', '.join(unknown)}; it takes "
                f"{', '.join(sorted(constructor_arguments(type(self)) - {'name'}))}.")
        super().__init__(name=name, **kwargs)
        errors.check_positive_int("image_size", image_size)
        errors.check_positive_int("channels", channels)
        errors.check_positive_int("width", width)
        self.image_size = int(image_size)
        self.channels = int(channels)
        self.width = int(width)
        self.seed = int(seed)
        self.trackers = {n: keras.metrics.Mean(name=n) for n in self.tracker_names}
        # Counters live in the model so they are saved with it. Under a
        # strategy only the first replica's increment is kept.
        self.d_steps = self._counter("d_steps")
        self.g_steps = self._counter("g_steps")
        self.build_networks()
        self.built = True  # the networks are built; fit must not call the model

    def _counter(self, name):
        return self.add_weight(
            name=name,
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
        )

    # ------------------------------------------------------------- config
    def get_config(self):
        return {
            "image_size": self.image_size,
            "channels": self.channels,
            "width": self.width,
            "seed": self.seed,
            "name": self.name,
        }

    @property
    def image_shape(self):
        return (self.image_size, self.image_size, self.channels)

    # --------------------------------------------------------------- fit
    def fit(self, x=None, y=None, *args, **kwargs):
        """Keras' ``fit``, after a look at the data: images of the wrong shape, type or
        range (uint8, 0-255, [0, 1]) fail here with what to do, instead of training
        the model on them without a word."""
        self.check_training_data(*training_parts(x, y))
        # A tf.data pipeline or a never-ending PyDataset comes shuffled: Keras would
        # warn that its default shuffle=True is ignored, though the user passed nothing.
        streamed = hasattr(x, "element_spec") or (
            isinstance(x, keras.utils.PyDataset) and getattr(x, "num_batches", 0) is None)
        if streamed and "shuffle" not in kwargs and len(args) < 7:
            kwargs["shuffle"] = False
        if getattr(self, "steps_per_execution", 1) > 1:
            if len(args) > 3:  # fit(x, y, batch_size, epochs, verbose, callbacks, ...)
                args = (*args[:3], _with_window(args[3], self), *args[4:])
            else:
                kwargs["callbacks"] = _with_window(kwargs.get("callbacks"), self)
        return super().fit(x, y, *args, **kwargs)

    def check_training_data(self, images, condition):
        """Raise ``ZooValueError`` for training data this model cannot learn from.
        ``images`` and ``condition`` (the second part of a ``(x, y)`` batch) are arrays,
        a ``tf.data`` element spec (shape and type only), or None (not looked at)."""
        check_training_images(images, self.image_shape, type(self).__name__)

    # ------------------------------------------------------------ compile
    def default_optimizers(self):
        """The paper's optimizers as ``(d_optimizer, g_optimizer)``."""
        raise NotImplementedError

    def compile(self, d_optimizer=None, g_optimizer=None, **kwargs):
        """Compile with one optimizer per player (paper defaults when omitted).

        Accepts optimizer instances, names or Keras config dicts.
        """
        if "optimizer" in kwargs or "loss" in kwargs:
            raise errors.ZooValueError(
                f"{type(self).__name__}.compile takes d_optimizer= and g_optimizer=, "
                "one per player; the losses are the variant's own."
            )
        kwargs["steps_per_execution"] = _steps_per_call(kwargs.get("steps_per_execution", 1))
        # optimizer=None: Keras would otherwise create a stray RMSprop.
        super().compile(optimizer=None, **kwargs)
        default_d, default_g = self.default_optimizers()
        self.d_optimizer = for_policy(make_optimizer(d_optimizer or default_d))
        self.g_optimizer = for_policy(make_optimizer(g_optimizer or default_g))
        if self.d_optimizer is self.g_optimizer:
            raise errors.ZooValueError(
                "d_optimizer and g_optimizer must be two different optimizer objects."
            )
        # Build eagerly: a lazily built optimizer fails under tf.distribute.
        self.d_optimizer.build(self.d_variables())
        self.g_optimizer.build(self.g_variables())

    def set_learning_rates(self, d=None, g=None, steps=None, decay=0):
        """Before training, on fresh optimizers: the players' learning rates become ``d``
        and ``g`` (None keeps the optimizer's; Heusel et al. 2017's two time-scale update
        rule gives the discriminator the larger), and with ``decay`` > 0 each stays for the
        first ``steps - decay`` of the next ``steps`` fit steps, then falls linearly to 0
        over the last ``decay`` (the end-of-training decay of the literature, e.g. Zhu et
        al. 2017's second half). The recipes' ``--lr_d``, ``--lr_g`` and ``--lr_decay``.
        Each optimizer's :class:`LinearDecay` counts its own updates (a WGAN generator
        moves once per 5 critic updates); it is saved with the optimizer, so a resumed run
        goes on with the same rates."""
        for name, rate in (("d (--lr_d)", d), ("g (--lr_g)", g)):
            if rate is not None and not (isinstance(rate, (int, float)) and 0 < rate < 1):
                raise errors.ZooValueError(
                    f"The learning rate {name} must be a number in (0, 1), got {rate!r}.")
        if decay:
            errors.check_positive_int("steps", steps)
            errors.check_positive_int("decay (--lr_decay)", decay)
            if decay > steps:
                raise errors.ZooValueError(
                    f"The learning-rate decay ({decay:,} steps) cannot be longer than the run "
                    f"({steps:,} steps): decay over at most the run's steps.")
            spans = ((steps - decay, steps),  # the discriminator's updates: one a step
                     (self.generator_updates_in(steps - decay), self.generator_updates_in(steps)))
        new = []
        for k, (player, optimizer, rate) in enumerate(
                (("d_optimizer", self.d_optimizer, d), ("g_optimizer", self.g_optimizer, g))):
            inner = getattr(optimizer, "inner_optimizer", optimizer)
            config = inner.get_config()
            if not isinstance(config["learning_rate"], (int, float)):
                kind = dict(config["learning_rate"]).get("class_name", "a schedule")
                raise errors.ZooValueError(
                    f"{type(self).__name__}'s {player} already follows a learning-rate "
                    f"schedule ({kind}); its rates cannot be set again.")
            if int(inner.iterations.numpy()):
                raise errors.ZooValueError(
                    "Learning rates are set before training, on fresh optimizers; this "
                    f"{player} has made {int(inner.iterations.numpy()):,} updates.")
            rate = float(config["learning_rate"] if rate is None else rate)
            if decay:
                flat, total = spans[k]
                rate = LinearDecay(rate, flat, total - flat)
            config["learning_rate"] = rate
            new.append(type(inner).from_config(config))
        self.compile(*new, steps_per_execution=getattr(self, "steps_per_execution", 1))

    def generator_updates_in(self, steps):
        """Generator updates in the next ``steps`` fit steps (here: one a step)."""
        return steps

    def get_compile_config(self):
        if not getattr(self, "compiled", False):
            return None
        return {
            "d_optimizer": keras.optimizers.serialize(self.d_optimizer),
            "g_optimizer": keras.optimizers.serialize(self.g_optimizer),
        }

    def compile_from_config(self, config):
        self.compile(
            d_optimizer=keras.optimizers.deserialize(config["d_optimizer"]),
            g_optimizer=keras.optimizers.deserialize(config["g_optimizer"]),
        )

    def d_variables(self):
        return self.discriminator.trainable_variables

    def g_variables(self):
        return self.generator.trainable_variables

    # ----------------------------------------------------------- training
    @property
    def metrics(self):
        # Listing the trackers lets Keras reset them every epoch.
        return list(self.trackers.values())

    def record(self, **values):
        """Update loss trackers (unscaled values) and return the logs dict."""
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: t.result() for name, t in self.trackers.items()}

    @classmethod
    def schedule_for(cls, steps):
        """Constructor settings that depend on the length of a run (a learning-rate
        schedule fitted to ``steps``); none here."""
        return {}

    def example_batch(self, n=8, seed=0):
        """A batch of ``n`` made-up training examples in the form ``train_step``
        takes (uniform noise images), for tests and benchmarks."""
        return np.random.default_rng(seed).uniform(-1, 1, (n,) + self.image_shape).astype("float32")

    def unpack(self, data):
        """A batch -> ``(real images, condition)``; the condition is None here
        (the conditional GAN's labels)."""
        return (data[0] if isinstance(data, tuple) else data), None

    def d_objective(self, real, condition, batch):
        """The discriminator's (critic's) per-example loss on ``real`` and fresh
        fakes, and a dict of other values to log."""
        raise NotImplementedError

    def g_objective(self, condition, batch):
        """The generator's per-example loss on fresh fakes."""
        raise NotImplementedError

    def after_discriminator_update(self):
        """What follows every discriminator update (WGAN clips the critic's weights)."""

    def train_step(self, data, update_generator=True):
        """One discriminator (critic) update, then, on the generator's turn
        (``generator_turn``, decided on the host), one generator update.

        The losses are means over the *global* batch (``global_mean``), so the
        gradients summed over replicas equal one device's.
        """
        real, condition = self.unpack(data)
        batch = ops.shape(real)[0]

        def d_loss():
            per_example, extra = self.d_objective(real, condition, batch)
            return global_mean(per_example), {"d_loss": ops.mean(per_example), **extra}

        logs = self.apply(self.d_optimizer, d_loss, self.d_variables())
        self.after_discriminator_update()
        if update_generator:

            def g_loss():
                per_example = self.g_objective(condition, batch)
                return global_mean(per_example), ops.mean(per_example)

            logs["g_loss"] = self.apply(self.g_optimizer, g_loss, self.g_variables())
            self.after_generator_update()
        self.d_steps.assign_add(1)
        return self.record(**logs)

    def test_step(self, data):
        """What ``train_step`` measures, on held-out data, updating nothing: both
        players' losses (and the variant's logged values, such as the critic's
        Wasserstein estimate) on ``data`` and fresh fakes. ``evaluate`` and
        ``fit(validation_data=...)`` run it. The networks run as in training (batch
        statistics), and every non-trainable variable they touch (batch-norm moving
        statistics) is put back, so weights, optimizer state and step counters are as
        they were; the noise is keyed on the step counters, so no stream moves."""
        real, condition = self.unpack(data)
        batch = ops.shape(real)[0]
        state = [(v, ops.copy(v.value)) for v in self.non_trainable_variables]
        d_loss, extra = self.d_objective(real, condition, batch)
        g_loss = self.g_objective(condition, batch)
        for v, value in state:
            v.assign(value)
        return self.record(d_loss=ops.mean(d_loss), g_loss=ops.mean(g_loss), **extra)

    def after_generator_update(self):
        """What follows every generator update: count it (NoiseToImage also moves its
        averaged weights)."""
        self.g_steps.assign_add(1)

    def generator_turn(self):
        """Does the generator update after the next discriminator update?

        A Python bool where the answer never changes, else a boolean tensor computed
        with ``keras.ops`` from the step counters alone, so that it can be evaluated
        on the host (``bool(...)``, at ``steps_per_execution=1``) and inside a traced
        loop of K steps alike. The default is the alternation of Goodfellow et al.
        2014 with k = 1: every step.
        """
        return True

    def generator_turn_on_host(self):
        """:meth:`generator_turn` as a Python bool, for the host's choice at one step
        per call (a variant may answer from the counters' values without tensor ops)."""
        return bool(self.generator_turn())

    def make_train_function(self, force=False):
        if self.train_function is not None and not force:
            return self.train_function
        self.train_function = backend.make_train_function(self)
        return self.train_function

    def set_steps_per_execution(self, steps):
        """Run ``steps`` training steps per call from now on, as
        ``compile(steps_per_execution=steps)`` would, keeping the optimizers' state
        (a resumed run's). The results are those of one step per call."""
        self.steps_per_execution = _steps_per_call(steps)
        self.train_function = self.test_function = self.predict_function = None

    def steps_this_call(self):
        """How many steps the train function's next call runs: ``steps_per_execution``,
        or fewer where the epoch ends first (``fit`` keeps this up to date)."""
        return getattr(self, "_steps_this_call", self.steps_per_execution)

    def make_test_function(self, force=False):
        return self._backend_function("test", force)

    def make_predict_function(self, force=False):
        return self._backend_function("predict", force)

    def _backend_function(self, kind, force):
        # JAX's own evaluate/predict steps take the state _get_jax_state hands over,
        # which zoo models do not (below); the zoo's JAX backend has its own.
        make = getattr(backend, f"make_{kind}_function", None)
        if make is None:
            return getattr(super(), f"make_{kind}_function")(force)
        if getattr(self, f"{kind}_function") is None or force:
            setattr(self, f"{kind}_function", make(self))
        return getattr(self, f"{kind}_function")

    def _get_jax_state(self, **kwargs):
        # JAX only: Keras' fit would hand a stateless step the values of one
        # optimizer (``self.optimizer``); zoo steps keep every variable attached
        # instead and have nothing to hand over (``zoo/backends/jax_step.py``;
        # a private Keras hook, listed in ``zoo/backends/compat.py``).
        return None

    def random_key(self, salt):
        """The ``zoo.rng`` key of one kind of draw (``salt``: 0 first noise, 1 second, ...)."""
        return self.seed + 7919 * salt

    def uniform(self, local_batch, shape, salt):
        """Uniform [0, 1) values for this replica's rows, drawn like ``noise``."""
        return global_draw(rng.uniform, local_batch, shape, self.random_key(salt), self.d_steps)

    @staticmethod
    def apply(optimizer, loss_fn, variables):
        """One gradient step of ``optimizer`` on ``loss_fn() -> (scaled loss, outputs)``.

        Returns the outputs. The only backend-specific part of a train step.
        """
        def scaled():  # loss scaling under mixed_float16 (LossScaleOptimizer); else unchanged
            loss, out = loss_fn()
            return optimizer.scale_loss(loss), out

        return backend.apply_gradients(optimizer, scaled, variables)


    ONNX_NEEDS = {"tensorflow": ("tf2onnx", "onnx"), "jax": ("jax2onnx", "onnx"),
                  "torch": ("onnx", "onnxscript")}

    def export(self, filepath, format="tf_saved_model", verbose=None, input_signature=None,
               **kwargs):
        """Keras' ``export`` of the forward pass (:meth:`call`): latent vectors (and
        labels) to images, or for CycleGAN images A to B, as a TF SavedModel for TF
        Serving (``format="tf_saved_model"``, the default; its function ``serve``) or an
        ONNX file (``format="onnx"``; inputs named ``latent``, ``labels``, ``images``).
        The input signature is the model's own unless given. Written whole or not at
        all: whatever was at ``filepath`` stays until the new export is complete."""
        if format == "onnx":
            import importlib.util

            missing = [p for p in self.ONNX_NEEDS.get(keras.backend.backend(), ())
                       if importlib.util.find_spec(p) is None]
            if missing:
                raise errors.ZooError(
                    f"ONNX export on the {keras.backend.backend()} backend needs "
                    f"{' and '.join(missing)}: pip install 'zoo[export]' (or pip install "
                    f"{' '.join(missing)}).")
        if format == "tf_saved_model" and keras.backend.backend() == "torch":
            raise errors.ZooValueError(
                "Keras cannot write a TF SavedModel of this model from the torch backend; "
                "export format='onnx' here, or load the checkpoint under KERAS_BACKEND="
                "tensorflow or jax for a SavedModel.")
        signature = input_signature or self.serving_signature()

        def write(path):
            with warnings.catch_warnings():  # Keras' numpy 2 patch of tf2onnx warns
                warnings.filterwarnings("ignore", category=FutureWarning)
                super(Adversarial, self).export(path, format=format, verbose=verbose,
                                                input_signature=signature, **kwargs)

        files.replace_atomically(filepath, write)
        return filepath



def model_pixels(x):
    """Images as the models take them: float32 in [-1, 1] (uint8 scaled), or a clear error."""
    if x.dtype == np.uint8:
        return x.astype(np.float32) / 127.5 - 1.0
    if not np.issubdtype(x.dtype, np.floating):
        raise errors.ZooValueError(f"images must be uint8 or float, got dtype {x.dtype}.")
    x = x.astype(np.float32)
    if not np.all(np.isfinite(x)) or x.min() < -1.001 or x.max() > 1.001:
        raise errors.ZooValueError(
            "float images must be finite and in [-1, 1]; scale them with "
            "x / 127.5 - 1 or pass uint8."
        )
    return x


class NoiseToImage(Adversarial):
    """A generator of images from latent vectors (GAN, DCGAN, WGAN, WGAN-GP, the cGAN).

    Adds to the two-player game the latent space (``latent_dim``, ``noise``,
    ``latents``), sampling (``sample``, ``interpolate``, ``call``, the serving
    signature) and the generator's weight average (``average_decay``,
    ``sample_average``). Subclasses usually define ``generate(z, labels)``.
    """

    task = "unconditional-image-generation"

    def __init__(
        self,
        image_size=28,
        channels=1,
        latent_dim=100,
        width=64,
        seed=0,
        average_decay=0.0,
        sample_average=False,
        name=None,
        **kwargs,
    ):
        if not 0.0 <= float(average_decay) < 1.0:
            raise errors.ZooValueError(
                f"average_decay must be in [0, 1) (0 turns generator averaging off; 0.999 is "
                f"usual), got {average_decay!r}."
            )
        errors.check_positive_int("latent_dim", latent_dim)
        self.latent_dim = int(latent_dim)
        self.average_decay = float(average_decay)
        self.sample_average = bool(sample_average)
        super().__init__(image_size=image_size, channels=channels, width=width, seed=seed,
                         name=name, **kwargs)
        self.average = self._make_average()

    def get_config(self):
        return {
            "image_size": self.image_size,
            "channels": self.channels,
            "latent_dim": self.latent_dim,
            "width": self.width,
            "seed": self.seed,
            "average_decay": self.average_decay,
            "sample_average": self.sample_average,
            "name": self.name,
        }

    def noise(self, local_batch, salt=0):
        """Latent vectors for this replica's part of the current step.

        Keyed on (seed, salt, step) and drawn for the global batch (``zoo.rng``),
        so they do not depend on the backend or on how the batch is split.
        """
        return global_draw(rng.normal, local_batch, (self.latent_dim,),
                           self.random_key(salt), self.d_steps)

    def after_generator_update(self):
        """Count the generator update and move the averaged weights towards G's.

        The decay ramps up as ``min(decay, (1 + t) / (10 + t))`` over the first
        generator updates (as TensorFlow's ExponentialMovingAverage with
        ``num_updates``), so the average soon forgets the initial weights.
        """
        super().after_generator_update()
        if not self.average:
            return
        t = ops.cast(self.g_steps, "float32")
        decay = ops.minimum(self.average_decay, (1.0 + t) / (10.0 + t))
        for avg, v in zip(self.average, self._averaged_variables()):
            avg.assign(avg + (1.0 - decay) * (ops.cast(v, "float32") - avg))

    # ---------------------------------------------------- averaged weights
    def _averaged_variables(self):
        g = self.generator
        return [v for v in g.trainable_variables + g.non_trainable_variables
                if "float" in str(v.dtype)]

    def _make_average(self):
        """Float32 copies of the generator's variables (none when averaging is off)."""
        if not self.average_decay:
            return []
        if len(self._averaged_variables()) != len(self.generator.variables):
            raise errors.ZooValueError(
                f"{type(self).__name__}: generator averaging needs a generator whose variables "
                "are all floating point."
            )
        return [
            self.add_weight(
                name=f"average_{i}",
                shape=v.shape,
                dtype="float32",
                initializer=keras.initializers.Constant(keras.ops.convert_to_numpy(v.value)),
                trainable=False,
                aggregation="only_first_replica",
            )
            for i, v in enumerate(self._averaged_variables())
        ]

    def run_generator(self, inputs, average=False):
        """G(inputs) for sampling, with G's own weights or the averaged ones."""
        if not average:
            return self.generator(inputs, training=False)
        g = self.generator
        n = len(g.trainable_variables)
        values = [ops.cast(a, v.dtype) for a, v in zip(self.average, self._averaged_variables())]
        out, _ = g.stateless_call(values[:n], values[n:], inputs, training=False)
        return out

    # ----------------------------------------------------------- sampling
    num_classes = 0

    def serving_signature(self):
        """What the forward pass takes, for ``export``: a batch of latent vectors (and of
        integer labels, for a conditional model)."""
        z = keras.InputSpec(shape=(None, self.latent_dim), dtype="float32", name="latent")
        labels = keras.InputSpec(shape=(None,), dtype="int32", name="labels")
        return [[z, labels]] if self.num_classes else [z]

    # What Keras' ONNX export imports on each backend (``pip install 'zoo[export]'``).

    def call(self, inputs, training=False):
        """The forward pass Keras' ``model(z)`` and ``predict(z)`` run: images in
        [-1, 1] from a batch of latent vectors ``(N, latent_dim)`` (for a conditional
        model, ``[z, labels]``), with the weight set ``sample`` uses by default, so
        ``predict(model.latents(n, seed))`` equals ``sample(n, seed=seed)``. Training
        never calls it: ``fit`` runs ``train_step``."""
        z, labels = (inputs if self.num_classes and isinstance(inputs, (list, tuple))
                     else (inputs, None))
        if self.num_classes and labels is None:
            raise errors.ZooValueError(
                f"{type(self).__name__} is conditional: call it on [z, labels] (labels: one "
                f"integer class per row).")
        if len(z.shape) != 2 or (z.shape[-1] is not None and z.shape[-1] != self.latent_dim):
            raise errors.ZooValueError(
                f"{type(self).__name__} maps latent vectors of shape (N, {self.latent_dim}) to "
                f"images; got shape {tuple(z.shape)}. model.latents(n, seed) makes them.")
        average = bool(self.sample_average and self.average)
        return self.generate(ops.cast(z, "float32"), labels, average=average)

    def generate(self, z, labels=None, average=False):
        return self.run_generator(z, average)

    def _generate_fn(self, average):
        cache = self.__dict__.setdefault("_compiled_generate", {})
        if average not in cache:
            cache[average] = backend.inference_function(
                self, functools.partial(self.generate, average=average)
            )
        return cache[average]

    def latents(self, n, seed=None, truncation=None):
        """The latent vectors ``sample(n, seed=seed, truncation=truncation)`` uses, as numpy
        float32: standard normal, drawn from ``seed`` (numpy's generator, so the same on every
        backend).

        ``truncation=psi``: the truncation trick (Brock, Donahue & Simonyan 2019, BigGAN,
        section 3.1): every coordinate whose magnitude exceeds ``psi`` is drawn again, from
        the same generator, until none does, so the vectors follow the normal truncated to
        ``[-psi, psi]`` (scaling them instead would shrink every coordinate). Smaller ``psi``
        trades variety for fidelity. The coordinates already inside are the untruncated
        draw's: ``latents(n, s, psi)`` equals ``latents(n, s)`` wherever ``|z| <= psi``.
        """
        truncation = errors.check_truncation(truncation)
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((n, self.latent_dim), dtype=np.float32)
        if truncation is not None:
            outside = np.abs(z) > truncation
            while outside.any():
                z[outside] = rng.standard_normal(int(outside.sum()), dtype=np.float32)
                outside = np.abs(z) > truncation
        return z

    def sample(self, n, *, seed=None, labels=None, batch_size=500, average=None,
               truncation=None):
        """``n`` images as numpy float32 ``(n, H, W, C)`` in [-1, 1].

        The same ``seed`` gives the same images, whatever ``batch_size``.
        Images are produced ``batch_size`` at a time, so memory stays bounded.
        ``average``: draw from the averaged generator weights (True), from G's
        own (False), or from the set the model names in ``sample_average`` (None).
        ``truncation``: psi of the truncation trick (:meth:`latents`), None for none.
        """
        n = errors.check_sample_count(n)
        seed = errors.check_seed(seed)
        batch_size = errors.check_positive_int("batch_size", batch_size)
        labels = self.check_labels(labels, n)
        return self._draw(self.latents(n, seed, truncation), labels, average, batch_size)

    def interpolate(self, seed_a, seed_b, steps=8, *, labels=None, method="slerp",
                    average=None):
        """Images along a path in latent space, as float32 ``(steps, H, W, C)`` in [-1, 1].

        The first image is ``sample(1, seed=seed_a)`` and the last
        ``sample(1, seed=seed_b)``; between them the latent vector moves along
        the great circle (``method="slerp"``, the default: for Gaussian latents
        the straight line passes through improbably short vectors; White 2016,
        "Sampling Generative Networks") or the straight line (``"linear"``).
        ``labels``: for a conditional model, one class for every image or one
        per image (default: class 0, as ``sample(1)`` draws); they are kept
        along the path.
        """
        seed_a, seed_b = errors.check_seed(seed_a), errors.check_seed(seed_b)
        if seed_a is None or seed_b is None:
            raise errors.ZooValueError("interpolate needs two integer seeds, seed_a and seed_b.")
        steps = errors.check_positive_int("steps", steps)
        if steps < 2:
            raise errors.ZooValueError(f"steps must be at least 2 (the two ends), got {steps}.")
        if method not in ("slerp", "linear"):
            raise errors.ZooValueError(f"method must be 'slerp' or 'linear', got {method!r}.")
        if self.num_classes:
            labels = 0 if labels is None else labels
            labels = self.check_labels([labels] * steps if np.ndim(labels) == 0 else labels, steps)
        else:
            labels = self.check_labels(labels, steps)
        a, b = self.latents(1, seed_a)[0], self.latents(1, seed_b)[0]
        z = np.stack([slerp(a, b, t) if method == "slerp" else (1 - t) * a + t * b
                      for t in np.linspace(0.0, 1.0, steps)]).astype(np.float32)
        z[0], z[-1] = a, b  # exactly the ends, whatever rounding did
        return self._draw(z, labels, average, batch_size=500)

    def _draw(self, z, labels, average, batch_size):
        """G(z) (with labels), ``batch_size`` rows at a time, as numpy float32."""
        if average is None:
            average = self.sample_average and bool(self.average)
        elif not isinstance(average, bool):
            raise errors.ZooValueError(f"average must be True, False or None, got {average!r}.")
        if average and not self.average:  # checked here: inside a traced function it would
            raise errors.ZooValueError(   # surface as TensorFlow's StagingError
                f"this {type(self).__name__} keeps no averaged generator weights "
                "(average_decay=0); sample with average=False."
            )
        generate = self._generate_fn(average)
        n = len(z)
        out = np.empty((n,) + self.image_shape, np.float32)
        for start in progress(range(0, n, batch_size), n > batch_size, "sampling",
                              total_images=n, batch_size=batch_size):
            stop = min(start + batch_size, n)
            args = [ops.convert_to_tensor(z[start:stop])]
            if labels is not None:
                args.append(ops.convert_to_tensor(labels[start:stop]))
            out[start:stop] = ops.convert_to_numpy(generate(*args))
        return out

    def check_labels(self, labels, n):
        if labels is None:
            return None
        raise errors.ZooValueError(
            f"{type(self).__name__} is unconditional; sample() takes no labels. "
            "Use a conditional model such as 'cgan-mnist'."
        )

    # --------------------------------------------------------- projection
    def project(self, images, *, labels=None, steps=300, restarts=4, seed=0, learning_rate=0.05,
                features=None, feature_weight=1.0, average=None):
        """Latent vectors whose samples match ``images``: GAN inversion by optimisation
        (Zhu, Kraehenbuehl, Shechtman & Efros 2016, "Generative Visual Manipulation on the
        Natural Image Manifold", section 3.1; Creswell & Bharath 2018, "Inverting the
        Generator of a Generative Adversarial Network").

        For each image, ``restarts`` starting points ``latents(restarts * N, seed)`` are
        moved by Adam (``learning_rate``) for ``steps`` steps to minimise the mean squared
        pixel error of G(z) to the image, plus ``feature_weight`` times the mean squared
        error of their ``features`` (a network mapping images to feature vectors, or to a
        tuple whose first item is them, as ``zoo.evaluation.load_classifier`` gives: a
        perceptual term, which matches what the images show rather than where each pixel
        is); the restart with the lowest error is kept. G is frozen. The optimisation
        runs through Keras' own ``fit``, so it works on every backend.

        Returns ``(latents, images)``: float32 ``(N, latent_dim)`` and their samples
        ``(N, H, W, C)`` in [-1, 1] (``sample``'s weights: ``average`` as there). A
        conditional model projects each image given its class (``labels``).
        """
        x = np.asarray(images.numpy() if hasattr(images, "numpy") else images)
        batch = x[None] if x.ndim == len(self.image_shape) else x
        if batch.ndim != 4 or tuple(batch.shape[1:]) != tuple(self.image_shape) or not len(batch):
            raise errors.ZooValueError(
                f"{type(self).__name__} makes images of shape {tuple(self.image_shape)}: project "
                f"takes (N, {', '.join(map(str, self.image_shape))}) or one image, got {x.shape}.")
        batch = model_pixels(batch)
        steps = errors.check_positive_int("steps", steps)
        restarts = errors.check_positive_int("restarts", restarts)
        seed = errors.check_seed(seed)
        for name, value, least in (("learning_rate", learning_rate, "> 0"),
                                   ("feature_weight", feature_weight, ">= 0")):
            if (isinstance(value, bool) or not isinstance(value, numbers.Real)
                    or not np.isfinite(value) or value < 0 or (least == "> 0" and value == 0)):
                raise errors.ZooValueError(f"{name} must be a number {least}, got {value!r}.")
        n = len(batch)
        if self.num_classes and labels is None:
            raise errors.ZooValueError(
                f"{type(self).__name__} is conditional: project(images, labels=...) needs the "
                "class of each image.")
        labels = self.check_labels(labels, n)
        if average is None:
            average = self.sample_average and bool(self.average)
        rows = np.repeat(np.arange(n), restarts)  # image of each start, restarts in a row
        fit_labels = None if labels is None else ops.convert_to_tensor(np.asarray(labels)[rows])

        def extract(images_):
            out = features(images_, training=False)
            return out[0] if isinstance(out, (list, tuple)) else out

        def extract_all(images_):
            return np.concatenate([ops.convert_to_numpy(extract(ops.convert_to_tensor(
                images_[i:i + 256]))) for i in range(0, len(images_), 256)])

        def generate(z):
            return self.generate(z, fit_labels, average=bool(average))

        projector = _Projector(self.latents(len(rows), seed), generate,
                               extract if features is not None else None)
        targets = {"pixels": batch[rows]}
        weights = {"pixels": 1.0}
        if features is not None:
            targets["features"] = extract_all(batch)[rows]
            weights["features"] = float(feature_weight)
        projector.compile(optimizer=keras.optimizers.Adam(float(learning_rate)),
                          loss={k: "mse" for k in targets}, loss_weights=weights)
        projector.fit(_SameBatch(np.zeros((len(rows), 1), np.float32), targets, steps),
                      epochs=1, verbose=0)
        z = ops.convert_to_numpy(projector.z).astype(np.float32)
        made = self._draw(z, None if labels is None else np.asarray(labels)[rows],
                          bool(average), batch_size=500)
        error = ((made - batch[rows]) ** 2).reshape(len(rows), -1).mean(axis=1)
        if features is not None:
            got = extract_all(made)
            error = error + float(feature_weight) * ((got - targets["features"]) ** 2).mean(axis=1)
        best = error.reshape(n, restarts).argmin(axis=1) + np.arange(n) * restarts
        return z[best], made[best]


class _SameBatch(keras.utils.PyDataset):
    """One batch, ``steps`` times: an epoch of :class:`_Projector`'s optimisation."""

    def __init__(self, x, y, steps):
        super().__init__()
        self.x, self.y, self.steps = x, y, steps

    def __len__(self):
        return self.steps

    def __getitem__(self, i):
        return self.x, self.y


class _Projector(keras.Model):
    """:meth:`NoiseToImage.project`'s optimisation as a Keras model whose only weights are
    the latent vectors: ``generate`` and ``extract`` are closures, so G and the feature
    network stay frozen and untracked."""

    def __init__(self, z0, generate, extract):
        super().__init__(name="projector")
        self.z = self.add_weight(shape=z0.shape, initializer=keras.initializers.Constant(z0),
                                 name="latents")
        self._generate, self._extract = generate, extract

    def call(self, index):
        images = self._generate(ops.convert_to_tensor(self.z))
        out = {"pixels": images}
        if self._extract is not None:
            out["features"] = self._extract(images)
        return out


class ImageToImage(Adversarial):
    """A translator of images into images (CycleGAN, pix2pix).

    Adds to the two-player game the translation API: ``translate(images,
    direction)``, the forward pass ``call`` (the first of ``directions``), the
    serving signature (a batch of images) and the check of ``(a, b)`` training
    batches. A subclass names its ``directions`` and returns the network of each
    from :meth:`translator`; ``downsampling`` is the factor its generator
    halves the image by (height and width must be multiples of it).
    """

    task = "image-to-image"
    directions = ("a2b", "b2a")
    downsampling = 4
    # Settings that configs saved before the split (2026-12-07) carry at values that
    # did nothing here: dropped when such a config is read (``as_saved_now``).
    retired = {"average_decay": 0.0, "sample_average": False}
    # Settings added since, whose absence from a saved config means this value, not the
    # class's default (a subclass names its own).
    absent_means = {}

    @classmethod
    def as_saved_now(cls, config):
        """A saved ``config`` as this version reads it: less the :attr:`retired` settings
        at their do-nothing values, with the :attr:`absent_means` values it lacks."""
        kept = {k: v for k, v in config.items() if not (k in cls.retired and v == cls.retired[k])}
        return {**cls.absent_means, **kept}

    @classmethod
    def from_config(cls, config):
        return super().from_config(cls.as_saved_now(config))

    def translator(self, direction):
        """The generator network that translates in ``direction``."""
        raise NotImplementedError

    # Noise-to-image methods a user may reach for; a translator has no latent space.
    _NOT_HERE = ("sample", "interpolate", "latents", "average", "sample_average", "project")

    def __getattr__(self, name):  # only called for attributes that do not exist
        if name in ImageToImage._NOT_HERE:
            raise errors.NotThisKindOfModel(
                f"{type(self).__name__} translates images and has no latent space, so no "
                f"{name}: use model.translate(images, direction) with direction one of "
                f"{', '.join(map(repr, self.directions))}.")
        # Keras' PyTorch layers are torch modules, which keep sublayers where only the
        # module's own __getattr__ finds them.
        parent = getattr(super(), "__getattr__", None)
        if parent is not None:
            return parent(name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def min_side(self):
        """The smallest height and width :meth:`translate` takes."""
        return 2 * self.downsampling

    def check_training_data(self, images, condition):
        """Both parts of an ``(a, b)`` batch are images."""
        for part in (images, condition):
            check_training_images(part, self.image_shape, type(self).__name__)

    def example_batch(self, n=8, seed=0):
        """Made-up ``(a, b)`` batches of the two domains."""
        draw = np.random.default_rng(seed)
        a = draw.uniform(-1, 1, (n,) + self.image_shape).astype("float32")
        return a, draw.uniform(-1, 1, a.shape).astype("float32")

    def unpack_pair(self, data):
        """A training batch as ``(images_a, images_b)``, or a clear error."""
        if not isinstance(data, tuple) or len(data) != 2:
            raise errors.ZooValueError(
                f"{type(self).__name__} trains on (images_a, images_b) batches; load data with "
                f"zoo.data.load('{self.dataset_hint}') or zip two datasets.")
        return data

    dataset_hint = "cycle_gan/<pair>"

    def serving_signature(self):
        return [keras.InputSpec(shape=(None,) + self.image_shape, dtype="float32", name="images")]

    def call(self, inputs, training=False):
        """``model(x)`` and ``predict(x)``: images in [-1, 1] translated in the model's
        first direction (``translate`` takes the others)."""
        if len(inputs.shape) != 4 or inputs.shape[-1] != self.channels:
            raise errors.ZooValueError(
                f"{type(self).__name__} translates images of shape (N, H, W, {self.channels}); "
                f"got shape {tuple(inputs.shape)}.")
        return self.run_translator(ops.cast(inputs, "float32"), self.directions[0])

    def run_translator(self, x, direction):
        """The translation of a batch ``x`` (float32 in [-1, 1]) as the model serves it."""
        return self.translator(direction)(x, training=False)

    def translate(self, images, direction=None, batch_size=16):
        """Translate one image ``(H, W, C)`` or a batch ``(N, H, W, C)``.

        ``direction``: one of the model's ``directions`` (default: the first).
        Accepts numpy arrays or tensors, uint8 in [0, 255] or float in [-1, 1].
        Returns numpy float32 in [-1, 1] of the same shape.
        """
        direction = self.directions[0] if direction is None else direction
        if direction not in self.directions:
            ways = " or ".join(repr(d) for d in self.directions)
            raise errors.ZooValueError(
                f"direction must be {ways} for this {type(self).__name__}, got {direction!r}.")
        batch_size = errors.check_positive_int("batch_size", batch_size)
        x = self.checked_images(images)
        single = x.ndim == 3
        x = x[None] if single else x
        out = np.concatenate(
            [ops.convert_to_numpy(self.run_translator(x[i : i + batch_size], direction))
             for i in range(0, len(x), batch_size)]
        )
        return out[0] if single else out

    def checked_images(self, images):
        """``images`` as float32 in [-1, 1] (uint8 scaled), or a clear error."""
        try:
            x = np.asarray(images.numpy() if hasattr(images, "numpy") else images)
        except (ValueError, TypeError) as e:  # ragged nested lists, odd objects
            raise errors.ZooValueError(f"images must be an array of pixels: {e}") from None
        batch = x[None] if x.ndim == 3 else x
        if batch.ndim != 4 or batch.shape[-1] != self.channels or batch.shape[0] == 0:
            raise errors.ZooValueError(
                f"images must have shape (H, W, {self.channels}) or (N, H, W, {self.channels}) "
                f"with N >= 1, got {x.shape}."
            )
        factor, side = self.downsampling, self.min_side()
        if batch.shape[1] % factor or batch.shape[2] % factor or min(batch.shape[1:3]) < side:
            raise errors.ZooValueError(
                f"image height and width must be multiples of {factor} and at least "
                f"{side}, got {batch.shape[1:3]}."
            )
        return model_pixels(x)
