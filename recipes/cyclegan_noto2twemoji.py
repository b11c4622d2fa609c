"""Zhu et al. 2017, CycleGAN, as style transfer: the same emoji drawn by two artists.

Preset: ``cyclegan-noto2twemoji``    Data: ``emoji_pair/noto2twemoji``

Setting: Noto Emoji (A, Google's style: gradients and shading) <-> Twemoji (B, Twitter's:
flat colour), 64 px RGB composited onto white (``python -m zoo prepare-data emoji``). The
paper's losses (least squares, cycle weight 10, identity weight 0.5 x 10), pool of 50,
Adam 2e-4 beta1 0.5 with its linear decay (constant for the first half of the run, then
linearly to 0), batch 1, jitter (resize 72, random crop 64) and flips; ResNet generator
with 6 blocks (the paper's setting for 128 px and below), 70x70 PatchGAN. Trained unpaired:
each style's 3,409 train emoji on its own shuffled stream; the pairs (the same emoji in
both styles) are used only to score the translations.

Deviations: width 32 instead of the paper's 64 (a step at batch 1 costs about 0.2 s at
width 32 and 0.45 s at width 64 in bfloat16 on this 2-core CPU: width 32 is the
quality per CPU-hour); trained in bfloat16 (``--precision mixed_bfloat16``); a budget
of steps set with ``--steps`` instead of the paper's 200 epochs (the decay keeps its
shape over the budget).

Data licences: Noto Emoji images Apache-2.0 (Google); Twemoji images CC-BY 4.0 (Copyright
Twitter, Inc and other contributors): translations into Twemoji's style are derived from
Twemoji and carry its attribution. ``zoo/emoji_data.py`` gives the sources and the split.

Expected result: Noto emoji redrawn flat in Twemoji's palette and Twemoji emoji given
Noto's shading, each keeping what it depicts. Target (issue 33, 377 test emoji a way,
``zoo.evaluate``): >= 95% of translations classified as the target style, the category
kept >= 90% as often as on the real counterparts, the KID to the target style closing
>= 75% of the way from the untranslated inputs to the floor (as many real train images of
the target style), and mean L1 to the true counterpart below the identity baseline (0.161).

Why the shipped checkpoint misses its target, as measured (377 test emoji a way, every
1,000 steps from 7,000 to 30,000, ``runs/.../quality.jsonl`` as its card's curve):

* The run: 30,000 steps in bfloat16 on one core (2.3 hours), the learning rate constant to
  15,000 and then linear to 0; the shipped snapshot is the best measurement by the probe's
  rule (mean KID gap closed), step 23,000. Both ways it keeps the category (0.935 / 0.917
  as often as the real counterparts) and moves towards the true counterpart (L1 0.942 /
  0.988 of the untranslated's); Noto -> Twemoji closes 0.988 of the KID gap, Twemoji ->
  Noto 0.742 (target 0.75). 68.7% / 75.3% of its translations read as the target style
  (the real counterparts: 95.5% / 97.4%).
* The decay is what moved it: in the constant half the style rates swung between 28% and
  74% from one measurement to the next with no trend; over the decay they settled and rose,
  the last five measurements at 67-76% both ways.
* What the judge reads: not blur (blurring the real test emoji by 0.5-1 px leaves 94-97%
  read as their own style) but drawing. The translations change palette and shading and keep
  the source artist's outlines and proportions: at step 16,000 Flags (Noto waves them,
  Twemoji does not) read as the target style 12% / 8% of the time, People & Body (224 of the
  377) 63% / 84%. A cycle-consistent mapping keeps geometry (Zhu et al., section 6, names it
  the method's failure case), so 95% may be beyond this model at any length.
* Measured alternative, identity weight 0 (``--config identity_weight=0``, 3,000 steps):
  more style early (64% / 79% at 2,000 steps) but the category kept fell to 0.52 / 0.61 and
  the L1 rose to 1.3x the untranslated's: the identity term is what keeps the content.
* What it would take, to try in this order: the paper's width 64 (2.2x the step time; the
  capacity to redraw shapes), a longer decay (``--steps 60000``), on both cores or a GPU.

Schedule: the paper's 200 epochs of the larger domain (3,409 images) at batch 1:
681,800 steps (the default). The shipped run's budget and curve are in its card.

Command (the shipped run: a 30,000-step budget, measured every 1,000 steps, run in two
sessions: it resumes from ``runs/cyclegan-noto2twemoji/last``; ``--ship`` ships the best
measurement's snapshot at the end):

    python recipes/cyclegan_noto2twemoji.py --steps 30000 --precision mixed_bfloat16 --eval_every 1 --ship

Smoke mode (a few steps of a tiny model on mock data, as the tests run it):

    python recipes/cyclegan_noto2twemoji.py --smoke
"""

from zoo import train

if __name__ == "__main__":
    train.main("cyclegan-noto2twemoji")  # everything else is in its record (zoo.registry)
