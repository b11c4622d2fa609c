"""``--smoke``: a few steps of a tiny model on made-up data, for every preset.

What the test suite runs, and what a user runs to see in a minute that a recipe works
on a new machine: the preset's own class, train step, run folder and shipping, at a
tiny width (one residual block for CycleGAN) on made-up images of the dataset's shape
(``zoo.data.mock_arrays``; tfds' mock data for the datasets that stay tf.data
pipelines): 4 steps at batch 4 in epochs of 2, unless the flags say otherwise.
"""

from zoo import data, preset

WIDTH = 4
TINY = {"width": WIDTH, "latent_dim": 8, "n_blocks": 1}
STEPS, STEPS_PER_EPOCH, BATCH_SIZE, EXAMPLES = 4, 2, 4, 64


def overrides(record):
    """Constructor settings that make ``record``'s model tiny: those of :data:`TINY` its
    class takes, and every network width of its own (WGAN's ``critic_width``)."""
    takes = preset.constructor_arguments(record.cls)
    out = {k: v for k, v in TINY.items() if k in takes}
    out.update({k: WIDTH for k in record.config if k.endswith("_width")})
    return out


def mock_data(dataset):
    """The block within which ``dataset`` is made-up images."""
    if dataset.startswith("cycle_gan/") or dataset in data.TF_DATASETS:
        import tensorflow_datasets as tfds  # these stay tf.data pipelines

        return tfds.testing.mock_data(num_examples=EXAMPLES)
    return data.mock_arrays(num_examples=EXAMPLES)
