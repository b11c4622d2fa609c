"""Gulrajani et al. 2017, "Improved Training of Wasserstein GANs", Algorithm 1.

Preset: ``wgan-gp-mnist``    Data: ``mnist``

Setting: lambda 10, n_critic 5, Adam 1e-4 betas (0.5, 0.9) as in the authors' MNIST script, no critic normalisation, DCGAN body.

Deviations: beta1 0.5 as in the authors' MNIST script rather than 0 of Algorithm 1; batch 64 instead of 50; short CPU run.

Expected result: Clean digits.

Measured here: 6000 discriminator/critic steps (1200 generator
steps), 45 min wall on one thread of an x86_64, CPU only machine
(2 cores shared with other runs); domain FID 165.256 (floor: real test images 1.37, uniform noise 708). Full record: ``checkpoints/wgan-gp-mnist/metadata.json``
and the ``wgan-gp-mnist`` section of MODEL_CARD.md.

Command (ships the result to ``checkpoints/``):

    python recipes/wgan_gp_mnist.py --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/wgan_gp_mnist.py --smoke
"""

from absl import app

from zoo import train


def main(argv):
    del argv
    train.run(
        "wgan-gp-mnist",
        "mnist",
        steps=6000,
        batch_size=64,
        steps_per_epoch=500,
        labels=False,
    )


if __name__ == "__main__":
    app.run(main)
