"""DCGAN: Radford, Metz & Chintala 2015, "Unsupervised Representation Learning
with Deep Convolutional Generative Adversarial Networks".

The architecture guidelines of section 3, all followed:
* strided convolutions in D and fractionally-strided (transposed) convolutions
  in G, no pooling;
* batch norm in both nets, except G's output layer and D's input layer;
* no fully connected hidden layers: z is projected to the first feature map by
  a transposed convolution over a 1x1 input (the paper's "project and
  reshape"), and D ends in a convolution over the last feature map;
* ReLU in G with tanh at the output, LeakyReLU(0.2) in D;
* weights from N(0, 0.02), Adam lr 2e-4 beta1 0.5, batch 128 (section 4).

The objective is the GAN one with the non-saturating generator loss, as in
the authors' code. 5x5 kernels as in the authors' code. For sizes that are not
a power of two (MNIST's 28) the first feature map is 7x7 instead of 4x4.

The network builders here serve WGAN, WGAN-GP and the conditional GAN too.
"""

import keras
from keras import layers

from zoo.models.base import LeakyReLU
from zoo.models.gan import MinimaxGAN
from zoo.preset import Preset, Schedule, collect

def init():
    """N(0, 0.02) weights. A new initializer per layer, so its seed is drawn when the
    network is built and ``keras.utils.set_random_seed`` makes builds repeatable."""
    return keras.initializers.RandomNormal(0.0, 0.02)


def feature_map_plan(image_size):
    """(base size, number of stride-2 steps) with base * 2**steps == image_size."""
    steps, base = 0, image_size
    while base % 2 == 0 and base // 2 >= 4:
        base //= 2
        steps += 1
    if steps == 0:
        raise ValueError(
            f"image_size={image_size} cannot be reached by doubling a feature map of "
            "at least 4 pixels; use a size such as 8, 28, 32 or 64."
        )
    return base, steps


def batch_norm():
    # Synchronized across replicas on TensorFlow, so statistics match one device.
    return layers.BatchNormalization(
        momentum=0.9,
        epsilon=1e-5,
        synchronized=keras.backend.backend() == "tensorflow",
        gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02),
    )


def dcgan_generator(image_size, channels, input_dim, width, name="generator", norm=True):
    """z (plus any conditioning) -> image in [-1, 1]. ``norm=False`` drops the
    batch norm (convolutions get biases instead): the weaker generator of the
    WGAN paper's figure 6, for ``studies/wgan_claims.py``."""
    base, steps = feature_map_plan(image_size)
    filters = width * 2 ** (steps - 1)
    model = keras.Sequential(name=name)
    model.add(keras.Input((input_dim,)))
    model.add(layers.Reshape((1, 1, input_dim)))
    model.add(layers.Conv2DTranspose(filters, base, use_bias=not norm, kernel_initializer=init()))
    if norm:
        model.add(batch_norm())
    model.add(layers.ReLU())
    for _ in range(steps - 1):
        filters //= 2
        model.add(
            layers.Conv2DTranspose(
                filters, 5, strides=2, padding="same", use_bias=not norm, kernel_initializer=init()
            )
        )
        if norm:
            model.add(batch_norm())
        model.add(layers.ReLU())
    model.add(
        layers.Conv2DTranspose(channels, 5, strides=2, padding="same", kernel_initializer=init())
    )
    model.add(layers.Activation("tanh", dtype="float32"))  # float32 out under mixed precision
    return model


def add_norm(model, norm):
    """The discriminator's normalisation after a convolution: ``"batch"``, ``"layer"``
    (over each example's whole feature map) or ``None``."""
    if norm == "batch":
        model.add(batch_norm())
    elif norm == "layer":
        model.add(layers.LayerNormalization(axis=(1, 2, 3)))


def dcgan_discriminator(image_size, in_channels, width, norm="batch", name="discriminator",
                        extra_layers=0):
    """image -> one unbounded score per image (a logit, or a critic value).

    ``norm`` is ``"batch"`` (DCGAN, WGAN), ``"layer"`` or ``None`` (WGAN-GP).
    ``extra_layers``: 3x3 stride-1 convolutions (each with the norm and LeakyReLU) on the
    last feature map, before the score; the WGAN authors' code has them as
    ``n_extra_layers`` (on the first feature map there; ``zoo.models.wgan`` says why here).
    """
    base, steps = feature_map_plan(image_size)
    model = keras.Sequential(name=name)
    model.add(keras.Input((image_size, image_size, in_channels)))
    filters = width
    for i in range(steps):
        model.add(
            layers.Conv2D(
                filters, 5, strides=2, padding="same", use_bias=norm is None or i == 0,
                kernel_initializer=init(),
            )
        )
        if i > 0:
            add_norm(model, norm)
        model.add(LeakyReLU(0.2))
        filters *= 2
    for _ in range(extra_layers):
        model.add(layers.Conv2D(filters // 2, 3, padding="same", use_bias=norm is None,
                                kernel_initializer=init()))
        add_norm(model, norm)
        model.add(LeakyReLU(0.2))
    model.add(layers.Conv2D(1, base, kernel_initializer=init()))  # base x base -> 1 x 1
    model.add(layers.Flatten(dtype="float32"))  # scores in float32 under mixed precision
    return model


