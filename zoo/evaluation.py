"""Evaluation: domain classifiers, their feature function and ``zoo.evaluate``.

InceptionV3 weights cannot be downloaded offline and say little about 28x28
digits, so for MNIST-like data the zoo ships its own *domain classifiers*
(``checkpoints/classifier-mnist``, ``checkpoints/classifier-fashion-mnist``,
trained by ``recipes/classifier.py``). Their 128-d penultimate layer is the
feature space of the "domain FID", KID and precision/recall; their softmax
gives the classifier score and the class histogram (mode coverage).

``evaluate`` returns the metrics *and* the protocol, so numbers are never
quoted without the extractor, the sample sizes and the split they came from.
"""

import os
import time
from pathlib import Path

import keras
import numpy as np

from zoo import checkpoint, data, errors, files, metrics, registry

CLASSIFIERS = {"mnist": "classifier-mnist", "fashion_mnist": "classifier-fashion-mnist",
               "emoji/both": "classifier-emoji", "hanzi/both": "classifier-hanzi"}
NUM_CLASSES = 10


def build_classifier(image_size=28, channels=1, num_classes=NUM_CLASSES):
    """A small CNN; the layer named "features" (128-d) is the metric space. Images
    above 32 px start with a strided convolution (64 px: the two pairs of
    convolutions then work at 32 and 16 px, a third of the cost at full size)."""
    layers = keras.layers
    stem = [layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")
            ] if image_size > 32 else []
    convs = [layer for filters in (32, 64) for layer in (
        layers.Conv2D(filters, 3, padding="same", activation="relu"),
        layers.Conv2D(filters, 3, padding="same", activation="relu"),
        layers.MaxPooling2D())]
    return keras.Sequential(
        [
            keras.Input((image_size, image_size, channels)),
            *stem,
            *convs,
            layers.Flatten(),
            layers.Dropout(0.3),
            layers.Dense(128, activation="relu", name="features"),
            layers.Dropout(0.3),
            layers.Dense(num_classes, activation="softmax", name="probs"),
        ],
        name="domain_classifier",
    )


