"""What the training benchmarks share: the variants they time, an epoch clock, and
hand-written training steps over the zoo's networks (TensorFlow)."""

import contextlib
import time

# variant -> (preset, global batch, constructor overrides)
SETTINGS = {
    "gan": ("gan-mnist", 64, {}),
    "dcgan": ("dcgan-mnist", 128, {}),
    # Steady state: 5 critic updates per generator update (no 100-update warm-up).
    "wgan": ("wgan-mnist", 64, {"warmup_critic": 0}),
    "wgan-gp": ("wgan-gp-mnist", 64, {}),
    "cgan": ("cgan-mnist", 128, {}),
    "cyclegan": ("cyclegan-sneaker2boot", 1, {}),
    # The paper's size (256x256x3, 9 residual blocks), where compute, not per-op
    # overhead, decides; a few steps only, it is slow on a CPU.
    "cyclegan-256": ("cyclegan-horse2zebra", 1, {}),
    # The emoji preset's size (64 px colour, width 32, 6 blocks): issue 49's "1.5x" is of this.
    "cyclegan-emoji": ("cyclegan-noto2twemoji", 1, {}),
    # The calligraphy preset (64 px grey, width 32: the U-Net of six levels, 70x70 PatchGAN).
    "pix2pix": ("pix2pix-ming2kai", 1, {}),
}


def epoch_clock(times):
    """A Keras callback appending each epoch's wall time in seconds to ``times``.

    Keras is imported here, not above, so a benchmark can set up its backend first.
    """
    import keras

    class EpochClock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.t)

    return EpochClock()


def tf_batch(model, batch):
    return model.example_batch(batch)


@contextlib.contextmanager
def dtype_policy(policy):
    """Keras' global dtype policy set to ``policy`` (None: unchanged) inside the block."""
    import keras

    before = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(policy or before)
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(before)


def zoo_model(variant, jit=False, policy=None):
    """The variant's model, built and compiled under ``policy``, as a recipe's
    ``--precision`` builds it (layers keep the policy they were made under)."""
    from zoo import registry

    preset, _, overrides = SETTINGS[variant]
    with dtype_policy(policy):
        model = registry.build(preset, **overrides)
        spec = registry.PRESETS[preset].optimizers
        model.compile(**spec, jit_compile=jit)
    return model


