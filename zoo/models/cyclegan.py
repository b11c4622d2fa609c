"""CycleGAN: Zhu, Park, Isola & Efros 2017, "Unpaired Image-to-Image Translation
using Cycle-Consistent Adversarial Networks".

Two generators, ``g_ab: A -> B`` and ``g_ba: B -> A`` (the paper's G and F), and
two discriminators, ``d_b`` (is this a real B?) and ``d_a``. The full objective,
eq. (3), with the least-squares adversarial loss of section 4:

  L_G = (D_B(G(a)) - 1)^2 + (D_A(F(b)) - 1)^2
        + lambda_cyc * (|F(G(a)) - a| + |G(F(b)) - b|)
        + lambda_id * lambda_cyc * (|G(b) - b| + |F(a) - a|)
  L_D_B = 0.5 * ((D_B(b) - 1)^2 + D_B(pool_B(G(a)))^2), likewise L_D_A.

lambda_cyc = 10, lambda_id = 0.5 (section 5.2: identity weight 0.5 x cycle weight).
The discriminators see fakes through a pool of the 50 most recent generated
images (Shrivastava et al. 2017): once full, each new fake is, with
probability 1/2, swapped for a random stored one. As in the authors' code the
generators update first, then the discriminators; one Adam (2e-4, beta1 0.5)
per player pair, the learning rate constant for ``constant_steps`` and then
decaying linearly to zero over ``decay_steps`` (the paper: 100 + 100 epochs).

Networks (appendix 7.2): ResNet generator c7s1-64, d128, d256, R256 x 9
(6 at 128 px and below), u128, u64, c7s1-3, reflection padding, instance
norm; 70x70 PatchGAN C64-C128-C256-C512 with LeakyReLU 0.2.

Deviations: convolutions followed by instance norm have no bias (the norm
removes it; in the authors' code it is a dead parameter whose float-noise
gradients Adam amplifies into random drift). When ``constant_steps`` and ``decay_steps`` are 0 (the class
default, because they depend on the run's length) the learning rate is
constant; a preset derives them from its schedule (``schedule_for``).
``decoder="resize"`` replaces the two transposed convolutions by upsampling and a
convolution (Odena, Dumoulin & Olah 2016), an option to measure against the paper's
decoder; the paper's is the default.
"""

import keras
from keras import layers, ops

from zoo import errors, losses, rng
from zoo.backends import current as backend
from zoo.models.base import ImageToImage, LeakyReLU, LinearDecay, global_mean
from zoo.preset import Preset, Schedule, collect

def init():
    """N(0, 0.02) weights. A new initializer per layer, so its seed is drawn when the
    network is built and ``keras.utils.set_random_seed`` makes builds repeatable."""
    return keras.initializers.RandomNormal(0.0, 0.02)


@keras.saving.register_keras_serializable(package="zoo")
class ReflectionPad(layers.Layer):
    def __init__(self, pad, **kwargs):
        super().__init__(**kwargs)
        self.pad = pad

    def call(self, x):
        p = self.pad
        return ops.pad(x, [[0, 0], [p, p], [p, p], [0, 0]], mode="reflect")

    def compute_output_shape(self, s):
        grow = lambda d: None if d is None else d + 2 * self.pad  # noqa: E731
        return (s[0], grow(s[1]), grow(s[2]), s[3])

    def get_config(self):
        return {**super().get_config(), "pad": self.pad}


def instance_norm(affine=False):
    """Instance norm. CycleGAN's has no affine parameters, as in the authors' code
    (InstanceNorm2d(affine=False)); pix2pix's is batch norm at batch 1, whose scale and shift
    it keeps (``affine=True``: scale from N(1, 0.02), shift 0, as the authors initialise it)."""
    if not affine:
        return layers.GroupNormalization(groups=-1, epsilon=1e-5, center=False, scale=False)
    return layers.GroupNormalization(groups=-1, epsilon=1e-5,
                                     gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02))


