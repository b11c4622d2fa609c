"""Sample-quality metrics for generative models.

Every metric works on plain numpy arrays (features or class probabilities), so
it can be checked by hand and reused with any feature extractor. Only
:func:`extract_features` and :func:`inception_extractor` touch Keras/TensorFlow.

    from zoo import metrics
    net = metrics.inception_extractor()                 # needs the weights file, see there
    real = metrics.extract_features(net, real_images)   # images in [-1, 1]
    fake = metrics.extract_features(net, fake_images)
    fid = metrics.frechet_distance_from_features(real, fake)
    kid_mean, kid_std = metrics.kernel_inception_distance(real, fake)
    pr = metrics.precision_recall(real, fake)           # {"precision": ..., "recall": ...}
"""

import os
import warnings

import numpy as np
from scipy import linalg, special

from zoo.errors import ZooError, ZooValueError, check_positive_int

INCEPTION_WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
INCEPTION_SIZE = 299


class FeatureExtractorUnavailable(ZooError, FileNotFoundError):
    """The weights of a feature extractor are not on this machine."""


# ----------------------------------------------------------------------------- helpers


def _features(name, x):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or len(x) == 0:
        raise ZooValueError(f"{name} must be a 2-D array of shape (N, D) with N >= 1, got {x.shape}.")
    if not np.isfinite(x).all():
        raise ZooValueError(f"{name} contains NaN or infinite values.")
    return x


def _same_dim(f1, f2):
    if f1.shape[1] != f2.shape[1]:
        raise ZooValueError(
            f"both feature sets must have the same dimension, got {f1.shape[1]} and {f2.shape[1]}."
        )


def _probabilities(name, probs):
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2 or len(p) == 0 or p.shape[1] == 0:
        raise ZooValueError(f"{name} must be a 2-D array of shape (N, classes), got {p.shape}.")
    if not np.isfinite(p).all() or (p < 0).any() or not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
        raise ZooValueError(
            f"{name} must hold probabilities (non-negative rows summing to 1); "
            "apply a softmax to logits first."
        )
    return p


# ----------------------------------------------------------------------------- FID


