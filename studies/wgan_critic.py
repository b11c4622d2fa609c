"""How much a fresh critic can still tell the shipped ``wgan-mnist`` generator's samples from
real digits: the critic's Wasserstein estimate and the held-out AUC of its scores (the share of
(real, fake) pairs it ranks the right way round; 0.5 is blind, and unlike the estimate it does
not scale with the critic's Lipschitz bound, so widths compare). The generator is frozen; only
a new critic of the preset's architecture trains, for ``steps`` updates at batch 64, one thread.

    python studies/wgan_critic.py 64 clip 2000    # clipped to 0.01, RMSProp 5e-5
    python studies/wgan_critic.py 128 clip 2000   # twice as wide (3x the time per step)
    python studies/wgan_critic.py 64 free 2000    # no clipping, Adam 1e-4 (0.5, 0.9)
    python studies/wgan_critic.py 64 clip 2000 2  # two extra 3x3 layers (critic_extra_layers)

Prints one JSON line per quarter of the run. Also prints, once, the shipped generator's domain
FID (n = 5,000) sampled with batch norm in inference mode, in training mode, and from the
averaged weights, which rules out sampling-time batch-norm statistics as the cause of a poor FID.

Measured here (2026-12-04, one thread beside a training run) at 2,000 critic updates:
width 64 clipped W 0.038, AUC 0.72 (0.64 / 0.69 / 0.72 at 500 / 1,000 / 1,500); width 128
clipped AUC 0.78; width 64 unclipped AUC 0.83. The shipped critic's own estimate at the end of
its run was 0.047: a fresh critic of the same class gets no further, so the critic that trained
beside G is at the limit of what clipped weights at width 64 can tell, not behind it. FID
125.5 / 125.5 / 125.7 for the three sampling modes.

Also printed: the share of each critic variable at the clipping bound, for the shipped
critic and for the fresh one at each quarter. The width-128 critic shipped before 2026-12-06:
every batch-norm scale and 84% of its shifts sit at the bound, and 91% of the last layer's
weights: the readout is nearly a sign pattern, and each channel's threshold is pinned at
one standard deviation either side; the convolutions below keep most of their freedom
(13% and 16% at the bound; batch norm undoes the scale of the second). The critic shipped
on 2026-12-06 (width 64, two extra layers, ``python studies/wgan_critic.py 64 clip 0 2``):
the readout and the last extra layer's batch-norm scales and shifts all at the bound, that
layer's kernel 97%, the first extra layer's 53%, the strided convolutions' 18% and 10%: the
bound binds at the top and the layers below keep their freedom. Its generator's FID (n =
5,000): 68.1 / 68.7 / 70.5 (inference / training batch norm / averaged weights).

Depth against width (2026-12-06, against the generator shipped before that day, FID
112.2; width 64, clipped, 2,000 updates, AUC at 500 / 1,000 / 1,500 / 2,000, W at the end):
no extra layer 0.66 / 0.66 / 0.68 / 0.68, W 0.065 (210 s); one extra 3x3 layer on the last
(7x7) feature map 0.65 / 0.67 / 0.76 / **0.88**, W 0.237 (302 s); two 0.65 / 0.80 / 0.86 /
**0.95**, W 0.355 (409 s). One extra layer on the first (14x14) feature map instead, where
the authors' code puts its ``n_extra_layers``, 0.72 (313 s; measured with that placement
patched in). Width 128 without extra layers, against the generator shipped before that one:
0.78. Depth at the last feature map buys more than twice the width, at a fraction of its cost.

Against the generator shipped on 2026-12-06 (FID 67.9; measured the same day), the
preset's critic (width 64, two extra layers), fresh: AUC 0.65 / 0.78 / 0.96 / **0.97**, W
0.20 (412 s). The critic tells that generator's digits from real ones 97% of the time: it is
no longer what holds the generator back; the generator's side is.
"""

