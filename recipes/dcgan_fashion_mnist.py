"""Radford et al. 2015, DCGAN.

Preset: ``dcgan-fashion-mnist``    Data: ``fashion_mnist``

Setting: As dcgan_mnist, on Fashion-MNIST.

Deviations: Fashion-MNIST is not in the paper.

Expected result: Recognisable garments.

Schedule: As dcgan_mnist: 25 epochs, 11,700 steps at batch 128 (the default).

Shipped checkpoint: trained on this CPU for a budget set with ``--steps`` (a deviation
from the schedule above), measured while training; the best measurement's snapshot is
shipped. Its record (steps, wall time, command, curve, how the snapshot was chosen) is in
``checkpoints/dcgan-fashion-mnist/metadata.json``, its curve in ``checkpoints/dcgan-fashion-mnist/curve.png``,
and its scores in the ``dcgan-fashion-mnist`` section of MODEL_CARD.md.

Command (the published schedule; ships the best snapshot to ``checkpoints/``):

    python recipes/dcgan_fashion_mnist.py --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/dcgan_fashion_mnist.py --smoke
"""

from zoo import train

if __name__ == "__main__":
    train.main("dcgan-fashion-mnist")  # everything else is in its record (zoo.registry.PRESETS)