def conv_norm_relu(x, filters, kernel, strides=1, transpose=False, reflect=0):
    if reflect:
        x = ReflectionPad(reflect)(x)
    conv = layers.Conv2DTranspose if transpose else layers.Conv2D
    padding = "valid" if reflect else "same"
    x = conv(filters, kernel, strides=strides, padding=padding, use_bias=False,
             kernel_initializer=init())(x)
    return layers.ReLU()(instance_norm()(x))


DECODERS = ("transpose", "resize")


def upsample(x, filters, decoder):
    """Double the feature map: the paper's stride-2 transposed convolution, or (``"resize"``)
    nearest-neighbour upsampling and a 3x3 convolution, whose kernel covers every output
    pixel evenly, so it cannot print the transposed convolution's period-2 grid."""
    if decoder == "transpose":
        return conv_norm_relu(x, filters, 3, strides=2, transpose=True)
    return conv_norm_relu(layers.UpSampling2D(2, interpolation="nearest")(x), filters, 3)


def resnet_generator(size, channels, width, n_blocks, name, decoder="transpose"):
    inputs = keras.Input((None, None, channels))
    x = conv_norm_relu(inputs, width, 7, reflect=3)
    x = conv_norm_relu(x, width * 2, 3, strides=2)
    x = conv_norm_relu(x, width * 4, 3, strides=2)
    for _ in range(n_blocks):
        y = conv_norm_relu(x, width * 4, 3, reflect=1)
        y = ReflectionPad(1)(y)
        y = instance_norm()(layers.Conv2D(width * 4, 3, use_bias=False, kernel_initializer=init())(y))
        x = layers.Add()([x, y])
    x = upsample(x, width * 2, decoder)
    x = upsample(x, width, decoder)
    x = ReflectionPad(3)(x)
    x = layers.Conv2D(channels, 7, kernel_initializer=init(), activation="tanh")(x)
    x = layers.Activation("linear", dtype="float32")(x)  # float32 out under mixed precision
    return keras.Model(inputs, x, name=name)


def patchgan_discriminator(channels, width, name, n_layers=3, affine=False):
    """PatchGAN: one real/fake score per overlapping patch. ``n_layers`` as the authors'
    ``n_layers_D``: 3 is the 70x70 PatchGAN (C64-C128-C256-C512), 2 sees 34x34 patches,
    1 sees 16x16 (Isola et al. 2017, section 4.4)."""
    inputs = keras.Input((None, None, channels))
    x = layers.Conv2D(width, 4, strides=2, padding="same", kernel_initializer=init())(inputs)
    x = LeakyReLU(0.2)(x)
    plan = [(min(2 ** k, 8), 2 if k < n_layers else 1) for k in range(1, n_layers + 1)]
    for mult, stride in plan:
        x = layers.Conv2D(width * mult, 4, strides=stride, padding="same", use_bias=False,
                          kernel_initializer=init())(x)
        x = LeakyReLU(0.2)(instance_norm(affine)(x))
    x = layers.Conv2D(1, 4, padding="same", kernel_initializer=init())(x)
    x = layers.Activation("linear", dtype="float32")(x)  # float32 scores under mixed precision
    return keras.Model(inputs, x, name=name)


