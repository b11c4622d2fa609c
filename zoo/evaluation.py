"""Evaluation: domain classifiers, ``zoo.evaluate`` and the FID callback.

InceptionV3 weights cannot be downloaded offline and say little about 28x28
digits, so for MNIST-like data the zoo ships its own *domain classifiers*
(``checkpoints/classifier-mnist``, ``checkpoints/classifier-fashion-mnist``,
trained by ``recipes/classifier.py``). Their 128-d penultimate layer is the
feature space of the "domain FID", KID and precision/recall; their softmax
gives the classifier score and the class histogram (mode coverage).

``evaluate`` returns the metrics *and* the protocol, so numbers are never
quoted without the extractor, the sample sizes and the split they came from.
"""

import time
from pathlib import Path

import keras
import numpy as np

from zoo import checkpoint, data, errors, images, metrics, registry

CLASSIFIERS = {"mnist": "classifier-mnist", "fashion_mnist": "classifier-fashion-mnist"}
NUM_CLASSES = 10


def build_classifier(image_size=28, channels=1, num_classes=NUM_CLASSES):
    """A small CNN; the layer named "features" (128-d) is the metric space."""
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((image_size, image_size, channels)),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dropout(0.3),
            layers.Dense(128, activation="relu", name="features"),
            layers.Dropout(0.3),
            layers.Dense(num_classes, activation="softmax", name="probs"),
        ],
        name="domain_classifier",
    )


