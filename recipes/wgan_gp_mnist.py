"""Gulrajani et al. 2017, "Improved Training of Wasserstein GANs", Algorithm 1.

Preset: ``wgan-gp-mnist``    Data: ``mnist``

Setting: lambda 10, n_critic 5, Adam 1e-4 betas (0.5, 0.9) as in the authors' MNIST script, no critic normalisation, DCGAN body.

Deviations: beta1 0.5 as in the authors' MNIST script rather than 0 of Algorithm 1; batch 64 instead of 50.

Expected result: Clean digits.

Schedule: The authors' MNIST script: 200,000 generator updates, 1,000,000 critic updates (the default).

Shipped checkpoint: trained on this CPU for a budget set with ``--steps`` (a deviation
from the schedule above), measured while training; the best measurement's snapshot is
shipped. Its record (steps, wall time, command, curve, how the snapshot was chosen) is in
``checkpoints/wgan-gp-mnist/metadata.json``, its curve in ``checkpoints/wgan-gp-mnist/curve.png``,
and its scores in the ``wgan-gp-mnist`` section of MODEL_CARD.md.

Command (the published schedule; ships the best snapshot to ``checkpoints/``):

    python recipes/wgan_gp_mnist.py --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/wgan_gp_mnist.py --smoke
"""

from zoo import train

if __name__ == "__main__":
    train.main("wgan-gp-mnist")  # everything else is in its record (zoo.registry.PRESETS)
