"""Zhu et al. 2017, CycleGAN, on two Fashion-MNIST classes.

Preset: ``cyclegan-sneaker2boot``    Data: ``fashion_mnist_pair/sneaker2boot``

Setting: Sneakers (A) <-> ankle boots (B), 28 px grayscale; the paper's losses, pool, optimizer and linear decay (constant for the first half of the run, then linearly to 0), batch 1, jitter 32 -> crop 28 and flips.

Deviations: width 32 and 6 residual blocks instead of 64 and 6 (CPU budget at 28 px; the
first shipped network, width 16 with 3 blocks, is the row "a larger network" below).

Expected result: Sneakers become boot-shaped (higher shaft) and boots become low sneakers, keeping orientation.

Why the shipped checkpoint misses its target (95% classified as the target class, both ways),
as measured (1,000 test images a way, the zoo's Fashion-MNIST classifier):

* Sneaker -> boot meets it (96.6%); boot -> sneaker does not (80.6%). Over the shipped run's
  12 measurements (width 32, 6 blocks, 12,000 steps in bfloat16, 47 minutes on one core)
  b2a swings between 50% and 81% with no trend (77.9, 68.3, 64.6, 50.7, 60.7, 62.0, 54.3,
  80.6, 66.6, 50.5, 66.2, 61.3% at 1,000, 2,000, ... 12,000 steps), while a2b stays at
  87-97% (the curve on the card); the shipped snapshot is step 8,000's.
* Removing a boot's shaft throws away what the cycle loss needs to rebuild it, so the
  generator keeps some of it; Zhu et al. (section 6) name geometric changes as the method's
  limitation.
* Ruled out (with the first network, width 16 and 3 blocks, unless said): more steps
  (8x the budget, 3,000 -> 24,000, took b2a from 74.8% to 71.5%); no identity loss (``identity_weight`` 0, as the paper runs everything but paintings -> photos:
  after 4,000 steps a2b translated nothing, 0.4-2.6%); the first shipped network, width 16
  with 3 blocks (a third of the cost a step: 102 against 316 ms on one thread in float32),
  whose b2a swung between 43% and 72% over its 24,000 steps and shipped 96.0% / 71.5%: the
  wider, deeper network (this preset now, 2026-12-06, same seed) lifted b2a's best by 9
  points and its swings' floor from 43% to 50%, not to the target; 64 with 6 blocks, the
  paper's, costs 9x the first; a pool of one image instead of the paper's
  50 (``--config pool_size=1 --steps 6000``, 2026-12-06): b2a 74.9%, 70.2%, 60.1%, 62.8%,
  58.9%, 56.2% at 1,000, 2,000, ... 6,000 steps, a2b 92-97%: within that network's swings
  (43-72%), no trend either.

Schedule: the paper's 200 epochs (100 constant, 100 decaying); an epoch is the larger
domain's 6,000 training images at batch 1, so 1,200,000 steps (the default). ``--steps``
keeps the shape: constant for the first half, decaying over the second.

Shipped checkpoint: trained on this CPU for a budget set with ``--steps`` (a deviation
from the schedule above), measured while training (share of test translations classified
as the target class, both ways); the best measurement's snapshot is shipped. Its record is
in ``checkpoints/cyclegan-sneaker2boot/metadata.json``, its curve in
``checkpoints/cyclegan-sneaker2boot/curve.png``, and its scores in the
``cyclegan-sneaker2boot`` section of MODEL_CARD.md.

Command (the published schedule; ships the best snapshot to ``checkpoints/``):

    python recipes/cyclegan_sneaker2boot.py --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/cyclegan_sneaker2boot.py --smoke
"""

from zoo import train

if __name__ == "__main__":
    train.main("cyclegan-sneaker2boot")  # everything else is in its record (zoo.registry.PRESETS)
