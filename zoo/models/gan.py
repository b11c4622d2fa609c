"""The original GAN: Goodfellow et al. 2014, "Generative Adversarial Nets".

Implements eq. (1), the minimax game
``min_G max_D E[log D(x)] + E[log(1 - D(G(z)))]``, with the paper's Algorithm 1
(k = 1 discriminator step per generator step) and fully connected networks as
in the authors' MNIST setup: a generator of two ReLU layers (1200 units) and a
maxout discriminator (240 units x 5 pieces, two layers) with dropout.

Generator loss: ``generator_loss="non_saturating"`` (the default) maximises
``log D(G(z))`` as the paper recommends in section 3 for early training;
``"minimax"`` minimises ``log(1 - D(G(z)))`` literally (its gradient vanishes
when D wins; the zoo's study shows that).

Deviations, each stated: tanh output in [-1, 1] instead of sigmoid in [0, 1]
(the zoo's image convention); Gaussian instead of uniform noise (one latent
convention across the zoo); Adam 2e-4, beta1 0.5 instead of SGD with momentum
(the authors' pylearn2 schedule does not port to a Keras optimizer config).
"""

import keras
from keras import layers, ops

from zoo import errors, losses, rng
from zoo.models.base import NoiseToImage, global_draw
from zoo.preset import Preset, Schedule, collect


@keras.saving.register_keras_serializable(package="zoo")
class Maxout(layers.Layer):
    """Goodfellow et al. 2013: the max over ``pieces`` linear units."""

    def __init__(self, units, pieces, **kwargs):
        super().__init__(**kwargs)
        self.units, self.pieces = units, pieces
        self.dense = layers.Dense(units * pieces)

    def build(self, input_shape):
        self.dense.build(input_shape)

    def call(self, x):
        y = ops.reshape(self.dense(x), (-1, self.units, self.pieces))
        return ops.max(y, axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "pieces": self.pieces}


