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

Splits: the 377 test emoji a style are never trained on nor chosen on; runs since
2026-12-08 hold out the paired emoji's validation split (366 emoji a style, every 10th
with its skin tones, ``zoo.data.validation_mask``), train on the other 3,043 and choose
their snapshot on it. The shipped checkpoint predates that: it trained on all 3,409 and
was chosen on test (its card says so).

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

Why the shipped checkpoint misses its target (68.7% / 75.3% read as the target style), as
measured, row by row: ``docs/history/cyclegan-noto2twemoji.md``.

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
