"""Radford et al. 2015, DCGAN.

Preset: ``dcgan-fashion-mnist``    Data: ``fashion_mnist``

Setting: As dcgan_mnist, on Fashion-MNIST.

Deviations: Fashion-MNIST is not in the paper; short CPU run.

Expected result: Recognisable garments.

Measured here: 2000 discriminator/critic steps (2000 generator
steps), 24 min wall on one thread of an x86_64, CPU only machine
(2 cores shared with other runs); domain FID 73.887. Full record: ``checkpoints/dcgan-fashion-mnist/metadata.json``
and the ``dcgan-fashion-mnist`` section of MODEL_CARD.md.

Command (ships the result to ``checkpoints/``):

    python recipes/dcgan_fashion_mnist.py --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/dcgan_fashion_mnist.py --smoke
"""

from absl import app

from zoo import train


def main(argv):
    del argv
    train.run(
        "dcgan-fashion-mnist",
        "fashion_mnist",
        steps=2000,
        batch_size=128,
        steps_per_epoch=250,
        labels=False,
    )


if __name__ == "__main__":
    app.run(main)