@keras.saving.register_keras_serializable(package="zoo")
class SeededDropout(layers.Layer):
    """Dropout whose random state is a saved weight, drawn like the zoo's noise.

    Keras' ``Dropout`` keeps its generator state outside the saved weights (a
    reloaded model draws other masks) and, under a strategy, gives every replica
    the same mask. Here the mask comes from a stateless generator keyed on
    (seed, call count); it is drawn for the global batch and sliced per replica,
    so resumed and distributed training match one uninterrupted device.
    """

    def __init__(self, rate, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.rate, self.seed = float(rate), int(seed)

    def build(self, input_shape):
        self.calls = self.add_weight(name="calls", shape=(), dtype="int64", initializer="zeros",
                                     trainable=False, aggregation="only_first_replica")

    def call(self, x, training=False):
        if not training or self.rate == 0:
            return x
        # Its own key range, apart from the model's noise (keys seed + 7919 * salt).
        key = self.seed + 1_000_003
        u = global_draw(rng.uniform, ops.shape(x)[0], ops.shape(x)[1:], key, self.calls)
        self.calls.assign_add(1)
        return ops.where(u >= self.rate, x / (1.0 - self.rate), ops.zeros_like(x))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class MinimaxGAN(NoiseToImage):
    """Goodfellow et al. 2014's game, for any pair of networks: the discriminator's
    eq. (1) objective and the generator's loss (``generator_loss``: ``"non_saturating"``,
    the default, or ``"minimax"``), one discriminator step per generator step, Adam 2e-4
    beta1 0.5 for both. ``GAN`` gives it the paper's MLPs and ``DCGAN`` Radford et al.'s
    convolutional networks; neither takes the other's network arguments."""

    def __init__(self, image_size=28, channels=1, latent_dim=100, width=64,
                 generator_loss="non_saturating", **kwargs):
        if generator_loss not in ("non_saturating", "minimax"):
            raise errors.ZooValueError(
                f"generator_loss must be 'non_saturating' or 'minimax', got {generator_loss!r}."
            )
        self.generator_loss = generator_loss
        super().__init__(image_size, channels, latent_dim, width, **kwargs)

    def get_config(self):
        return {**super().get_config(), "generator_loss": self.generator_loss}

    def default_optimizers(self):
        return (
            keras.optimizers.Adam(2e-4, beta_1=0.5),
            keras.optimizers.Adam(2e-4, beta_1=0.5),
        )

    def d_objective(self, real, condition, batch):
        fake = self.generator(self.noise(batch), training=True)
        per_example = losses.minimax_discriminator_loss(
            self.discriminator(real, training=True),
            self.discriminator(fake, training=True),
        )
        return per_example, {}

    def g_objective(self, condition, batch):
        fake_logits = self.discriminator(
            self.generator(self.noise(batch, salt=1), training=True), training=True
        )
        if self.generator_loss == "minimax":
            return losses.minimax_generator_loss(fake_logits)
        return losses.non_saturating_generator_loss(fake_logits)


@keras.saving.register_keras_serializable(package="zoo")
class GAN(MinimaxGAN):
    """Goodfellow et al. 2014, fully connected minimax GAN.

    Args:
      image_size, channels: output images are ``(image_size, image_size, channels)``.
      latent_dim: size of z.
      width: units of each generator hidden layer (paper: 1200).
      d_units, pieces: maxout units and pieces per discriminator layer (paper: 240, 5).
      dropout: discriminator dropout rate.
      generator_loss: ``"non_saturating"`` (default) or ``"minimax"``.
    """

    def __init__(
        self,
        image_size=28,
        channels=1,
        latent_dim=100,
        width=1200,
        d_units=240,
        pieces=5,
        dropout=0.5,
        generator_loss="non_saturating",
        **kwargs,
    ):
        self.d_units, self.pieces, self.dropout = d_units, pieces, dropout
        super().__init__(image_size, channels, latent_dim, width,
                         generator_loss=generator_loss, **kwargs)

    def get_config(self):
        return {
            **super().get_config(),
            "d_units": self.d_units,
            "pieces": self.pieces,
            "dropout": self.dropout,
        }

    def build_networks(self):
        pixels = self.image_size * self.image_size * self.channels
        self.generator = keras.Sequential(
            [
                keras.Input((self.latent_dim,)),
                layers.Dense(self.width, activation="relu"),
                layers.Dense(self.width, activation="relu"),
                layers.Dense(pixels, activation="tanh"),
                layers.Reshape(self.image_shape, dtype="float32"),  # float32 images out
            ],
            name="generator",
        )
        self.discriminator = keras.Sequential(
            [
                keras.Input(self.image_shape),
                layers.Flatten(),
                Maxout(self.d_units, self.pieces),
                SeededDropout(self.dropout, seed=self.seed),
                Maxout(self.d_units, self.pieces),
                SeededDropout(self.dropout, seed=self.seed + 1),
                layers.Dense(1, dtype="float32"),  # float32 logit; the sigmoid is in the loss
            ],
            name="discriminator",
        )


PAPER = 'Goodfellow et al. 2014, "Generative Adversarial Nets"'

PRESETS = collect(
    Preset(
        name="gan-mnist",
        cls=GAN,
        config={"image_size": 28, "channels": 1, "average_decay": 0.999},
        dataset="mnist",
        # The paper gives no length: 100 epochs of 60,000 images at batch 64.
        schedule=Schedule(steps=93_700, batch_size=64, steps_per_epoch=1000),
        recipe="recipes/gan_mnist.py",
        paper=PAPER,
        hub="keras-gan-zoo/gan-mnist",  # pinned with hub_revision once published
        # Issue 14's quality target (n = 10,000, tools/evaluate_checkpoints.py).
        target={"fid": ("<=", 40), "recall": (">=", 0.3), "classes_covered": (">=", 10)},
        description="Goodfellow et al. 2014 fully connected GAN on MNIST.",
    ),
)
