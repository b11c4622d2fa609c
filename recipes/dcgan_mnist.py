"""Radford et al. 2015, DCGAN (section 3 guidelines, section 4 training details).

Preset: ``dcgan-mnist``    Data: ``mnist``

Setting: Adam 2e-4 beta1 0.5, batch 128, N(0, 0.02) init, LeakyReLU 0.2, BN in both nets; 28x28 MNIST with a 7x7 first feature map.

Deviations: MNIST is not one of the paper's datasets (it used LSUN, Imagenet-1k, faces); 28 px needs a 7x7 first map.

Expected result: Sharp digits after a few thousand steps.

Schedule: The authors' code: 25 epochs, 11,700 steps at batch 128 (the default).

Shipped checkpoint: trained on this CPU for a budget set with ``--steps`` (a deviation
from the schedule above), measured while training; the best measurement's snapshot is
shipped. Its record (steps, wall time, command, curve, how the snapshot was chosen) is in
``checkpoints/dcgan-mnist/metadata.json``, its curve in ``checkpoints/dcgan-mnist/curve.png``,
and its scores in the ``dcgan-mnist`` section of MODEL_CARD.md.

Command (the published schedule; ships the best snapshot to ``checkpoints/``):

    python recipes/dcgan_mnist.py --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/dcgan_mnist.py --smoke
"""

from zoo import train

if __name__ == "__main__":
    train.main("dcgan-mnist")  # everything else is in its record (zoo.registry.PRESETS)
