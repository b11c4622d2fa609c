"""Goodfellow et al. 2014, "Generative Adversarial Nets" (MNIST experiment).

Preset: ``gan-mnist``    Data: ``mnist``

Setting: Fully connected G (2 x 1200 ReLU) and maxout D (2 x 240 units x 5 pieces, dropout 0.5), k = 1, non-saturating generator loss.

Deviations: Adam 2e-4 beta1 0.5 instead of SGD with momentum; batch 64 instead of 100; tanh output in [-1, 1]; Gaussian noise.

Expected result: Recognisable but noisy digits; the paper reports a Parzen log-likelihood, which the zoo does not use (domain FID instead).

Schedule: The paper gives no training length; the default is 100 epochs (93,700 steps at batch 64).

Shipped checkpoint: trained on this CPU for a budget set with ``--steps`` (a deviation
from the schedule above), measured while training; the best measurement's snapshot is
shipped. Its record (steps, wall time, command, curve, how the snapshot was chosen) is in
``checkpoints/gan-mnist/metadata.json``, its curve in ``checkpoints/gan-mnist/curve.png``,
and its scores in the ``gan-mnist`` section of MODEL_CARD.md.

Command (the published schedule; ships the best snapshot to ``checkpoints/``):

    python recipes/gan_mnist.py --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/gan_mnist.py --smoke
"""

from zoo import train

if __name__ == "__main__":
    train.main("gan-mnist")  # everything else is in its record (zoo.registry.PRESETS)
