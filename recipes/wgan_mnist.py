"""Arjovsky et al. 2017, "Wasserstein GAN", Algorithm 1.

Preset: ``wgan-mnist``    Data: ``mnist``

Setting: RMSProp 5e-5, clip 0.01, n_critic 5 with 100 critic steps for the first 25 and every 500th generator step, batch 64, DCGAN body.

Deviations: Run on MNIST 28x28 (the paper used LSUN bedrooms 64x64).

Expected result: Digit-like shapes; WGAN with clipping converges slowly, which the zoo's study measures.

Why the shipped checkpoint misses its target (FID <= 25), as measured:

* The curve flattens, it does not stop: over the last half of the shipped run (8,000 to
  16,117 generator updates) the FID (n = 2,000) fell about 10 per doubling of the generator
  updates. Extended along that line, the authors' 10^5 generator updates would end near 105,
  so more steps of this setting will not reach 25.
* Not the sampling: batch norm in inference mode, in training mode and the averaged weights
  give the same FID (125.5 / 125.5 / 125.7, n = 5,000; ``python benchmarks/wgan_critic.py``).
* The critic is at the limit of its clipped class, not behind it: a fresh width-64 critic,
  clipped and trained against the frozen generator, reaches the Wasserstein estimate the
  co-trained one ended with (0.038 against 0.047) and ranks held-out real above fake digits
  only 72% of the time; unclipped, the same network ranks 83% right, and clipped at width 128,
  78% (``benchmarks/wgan_critic.py 64 clip|free 2000``, ``128 clip 2000``). The generator is
  told little that it does not already do. This is the capacity loss of weight clipping that
  Gulrajani et al. 2017 (section 3) report, and why WGAN-GP replaced it: at the same 16,000
  generator updates ``wgan-gp-mnist`` stood at FID 29, this run at 131.
* What it would take: a critic that can tell more, within the paper's setting (its width at
  28x28 is the open choice: 128 costs 3x per step, so about 15 CPU-hours for the shipped
  run's length; a GPU campaign, ``recipes/gpu_campaign.sh``, is the place for it), or the
  gradient penalty, which is the ``wgan-gp-mnist`` preset.

Schedule: The authors' code: 10^5 generator updates, which with the critic schedule above are 521,280 critic updates (the default).

Shipped checkpoint: trained on this CPU for a budget set with ``--steps`` (a deviation
from the schedule above), measured while training; the best measurement's snapshot is
shipped. Its record (steps, wall time, command, curve, how the snapshot was chosen) is in
``checkpoints/wgan-mnist/metadata.json``, its curve in ``checkpoints/wgan-mnist/curve.png``,
and its scores in the ``wgan-mnist`` section of MODEL_CARD.md.

Command (the published schedule; ships the best snapshot to ``checkpoints/``):

    python recipes/wgan_mnist.py --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/wgan_mnist.py --smoke
"""

from zoo import train

if __name__ == "__main__":
    train.main("wgan-mnist")  # everything else is in its record (zoo.registry.PRESETS)
