"""Gulrajani et al. 2017, WGAN-GP.

Preset: ``wgan-gp-fashion-mnist``    Data: ``fashion_mnist``

Setting: As wgan_gp_mnist, on Fashion-MNIST.

Deviations: Fashion-MNIST is not in the paper; beta1 0.5; short CPU run.

Expected result: Recognisable garments.

Measured here: 9000 discriminator/critic steps (1800 generator
steps), 42 min wall on one thread of an x86_64, CPU only machine
(2 cores shared with other runs); domain FID 98.257. Full record: ``checkpoints/wgan-gp-fashion-mnist/metadata.json``
and the ``wgan-gp-fashion-mnist`` section of MODEL_CARD.md.

Command (ships the result to ``checkpoints/``):

    python recipes/wgan_gp_fashion_mnist.py --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/wgan_gp_fashion_mnist.py --smoke
"""

from absl import app

from zoo import train


def main(argv):
    del argv
    train.run(
        "wgan-gp-fashion-mnist",
        "fashion_mnist",
        steps=9000,
        batch_size=64,
        steps_per_epoch=1000,
        labels=False,
    )


if __name__ == "__main__":
    app.run(main)