def tf_loop(variant, model=None, batch_size=None):
    """Hand-written steps over the zoo model's networks (``model``, default the variant's
    at its preset size, with ``batch_size`` examples a batch); returns (model, run(n_steps),
    the updates: (traced function, its arguments, calls per step))."""
    import tensorflow as tf

    from zoo import losses

    model = model or zoo_model(variant)
    d_opt, g_opt = model.d_optimizer, model.g_optimizer  # fresh, same settings as fit's
    data = tf_batch(model, batch_size or SETTINGS[variant][1])
    data = tuple(tf.constant(d) for d in data) if isinstance(data, tuple) else tf.constant(data)
    z_dim = getattr(model, "latent_dim", None)  # None: a translator

    def step(opt, loss_fn, variables):
        with tf.GradientTape() as tape:
            loss = loss_fn()
        opt.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    if variant.startswith("cyclegan"):
        pool = {"a": [], "b": []}

        @tf.function(jit_compile=False)
        def g_update(a, b):
            def loss():
                fb, fa = model.g_ab(a, training=True), model.g_ba(b, training=True)
                adv = tf.reduce_mean((model.d_b(fb, training=True) - 1) ** 2) + tf.reduce_mean(
                    (model.d_a(fa, training=True) - 1) ** 2)
                cyc = tf.reduce_mean(tf.abs(model.g_ba(fb, training=True) - a)) + tf.reduce_mean(
                    tf.abs(model.g_ab(fa, training=True) - b))
                idt = tf.reduce_mean(tf.abs(model.g_ab(b, training=True) - b)) + tf.reduce_mean(
                    tf.abs(model.g_ba(a, training=True) - a))
                loss.fakes = (fa, fb)
                return adv + 10.0 * cyc + 5.0 * idt

            step(g_opt, loss, model.g_variables())
            return loss.fakes

        @tf.function(jit_compile=False)
        def d_update(a, b, pa, pb):
            def loss():
                return 0.5 * (tf.reduce_mean((model.d_a(a, training=True) - 1) ** 2)
                              + tf.reduce_mean(model.d_a(pa, training=True) ** 2)
                              + tf.reduce_mean((model.d_b(b, training=True) - 1) ** 2)
                              + tf.reduce_mean(model.d_b(pb, training=True) ** 2))

            step(d_opt, loss, model.d_variables())

        def query(name, fake):  # Zhu et al.'s pool of 50, on the host as most code does
            stored = pool[name]
            if len(stored) < 50:
                stored.append(fake)
                return fake
            if tf.random.uniform(()) > 0.5:
                i = int(tf.random.uniform((), 0, 50, tf.int32))
                stored[i], fake = fake, stored[i]
            return fake

        def run(n):
            a, b = data
            for _ in range(n):
                fa, fb = g_update(a, b)
                d_update(a, b, query("a", fa), query("b", fb))

        a, b = data
        return model, run, [(g_update, (a, b), 1.0), (d_update, (a, b, a, b), 1.0)]

    if variant == "pix2pix":
        G, D = model.generator, model.discriminator

        @tf.function(jit_compile=False)
        def update(source, target):
            def g_loss():
                fake = G(source, training=True)
                score = D(tf.concat([source, fake], -1), training=True)
                loss = tf.reduce_mean(losses.non_saturating_generator_loss(score))
                g_loss.fake = fake
                return loss + 100.0 * tf.reduce_mean(tf.abs(fake - target))

            step(g_opt, g_loss, model.g_variables())
            fake = tf.stop_gradient(g_loss.fake)

            def d_loss():
                return 0.5 * tf.reduce_mean(losses.minimax_discriminator_loss(
                    D(tf.concat([source, target], -1), training=True),
                    D(tf.concat([source, fake], -1), training=True)))

            step(d_opt, d_loss, model.d_variables())

        def run(n):
            for _ in range(n):
                update(*data)

        return model, run, [(update, data, 1.0)]

    real = data[0] if isinstance(data, tuple) else data
    labels = data[1] if isinstance(data, tuple) else None
    batch = real.shape[0]
    G, D = model.generator, model.discriminator

    def gen(z, y):
        if labels is None:
            return G(z, training=True)
        return G(tf.concat([z, tf.one_hot(y, model.num_classes)], -1), training=True)

    def disc(x, y):
        if labels is None:
            return D(x, training=True)
        planes = tf.ones_like(x[..., :1]) * tf.one_hot(y, model.num_classes)[:, None, None, :]
        return D(tf.concat([x, planes], -1), training=True)

    def fake_labels():
        return None if labels is None else tf.random.uniform((batch,), 0, 10, tf.int32)

    wasserstein = variant in ("wgan", "wgan-gp")

    @tf.function(jit_compile=False)
    def d_update(x, y):
        def loss():
            fy = fake_labels()
            fake = gen(tf.random.normal((batch, z_dim)), fy)
            if not wasserstein:
                return tf.reduce_mean(losses.minimax_discriminator_loss(disc(x, y), disc(fake, fy)))
            value = tf.reduce_mean(disc(fake, fy)) - tf.reduce_mean(disc(x, y))
            if variant == "wgan-gp":
                eps = tf.random.uniform((batch, 1, 1, 1))
                mix = eps * x + (1 - eps) * fake
                with tf.GradientTape() as inner:
                    inner.watch(mix)
                    score = disc(mix, y)
                g = inner.gradient(score, mix)
                norm = tf.sqrt(tf.reduce_sum(g * g, axis=[1, 2, 3]) + 1e-12)
                value += 10.0 * tf.reduce_mean((norm - 1.0) ** 2)
            return value

        step(d_opt, loss, model.d_variables())
        if variant == "wgan":
            for v in model.d_variables():
                v.assign(tf.clip_by_value(v, -0.01, 0.01))

    @tf.function(jit_compile=False)
    def g_update():
        def loss():
            fy = fake_labels()
            score = disc(gen(tf.random.normal((batch, z_dim)), fy), fy)
            if wasserstein:
                return -tf.reduce_mean(score)
            return tf.reduce_mean(losses.non_saturating_generator_loss(score))

        step(g_opt, loss, model.g_variables())

    every = 5 if wasserstein else 1

    def run(n):
        for i in range(n):
            d_update(real, labels)
            if (i + 1) % every == 0:
                g_update()

    return model, run, [(d_update, (real, labels), 1.0), (g_update, (), 1.0 / every)]