def save_classifier(model, folder, metadata):
    """Write a classifier as ``model.keras`` (its weights, without the optimizer's
    state, which measuring does not need) plus ``metadata.json`` with its sha256."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    bare = keras.models.clone_model(model)
    bare.set_weights(model.get_weights())
    tmp = folder / ".model.keras.tmp.keras"
    bare.save(tmp)
    tmp.replace(folder / "model.keras")
    meta = {**metadata, "sha256": {"model.keras": files.sha256(folder / "model.keras")}}
    files.write_json(folder / checkpoint.METADATA, meta)


def load_classifier(dataset):
    """The shipped domain classifier of ``dataset`` as a two-output model (features, probs)."""
    if dataset not in CLASSIFIERS:
        raise errors.ZooValueError(
            f"no domain classifier for {dataset!r}; the zoo ships them for "
            f"{', '.join(CLASSIFIERS)}. Use metrics.inception_extractor() for other data."
        )
    name = CLASSIFIERS[dataset]
    folder = registry.local_folder(name) or registry.local_folders(name)[-1]
    meta = checkpoint.read_metadata(folder)
    path = folder / "model.keras"
    if not path.exists() or files.sha256(path) != meta["sha256"]["model.keras"]:
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


def features(net, images_, batch_size=500):
    """``(features, probabilities)`` of ``images_`` (in [-1, 1]) under a domain classifier
    from :func:`load_classifier`: its 128-d penultimate layer, float64, and its softmax.
    The feature step of every domain metric (FID, KID, precision/recall)."""
    feats, probs = [], []
    for start in range(0, len(images_), batch_size):
        f, p = net(images_[start : start + batch_size], training=False)
        feats.append(keras.ops.convert_to_numpy(f).astype(np.float64))
        probs.append(keras.ops.convert_to_numpy(p).astype(np.float64))
    return np.concatenate(feats), np.concatenate(probs)


def real_images(dataset, split, n, seed=0, at_most=False):
    """``n`` real images of ``split`` in [-1, 1] (a fixed, seeded subset); with ``at_most``,
    the whole split where it holds fewer."""
    x = data.images(dataset, split)
    n = min(n, len(x)) if at_most else n
    if n > len(x):
        raise errors.ZooValueError(f"{dataset} {split} has {len(x)} images, fewer than n={n}.")
    return x[np.random.default_rng(seed).permutation(len(x))[:n]]


def score(net, real_feats, images_, labels=None):
    """The metrics of ``images_`` against the real features; with ``labels`` (the
    classes a conditional model was asked for) also ``label_accuracy``, the share
    the classifier puts in the class asked for."""
    return score_features(real_feats, *features(net, images_), labels)


def score_features(real_feats, feats, probs, labels=None):
    """:func:`score` of images whose features and class probabilities are computed."""
    hist = metrics.class_histogram(probs, NUM_CLASSES)
    kid, kid_std = metrics.kernel_inception_distance(real_feats, feats, num_subsets=50,
                                                     subset_size=min(1000, len(feats)))
    pr = metrics.precision_recall(real_feats, feats, k=3)
    cs, _ = metrics.classifier_score(probs)
    extra = {} if labels is None else {"label_accuracy": label_accuracy(probs, labels)}
    return {
        "fid": round(metrics.frechet_distance_from_features(real_feats, feats), 3),
        "kid": round(float(kid), 5),
        "kid_std": round(float(kid_std), 5),
        "precision": round(pr["precision"], 4),
        "recall": round(pr["recall"], 4),
        "classifier_score": round(float(cs), 3),
        "classes_covered": int((hist * len(probs) >= 0.01 * len(probs) / NUM_CLASSES).sum()),
        "class_kl": round(float(metrics.kl_to_uniform(hist)), 4),
        **extra,
    }


def label_accuracy(probs, labels):
    """The share of samples whose most probable class is the one asked for."""
    return round(float((np.argmax(probs, axis=1) == np.asarray(labels)).mean()), 4)


def asked_labels(model, n):
    """The classes ``evaluate`` asks a conditional model for, or None: the model's own
    default for ``sample(n)`` (each class in turn for ``ConditionalGAN``)."""
    return model.check_labels(None, n)


def memorisation_check(net, dataset, fake_feats, n_test=10000, seed=0):
    """:func:`zoo.metrics.memorisation` of samples against the whole train split, with
    (at most ``n_test``) test images as the measure of what a new image's distance is."""
    train, _ = features(net, data.images(dataset, "train"))
    test, _ = features(net, real_images(dataset, "test", n_test, seed, at_most=True))
    return {k: round(v, 4) for k, v in metrics.memorisation(train, test, fake_feats).items()}


