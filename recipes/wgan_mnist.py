"""Arjovsky et al. 2017, "Wasserstein GAN", Algorithm 1.

Preset: ``wgan-mnist``    Data: ``mnist``

Setting: RMSProp 5e-5, clip 0.01, n_critic 5 with 100 critic steps for the first 25 and every 500th generator step, batch 64, DCGAN body.

Deviations: Run on MNIST 28x28 (the paper used LSUN bedrooms 64x64).

Expected result: Digit-like shapes; WGAN with clipping converges slowly, which the zoo's study measures.

Schedule: The authors' code: 10^5 generator updates, which with the critic schedule above are 521,280 critic updates (the default).

Shipped checkpoint: trained on this CPU for a budget set with ``--steps`` (a deviation
from the schedule above), measured while training; the best measurement's snapshot is
shipped. Its record (steps, wall time, command, curve, how the snapshot was chosen) is in
``checkpoints/wgan-mnist/metadata.json``, its curve in ``checkpoints/wgan-mnist/curve.png``,
and its scores in the ``wgan-mnist`` section of MODEL_CARD.md.

Command (the published schedule; ships the best snapshot to ``checkpoints/``):

    python recipes/wgan_mnist.py --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/wgan_mnist.py --smoke
"""

from zoo import train

if __name__ == "__main__":
    train.main("wgan-mnist")  # everything else is in its record (zoo.registry.PRESETS)
