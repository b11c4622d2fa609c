"""Samples between the digits: how much of a shipped MNIST generator's domain FID comes from
images the zoo's classifier cannot place in one class.

For each preset: the share of 10,000 samples (seed 0) whose most probable class gets less than
0.9 (and 0.5), beside the real test images' share; the domain FID of the 10,000 samples, and
of the first 10,000 confident ones (at least 0.9) among 12,000, against 10,000 training images.
The second FID is a diagnosis, not a score: it leaves out what the generator does worst.

    python studies/between_classes.py                      # all shipped MNIST presets
    python studies/between_classes.py dcgan-mnist

Measured here (2026-12-04), share below 0.9: real test 1.0%, cgan-mnist 1.5%, dcgan-mnist
16.2%, wgan-gp-mnist 15.7%, gan-mnist 15.8%, wgan-mnist 30.2%. FID all / confident only:
dcgan-mnist 15.9 / 10.1, wgan-gp-mnist 13.6 / 8.3, gan-mnist 28.3 / 19.0, wgan-mnist
125.3 / 117.2 (its trouble is the shapes themselves), cgan-mnist 2.7 / 2.7. The conditional model, the same DCGAN
networks told the class, puts almost nothing between classes (FID 2.7); the unconditional
ones put a sixth of their samples there, and those samples are about 6 of their FID points.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import zoo  # noqa: E402
from zoo import evaluation, metrics, registry  # noqa: E402


def shares(probs):
    top = probs.max(axis=1)
    return {"below_0.9": round(float(np.mean(top < 0.9)), 4),
            "below_0.5": round(float(np.mean(top < 0.5)), 4)}


def main(names):
    net = evaluation.load_classifier("mnist")
    real, _ = evaluation.features(net, evaluation.real_images("mnist", "train", 10000, 0))
    _, test_probs = evaluation.features(net, evaluation.real_images("mnist", "test", 10000, 0))
    print(json.dumps({"preset": "real test images", **shares(test_probs)}), flush=True)
    for name in names:
        model = zoo.load(name)
        labels = np.arange(12000) % 10 if model.num_classes else None
        feats, probs = evaluation.features(net, model.sample(12000, seed=0, labels=labels))
        confident = probs.max(axis=1) >= 0.9
        print(json.dumps({
            "preset": name, **shares(probs[:10000]),
            "fid": round(metrics.frechet_distance_from_features(real, feats[:10000]), 2),
            "fid_confident_only": round(
                metrics.frechet_distance_from_features(real, feats[confident][:10000]), 2),
        }), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or [n for n in registry.list_models(shipped_only=True)
                          if registry.PRESETS[n].dataset == "mnist"])
