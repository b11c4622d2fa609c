"""Zhu et al. 2017, CycleGAN, horse2zebra.

Preset: ``cyclegan-horse2zebra``    Data: ``cycle_gan/horse2zebra``

Setting: 256 px, ResNet-9 generator, 70x70 PatchGAN, LSGAN loss, cycle 10, identity 0.5x, pool 50, Adam 2e-4 beta1 0.5, 100 epochs constant + 100 decaying, batch 1, resize 286 / crop 256 / flip.

Deviations: None in the method. Not trained here: the dataset cannot be downloaded on this machine; no weights are shipped.

Expected result: The paper's qualitative results after 200 epochs (about a day on one GPU).

Hardware and time here, and the measured metrics: see
``checkpoints/cyclegan-horse2zebra/metadata.json`` and the ``cyclegan-horse2zebra`` section of
MODEL_CARD.md (numbers written by the run itself, never by hand).

Command (ships the result to ``checkpoints/``):

    python recipes/cyclegan_horse2zebra.py --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/cyclegan_horse2zebra.py --smoke
"""

from zoo import train

if __name__ == "__main__":
    train.main("cyclegan-horse2zebra")  # everything else is in its record (zoo.registry.PRESETS)
