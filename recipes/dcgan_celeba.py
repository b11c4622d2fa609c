"""Radford et al. 2015, DCGAN, faces experiment (section 4).

Preset: ``dcgan-celeba``    Data: ``celeb_a``

Setting: 64x64 RGB, centre crop 108 then resize, Adam 2e-4 beta1 0.5, batch 128, 5x5 kernels, width 64 (G: 512-256-128-64 filters).

Deviations: CelebA in place of the paper's scraped faces dataset (the common substitute). Not trained here: celeb_a cannot be downloaded on this machine; no weights are shipped.

Expected result: Face samples of DCGAN quality after about 5 epochs (≈ 8k steps) on a GPU.

Hardware and time here, and the measured metrics: see
``checkpoints/dcgan-celeba/metadata.json`` and the ``dcgan-celeba`` section of
MODEL_CARD.md (numbers written by the run itself, never by hand).

Command (ships the result to ``checkpoints/``):

    python recipes/dcgan_celeba.py --ship

tfds often cannot download CelebA (its Google Drive quota). With the standard manual
download, the folder ``img_align_celeba/`` or the file ``img_align_celeba.zip`` (202,599
aligned 178x218 JPEGs), train on it directly; the DCGAN preparation (centre crop 108, resize
to 64) is applied:

    python recipes/dcgan_celeba.py --data ~/Downloads/img_align_celeba.zip --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/dcgan_celeba.py --smoke
"""

from zoo import train

if __name__ == "__main__":
    train.main("dcgan-celeba")  # everything else is in its record (zoo.registry.PRESETS)