def evaluate(model_or_name, dataset=None, n=10000, seed=0, references=False, truncation=None):
    """Metrics of a model's samples against real ``dataset`` training images.

    A conditional model is asked for each class in turn, and ``label_accuracy``
    says how many of its samples the classifier puts in the class asked for.
    ``nearest_train_ratio`` and ``near_copies`` say whether the samples copy training
    images (:func:`zoo.metrics.memorisation`, against the whole train split).
    ``truncation``: sample with the truncation trick at this psi (``model.sample``).
    Returns ``{"metrics": {...}, "protocol": {...}}``; with ``references=True``
    also the two reference rows: real test images (the floor) and uniform
    noise (the ceiling), scored the same way.
    """
    n = errors.check_sample_count(n)
    seed = errors.check_seed(seed)
    truncation = errors.check_truncation(truncation)
    model = model_or_name
    if isinstance(model_or_name, (str, os.PathLike)):
        name, preset = str(model_or_name), None
        saved = name.startswith("hf://") or name.endswith(".keras") or Path(name).is_dir()
        if isinstance(model_or_name, str):
            try:  # a preset's name wins over a folder of that name
                preset = registry.canonical(name)
            except errors.UnknownModelError:
                if not saved and os.sep in name:
                    raise errors.ZooValueError(
                        f"{name}: no such folder (a saved model is a folder such as "
                        "runs/<preset>/best, a .keras file, or hf://owner/repo).") from None
                if not saved:
                    raise
        if preset:
            dataset = dataset or registry.PRESETS[preset].dataset
            model = registry.load(preset)
        elif dataset is None:  # a run's best or last, a Hub repository: no dataset known
            raise errors.ZooValueError(
                f"{name} is a saved model, not a preset: say which dataset to score it on "
                f"(evaluate({name!r}, dataset='mnist'); python -m zoo evaluate {name} "
                "--dataset mnist).")
        else:
            model = registry.load(Path(name) if Path(name).is_dir() else name)
    if dataset is None:
        raise errors.ZooValueError("evaluate(model, dataset=...) needs the dataset name.")
    if getattr(model, "task", None) == "image-to-image":
        if truncation is not None:
            raise errors.NotThisKindOfModel(
                f"{type(model).__name__} translates images and has no latents to truncate: "
                "evaluate it without truncation.")
        pairs = (*data.PAIRS, *data.PAIRED)
        if dataset not in pairs:
            raise errors.ZooValueError(
                f"a translator is scored on a pair of domains; pass one of "
                f"{', '.join(pairs)} as dataset (got {dataset!r}).")
        started = time.time()
        result = {"metrics": evaluate_translation(model, dataset, n),
                  "protocol": {"dataset": dataset, "split": "test", "extractor": (
                      "classifier-emoji" if dataset.startswith("emoji_") else "classifier-hanzi"
                      if dataset.startswith("hanzi_") else "classifier-fashion-mnist")}}
        result["protocol"]["seconds"] = round(time.time() - started, 1)
        return result
    if getattr(model, "task", None) != "unconditional-image-generation":
        raise errors.ZooValueError(
            f"evaluate scores a generator's samples or a translator's translations; got a "
            f"{type(model).__name__}."
        )
    if dataset == "emoji/both":
        return evaluate_emoji_generator(model, n, seed, references, truncation)
    net = load_classifier(dataset)
    started = time.time()
    real_feats, _ = features(net, real_images(dataset, "train", n, seed))
    labels = asked_labels(model, n)
    feats, probs = features(net, model.sample(n, seed=seed, labels=labels, truncation=truncation))
    result = {
        "metrics": {**score_features(real_feats, feats, probs, labels),
                    **memorisation_check(net, dataset, feats, n, seed)},
        "protocol": {
            "extractor": f"{CLASSIFIERS[dataset]} (128-d features layer)",
            "dataset": dataset, "real_split": "train", "n_real": n, "n_fake": n,
            "seed": seed, "precision_recall_k": 3, "kid_subsets": 50, "truncation": truncation,
            "memorisation": "nearest of the whole train split, against test images' nearest",
        },
    }
    if references:
        test = real_images(dataset, "test", min(n, 10000), seed)
        noise = np.random.default_rng(seed).uniform(-1, 1, (n,) + test.shape[1:]).astype("float32")
        result["references"] = {"real test images (floor)": score(net, real_feats, test),
                                "uniform noise (ceiling)": score(net, real_feats, noise)}
    result["protocol"]["seconds"] = round(time.time() - started, 1)
    return result


TRUNCATIONS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, None)


def truncation_curve(model, dataset, n=5000, seed=0, truncations=TRUNCATIONS):
    """Precision and recall (k = 3) of ``n`` samples at each truncation psi (None: none),
    against real ``dataset`` train images in the domain classifier's features: the trade
    the truncation trick makes, variety (recall) for fidelity (precision). The samples
    are drawn from the same seed at every psi, and the real images are measured once.
    Returns ``[{"truncation": psi, "precision": ..., "recall": ...}, ...]``."""
    n = errors.check_sample_count(n)
    truncations = [errors.check_truncation(psi) for psi in truncations]
    if getattr(model, "task", None) != "unconditional-image-generation":
        raise errors.NotThisKindOfModel(
            f"{type(model).__name__} has no latents to truncate: a truncation curve is of a "
            "noise-to-image model.")
    net = load_classifier(dataset)
    real_feats, _ = features(net, real_images(dataset, "train", n, seed, at_most=True))
    labels = asked_labels(model, n)
    rows = []
    for psi in truncations:
        feats, _ = features(net, model.sample(n, seed=seed, labels=labels, truncation=psi))
        pr = metrics.precision_recall(real_feats, feats, k=3)
        rows.append({"truncation": psi, "precision": round(pr["precision"], 4),
                     "recall": round(pr["recall"], 4)})
    return rows


