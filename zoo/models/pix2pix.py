"""pix2pix: Isola, Zhu, Zhou & Efros 2017, "Image-to-Image Translation with
Conditional Adversarial Networks".

The paired counterpart of CycleGAN: trained on ``(source, target)`` pairs that show
the same thing, it learns one direction, ``source -> target``. The objective, eq. (4):

  G* = arg min_G max_D  L_cGAN(G, D) + lambda * L_L1(G),   lambda = 100
  L_cGAN = log D(x, y) + log(1 - D(x, G(x)))   (the generator: non-saturating)
  L_L1   = |y - G(x)|

D is conditioned on the input: it sees the source and an image side by side
(concatenated on the channel axis) and says, patch by patch, whether the image is
the source's real counterpart. Its objective is halved, as in the authors' code.

Networks (section 3.2 and the authors' code):

* Generator: a U-Net. The encoder halves the image with 4x4 stride-2 convolutions,
  C64-C128-C256-C512-C512... down to 1x1 (six levels at 64 px, eight at 256),
  LeakyReLU 0.2, no norm on the first layer nor on the innermost (a 1x1 map has
  nothing to normalise); the decoder mirrors it with 4x4 stride-2 transposed
  convolutions and ReLU, and each decoder level is concatenated with the encoder
  level of the same size (the skip connections that carry the source's layout
  straight to the output). Dropout 0.5 in the three innermost decoder blocks is the
  model's only noise, and, as in the paper, it stays on at test time: an image
  translated with two seeds differs a little. ``translate(images, seed=s)`` draws
  one set of masks from ``s`` for every image, so an image and a seed give the same
  translation every time, whatever batch it is in.
* Discriminator: the 70x70 PatchGAN C64-C128-C256-C512 (CycleGAN's; the CycleGAN
  paper took it from here) on the concatenated pair.
* Norm: instance norm. The paper uses batch norm at batch 1 with the batch's own
  statistics at test time too, which is instance norm with batch norm's scale and shift
  (``norm_affine=True``, the default). ``norm_affine=False`` is CycleGAN's norm, without
  them: what the shipped presets were first trained with (their cards measure the two).

Training: Adam 2e-4, betas (0.5, 0.999), batch 1, N(0, 0.02) weights, jitter by
resizing to 1.125x and cropping back, and mirroring, the same for both images of a
pair (``zoo.data.load("emoji_paired/...")``).

Deviations: the generator updates before the discriminator in each step (the
authors' code updates D first), so one forward pass of G serves both updates, as
in the zoo's CycleGAN; the alternation is the same, half a step shifted. The
learning rate is constant, then decays linearly to 0 over the second half of the
run (the paper's 100 + 100 epochs on most of its data sets), fitted to a run's
``--steps`` as CycleGAN's.
"""

import keras
from keras import layers, ops

from zoo import errors, losses, rng
from zoo.models.base import ImageToImage, LeakyReLU, LinearDecay, global_draw, global_mean
from zoo.models.cyclegan import DECODERS, init, instance_norm, patchgan_discriminator
from zoo.preset import Preset, Schedule, collect


