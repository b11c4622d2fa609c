"""Mirza & Osindero 2014, "Conditional Generative Adversarial Nets".

Preset: ``cgan-mnist``    Data: ``mnist``

Setting: Labels one-hot to both nets; DCGAN body and optimizer (Adam 2e-4 beta1 0.5), batch 128.

Deviations: Convolutional DCGAN body instead of the paper's MLPs with maxout; short CPU run.

Expected result: Each row of a sample grid shows the requested digit.

Measured here: 2000 discriminator/critic steps (2000 generator
steps), 28 min wall on one thread of an x86_64, CPU only machine
(2 cores shared with other runs); domain FID 32.835 (floor: real test images 1.37, uniform noise 708). Full record: ``checkpoints/cgan-mnist/metadata.json``
and the ``cgan-mnist`` section of MODEL_CARD.md.

Command (ships the result to ``checkpoints/``):

    python recipes/cgan_mnist.py --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/cgan_mnist.py --smoke
"""

from absl import app

from zoo import train


def main(argv):
    del argv
    train.run(
        "cgan-mnist",
        "mnist",
        steps=2000,
        batch_size=128,
        steps_per_epoch=250,
        labels=True,
    )


if __name__ == "__main__":
    app.run(main)