def projection_gap(model, dataset, n=32, seed=0, steps=300, restarts=4):
    """Whether the generator reconstructs its training images better than new ones: ``n``
    train and ``n`` test images of ``dataset`` (a fixed, seeded subset of each) projected
    with ``model.project`` (pixel MSE, ``steps`` Adam steps, ``restarts`` starts; a
    conditional model given each image's class), and the mean pixel MSE (in [-1, 1]
    units) of each set to its projection. ``test_over_train`` near 1 says the model
    reaches unseen images as well as seen ones; far above 1, that it has memorised its
    train set. Returns ``{"n", "steps", "restarts", "train_mse", "test_mse",
    "test_over_train", "seconds_per_image"}``."""
    n = errors.check_sample_count(n)
    if not hasattr(model, "project"):
        raise errors.NotThisKindOfModel(
            f"{type(model).__name__} has no latents to project into: the projection gap is "
            "of a noise-to-image model.")
    row, mse, seconds = {"n": n, "steps": steps, "restarts": restarts}, {}, 0.0
    for split in ("train", "test"):
        x, y = data.images(dataset, split, labels=True)
        pick = np.random.default_rng(seed).permutation(len(x))[:n]
        start = time.perf_counter()
        _, made = model.project(x[pick], labels=y[pick] if model.num_classes else None,
                                steps=steps, restarts=restarts, seed=seed)
        seconds += time.perf_counter() - start
        mse[split] = float(np.mean((made - x[pick]) ** 2))
        row[f"{split}_mse"] = round(mse[split], 6)
    row["test_over_train"] = round(mse["test"] / max(mse["train"], 1e-12), 3)
    row["seconds_per_image"] = round(seconds / (2 * len(pick)), 3)
    return row


def evaluate_emoji_generator(model, n=10000, seed=0, references=False, truncation=None):
    """Issue 33's scores of a noise-to-image model of both emoji styles (``emoji/both``),
    in the emoji classifier's 128-d features, against the 754 real test emoji:

    * ``kid`` (x 1000; subsets of 754 images, 50 of them) of ``n`` samples, beside
      ``kid_floor``, the same for the 6,818 real train emoji, and ``kid_floor_ratio``;
      ``fid`` likewise (biased at this size: a few hundred images in 128-d).
    * ``precision`` / ``recall`` (k = 3) against the real train emoji.
    * ``noto_share``: the share the classifier calls Noto's style (the data: 0.5).
    * ``categories_missed``: of the categories holding >= 1% of the real train emoji,
      those whose share of the samples is below a tenth of their real share (named in
      ``categories_missing``; both shares as the classifier reads the images).
    * ``nearest_train_ratio``, ``near_copies``: :func:`zoo.metrics.memorisation` against
      the train emoji, with the test emoji as the measure.
    With ``references``, the uniform-noise row (the ceiling) too.
    """
    from zoo import emoji_data

    net = load_classifier("emoji/both")
    started = time.time()
    test_x, _ = data.images("emoji/both", "test", labels=True)
    train_x = data.images("emoji/both", "train")
    (f_test, _), (f_train, p_train) = features(net, test_x), features(net, train_x)
    # The categories' shares as the classifier reads the real train emoji: samples and
    # real images are read by the same classifier.
    real_share = np.bincount(_style_and_category(p_train)[1], minlength=10) / len(train_x)

    def kid(f):
        return 1000 * metrics.kernel_inception_distance(f_test, f, num_subsets=50,
                                                        subset_size=len(f_test), seed=seed)[0]

    floor = kid(f_train)

    def scores(x):
        feats, probs = features(net, x)
        style, category = _style_and_category(probs)
        share = np.bincount(category, minlength=10) / len(category)
        missing = [emoji_data.CATEGORIES[c] for c in range(10)
                   if real_share[c] >= 0.01 and share[c] < real_share[c] / 10]
        pr = metrics.precision_recall(f_train, feats, k=3)
        value = kid(feats)
        return {"kid": round(value, 3), "kid_floor": round(floor, 3),
                "kid_floor_ratio": _ratio(value, floor),
                "fid": round(metrics.frechet_distance_from_features(f_test, feats), 3),
                "precision": round(pr["precision"], 4), "recall": round(pr["recall"], 4),
                "noto_share": round(float((style == 0).mean()), 4),
                "categories_missed": len(missing), "categories_missing": missing,
                **{k: round(v, 4) for k, v in metrics.memorisation(f_train, f_test, feats).items()}}

    result = {
        "metrics": scores(model.sample(n, seed=seed, truncation=truncation)),
        "protocol": {
            "extractor": "classifier-emoji (128-d features layer)", "dataset": "emoji/both",
            "real_split": "test (KID, FID); train (floor, precision/recall)",
            "n_real": int(len(f_test)), "n_fake": n, "seed": seed, "precision_recall_k": 3,
            "kid_subsets": 50, "kid_subset_size": int(len(f_test)),
        },
    }
    if references:
        noise = np.random.default_rng(seed).uniform(-1, 1, (n,) + test_x.shape[1:])
        result["references"] = {"real train images (floor)": scores(train_x),
                                "uniform noise (ceiling)": scores(noise.astype("float32"))}
    result["protocol"]["seconds"] = round(time.time() - started, 1)
    return result