@keras.saving.register_keras_serializable(package="zoo")
class DCGAN(MinimaxGAN):
    """Radford et al. 2015: the GAN's objective and alternation (non-saturating
    generator loss by default, as in the authors' code) with the DCGAN networks.
    ``width`` is the paper's 64 (filters of D's first layer)."""

    def __init__(self, image_size=28, channels=1, latent_dim=100, width=64,
                 generator_loss="non_saturating", **kwargs):
        super().__init__(image_size, channels, latent_dim, width,
                         generator_loss=generator_loss, **kwargs)

    def build_networks(self):
        self.generator = dcgan_generator(
            self.image_size, self.channels, self.latent_dim, self.width
        )
        self.discriminator = dcgan_discriminator(self.image_size, self.channels, self.width)


PAPER = ('Radford, Metz & Chintala 2015, "Unsupervised Representation Learning with Deep '
         'Convolutional Generative Adversarial Networks"')

PRESETS = collect(
    Preset(
        name="dcgan-mnist",
        cls=DCGAN,
        config={"image_size": 28, "channels": 1, "width": 64, "average_decay": 0.999},
        dataset="mnist",
        # The authors' code: 25 epochs of 60,000 images at batch 128.
        schedule=Schedule(steps=11_700, batch_size=128, steps_per_epoch=468),
        recipe="recipes/dcgan_mnist.py",
        paper=PAPER,
        hub="keras-gan-zoo/dcgan-mnist",  # pinned with hub_revision once published
        # Issue 14's quality target (n = 10,000, tools/evaluate_checkpoints.py).
        target={"fid": ("<=", 15), "recall": (">=", 0.6)},
        description="DCGAN on MNIST 28x28.",
        # The shipped checkpoint's runs (its card's Reproduce; --replay runs them).
        chain=(
            "python recipes/dcgan_mnist.py --outdir runs/dcgan-mnist --threads 2 --precision mixed_bfloat16 --eval_every 2 --eval_n 2000 --steps 46800 --ship",
            "python recipes/dcgan_mnist.py --outdir runs/dcgan-mnist-2 --threads 2 --precision mixed_bfloat16 --eval_every 2 --eval_n 2000 --finetune --steps 32760 --ship",
            # The two time-scale update rule (Heusel et al. 2017), issue 35's row.
            "python recipes/dcgan_mnist.py --outdir runs/dcgan-mnist-3 --threads 1 --precision mixed_bfloat16 --eval_every 2 --eval_n 2000 --finetune --steps 11232 --lr_d 4e-4 --lr_g 1e-4 --ship",
        ),
    ),
    Preset(
        name="dcgan-fashion-mnist",
        cls=DCGAN,
        config={"image_size": 28, "channels": 1, "width": 64, "average_decay": 0.999},
        dataset="fashion_mnist",
        # The authors' code: 25 epochs of 60,000 images at batch 128.
        schedule=Schedule(steps=11_700, batch_size=128, steps_per_epoch=468),
        recipe="recipes/dcgan_fashion_mnist.py",
        paper=PAPER,
        hub="keras-gan-zoo/dcgan-fashion-mnist",  # pinned with hub_revision once published
        # Issue 14's quality target (n = 10,000, tools/evaluate_checkpoints.py).
        target={"fid": ("<=", 15)},
        description="DCGAN on Fashion-MNIST 28x28.",
    ),
    Preset(
        name="dcgan-celeba",
        cls=DCGAN,
        config={"image_size": 64, "channels": 3, "width": 64, "average_decay": 0.999},
        dataset="celeb_a",
        # With --data img_align_celeba[.zip]: DCGAN's centre crop of 108 px, then resize.
        schedule=Schedule(steps=50_000, batch_size=128, steps_per_epoch=1000, crop=108),
        recipe="recipes/dcgan_celeba.py",
        paper=PAPER,
        description="DCGAN on CelebA 64x64, the paper's setting (weights not shipped).",
    ),
    Preset(
        name="dcgan-emoji",
        cls=DCGAN,
        # The paper's 64x64 networks, the same as dcgan-celeba's.
        config={"image_size": 64, "channels": 3, "width": 64, "average_decay": 0.999},
        dataset="emoji/both",
        # The authors' code: 25 epochs at batch 128, here of both styles' 6,818 train emoji.
        schedule=Schedule(steps=1_325, batch_size=128, steps_per_epoch=53),
        recipe="recipes/dcgan_emoji.py",
        paper=PAPER,
        hub="keras-gan-zoo/dcgan-emoji",  # pinned with hub_revision once published
        # Issue 33's target: within 3x of the floor (real train images against the test
        # images), every category holding >= 1% of the real images covered.
        target={"kid_floor_ratio": ("<=", 3.0), "categories_missed": ("<=", 0)},
        description="DCGAN at 64x64 in colour on the emoji of both styles (Noto and Twemoji).",
        # The shipped checkpoint's runs (its card's Reproduce; --replay runs them): the first
        # stopped after 1,961 steps (its best, epoch 35, shipped), the second continued that.
        chain=(
            "python recipes/dcgan_emoji.py --outdir runs/dcgan-emoji --precision mixed_bfloat16 --eval_every 5 --steps 1961 --threads 1 --ship",
            "python recipes/dcgan_emoji.py --outdir runs/dcgan-emoji-2 --precision mixed_bfloat16 --eval_every 5 --finetune --steps 2014 --threads 1 --ship",
            "python recipes/dcgan_emoji.py --outdir runs/dcgan-emoji-3 --precision mixed_bfloat16 --eval_every 5 --finetune --steps 1060 --threads 1 --ship",
        ),
    ),
)