@keras.saving.register_keras_serializable(package="zoo")
class TestTimeDropout(layers.Layer):
    """pix2pix's dropout, the generator's only noise: on in training *and* at test time.

    In training every example gets its own mask, drawn like the zoo's other noise
    (``zoo.rng``, keyed on a saved counter, for the global batch), so a resumed or
    distributed run draws what one uninterrupted device draws. At test time one mask,
    drawn from ``inference_seed`` (``Pix2Pix.translate(seed=...)`` sets it), is applied
    to every image: a translation depends on the image and the seed alone, not on the
    batch it came in or on how often the model was called before.
    """

    def __init__(self, rate, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.rate, self.seed = float(rate), int(seed)

    def build(self, input_shape):
        def counter(name):
            return self.add_weight(name=name, shape=(), dtype="int64", initializer="zeros",
                                   trainable=False, aggregation="only_first_replica")

        self.calls, self.inference_seed = counter("calls"), counter("inference_seed")

    def call(self, x, training=False):
        if training:
            u = global_draw(rng.uniform, ops.shape(x)[0], ops.shape(x)[1:],
                            self.seed + 1_000_003, self.calls)
            self.calls.assign_add(1)
        else:
            u = rng.uniform(ops.shape(x)[1:], self.seed + 2_000_003, self.inference_seed)[None]
        return ops.where(u >= self.rate, x / (1.0 - self.rate), ops.zeros_like(x))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


@keras.saving.register_keras_serializable(package="zoo")
class Conv2D(layers.Conv2D):
    """Keras' Conv2D (the same weights under the same name, the same values) whose bias is
    added as a tensor of the output's shape: a skip connection taps the first convolution's
    output, and where Grappler's remapper fused that convolution with its bias it left the
    skip reading a node it had removed ("remapper failed" in the log, on batches of unknown
    size)."""

    def call(self, inputs):
        y = self.convolution_op(inputs, self.kernel)
        if not self.use_bias:
            return y
        return y + ops.ones_like(y[:1, :1, :1]) * ops.cast(self.bias, y.dtype)


def levels_for(image_size):
    """The U-Net's depth: how many halvings take ``image_size`` down to 1."""
    levels, size = 0, image_size
    while size > 1 and size % 2 == 0:
        size //= 2
        levels += 1
    if size != 1 or levels < 3:
        raise errors.ZooValueError(
            f"pix2pix's U-Net halves the image down to 1x1: image_size must be a power of "
            f"two, at least 8 (64 and 256 are usual), got {image_size}.")
    return levels


def upsample(filters, decoder, **kwargs):
    """The decoder's doubling: the paper's 4x4 stride-2 transposed convolution, or
    (``"resize"``, Odena et al. 2016) nearest-neighbour upsampling and a 3x3 convolution."""
    if decoder == "transpose":
        return [layers.Conv2DTranspose(filters, 4, strides=2, padding="same", **kwargs)]
    return [layers.UpSampling2D(2, interpolation="nearest"),
            layers.Conv2D(filters, 3, padding="same", **kwargs)]


def apply(stack, x):
    for layer in stack:
        x = layer(x)
    return x


def unet_generator(image_size, channels, width, dropout, seed, name="generator", affine=True,
                   decoder="transpose"):
    """Source image -> translated image in [-1, 1] (see the module docstring)."""
    levels = levels_for(image_size)
    filters = [width * min(2 ** i, 8) for i in range(levels)]
    inputs = keras.Input((None, None, channels))
    x, skips = inputs, []
    for i, f in enumerate(filters):
        if i:
            x = LeakyReLU(0.2)(x)
        x = (Conv2D if i == 0 else layers.Conv2D)(
            f, 4, strides=2, padding="same", use_bias=i in (0, levels - 1),
            kernel_initializer=init())(x)
        if 0 < i < levels - 1:
            x = instance_norm(affine)(x)
        skips.append(x)
    for k, i in enumerate(reversed(range(levels - 1))):  # up to the outermost level's input
        x = layers.ReLU()(x)
        x = apply(upsample(filters[i], decoder, use_bias=False, kernel_initializer=init()), x)
        x = instance_norm(affine)(x)
        if k < 3 and dropout:
            x = TestTimeDropout(dropout, seed=seed + k)(x)
        x = layers.Concatenate()([x, skips[i]])
    x = layers.ReLU()(x)
    x = apply(upsample(channels, decoder, kernel_initializer=init(), activation="tanh"), x)
    x = layers.Activation("linear", dtype="float32")(x)  # float32 out under mixed precision
    return keras.Model(inputs, x, name=name)


@keras.saving.register_keras_serializable(package="zoo")
class Pix2Pix(ImageToImage):
    """Isola et al. 2017. Train on ``(source, target)`` batches of paired images;
    ``translate(images)`` maps sources to targets (one direction, ``"a2b"``).

    Args:
      image_size, channels: the images' shape (a power of two: the U-Net's depth
        follows from it).
      width: filters of the first layer of both networks (paper: 64).
      l1_weight: lambda, the weight of the L1 term (paper: 100).
      dropout: the decoder's dropout rate (paper: 0.5; 0 makes G deterministic).
      norm_affine: the norms keep a scale and a shift, as batch norm at batch 1 does (the
        paper's); False: CycleGAN's instance norm without them (the first runs').
      d_layers: the PatchGAN's depth (3: the paper's 70x70 patches; 2: 34x34; 1: 16x16),
        to measure the receptive field against the image size (70 px covers a 64 px
        image whole).
      decoder: ``"transpose"`` (the paper's 4x4 stride-2 transposed convolutions) or
        ``"resize"`` (nearest-neighbour upsampling, then a 3x3 convolution: Odena et al.
        2016's remedy for the transposed convolution's checkerboard), to measure against it.
      constant_steps, decay_steps: the learning rate's schedule (``schedule_for``).
    """

    tracker_names = ("d_loss", "g_loss", "gan_loss", "l1_loss")
    directions = ("a2b",)
    dataset_hint = "emoji_paired/<pair>"

    # Configs saved before norm_affine existed were of networks without scale and shift.
    absent_means = {"norm_affine": False}

    def __init__(self, image_size=256, channels=3, width=64, l1_weight=100.0, dropout=0.5,
                 d_layers=3, norm_affine=True, constant_steps=0, decay_steps=0,
                 decoder="transpose", **kwargs):
        if decoder not in DECODERS:
            raise errors.ZooValueError(
                f"decoder must be one of {', '.join(map(repr, DECODERS))}, got {decoder!r}.")
        self.decoder = decoder
        self.norm_affine = bool(norm_affine)
        self.levels = levels_for(image_size)
        if isinstance(d_layers, bool) or d_layers not in (1, 2, 3, 4):
            raise errors.ZooValueError(
                f"d_layers must be 1, 2, 3 (the paper's 70x70 PatchGAN) or 4, got {d_layers!r}.")
        self.d_layers = int(d_layers)
        if not 0.0 <= float(dropout) < 1.0:
            raise errors.ZooValueError(f"dropout must be in [0, 1) (paper: 0.5), got {dropout!r}.")
        if float(l1_weight) < 0:
            raise errors.ZooValueError(f"l1_weight must be >= 0 (paper: 100), got {l1_weight!r}.")
        self.l1_weight, self.dropout = float(l1_weight), float(dropout)
        self.constant_steps, self.decay_steps = constant_steps, decay_steps
        super().__init__(image_size=image_size, channels=channels, width=width, **kwargs)

    def get_config(self):
        config = {**super().get_config(), "l1_weight": self.l1_weight, "dropout": self.dropout,
                  "norm_affine": self.norm_affine,
                  "constant_steps": self.constant_steps, "decay_steps": self.decay_steps}
        if self.d_layers != 3:  # absent from configs saved before it existed
            config["d_layers"] = self.d_layers
        if self.decoder != "transpose":
            config["decoder"] = self.decoder
        return config

    @property
    def downsampling(self):
        return 2 ** self.levels

    def min_side(self):
        return self.downsampling

    def build_networks(self):
        self.generator = unet_generator(self.image_size, self.channels, self.width,
                                        self.dropout, self.seed, affine=self.norm_affine,
                                        decoder=self.decoder)
        self.discriminator = patchgan_discriminator(2 * self.channels, self.width,
                                                    name="discriminator", n_layers=self.d_layers,
                                                    affine=self.norm_affine)

    def translator(self, direction):
        return self.generator

    def default_optimizers(self):
        def adam():
            return keras.optimizers.Adam(LinearDecay(2e-4, self.constant_steps,
                                                     self.decay_steps), beta_1=0.5)

        return adam(), adam()

    @classmethod
    def schedule_for(cls, steps):
        """Constant for the first half of a run of ``steps``, then linearly to 0."""
        return {"constant_steps": steps // 2, "decay_steps": steps - steps // 2}

    # ------------------------------------------------------------ training
    def judge(self, source, image, training):
        """D's patch logits for ``image`` as the counterpart of ``source``."""
        return self.discriminator(ops.concatenate([source, image], axis=-1), training=training)

    def generator_objective(self, source, target, training):
        """Eq. (4) for G, per example: ``(loss, logs, fake)``; ``train_step`` minimises
        it, ``test_step`` reports it on held-out pairs."""
        fake = self.generator(source, training=training)
        gan = losses.non_saturating_generator_loss(self.judge(source, fake, training))
        l1 = losses.l1_loss(fake, target)
        per_example = gan + self.l1_weight * l1
        logs = {"g_loss": ops.mean(per_example), "gan_loss": ops.mean(gan),
                "l1_loss": ops.mean(l1)}
        return per_example, logs, fake

    def discriminator_objective(self, source, target, fake, training):
        """D's loss on the real pair and the translated one, halved, per example."""
        return 0.5 * losses.minimax_discriminator_loss(self.judge(source, target, training),
                                                       self.judge(source, fake, training))

    def train_step(self, data, update_generator=True):
        source, target = self.unpack_pair(data)

        def g_loss():
            per_example, logs, fake = self.generator_objective(source, target, True)
            return global_mean(per_example), (logs, fake)

        logs, fake = self.apply(self.g_optimizer, g_loss, self.g_variables())
        self.after_generator_update()
        fake = ops.stop_gradient(fake)

        def d_loss():
            per_example = self.discriminator_objective(source, target, fake, True)
            return global_mean(per_example), ops.mean(per_example)

        logs["d_loss"] = self.apply(self.d_optimizer, d_loss, self.d_variables())
        self.d_steps.assign_add(1)
        return self.record(**logs)

    def test_step(self, data):
        """The losses ``train_step`` logs, on held-out pairs, updating nothing (the
        dropout counters are put back, so no stream moves)."""
        source, target = self.unpack_pair(data)
        state = [(v, ops.copy(v.value)) for v in self.non_trainable_variables]
        _, logs, fake = self.generator_objective(source, target, False)
        d_loss = self.discriminator_objective(source, target, fake, False)
        for v, value in state:
            v.assign(value)
        return self.record(**logs, d_loss=ops.mean(d_loss))

    # ------------------------------------------------------------ inference
    def dropouts(self):
        return [layer for layer in self.generator.layers if isinstance(layer, TestTimeDropout)]

    def translate(self, images, direction=None, batch_size=16, *, seed=0):
        """Translate one image ``(H, W, C)`` or a batch ``(N, H, W, C)`` (uint8 in
        [0, 255] or float in [-1, 1]) into float32 in [-1, 1] of the same shape.

        The dropout stays on, as in the paper: its masks come from ``seed`` (a
        whole number >= 0), one set for every image, so an image and a seed give the
        same translation whatever the batch (``model(x)``, ``predict`` and the export
        are seed 0). Training's draws are left where they were."""
        seed = errors.check_seed(seed)
        seed = 0 if seed is None else seed
        layers_ = self.dropouts()
        saved = [int(layer.inference_seed.numpy()) for layer in layers_]
        for layer in layers_:
            layer.inference_seed.assign(seed)
        try:
            return super().translate(images, direction, batch_size)
        finally:
            for layer, value in zip(layers_, saved):
                layer.inference_seed.assign(value)


PAPER = ('Isola, Zhu, Zhou & Efros 2017, "Image-to-Image Translation with Conditional '
         'Adversarial Networks"')
# The emoji pairs' targets (issue 49; zoo.evaluate on the 377 test emoji).
EMOJI_TARGET = {"a2b_target_style_rate_share": (">=", 0.95), "a2b_l1_ratio": ("<=", 0.6),
                "a2b_category_kept_ratio": (">=", 0.95)}

PRESETS = collect(
    Preset(
        name="pix2pix-noto2twemoji",
        cls=Pix2Pix,
        # norm_affine False: the norm the shipped run trained with (the card has the A/B).
        config={"image_size": 64, "channels": 3, "width": 32, "norm_affine": False},
        dataset="emoji_paired/noto2twemoji",
        # The paper's 200 epochs of the 3,043 training pairs (train less validation), batch 1.
        schedule=Schedule(steps=608_600, batch_size=1, steps_per_epoch=1000),
        recipe="recipes/pix2pix_noto2twemoji.py",
        paper=PAPER,
        hub="keras-gan-zoo/pix2pix-noto2twemoji",
        target=EMOJI_TARGET,
        description="pix2pix from Noto emoji to the same emoji in Twemoji's style, 64 px colour.",
    ),
    Preset(
        name="pix2pix-twemoji2noto",
        cls=Pix2Pix,
        # norm_affine False: the norm the shipped run trained with (the card has the A/B).
        config={"image_size": 64, "channels": 3, "width": 32, "norm_affine": False},
        dataset="emoji_paired/twemoji2noto",
        schedule=Schedule(steps=608_600, batch_size=1, steps_per_epoch=1000),
        recipe="recipes/pix2pix_twemoji2noto.py",
        paper=PAPER,
        hub="keras-gan-zoo/pix2pix-twemoji2noto",
        target=EMOJI_TARGET,
        description="pix2pix from Twemoji to the same emoji in Noto's style, 64 px colour.",
    ),
    Preset(
        name="pix2pix-ming2kai",
        cls=Pix2Pix,
        # zi2zi's setting (Tian 2017): pix2pix on glyphs of two fonts, L1 weight 100.
        config={"image_size": 64, "channels": 1, "width": 32, "norm_affine": False},
        dataset="hanzi_paired/ming2kai",
        # The paper's 200 epochs of the 5,477 training characters (train less validation).
        schedule=Schedule(steps=1_095_400, batch_size=1, steps_per_epoch=1000),
        recipe="recipes/pix2pix_ming2kai.py",
        paper=PAPER,
        hub="keras-gan-zoo/pix2pix-ming2kai",
        # Issue 49's targets (zoo.evaluate on the 677 test characters).
        target={"a2b_target_style_rate_share": (">=", 0.95), "a2b_l1_ratio": ("<=", 0.6),
                "a2b_nearest_own": (">=", 0.8)},
        description="pix2pix from Ming (printed) to Kai (brush) Chinese characters, 64 px grey.",
    ),
)
