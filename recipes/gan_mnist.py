"""Goodfellow et al. 2014, "Generative Adversarial Nets" (MNIST experiment).

Preset: ``gan-mnist``    Data: ``mnist``

Setting: Fully connected G (2 x 1200 ReLU) and maxout D (2 x 240 units x 5 pieces, dropout 0.5), k = 1, non-saturating generator loss.

Deviations: Adam 2e-4 beta1 0.5 instead of SGD with momentum; batch 64 instead of 100; tanh output in [-1, 1]; Gaussian noise; far fewer steps than the paper (CPU budget).

Expected result: Recognisable but noisy digits; the paper reports a Parzen log-likelihood, which the zoo does not use (domain FID instead).

Measured here: 6000 discriminator/critic steps (6000 generator
steps), 7 min wall on one thread of an x86_64, CPU only machine
(2 cores shared with other runs); domain FID 210.184 (floor: real test images 1.37, uniform noise 708). Full record: ``checkpoints/gan-mnist/metadata.json``
and the ``gan-mnist`` section of MODEL_CARD.md.

Command (ships the result to ``checkpoints/``):

    python recipes/gan_mnist.py --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/gan_mnist.py --smoke
"""

from absl import app

from zoo import train


def main(argv):
    del argv
    train.run(
        "gan-mnist",
        "mnist",
        steps=6000,
        batch_size=64,
        steps_per_epoch=1000,
        labels=False,
    )


if __name__ == "__main__":
    app.run(main)
