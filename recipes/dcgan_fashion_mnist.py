"""Radford et al. 2015, DCGAN.

Preset: ``dcgan-fashion-mnist``    Data: ``fashion_mnist``

Setting: As dcgan_mnist, on Fashion-MNIST.

Deviations: Fashion-MNIST is not in the paper; short CPU run.

Expected result: Recognisable garments.

Hardware and time here, and the measured metrics: see
``checkpoints/dcgan-fashion-mnist/metadata.json`` and the ``dcgan-fashion-mnist`` section of
MODEL_CARD.md (numbers written by the run itself, never by hand).

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
