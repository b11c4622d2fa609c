"""Zhu et al. 2017, CycleGAN, on two Fashion-MNIST classes.

Preset: ``cyclegan-sneaker2boot``    Data: ``fashion_mnist_pair/sneaker2boot``

Setting: Sneakers (A) <-> ankle boots (B), 28 px grayscale; the paper's losses, pool, optimizer and linear decay (1500 constant + 1500 decaying steps), batch 1, jitter 32 -> crop 28 and flips.

Deviations: width 16 and 3 residual blocks instead of 64 and 6 (CPU budget at 28 px); 3000 steps instead of 200 epochs.

Expected result: Sneakers become boot-shaped (higher shaft) and boots become low sneakers, keeping orientation.

Measured here: 3000 discriminator/critic steps (3000 generator
steps), 5 min wall on one thread of an x86_64, CPU only machine
(2 cores shared with other runs); target-class rate a2b 0.942 / b2a 0.748. Full record: ``checkpoints/cyclegan-sneaker2boot/metadata.json``
and the ``cyclegan-sneaker2boot`` section of MODEL_CARD.md.

Command (ships the result to ``checkpoints/``):

    python recipes/cyclegan_sneaker2boot.py --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/cyclegan_sneaker2boot.py --smoke
"""

from absl import app

from zoo import train


def main(argv):
    del argv
    train.run(
        "cyclegan-sneaker2boot",
        "fashion_mnist_pair/sneaker2boot",
        steps=3000,
        batch_size=1,
        steps_per_epoch=500,
        labels=False,
    )


if __name__ == "__main__":
    app.run(main)