import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import zoo  # noqa: E402
from zoo import data, evaluation, losses, metrics  # noqa: E402
from zoo.models.dcgan import dcgan_discriminator  # noqa: E402
from zoo.models.wgan import rmsprop_as_in_pytorch  # noqa: E402

BATCH = 64


def auc(real_scores, fake_scores):
    """P(score(real) > score(fake)) over all pairs (the Mann-Whitney statistic)."""
    ranks = np.concatenate([real_scores, fake_scores]).argsort().argsort() + 1
    n, m = len(real_scores), len(fake_scores)
    return float((ranks[:n].sum() - n * (n + 1) / 2) / (n * m))


def sampling_modes(model):
    """Domain FID of the shipped G's samples, three ways (n = 5,000)."""
    net = evaluation.load_classifier("mnist")
    real, _ = evaluation.features(net, evaluation.real_images("mnist", "train", 5000, 0))

    def fid(images):
        return round(metrics.frechet_distance_from_features(real, evaluation.features(net, images)[0]), 1)

    z = model.latents(5000, seed=0)
    trained_bn = np.concatenate([keras.ops.convert_to_numpy(model.generator(z[i:i + BATCH], training=True))
                                 for i in range(0, len(z), BATCH)])
    return {"fid_inference_bn": fid(model.sample(5000, seed=0, average=False)),
            "fid_training_bn": fid(trained_bn),
            "fid_averaged": fid(model.sample(5000, seed=0, average=True))}


def at_bound(critic, clip):
    """Share of each critic variable's entries at the clipping bound (|w| >= 0.99 c)."""
    return {v.path.split("/", 1)[1]: round(float(np.mean(np.abs(v.numpy()) >= 0.99 * clip)), 3)
            for v in critic.trainable_variables}


def main(width, mode, steps, extra_layers=0):
    if mode not in ("clip", "free"):
        sys.exit("mode must be 'clip' (the preset's critic) or 'free' (no clipping, Adam)")
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    model = zoo.load("wgan-mnist")
    print(json.dumps(sampling_modes(model)), flush=True)
    print(json.dumps({"shipped_critic_at_bound": at_bound(model.critic, model.clip)}), flush=True)
    g, clip = model.generator, model.clip
    keras.utils.set_random_seed(1)
    critic = dcgan_discriminator(28, 1, width, norm="batch", name="critic",
                                 extra_layers=extra_layers)
    opt = rmsprop_as_in_pytorch(5e-5) if mode == "clip" else keras.optimizers.Adam(1e-4, 0.5, 0.9)
    opt.build(critic.trainable_variables)

    @tf.function
    def step(real, z):
        fake = g(z, training=False)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(losses.wasserstein_critic_loss(critic(real, training=True),
                                                                  critic(fake, training=True)))
        opt.apply_gradients(zip(tape.gradient(loss, critic.trainable_variables),
                                critic.trainable_variables))
        if mode == "clip":
            for v in critic.trainable_variables:
                v.assign(tf.clip_by_value(v, -clip, clip))
        return -loss

    def scores(images):  # batch norm in training mode, one kind per batch, as the critic trains
        return np.concatenate([critic(images[i:i + BATCH], training=True).numpy().ravel()
                               for i in range(0, len(images), BATCH)])

    train = data.images("mnist", "train")
    held_real = data.images("mnist", "test")[:4000]
    rng = np.random.default_rng(0)
    held_fake = model.sample(4000, seed=1, average=False)
    started = time.time()
    for i in range(1, steps + 1):
        w = step(train[rng.integers(0, len(train), BATCH)],
                 rng.standard_normal((BATCH, model.latent_dim)).astype("float32"))
        if i % max(1, steps // 4) == 0:
            print(json.dumps({"width": width, "extra_layers": extra_layers, "mode": mode,
                              "critic_steps": i,
                              "wasserstein": round(float(w), 4),
                              "auc": round(auc(scores(held_real), scores(held_fake)), 3),
                              "at_bound": at_bound(critic, clip) if mode == "clip" else None,
                              "wall_s": round(time.time() - started)}), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), *map(int, sys.argv[4:5]))
