"""Radford et al. 2015, DCGAN (section 3 guidelines, section 4 training details).

Preset: ``dcgan-mnist``    Data: ``mnist``

Setting: Adam 2e-4 beta1 0.5, batch 128, N(0, 0.02) init, LeakyReLU 0.2, BN in both nets; 28x28 MNIST with a 7x7 first feature map.

Deviations: MNIST is not one of the paper's datasets (it used LSUN, Imagenet-1k, faces); 28 px needs a 7x7 first map; short CPU run.

Expected result: Sharp digits after a few thousand steps.

Measured here: 3000 discriminator/critic steps (3000 generator
steps), 40 min wall on one thread of an x86_64, CPU only machine
(2 cores shared with other runs); domain FID 103.301 (floor: real test images 1.37, uniform noise 708). Full record: ``checkpoints/dcgan-mnist/metadata.json``
and the ``dcgan-mnist`` section of MODEL_CARD.md.

Command (ships the result to ``checkpoints/``):

    python recipes/dcgan_mnist.py --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/dcgan_mnist.py --smoke
"""

from absl import app

from zoo import train


def main(argv):
    del argv
    train.run(
        "dcgan-mnist",
        "mnist",
        steps=3000,
        batch_size=128,
        steps_per_epoch=250,
        labels=False,
    )


if __name__ == "__main__":
    app.run(main)