def evaluate_translation(model, pair, n=10000, split="test"):
    """How well an image-to-image model moves test images of ``pair`` across.

    ``pair`` names a ``zoo.data.PAIRS`` entry (``"fashion_mnist_pair/sneaker2boot"``).
    For each direction: the fraction of translated test images the domain classifier
    assigns to the target class (and of the untranslated ones, the baseline),
    and the domain FID of the translations to the real target-class images. The
    emoji style pair is scored by :func:`evaluate_style_transfer`.
    """
    if pair.startswith(("emoji_pair/", "emoji_paired/")):
        return evaluate_style_transfer(model, pair, n, split)
    if pair.startswith(("hanzi_pair/", "hanzi_paired/")):
        return evaluate_glyph_transfer(model, pair, n, split)
    (source, class_a), (_, class_b), _ = data.PAIRS[pair]
    net = load_classifier(source)
    (xa, _), (xb, _) = data.pair_domains(pair)
    out = {}
    for direction, src, dst, target in (("a2b", xa, xb, class_b), ("b2a", xb, xa, class_a)):
        moved = model.translate(src[:n], direction)
        real_feats, _ = features(net, dst[:n])
        feats, probs = features(net, moved)
        _, before = features(net, src[:n])
        out[direction] = {
            "target_class_rate": round(float((probs.argmax(1) == target).mean()), 4),
            "target_class_rate_before": round(float((before.argmax(1) == target).mean()), 4),
            "fid_to_target": round(metrics.frechet_distance_from_features(real_feats, feats), 3),
        }
    return out


def _style_and_category(probs):
    """The emoji classifier's twenty classes (``10 * style + category``) read as
    ``(style, category)`` guesses, each the argmax of its summed probabilities."""
    probs = np.asarray(probs).reshape(-1, 2, 10)
    return probs.sum(2).argmax(1), probs.sum(1).argmax(1)


def _ratio(a, b):
    """``a / b`` to four places, or None where ``b`` is 0 (nothing to compare with)."""
    return round(a / b, 4) if b else None


def _kid(f1, f2):
    return metrics.kernel_inception_distance(f1, f2, num_subsets=50, subset_size=1000)[0]