def save_classifier(model, folder, metadata):
    """Write a classifier as ``model.keras`` plus ``metadata.json`` with its sha256."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / ".model.keras.tmp.keras"
    model.save(tmp)
    tmp.replace(folder / "model.keras")
    meta = {**metadata, "sha256": {"model.keras": checkpoint.sha256(folder / "model.keras")}}
    checkpoint.write_json(folder / checkpoint.METADATA, meta)


def load_classifier(dataset):
    """The shipped domain classifier of ``dataset`` as a two-output model (features, probs)."""
    if dataset not in CLASSIFIERS:
        raise errors.ZooValueError(
            f"no domain classifier for {dataset!r}; the zoo ships them for "
            f"{', '.join(CLASSIFIERS)}. Use metrics.inception_extractor() for other data."
        )
    folder = registry.checkpoints_dir() / CLASSIFIERS[dataset]
    meta = checkpoint.read_metadata(folder)
    path = folder / "model.keras"
    if not path.exists() or checkpoint.sha256(path) != meta["sha256"]["model.keras"]:
        raise errors.CheckpointError(
            f"{path} is missing or does not match its sha256 in {folder / checkpoint.METADATA}; "
            "re-run `python recipes/classifier.py --dataset " + dataset + "`."
        )
    net = keras.saving.load_model(path, safe_mode=True)
    x = inputs = keras.Input(net.input_shape[1:])
    for layer in net.layers:  # rewire, so the features layer becomes a second output
        x = layer(x)
        if layer.name == "features":
            features = x
    return keras.Model(inputs, [features, x])


def _embed(net, images_, batch_size=500):
    feats, probs = [], []
    for start in range(0, len(images_), batch_size):
        f, p = net(images_[start : start + batch_size], training=False)
        feats.append(np.asarray(f, np.float64))
        probs.append(np.asarray(p, np.float64))
    return np.concatenate(feats), np.concatenate(probs)


def real_images(dataset, split, n, seed=0):
    """``n`` real images of ``split`` in [-1, 1] (a fixed, seeded subset)."""
    ds = data.load(dataset, split=split, batch_size=1000, shuffle=False, drop_remainder=False)
    x = np.concatenate([b.numpy() for b in ds])
    if n > len(x):
        raise errors.ZooValueError(f"{dataset} {split} has {len(x)} images, fewer than n={n}.")
    return x[np.random.default_rng(seed).permutation(len(x))[:n]]


def score(net, real_feats, images_):
    feats, probs = _embed(net, images_)
    hist = metrics.class_histogram(probs, NUM_CLASSES)
    kid, kid_std = metrics.kernel_inception_distance(real_feats, feats, num_subsets=50,
                                                     subset_size=min(1000, len(feats)))
    pr = metrics.precision_recall(real_feats, feats, k=3)
    cs, _ = metrics.classifier_score(probs)
    return {
        "fid": round(metrics.frechet_distance_from_features(real_feats, feats), 3),
        "kid": round(float(kid), 5),
        "kid_std": round(float(kid_std), 5),
        "precision": round(pr["precision"], 4),
        "recall": round(pr["recall"], 4),
        "classifier_score": round(float(cs), 3),
        "classes_covered": int((hist * len(probs) >= 0.01 * len(probs) / NUM_CLASSES).sum()),
        "class_kl": round(float(metrics.kl_to_uniform(hist)), 4),
    }


def evaluate(model_or_name, dataset=None, n=10000, seed=0, references=False):
    """Metrics of a model's samples against real ``dataset`` training images.

    Returns ``{"metrics": {...}, "protocol": {...}}``; with ``references=True``
    also the two reference rows: real test images (the floor) and uniform
    noise (the ceiling), scored the same way.
    """
    n = errors.check_sample_count(n)
    seed = errors.check_seed(seed)
    model = model_or_name
    if isinstance(model_or_name, str):
        name = registry.canonical(model_or_name)
        dataset = dataset or registry.PRESETS[name]["dataset"]
        model = registry.load(name)
    if dataset is None:
        raise errors.ZooValueError("evaluate(model, dataset=...) needs the dataset name.")
    if not hasattr(model, "sample") or hasattr(model, "translate"):
        raise errors.ZooValueError(
            f"evaluate scores samples from noise, and a {type(model).__name__} has none; "
            "image-to-image models are scored by recipes/evaluate_checkpoints.py "
            "(classification rate of translated images)."
        )
    net = load_classifier(dataset)
    started = time.time()
    real_feats, _ = _embed(net, real_images(dataset, "train", n, seed))
    result = {
        "metrics": score(net, real_feats, model.sample(n, seed=seed)),
        "protocol": {
            "extractor": f"{CLASSIFIERS[dataset]} (128-d features layer)",
            "dataset": dataset, "real_split": "train", "n_real": n, "n_fake": n,
            "seed": seed, "precision_recall_k": 3, "kid_subsets": 50,
        },
    }
    if references:
        test = real_images(dataset, "test", min(n, 10000), seed)
        noise = np.random.default_rng(seed).uniform(-1, 1, (n,) + test.shape[1:]).astype("float32")
        result["references"] = {"real test images (floor)": score(net, real_feats, test),
                                "uniform noise (ceiling)": score(net, real_feats, noise)}
    result["protocol"]["seconds"] = round(time.time() - started, 1)
    return result


class FIDCallback(keras.callbacks.Callback):
    """Every ``every`` epochs: domain FID into the logs (History, TensorBoard) and a grid.

    Put it *before* the TensorBoard callback so TensorBoard sees the value.
    """

    def __init__(self, dataset, every=1, n=2000, grid_dir=None, seed=0):
        super().__init__()
        self.every, self.n, self.seed = every, n, seed
        self.grid_dir = Path(grid_dir) if grid_dir else None
        self.net = load_classifier(dataset)
        self.real_feats, _ = _embed(self.net, real_images(dataset, "train", n, seed))

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        fake = self.model.sample(self.n, seed=self.seed)
        feats, _ = _embed(self.net, fake)
        if logs is not None:
            logs["fid"] = metrics.frechet_distance_from_features(self.real_feats, feats)
        if self.grid_dir:
            images.save_grid(fake[:64], self.grid_dir / f"fid_epoch_{epoch + 1:03d}.png", cols=8)
