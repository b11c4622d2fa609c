"""WGAN-MNIST with the authors' RMSprop (PyTorch's: decay 0.99, epsilon outside the
root) against Keras' defaults (rho 0.9, epsilon 1e-7 inside the root): domain FID
(n = 2,000, zoo's MNIST classifier) every ``every`` critic updates, same seed,
same data order, one thread.

    python studies/wgan_rmsprop.py torch 8000 2000
    python studies/wgan_rmsprop.py keras 8000 2000

Prints one JSON line per measurement. Measured here (2026-12-01, 2 shared cores),
FID at 2,000 / 4,000 / 6,000 / 8,000 critic updates: torch 656 / 487 / 361 / 304,
keras 660 / 691 / 434 / 331; why ``zoo.models.wgan`` uses the former.
"""

import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from zoo import data, evaluation, metrics, registry  # noqa: E402


def main(variant, total, every):
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(0)
    model = registry.build("wgan-mnist", seed=0)
    if variant == "torch":
        opt = lambda: keras.optimizers.RMSprop(5e-5, rho=0.99, epsilon=1e-16)  # noqa: E731
    elif variant == "keras":
        opt = lambda: keras.optimizers.RMSprop(5e-5, rho=0.9)  # noqa: E731
    else:
        sys.exit("variant must be 'torch' or 'keras'")
    model.compile(d_optimizer=opt(), g_optimizer=opt())
    ds = data.load("mnist", batch_size=64, seed=0, repeat=True)
    net = evaluation.load_classifier("mnist")
    real, _ = evaluation.features(net, evaluation.real_images("mnist", "train", 2000, 0))
    started = time.time()
    for epoch in range(total // every):
        model.fit(ds, epochs=epoch + 1, initial_epoch=epoch, steps_per_epoch=every, verbose=0)
        feats, _ = evaluation.features(net, model.sample(2000, seed=0, average=False))
        print(json.dumps({"variant": variant, "d_steps": int(model.d_steps.numpy()),
                          "g_steps": int(model.g_steps.numpy()),
                          "fid2k": round(metrics.frechet_distance_from_features(real, feats), 1),
                          "wall_s": round(time.time() - started)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
