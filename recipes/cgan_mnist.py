"""Mirza & Osindero 2014, "Conditional Generative Adversarial Nets".

Preset: ``cgan-mnist``    Data: ``mnist``

Setting: Labels one-hot to both nets; DCGAN body and optimizer (Adam 2e-4 beta1 0.5), batch 128.

Deviations: Convolutional DCGAN body instead of the paper's MLPs with maxout.

Expected result: Each row of a sample grid shows the requested digit.

Schedule: The paper gives no training length; the default is DCGAN's 25 epochs (11,700 steps at batch 128).

Shipped checkpoint: trained on this CPU for a budget set with ``--steps`` (a deviation
from the schedule above), measured while training; the best measurement's snapshot is
shipped. Its record (steps, wall time, command, curve, how the snapshot was chosen) is in
``checkpoints/cgan-mnist/metadata.json``, its curve in ``checkpoints/cgan-mnist/curve.png``,
and its scores in the ``cgan-mnist`` section of MODEL_CARD.md.

Command (the published schedule; ships the best snapshot to ``checkpoints/``):

    python recipes/cgan_mnist.py --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/cgan_mnist.py --smoke
"""

from zoo import train

if __name__ == "__main__":
    train.main("cgan-mnist")  # everything else is in its record (zoo.registry.PRESETS)
