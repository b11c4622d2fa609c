"""zoo: the classic GANs on Keras 3, trainable with ``fit``, with pretrained checkpoints.

    import zoo
    zoo.list_models()
    images = zoo.load("wgan-mnist").sample(16)   # (16, 28, 28, 1) float32 in [-1, 1]
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from zoo.errors import ZooError  # noqa: E402
from zoo.images import save_grid  # noqa: E402
from zoo.models import CycleGAN, ConditionalGAN, DCGAN, GAN, WGAN, WGANGP  # noqa: E402
from zoo.registry import list_models, load  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "load", "list_models", "save_grid", "ZooError",
    "GAN", "DCGAN", "WGAN", "WGANGP", "ConditionalGAN", "CycleGAN",
]