def _sqrtm(a):
    """scipy's matrix square root, and whether it is finite and accurate."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linalg.LinAlgWarning)  # "singular": judged by the result below
        root = linalg.sqrtm(a)
    if not np.isfinite(root).all():
        return root, False
    error = np.linalg.norm(root @ root - a) / max(np.linalg.norm(a), np.finfo(np.float64).tiny)
    return root, error <= 1e-6


def frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """Squared Frechet distance between two Gaussians N(mu1, sigma1) and N(mu2, sigma2).

        d^2 = ||mu1 - mu2||^2 + Tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^(1/2))

    This is the FID of Heusel et al. 2017, "GANs Trained by a Two Time-Scale
    Update Rule Converge to a Local Nash Equilibrium", when the Gaussians are
    fitted to Inception features. If the square root of ``sigma1 @ sigma2``
    fails (non-finite or inaccurate, as can happen when it is singular),
    ``eps * I`` is added to both covariances and it is taken again; small
    imaginary parts left by round-off are dropped. Returns a float.
    """
    mu1, mu2 = (np.atleast_1d(np.asarray(m, np.float64)) for m in (mu1, mu2))
    sigma1, sigma2 = (np.atleast_2d(np.asarray(s, np.float64)) for s in (sigma1, sigma2))
    d = mu1.shape[0]
    if mu1.shape != (d,) or mu2.shape != (d,) or sigma1.shape != (d, d) or sigma2.shape != (d, d):
        raise ZooValueError(
            "frechet_distance needs means of shape (D,) and covariances of shape (D, D), got "
            f"{mu1.shape}, {sigma1.shape}, {mu2.shape}, {sigma2.shape}."
        )

    covmean, ok = _sqrtm(sigma1 @ sigma2)
    if not ok:  # singular product: retry slightly regularised, as in the reference code
        offset = eps * np.eye(d)
        covmean, _ = _sqrtm((sigma1 + offset) @ (sigma2 + offset))
    if not np.isfinite(covmean).all():
        raise ZooValueError("the matrix square root of sigma1 @ sigma2 is not finite; check the covariances.")

    if np.iscomplexobj(covmean):
        largest = np.max(np.abs(np.diagonal(covmean).imag))
        if largest > 1e-3:
            raise ZooValueError(
                f"the matrix square root has an imaginary component of {largest:.3g}; "
                "the covariances are probably not positive semi-definite (too few samples?)."
            )
        covmean = covmean.real

    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean))


def frechet_distance_from_features(f1, f2):
    """FID (Heusel et al. 2017) between two feature sets of shape (N1, D) and (N2, D).

    Fits a Gaussian (mean, unbiased covariance) to each set and returns
    :func:`frechet_distance` of the two. Needs at least 2 samples per set; the
    standard FID uses 2048-d Inception pool features and 10k-50k samples.
    """
    f1, f2 = _features("f1", f1), _features("f2", f2)
    _same_dim(f1, f2)
    if len(f1) < 2 or len(f2) < 2:
        raise ZooValueError("each feature set needs at least 2 samples to estimate a covariance.")
    return frechet_distance(
        f1.mean(axis=0), np.cov(f1, rowvar=False), f2.mean(axis=0), np.cov(f2, rowvar=False)
    )


# ----------------------------------------------------------------------------- KID


def _polynomial_kernel(x, y):
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def _unbiased_mmd2(x, y):
    m = len(x)
    k_xx, k_yy, k_xy = _polynomial_kernel(x, x), _polynomial_kernel(y, y), _polynomial_kernel(x, y)
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return within - 2.0 * k_xy.mean()


def kernel_inception_distance(f1, f2, num_subsets=100, subset_size=1000, seed=0):
    """KID of Binkowski et al. 2018, "Demystifying MMD GANs".

    The unbiased estimate of the squared MMD with the polynomial kernel
    ``k(x, y) = (x . y / d + 1) ** 3``, computed on ``num_subsets`` random
    subsets (drawn without replacement) of ``subset_size`` samples from each
    set. ``subset_size`` is clipped to the smaller set. Unbiased means the
    estimate can be slightly negative when both sets come from one
    distribution. Returns ``(mean, std)`` over the subsets.
    """
    f1, f2 = _features("f1", f1), _features("f2", f2)
    _same_dim(f1, f2)
    num_subsets = check_positive_int("num_subsets", num_subsets)
    m = min(check_positive_int("subset_size", subset_size), len(f1), len(f2))
    if m < 2:
        raise ZooValueError("KID needs at least 2 samples in each feature set.")
    rng = np.random.default_rng(seed)
    mmds = np.array([
        _unbiased_mmd2(f1[rng.choice(len(f1), m, replace=False)], f2[rng.choice(len(f2), m, replace=False)])
        for _ in range(num_subsets)
    ])
    return float(mmds.mean()), float(mmds.std())


# ----------------------------------------------------------------------------- precision / recall


def _blocks(n, size):
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def _distances(a, b):
    """Euclidean distances between the rows of a and b, through one matrix product.

    About 2x faster than scipy's cdist on 1000 x 1000 x 128 blocks here. Values are
    rounded to 1e-9 so that exact ties (a point at exactly a radius) stay ties.
    """
    squared = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * (a @ b.T)
    return np.round(np.sqrt(np.maximum(squared, 0.0)), 9)


def _knn_radii(x, k, batch_size):
    """Distance from each row of ``x`` to its k-th nearest other row, in blocks."""
    radii = np.empty(len(x))
    for rows in _blocks(len(x), batch_size):
        # Running k+1 smallest distances per row; the row itself contributes the 0.
        nearest = np.full((rows.stop - rows.start, 0), np.inf)
        for cols in _blocks(len(x), batch_size):
            candidates = np.concatenate([nearest, _distances(x[rows], x[cols])], axis=1)
            keep = min(k + 1, candidates.shape[1])
            nearest = np.partition(candidates, keep - 1, axis=1)[:, :keep]
        radii[rows] = np.max(nearest, axis=1)
    return radii


def _inside_manifold(points, support, radii, batch_size):
    """For each point: is it within ``radii[i]`` of some ``support[i]``?"""
    inside = np.zeros(len(points), dtype=bool)
    for rows in _blocks(len(points), batch_size):
        for cols in _blocks(len(support), batch_size):
            inside[rows] |= (_distances(points[rows], support[cols]) <= radii[cols]).any(axis=1)
    return inside


def nearest_distances(reference, queries, batch_size=1000):
    """Distance from each row of ``queries`` to its nearest row of ``reference``: found
    through matrix products in blocks, then measured exactly (a copy is at 0)."""
    nearest, index = np.full(len(queries), np.inf), np.zeros(len(queries), dtype=np.int64)
    for rows in _blocks(len(queries), batch_size):
        for cols in _blocks(len(reference), batch_size):
            d = _distances(queries[rows], reference[cols])
            best = d.argmin(axis=1)
            closer = d[np.arange(len(best)), best] < nearest[rows]
            nearest[rows] = np.where(closer, d[np.arange(len(best)), best], nearest[rows])
            index[rows] = np.where(closer, best + cols.start, index[rows])
    return np.linalg.norm(queries - reference[index], axis=1)


def memorisation(train_features, test_features, fake_features):
    """Is a generator copying its training set? Each sample's distance to its nearest
    training image, against the same for held-out real images (test), which the model
    never saw and so cannot have copied (the nearest-neighbour check of the GAN
    literature, in feature space: Borji 2019, "Pros and Cons of GAN Evaluation Measures").

    ``nearest_train_ratio``: the samples' median distance over the test images'. About 1
    or above for a model that makes new images; well below 1, it reproduces training
    images. ``near_copies``: the share of samples at most as near to a training image as
    the nearest 1% of the test images are (about 0.01 when it copies nothing).
    """
    fake = nearest_distances(train_features, fake_features)
    test = nearest_distances(train_features, test_features)
    return {"nearest_train_ratio": float(np.median(fake) / max(np.median(test), 1e-12)),
            "near_copies": float((fake <= np.quantile(test, 0.01)).mean())}


def precision_recall(real_features, fake_features, k=3, batch_size=1000):
    """Improved precision and recall of Kynkaanniemi et al. 2019, "Improved
    Precision and Recall Metric for Assessing Generative Models".

    Each set's manifold is the union of balls around its samples, each ball's
    radius the distance to the sample's k-th nearest neighbour in the same set.
    Precision is the fraction of fake samples inside the real manifold; recall
    the fraction of real samples inside the fake manifold. Distances are
    computed in ``batch_size x batch_size`` blocks, so memory stays bounded.
    Returns ``{"precision": float, "recall": float}``.
    """
    real, fake = _features("real_features", real_features), _features("fake_features", fake_features)
    _same_dim(real, fake)
    k = check_positive_int("k", k)
    batch_size = check_positive_int("batch_size", batch_size)
    if min(len(real), len(fake)) <= k:
        raise ZooValueError(
            f"k={k} nearest neighbours need more than {k} samples in each set, "
            f"got {len(real)} real and {len(fake)} fake."
        )
    real_radii = _knn_radii(real, k, batch_size)
    fake_radii = _knn_radii(fake, k, batch_size)
    return {
        "precision": float(_inside_manifold(fake, real, real_radii, batch_size).mean()),
        "recall": float(_inside_manifold(real, fake, fake_radii, batch_size).mean()),
    }


# ----------------------------------------------------------------------------- class-based metrics


def classifier_score(probs, num_splits=10):
    """Inception Score of Salimans et al. 2016, "Improved Techniques for Training
    GANs": ``exp(E_x KL(p(y|x) || p(y)))``, with any classifier's probabilities.

    ``probs`` has shape (N, classes) (softmax outputs). The N samples are cut
    into ``num_splits`` consecutive parts, the score is computed on each, and
    ``(mean, std)`` over the parts is returned. It ranges from 1 (every sample
    gets the same prediction) to the number of classes (confident predictions,
    classes equally frequent).
    """
    p = _probabilities("probs", probs)
    num_splits = check_positive_int("num_splits", num_splits)
    if num_splits > len(p):
        raise ZooValueError(f"num_splits={num_splits} is more than the {len(p)} samples given.")
    scores = []
    for part in np.array_split(p, num_splits):
        marginal = part.mean(axis=0, keepdims=True)
        scores.append(np.exp(special.rel_entr(part, marginal).sum(axis=1).mean()))
    return float(np.mean(scores)), float(np.std(scores))


def class_histogram(probs_or_labels, num_classes):
    """Count of samples per class, shape (num_classes,), as integers.

    Accepts integer labels of shape (N,) or probabilities of shape (N, classes),
    which count towards their arg-max class. Used for the mode counts of
    Metz et al. 2017 / Srivastava et al. 2017 (VEEGAN) / Lin et al. 2018 (PacGAN).
    """
    num_classes = check_positive_int("num_classes", num_classes)
    x = np.asarray(probs_or_labels)
    if x.ndim == 2:
        if x.shape[1] != num_classes:
            raise ZooValueError(f"probabilities have {x.shape[1]} classes, expected {num_classes}.")
        labels = np.argmax(x, axis=1)
    elif x.ndim == 1:
        if x.size and not (np.issubdtype(x.dtype, np.integer) or np.array_equal(x, np.round(x))):
            raise ZooValueError("labels must be integers.")
        labels = x.astype(np.int64)
    else:
        raise ZooValueError(f"expected labels (N,) or probabilities (N, classes), got shape {x.shape}.")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ZooValueError(f"labels must lie in [0, {num_classes}), got {labels.min()}..{labels.max()}.")
    return np.bincount(labels, minlength=num_classes)


def kl_to_uniform(histogram):
    """KL(p || uniform) of the normalised histogram p, in nats: ``log(C) - H(p)``.

    This is the mode-distribution KL reported on Stacked MNIST by VEEGAN
    (Srivastava et al. 2017) and PacGAN (Lin et al. 2018). 0 for a uniform
    histogram, ``log(C)`` when every sample falls in one of the C bins.
    """
    h = np.asarray(histogram, dtype=np.float64)
    if h.ndim != 1 or len(h) == 0 or (h < 0).any() or h.sum() <= 0:
        raise ZooValueError("histogram must be a non-empty 1-D array of non-negative counts, not all zero.")
    p = h / h.sum()
    return float(special.rel_entr(p, np.full_like(p, 1.0 / len(p))).sum())


def mode_coverage(predicted_modes, num_modes, min_count=1):
    """Modes covered and KL to uniform, as on Stacked MNIST (Metz et al. 2017,
    "Unrolled GANs"; Srivastava et al. 2017, VEEGAN; Lin et al. 2018, PacGAN).

    ``predicted_modes`` are the mode ids a classifier assigns to generated
    samples (labels (N,) or probabilities (N, num_modes)); on Stacked MNIST the
    id of a sample whose three channels read digits (a, b, c) is
    ``100 * a + 10 * b + c`` and ``num_modes = 1000``. A mode counts as covered
    when it receives at least ``min_count`` samples.
    Returns ``{"modes_covered": int, "kl": float}``.
    """
    min_count = check_positive_int("min_count", min_count)
    histogram = class_histogram(predicted_modes, num_modes)
    return {"modes_covered": int((histogram >= min_count).sum()), "kl": kl_to_uniform(histogram)}


# ----------------------------------------------------------------------------- feature extraction


def _batches(images, batch_size):
    """Yield numpy batches of at most ``batch_size`` images."""
    if callable(images) and not hasattr(images, "shape"):
        images = images()
    if hasattr(images, "shape") and hasattr(images, "__len__"):  # one array-like of all images
        images = [images]
    for chunk in images:
        if isinstance(chunk, tuple):  # (images, labels) from a labelled dataset
            chunk = chunk[0]
        chunk = np.asarray(chunk)
        for rows in _blocks(len(chunk), batch_size):
            yield chunk[rows]


def extract_features(fn, images, batch_size=500):
    """Apply ``fn`` (e.g. a Keras model) to ``images`` in batches; return float64 (N, D) features.

    ``images`` is a numpy array, an iterable of batches (list, generator,
    ``tf.data.Dataset``; from ``(images, labels)`` tuples the images are
    taken) or a callable returning such an iterable; batches
    larger than ``batch_size`` are split, so at most ``batch_size`` images go
    through ``fn`` at once. Outputs with more than 2 dimensions are flattened
    per sample. Keras models are run with ``predict_on_batch`` (compiled).
    This is the feature step of FID (Heusel et al. 2017) and KID (Binkowski et al. 2018).
    """
    batch_size = check_positive_int("batch_size", batch_size)
    apply = getattr(fn, "predict_on_batch", fn)
    features = []
    for batch in _batches(images, batch_size):
        if len(batch) == 0:
            continue
        out = apply(batch)
        out = out.numpy() if hasattr(out, "numpy") else np.asarray(out)
        features.append(np.asarray(out, dtype=np.float64).reshape(len(batch), -1))
    if not features:
        raise ZooValueError("no images were given to extract features from.")
    return np.concatenate(features, axis=0)


def _keras_cache_candidates():
    homes = [os.environ.get("KERAS_HOME"), os.path.join(os.path.expanduser("~"), ".keras"),
             os.path.join("/tmp", ".keras")]  # keras falls back to /tmp/.keras if ~ is read-only
    return [os.path.join(home, "models", INCEPTION_WEIGHTS_FILE) for home in homes if home]


def _inception_weights_path(weights):
    if weights is None or weights == "imagenet":
        candidates = _keras_cache_candidates()
        for path in candidates:
            if os.path.isfile(path):
                return path
        raise FeatureExtractorUnavailable(
            f"the InceptionV3 weights are not on this machine (looked for {' and '.join(candidates)}). "
            f"Copy the file {INCEPTION_WEIGHTS_FILE} (Keras' InceptionV3 ImageNet weights "
            f"without the top, from a machine with internet) to {candidates[0]}, "
            "or pass inception_extractor(weights='/path/to/that/file.h5'). "
            "Nothing is downloaded automatically."
        )
    path = os.fspath(weights)
    if not os.path.isfile(path):
        raise FeatureExtractorUnavailable(
            f"no InceptionV3 weights file at {path!r}. Pass the path of an existing "
            f"{INCEPTION_WEIGHTS_FILE} (InceptionV3 ImageNet weights without the top), "
            f"or place it in ~/.keras/models/ and pass weights=None."
        )
    return path


def inception_extractor(weights=None):
    """InceptionV3 pool features (2048-d) for FID/KID (Szegedy et al. 2016, "Rethinking
    the Inception Architecture"; used by Heusel et al. 2017 and Binkowski et al. 2018).

    Returns a Keras model mapping images in [-1, 1] of any size, with 1 or 3
    channels, to ``(N, 2048)`` features: grayscale is repeated to 3 channels and
    images are resized to 299x299 (bilinear, ``tf.image.resize``). ``weights``
    is a local path to ``inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5``;
    ``None`` looks for that file in the Keras cache (``~/.keras/models/``).
    Never downloads: raises :class:`FeatureExtractorUnavailable` if the file is missing.
    Note that Keras' InceptionV3 is not the TF1 graph of the reference FID code,
    so scores are comparable with each other but not exactly with published FIDs.
    """
    path = _inception_weights_path(weights)  # before importing keras: fail fast offline

    import keras
    import tensorflow as tf

    try:
        backbone = keras.applications.InceptionV3(
            include_top=False, weights=path, pooling="avg", input_shape=(INCEPTION_SIZE, INCEPTION_SIZE, 3)
        )
    except (OSError, ValueError) as e:
        raise FeatureExtractorUnavailable(
            f"could not load InceptionV3 weights from {path!r} ({e}); the file must be "
            f"{INCEPTION_WEIGHTS_FILE} (ImageNet weights without the top)."
        ) from e

    class InceptionFeatures(keras.Model):
        """Images in [-1, 1], (N, H, W, 1 or 3) -> (N, 2048) Inception pool features."""

        def __init__(self, backbone):
            super().__init__(name="inception_features")
            self.backbone = backbone

        def call(self, images):
            x = tf.convert_to_tensor(images, dtype=tf.float32)
            shape = x.shape  # may be partly unknown when traced by predict_on_batch
            if shape.rank not in (None, 4) or shape[-1] not in (None, 1, 3):
                raise ZooValueError(f"expected images of shape (N, H, W, 1 or 3), got {tuple(shape)}.")
            # 1 channel -> repeated 3 times, 3 channels -> unchanged; anything else fails ensure_shape.
            x = tf.tile(x, [1, 1, 1, 3 // tf.shape(x)[-1]])
            x = tf.ensure_shape(x, [None, None, None, 3])
            if tuple(shape[1:3]) != (INCEPTION_SIZE, INCEPTION_SIZE):
                x = tf.image.resize(x, (INCEPTION_SIZE, INCEPTION_SIZE), method="bilinear")
            # Keras' InceptionV3 expects inputs scaled to [-1, 1]: the images already are.
            return self.backbone(x, training=False)

    return InceptionFeatures(backbone)


def flat_metrics(measured):
    """``measured`` with a translation's per-direction rows flattened:
    ``{"a2b": {"target_class_rate": r}}`` -> ``{"a2b_target_class_rate": r}``."""
    flat = {}
    for key, value in measured.items():
        if isinstance(value, dict):
            flat.update({f"{key}_{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    return flat
