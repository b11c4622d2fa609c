"""zoo: the classic GANs on Keras 3, trainable with ``fit``, with pretrained checkpoints.

    import zoo
    zoo.list_models()
    images = zoo.load("wgan-mnist").sample(16)   # (16, 28, 28, 1) float32 in [-1, 1]
"""

import os

from zoo import _quiet

# TensorFlow's C++ start-up lines (oneDNN, "Could not find cuda drivers", "failed
# call to cuInit" on a machine without a GPU) are held back unless the user asked
# for every log line (TF_CPP_MIN_LOG_LEVEL=0): its log level does not reach them,
# so a user who set it to 3 to be quiet would still see them. See zoo/_quiet.py;
# `python -m zoo --verbose` shows them.
_level = os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if _level != "0" and os.environ.setdefault("KERAS_BACKEND", "tensorflow") == "tensorflow":
    _quiet.start_tensorflow()
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from zoo.errors import ZooError  # noqa: E402
from zoo.guard import DivergenceGuard, GANHealthWarning  # noqa: E402
from zoo.images import save_grid  # noqa: E402
from zoo.models import CycleGAN, ConditionalGAN, DCGAN, GAN, Pix2Pix, WGAN, WGANGP  # noqa: E402
from zoo.registry import list_models, load  # noqa: E402

__version__ = "0.1.0"


def push_to_hub(model, repo_id, **kwargs):
    """Push ``model`` to the Hugging Face Hub as a preset folder; see ``zoo.hub.push_to_hub``."""
    from zoo import hub

    return hub.push_to_hub(model, repo_id, **kwargs)


def evaluate(model_or_name, dataset=None, **kwargs):
    """Domain FID, KID, precision/recall and coverage; see ``zoo.evaluation.evaluate``."""
    from zoo.evaluation import evaluate as run

    return run(model_or_name, dataset, **kwargs)

__all__ = [
    "load", "list_models", "save_grid", "push_to_hub", "evaluate", "ZooError",
    "DivergenceGuard", "GANHealthWarning",
    "GAN", "DCGAN", "WGAN", "WGANGP", "ConditionalGAN", "CycleGAN", "Pix2Pix",
]
