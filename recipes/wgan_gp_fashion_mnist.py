"""Gulrajani et al. 2017, WGAN-GP.

Preset: ``wgan-gp-fashion-mnist``    Data: ``fashion_mnist``

Setting: As wgan_gp_mnist, on Fashion-MNIST.

Deviations: Fashion-MNIST is not in the paper; beta1 0.5.

Expected result: Recognisable garments.

Schedule: As wgan_gp_mnist: 200,000 generator updates, 1,000,000 critic updates (the default).

Shipped checkpoint: trained on this CPU for a budget set with ``--steps`` (a deviation
from the schedule above), measured while training; the best measurement's snapshot is
shipped. Its record (steps, wall time, command, curve, how the snapshot was chosen) is in
``checkpoints/wgan-gp-fashion-mnist/metadata.json``, its curve in ``checkpoints/wgan-gp-fashion-mnist/curve.png``,
and its scores in the ``wgan-gp-fashion-mnist`` section of MODEL_CARD.md.

Command (the published schedule; ships the best snapshot to ``checkpoints/``):

    python recipes/wgan_gp_fashion_mnist.py --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/wgan_gp_fashion_mnist.py --smoke
"""

from zoo import train

if __name__ == "__main__":
    train.main("wgan-gp-fashion-mnist")  # everything else is in its record (zoo.registry.PRESETS)