@keras.saving.register_keras_serializable(package="zoo")
class CycleGAN(ImageToImage):
    """Zhu et al. 2017. Train on ``(images_a, images_b)`` batches; use ``translate``.

    ``decoder``: ``"transpose"`` (the paper's stride-2 transposed convolutions) or
    ``"resize"`` (nearest-neighbour upsampling, then a 3x3 convolution: Odena et al.
    2016's cure for checkerboard artifacts), to measure one against the other.
    """

    tracker_names = ("d_loss", "g_loss", "cycle_loss", "identity_loss")
    dataset_hint = "cycle_gan/<pair>"

    def __init__(self, image_size=256, channels=3, width=64, n_blocks=None,
                 cycle_weight=10.0, identity_weight=0.5, pool_size=50,
                 constant_steps=0, decay_steps=0, decoder="transpose", **kwargs):
        if decoder not in DECODERS:
            raise errors.ZooValueError(
                f"decoder must be one of {', '.join(map(repr, DECODERS))}, got {decoder!r}.")
        self.n_blocks = n_blocks if n_blocks is not None else (9 if image_size >= 256 else 6)
        self.cycle_weight, self.identity_weight = cycle_weight, identity_weight
        self.pool_size = errors.check_positive_int("pool_size", pool_size)
        self.constant_steps, self.decay_steps = constant_steps, decay_steps
        self.decoder = decoder
        if image_size % 4:
            raise errors.ZooValueError(
                f"CycleGAN downsamples twice; image_size must be a multiple of 4, got {image_size}."
            )
        super().__init__(image_size=image_size, channels=channels, width=width, **kwargs)
        shape = (self.pool_size,) + self.image_shape
        self.pool_a = self.add_weight(name="pool_a", shape=shape, initializer="zeros",
                                      trainable=False, aggregation="only_first_replica")
        self.pool_b = self.add_weight(name="pool_b", shape=shape, initializer="zeros",
                                      trainable=False, aggregation="only_first_replica")
        self.pool_count = self._counter("pool_count")

    def get_config(self):
        config = {
            **super().get_config(),
            "n_blocks": self.n_blocks,
            "cycle_weight": self.cycle_weight,
            "identity_weight": self.identity_weight,
            "pool_size": self.pool_size,
            "constant_steps": self.constant_steps,
            "decay_steps": self.decay_steps,
        }
        if self.decoder != "transpose":  # absent from configs saved before it existed
            config["decoder"] = self.decoder
        return config

    def build_networks(self):
        args = (self.image_size, self.channels, self.width, self.n_blocks)
        self.g_ab = resnet_generator(*args, name="g_ab", decoder=self.decoder)
        self.g_ba = resnet_generator(*args, name="g_ba", decoder=self.decoder)
        self.d_a = patchgan_discriminator(self.channels, self.width, name="d_a")
        self.d_b = patchgan_discriminator(self.channels, self.width, name="d_b")

    def translator(self, direction):
        return self.g_ab if direction == "a2b" else self.g_ba

    def d_variables(self):
        return self.d_a.trainable_variables + self.d_b.trainable_variables

    def g_variables(self):
        return self.g_ab.trainable_variables + self.g_ba.trainable_variables

    def default_optimizers(self):
        def adam():
            lr = LinearDecay(2e-4, self.constant_steps, self.decay_steps)
            return keras.optimizers.Adam(lr, beta_1=0.5)

        return adam(), adam()

    # ------------------------------------------------------------ the pool
    def query_pools(self, fake_a, fake_b):
        """Zhu et al.'s image buffer, applied to the global batch on every replica.

        All replicas gather the global batch of fakes, make the same random
        choices (keyed on the step), so the pools stay identical and the result
        equals one device's; each replica keeps its own rows.
        """
        local = ops.shape(fake_a)[0]
        replica, _ = backend.replica_info()
        fakes = [backend.all_gather(fake_a), backend.all_gather(fake_b)]
        n = ops.shape(fakes[0])[0]
        coins = rng.uniform((n, 2), self.random_key(5), self.d_steps)
        picks = ops.mod(rng.bits((n, 2), self.random_key(6), self.d_steps), self.pool_size)

        def body(i, state):
            count, pools, outs = state
            new_pools, new_outs = [], []
            for d in range(2):
                image, pool = ops.take(fakes[d], i, axis=0), pools[d]
                filling = count < self.pool_size
                swap = ops.logical_and(ops.logical_not(filling), coins[i, d] > 0.5)
                slot = ops.where(filling, count, picks[i, d])
                stored = ops.take(pool, slot, axis=0)
                write = ops.logical_or(filling, swap)
                new_pools.append(ops.scatter_update(
                    pool, ops.reshape(slot, (1, 1)), ops.where(write, image, stored)[None]
                ))
                new_outs.append(ops.scatter_update(
                    outs[d], ops.reshape(i, (1, 1)), ops.where(swap, stored, image)[None]
                ))
            return ops.minimum(count + 1, self.pool_size), new_pools, new_outs

        count = ops.cast(self.pool_count, "int32")
        pools = [ops.convert_to_tensor(self.pool_a), ops.convert_to_tensor(self.pool_b)]
        outs = [ops.zeros_like(f) for f in fakes]
        count, pools, outs = ops.fori_loop(0, n, body, (count, pools, outs))
        self.pool_a.assign(pools[0])
        self.pool_b.assign(pools[1])
        self.pool_count.assign(ops.cast(count, self.pool_count.dtype))
        start = replica * local
        return outs[0][start : start + local], outs[1][start : start + local]

    # ------------------------------------------------------------ training
    def generator_objective(self, real_a, real_b, training):
        """Eq. (3) for the generators, per example: ``(loss, logs, fake_a, fake_b)``.
        ``train_step`` minimises it; ``test_step`` reports it on held-out pairs."""
        lam, lam_id = self.cycle_weight, self.identity_weight * self.cycle_weight
        fake_b, fake_a = self.g_ab(real_a, training=training), self.g_ba(real_b, training=training)
        adv = (losses.least_squares_generator_loss(self.d_b(fake_b, training=training))
               + losses.least_squares_generator_loss(self.d_a(fake_a, training=training)))
        cycle = (losses.l1_loss(self.g_ba(fake_b, training=training), real_a)
                 + losses.l1_loss(self.g_ab(fake_a, training=training), real_b))
        identity = (losses.l1_loss(self.g_ab(real_b, training=training), real_b)
                    + losses.l1_loss(self.g_ba(real_a, training=training), real_a))
        per_example = adv + lam * cycle + lam_id * identity
        logs = {"g_loss": ops.mean(per_example), "cycle_loss": ops.mean(cycle),
                "identity_loss": ops.mean(identity)}
        return per_example, logs, fake_a, fake_b

    def discriminator_objective(self, real_a, real_b, fake_a, fake_b, training):
        """The two discriminators' least-squares loss, halved, per example."""
        return 0.5 * (
            losses.least_squares_discriminator_loss(self.d_a(real_a, training=training),
                                                    self.d_a(fake_a, training=training))
            + losses.least_squares_discriminator_loss(self.d_b(real_b, training=training),
                                                      self.d_b(fake_b, training=training)))

    def train_step(self, data, update_generator=True):
        real_a, real_b = self.unpack_pair(data)

        def g_loss():
            per_example, logs, fake_a, fake_b = self.generator_objective(real_a, real_b, True)
            return global_mean(per_example), (logs, fake_a, fake_b)

        logs, fake_a, fake_b = self.apply(self.g_optimizer, g_loss, self.g_variables())
        self.g_steps.assign_add(1)
        pooled_a, pooled_b = self.query_pools(fake_a, fake_b)

        def d_loss():
            per_example = self.discriminator_objective(real_a, real_b, pooled_a, pooled_b, True)
            return global_mean(per_example), ops.mean(per_example)

        logs["d_loss"] = self.apply(self.d_optimizer, d_loss, self.d_variables())
        self.d_steps.assign_add(1)
        return self.record(**logs)

    def test_step(self, data):
        """The losses ``train_step`` logs, on held-out ``(a, b)`` data, updating nothing:
        the discriminators see the fresh fakes (the pool is left as it is)."""
        real_a, real_b = self.unpack_pair(data)
        _, logs, fake_a, fake_b = self.generator_objective(real_a, real_b, False)
        d_loss = self.discriminator_objective(real_a, real_b, fake_a, fake_b, False)
        return self.record(**logs, d_loss=ops.mean(d_loss))

    @classmethod
    def schedule_for(cls, steps):
        """The paper's learning rate over a run of ``steps``: constant for the first
        half, then linearly to 0 (100 + 100 of its 200 epochs)."""
        return {"constant_steps": steps // 2, "decay_steps": steps - steps // 2}


PAPER = ('Zhu, Park, Isola & Efros 2017, "Unpaired Image-to-Image Translation using '
         'Cycle-Consistent Adversarial Networks"')

PRESETS = collect(
    Preset(
        name="cyclegan-horse2zebra",
        cls=CycleGAN,
        config={"image_size": 256, "channels": 3, "width": 64, "n_blocks": 9},
        dataset="cycle_gan/horse2zebra",
        # The paper: 200 epochs of the 1,067 horses at batch 1.
        schedule=Schedule(steps=213_400, batch_size=1, steps_per_epoch=1067),
        recipe="recipes/cyclegan_horse2zebra.py",
        paper=PAPER,
        description="CycleGAN horse <-> zebra at 256 px, the paper's setting (weights not shipped).",
    ),
    Preset(
        name="cyclegan-sneaker2boot",
        cls=CycleGAN,
        # Width 32 and 6 blocks: at 16 and 3 boot -> sneaker stayed at 71.5%; the cycle loss
        # at a quarter of the paper's weight lets a boot lose its shaft (the recipe's card).
        config={"image_size": 28, "channels": 1, "width": 32, "n_blocks": 6, "cycle_weight": 2.5},
        dataset="fashion_mnist_pair/sneaker2boot",
        # The paper's 200 epochs of the larger domain (6,000 images) at batch 1.
        schedule=Schedule(steps=1_200_000, batch_size=1, steps_per_epoch=500),
        recipe="recipes/cyclegan_sneaker2boot.py",
        paper=PAPER,
        hub="keras-gan-zoo/cyclegan-sneaker2boot",  # pinned with hub_revision once published
        # Issue 14's quality target (n = 10,000, tools/evaluate_checkpoints.py).
        target={"a2b_target_class_rate": (">=", 0.95), "b2a_target_class_rate": (">=", 0.95)},
        description="CycleGAN between Fashion-MNIST sneakers (A) and ankle boots (B), 28 px.",
    ),
    Preset(
        name="cyclegan-noto2twemoji",
        cls=CycleGAN,
        # The paper's 6-block ResNet generator (its setting at 128 px and below) and 70x70
        # PatchGAN at 64 px, half the paper's width (recipes/cyclegan_noto2twemoji.py says why).
        config={"image_size": 64, "channels": 3, "width": 32, "n_blocks": 6},
        dataset="emoji_pair/noto2twemoji",
        # The paper's 200 epochs of the 3,409 train emoji a style, at batch 1.
        schedule=Schedule(steps=681_800, batch_size=1, steps_per_epoch=1000),
        recipe="recipes/cyclegan_noto2twemoji.py",
        paper=PAPER,
        hub="keras-gan-zoo/cyclegan-noto2twemoji",  # pinned with hub_revision once published
        # Issue 33's targets (zoo.evaluate on the 377 test emoji a style).
        target={"a2b_target_style_rate": (">=", 0.95), "b2a_target_style_rate": (">=", 0.95),
                "a2b_category_kept_ratio": (">=", 0.9), "b2a_category_kept_ratio": (">=", 0.9),
                "a2b_gap_closed": (">=", 0.75), "b2a_gap_closed": (">=", 0.75),
                "a2b_l1_ratio": ("<=", 1.0), "b2a_l1_ratio": ("<=", 1.0)},
        description="CycleGAN between two emoji styles, Noto (A) and Twemoji (B), 64 px colour.",
    ),
    Preset(
        name="cyclegan-ming2kai",
        cls=CycleGAN,
        # The emoji preset's networks, in grey: the unpaired counterpart of pix2pix-ming2kai.
        config={"image_size": 64, "channels": 1, "width": 32, "n_blocks": 6},
        dataset="hanzi_pair/ming2kai",
        # The paper's 200 epochs of the 6,086 train characters a face, at batch 1.
        schedule=Schedule(steps=1_217_200, batch_size=1, steps_per_epoch=1000),
        recipe="recipes/cyclegan_ming2kai.py",
        paper=PAPER,
        hub="keras-gan-zoo/cyclegan-ming2kai",
        # Issue 49's targets (zoo.evaluate on the 677 test characters).
        target={"a2b_target_style_rate_share": (">=", 0.95), "a2b_l1_ratio": ("<=", 1.0)},
        description="CycleGAN between Ming (A) and Kai (B) Chinese characters, 64 px grey.",
    ),
)