def checkerboard_share(images_):
    """The share of the images' spectral power on the Nyquist row and column (the
    period-2 pattern a stride-2 transposed convolution prints; Odena et al. 2016),
    of their luminance less each image's mean, averaged over the images."""
    grey = np.asarray(images_, np.float64).mean(-1)
    grey = grey - grey.mean(axis=(1, 2), keepdims=True)
    power = (np.abs(np.fft.fft2(grey)) ** 2).mean(0)
    h, w = power.shape
    nyquist = power[h // 2].sum() + power[:, w // 2].sum() - power[h // 2, w // 2]
    return float(nyquist / max(power.sum(), 1e-12))


def evaluate_style_transfer(model, pair="emoji_pair/noto2twemoji", n=None, split="test"):
    """Issue 33's scores of a translator between the two emoji styles, per direction
    the model translates in (``model.directions``), on ``split`` (the test split's 377
    emoji a style by default; ``n`` keeps the first ``n``). ``pair`` is the unpaired
    ``emoji_pair/noto2twemoji`` or a paired set (``emoji_paired/...``: its a2b is its
    source to its target style):

    * ``target_style_rate``: share of translations the emoji classifier
      (``classifier-emoji``) calls the target style; ``_real``: of the true
      counterparts (the real test emoji of the target style); ``_share``: the first
      over the second.
    * ``checkerboard``: :func:`checkerboard_share` of the translations over that of
      the true counterparts (1: as much grid as real images have).
    * ``category_kept``: share whose category is the input's; ``_real``: the same
      classifier on the true counterparts; ``category_kept_ratio`` is their ratio.
    * ``kid``: KID (x 1000, the classifier's 128-d features, all images in one
      subset) between the translations and the real test emoji of the target
      style, beside ``kid_identity`` (the untranslated inputs) and ``kid_floor``
      (as many of the target style's train emoji); ``gap_closed`` is
      ``(kid_identity - kid) / (kid_identity - kid_floor)``: 1 is the floor. KID
      because it is unbiased at a few hundred images, where FID on 128-d features
      measures mostly the sample size.
    * ``l1``: mean absolute difference to the true counterpart (pixels in [0, 1])
      beside ``l1_identity`` (the input's own); ``l1_ratio`` is their ratio, below 1
      when translations move toward their counterparts. The two artists also draw
      different shapes, so L1 checks the direction, not a goal.
    """
    net = load_classifier("emoji/both")
    (xa, cats), (xb, _) = data.pair_domains(pair, split)
    n = len(xa) if n is None else min(n, len(xa))
    xa, xb, cats = xa[:n], xb[:n], cats[:n]
    style_a, style_b = (data.EMOJI_STYLES.index(name.split("/")[1]) for name in _pair_names(pair))
    train = {k: data.images(f"emoji/{style}", "train") for k, style in enumerate(data.EMOJI_STYLES)}
    out = {}
    ways = {"a2b": (xa, xb, style_b), "b2a": (xb, xa, style_a)}
    for direction in getattr(model, "directions", ("a2b", "b2a")):
        src, dst, style = ways[direction]
        moved = model.translate(src, direction)
        floor = train[style][np.random.default_rng(0).permutation(len(train[style]))[:n]]
        (f_moved, p_moved), (f_src, _), (f_dst, p_dst), (f_floor, _) = (
            features(net, x) for x in (moved, src, dst, floor))
        (s_moved, c_moved), (s_dst, c_dst) = _style_and_category(p_moved), _style_and_category(p_dst)
        kid, kid_identity, kid_floor = (1000 * _kid(f_dst, f) for f in (f_moved, f_src, f_floor))
        kept, kept_real = float((c_moved == cats).mean()), float((c_dst == cats).mean())
        l1, l1_identity = (float(np.abs(x - dst).mean()) / 2 for x in (moved, src))
        rate, rate_real = float((s_moved == style).mean()), float((s_dst == style).mean())
        out[direction] = {
            "target_style_rate": round(rate, 4),
            "target_style_rate_real": round(rate_real, 4),
            "target_style_rate_share": _ratio(rate, rate_real),
            "checkerboard": _ratio(checkerboard_share(moved), checkerboard_share(dst)),
            "category_kept": round(kept, 4),
            "category_kept_real": round(kept_real, 4),
            "category_kept_ratio": _ratio(kept, kept_real),
            "kid": round(kid, 3), "kid_identity": round(kid_identity, 3),
            "kid_floor": round(kid_floor, 3),
            "gap_closed": _ratio(kid_identity - kid, kid_identity - kid_floor),
            "l1": round(l1, 4), "l1_identity": round(l1_identity, 4),
            "l1_ratio": _ratio(l1, l1_identity),
        }
    return out


def _pair_names(pair):
    """The two array datasets of a :data:`zoo.data.PAIRS` or :data:`zoo.data.PAIRED` name."""
    return data.PAIRED[pair][:2] if pair in data.PAIRED else [s for s, _ in data.PAIRS[pair][:2]]


def nearest_is_own(images_, targets):
    """The share of ``images_`` whose nearest (by mean absolute difference) of
    ``targets`` is their own counterpart (``targets[i]`` for ``images_[i]``)."""
    x = np.asarray(images_, np.float32).reshape(len(images_), -1)
    t = np.asarray(targets, np.float32).reshape(len(targets), -1)
    hits = 0
    for start in range(0, len(x), 64):
        d = np.abs(x[start:start + 64, None, :] - t[None]).mean(-1)
        hits += int((d.argmin(1) == np.arange(start, start + len(d))).sum())
    return hits / len(x)


def evaluate_glyph_transfer(model, pair="hanzi_paired/ming2kai", n=None, split="test"):
    """Issue 49's scores of a translator between the two calligraphy faces (Ming, Kai),
    per direction the model has, on ``split`` (the 677 test characters by default; the
    hanzi's ``"extra"`` split holds characters outside GB2312, never trained on):

    * ``target_style_rate``: share of translations the hanzi classifier
      (``classifier-hanzi``) calls the target face; ``_real``: of the true
      counterparts; ``_share``: the first over the second.
    * ``l1``: mean absolute difference to the true counterpart (pixels in [0, 1])
      beside ``l1_identity`` (the untranslated glyph's); ``l1_ratio``: their ratio.
    * ``nearest_own``: share of translations whose nearest true counterpart (by L1,
      among all of the split's) is their own character's; ``_identity``: the same
      for the untranslated glyphs. The character is kept where this is high.
    * ``kid``, ``kid_identity``, ``kid_floor``, ``gap_closed``: as for the emoji
      (``evaluate_style_transfer``), in the hanzi classifier's features.
    * ``checkerboard``: :func:`checkerboard_share` of the translations over that of
      the true counterparts.
    """
    net = load_classifier("hanzi/both")
    (xa, _), (xb, _) = data.pair_domains(pair, split)
    n = len(xa) if n is None else min(n, len(xa))
    xa, xb = xa[:n], xb[:n]
    style_a, style_b = (data.HANZI_STYLES.index(name.split("/")[1]) for name in _pair_names(pair))
    out = {}
    ways = {"a2b": (xa, xb, style_b), "b2a": (xb, xa, style_a)}
    for direction in getattr(model, "directions", ("a2b", "b2a")):
        src, dst, style = ways[direction]
        moved = model.translate(src, direction)
        train = data.images(f"hanzi/{data.HANZI_STYLES[style]}", "train")
        floor = train[np.random.default_rng(0).permutation(len(train))[:n]]
        (f_moved, p_moved), (f_src, _), (f_dst, p_dst), (f_floor, _) = (
            features(net, x) for x in (moved, src, dst, floor))
        rate = float((p_moved.argmax(1) == style).mean())
        rate_real = float((p_dst.argmax(1) == style).mean())
        kid, kid_identity, kid_floor = (1000 * _kid(f_dst, f) for f in (f_moved, f_src, f_floor))
        l1, l1_identity = (float(np.abs(x - dst).mean()) / 2 for x in (moved, src))
        out[direction] = {
            "target_style_rate": round(rate, 4),
            "target_style_rate_real": round(rate_real, 4),
            "target_style_rate_share": _ratio(rate, rate_real),
            "nearest_own": round(nearest_is_own(moved, dst), 4),
            "nearest_own_identity": round(nearest_is_own(src, dst), 4),
            "checkerboard": _ratio(checkerboard_share(moved), checkerboard_share(dst)),
            "kid": round(kid, 3), "kid_identity": round(kid_identity, 3),
            "kid_floor": round(kid_floor, 3),
            "gap_closed": _ratio(kid_identity - kid, kid_identity - kid_floor),
            "l1": round(l1, 4), "l1_identity": round(l1_identity, 4),
            "l1_ratio": _ratio(l1, l1_identity),
        }
    return out


def labelled_test_images(dataset):
    """The whole test split of ``dataset`` as ``(images in [-1, 1], labels)``."""
    return data.images(dataset, "test", labels=True)


def check_target(measured, target):
    """A preset's quality target (its record's ``"target"``) against ``measured`` metrics.

    ``target`` maps a metric name to ``("<=", bound)`` or ``(">=", bound)``; a
    translation's per-direction metrics are named ``"a2b_target_class_rate"`` and so
    on. Returns ``[(name, op, bound, value, met)]``; a metric not measured is not met.
    """
    flat = metrics.flat_metrics(measured)
    rows = []
    for name, (op, bound) in target.items():
        if op not in ("<=", ">="):
            raise errors.ZooValueError(f"target {name!r}: the bound must be '<=' or '>=', got {op!r}.")
        value = flat.get(name)
        met = value is not None and (value <= bound if op == "<=" else value >= bound)
        rows.append((name, op, bound, value, met))
    return rows
