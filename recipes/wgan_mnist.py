"""Arjovsky et al. 2017, "Wasserstein GAN", Algorithm 1.

Preset: ``wgan-mnist``    Data: ``mnist``

Setting: RMSProp 5e-5, clip 0.01, n_critic 5 with 100 critic steps for the first 25 and every 500th generator step, batch 64, DCGAN body.

Deviations: Run on MNIST 28x28 (the paper used LSUN bedrooms 64x64); far fewer generator steps than the paper's 100k (CPU budget).

Expected result: Digit-like shapes; WGAN with clipping converges slowly, which the zoo's study measures.

Measured here: 26000 discriminator/critic steps (4554 generator
steps), 98 min wall on one thread of an x86_64, CPU only machine
(2 cores shared with other runs); domain FID 209.156 (floor: real test images 1.37, uniform noise 708). Full record: ``checkpoints/wgan-mnist/metadata.json``
and the ``wgan-mnist`` section of MODEL_CARD.md.

Command (ships the result to ``checkpoints/``):

    python recipes/wgan_mnist.py --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/wgan_mnist.py --smoke
"""

from absl import app

from zoo import train


def main(argv):
    del argv
    train.run(
        "wgan-mnist",
        "mnist",
        steps=26000,
        batch_size=64,
        steps_per_epoch=1000,
        labels=False,
    )


if __name__ == "__main__":
    app.run(main)
