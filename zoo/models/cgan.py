"""Conditional GAN: Mirza & Osindero 2014, "Conditional Generative Adversarial Nets".

Eq. (2): both players see the class label y,
``min_G max_D E[log D(x|y)] + E[log(1 - D(G(z|y)|y))]``. As in the paper, y is a
one-hot vector joined to the input of each net: concatenated to z for the
generator, and for the discriminator broadcast to ``num_classes`` constant
planes concatenated to the image channels.

Deviation: the networks are the DCGAN body (convolutional, batch norm) rather
than the paper's fully connected maxout nets, with DCGAN's optimizer and the
non-saturating generator loss. Fake labels during training are drawn uniformly.

Training data must be ``(images, labels)`` with integer labels in
``[0, num_classes)``; ``zoo.data.load(..., labels=True)`` gives that.
"""

import keras
import numpy as np
from keras import ops

from zoo import errors, losses
from zoo.models.base import NoiseToImage
from zoo.models.dcgan import dcgan_discriminator, dcgan_generator
from zoo.preset import Preset, Schedule, collect


@keras.saving.register_keras_serializable(package="zoo")
class ConditionalGAN(NoiseToImage):
    """Mirza & Osindero 2014 with the DCGAN body. ``sample(n, labels=...)`` picks classes."""

    def __init__(self, *args, num_classes=10, **kwargs):
        self.num_classes = errors.check_positive_int("num_classes", num_classes)
        super().__init__(*args, **kwargs)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}

    def build_networks(self):
        self.generator = dcgan_generator(
            self.image_size, self.channels, self.latent_dim + self.num_classes, self.width
        )
        self.discriminator = dcgan_discriminator(
            self.image_size, self.channels + self.num_classes, self.width
        )

    def default_optimizers(self):
        return (
            keras.optimizers.Adam(2e-4, beta_1=0.5),
            keras.optimizers.Adam(2e-4, beta_1=0.5),
        )

    def generate(self, z, labels=None, average=False):
        onehot = ops.one_hot(ops.cast(labels, "int32"), self.num_classes)
        return self.run_generator(ops.concatenate([z, onehot], axis=-1), average)

    def _d(self, images, labels):
        onehot = ops.one_hot(ops.cast(labels, "int32"), self.num_classes)
        planes = ops.ones_like(images[..., :1]) * onehot[:, None, None, :]
        return self.discriminator(ops.concatenate([images, planes], axis=-1), training=True)

    def _g(self, z, labels):
        onehot = ops.one_hot(labels, self.num_classes)
        return self.generator(ops.concatenate([z, onehot], axis=-1), training=True)

    def fake_labels(self, batch, salt):
        u = self.uniform(batch, (), salt=salt)
        return ops.minimum(ops.cast(u * self.num_classes, "int32"), self.num_classes - 1)

    def example_batch(self, n=8, seed=0):
        images = super().example_batch(n, seed)
        return images, (np.arange(n) % self.num_classes).astype("int32")

    needs_labels = ("ConditionalGAN trains on (images, labels) batches: fit(images, labels), or "
                    "data from zoo.data.load(name, labels=True).")

    def check_training_data(self, images, condition):
        super().check_training_data(images, condition)
        if condition is None:
            if images is not None:
                raise errors.ZooValueError(self.needs_labels)
            return
        if not hasattr(condition, "shape"):  # a structure: not looked at
            return
        shape = tuple(condition.shape)
        if len(shape) > 2 or (len(shape) == 2 and shape[1] != 1):
            raise errors.ZooValueError(
                f"training labels must be one class number per image, shape (N,), got {shape}; "
                "for one-hot vectors pass y.argmax(-1).")
        if not hasattr(condition, "__array__"):  # a tf.data spec: no values to look at
            return
        labels = np.asarray(condition).reshape(-1)
        if labels.size and (labels.min() < 0 or labels.max() >= self.num_classes
                            or np.any(labels != np.round(labels))):
            raise errors.ZooValueError(
                f"training labels must be whole class numbers in [0, {self.num_classes}), got "
                f"values from {labels.min()} to {labels.max()}.")

    def unpack(self, data):
        if not isinstance(data, tuple) or len(data) < 2:
            raise errors.ZooValueError(self.needs_labels)
        return data[0], ops.cast(ops.reshape(data[1], (-1,)), "int32")

    def d_objective(self, real, labels, batch):
        fake_y = self.fake_labels(batch, salt=3)
        fake = self._g(self.noise(batch), fake_y)
        return losses.minimax_discriminator_loss(self._d(real, labels), self._d(fake, fake_y)), {}

    def g_objective(self, labels, batch):
        fake_y = self.fake_labels(batch, salt=4)
        fake = self._g(self.noise(batch, salt=1), fake_y)
        return losses.non_saturating_generator_loss(self._d(fake, fake_y))

    def check_labels(self, labels, n):
        """Labels for ``sample``: None (classes in turn 0, 1, ...), an int, or n ints."""
        if labels is None:
            return np.arange(n, dtype=np.int32) % self.num_classes
        arr = np.asarray(labels)
        if arr.ndim == 0:
            arr = np.full((n,), arr)
        if arr.shape != (n,) or not np.issubdtype(arr.dtype, np.integer):
            raise errors.ZooValueError(
                f"labels must be one integer or {n} integers (one per image), got "
                f"shape {arr.shape} of dtype {arr.dtype}."
            )
        if arr.min() < 0 or arr.max() >= self.num_classes:
            raise errors.ZooValueError(
                f"labels must lie in [0, {self.num_classes}), got values from "
                f"{arr.min()} to {arr.max()}."
            )
        return arr.astype(np.int32)


PAPER = 'Mirza & Osindero 2014, "Conditional Generative Adversarial Nets"'

PRESETS = collect(
    Preset(
        name="cgan-mnist",
        cls=ConditionalGAN,
        config={"image_size": 28, "channels": 1, "width": 64, "num_classes": 10,
                "average_decay": 0.999},
        dataset="mnist",
        # DCGAN's schedule (the paper states none that fits this body); (images, labels) batches.
        schedule=Schedule(steps=11_700, batch_size=128, steps_per_epoch=468, labels=True),
        recipe="recipes/cgan_mnist.py",
        paper=PAPER,
        hub="keras-gan-zoo/cgan-mnist",  # pinned with hub_revision once published
        # Issue 14's quality target (n = 10,000, tools/evaluate_checkpoints.py).
        target={"fid": ("<=", 10), "label_accuracy": (">=", 0.98)},
        description="Class-conditional DCGAN on MNIST; sample(n, labels=...) picks digits.",
    ),
)
