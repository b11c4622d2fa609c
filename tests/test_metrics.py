"""Metrics against closed forms and hand-worked examples."""

import math
import os
import socket

import numpy as np
import pytest

from zoo import errors, metrics


def random_spd(rng, d):
    a = rng.normal(size=(d, d))
    return a @ a.T + 0.5 * np.eye(d)


def psd_sqrt(s):
    w, v = np.linalg.eigh(s)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


# ----------------------------------------------------------------------------- Frechet distance


def test_frechet_isotropic_closed_form():
    rng = np.random.default_rng(0)
    d, a, b = 6, 2.0, 0.5
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    expected = np.sum((mu1 - mu2) ** 2) + d * (a + b - 2 * math.sqrt(a * b))
    got = metrics.frechet_distance(mu1, a * np.eye(d), mu2, b * np.eye(d))
    assert isinstance(got, float)
    assert got == pytest.approx(expected, rel=1e-10)


def test_frechet_diagonal_closed_form():
    s1, s2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 0.25])
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    expected = 1 + 4 + np.sum((np.sqrt(s1) - np.sqrt(s2)) ** 2)  # (1-2)^2 + (2-1)^2 + (3-0.5)^2
    assert expected == pytest.approx(5 + 1 + 1 + 6.25)
    assert metrics.frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2)) == pytest.approx(expected, rel=1e-10)


def test_frechet_non_diagonal_matches_symmetric_form():
    # Tr((S1 S2)^1/2) = Tr((S1^1/2 S2 S1^1/2)^1/2), computed here with eigh only.
    rng = np.random.default_rng(1)
    d = 5
    s1, s2 = random_spd(rng, d), random_spd(rng, d)
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    r = psd_sqrt(s1)
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(psd_sqrt(r @ s2 @ r))
    assert metrics.frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-8)
    # commuting covariances (same eigenvectors): the trace term is sum(sqrt(a_i b_i))
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    a, b = np.array([1.0, 2, 3, 4, 5]), np.array([5.0, 1, 0.5, 2, 3])
    expected = np.sum(a + b - 2 * np.sqrt(a * b))
    got = metrics.frechet_distance(np.zeros(d), q @ np.diag(a) @ q.T, np.zeros(d), q @ np.diag(b) @ q.T)
    assert got == pytest.approx(expected, rel=1e-8)


def test_frechet_singular_covariances():
    # sqrt(S1 S2) = 0 for orthogonal rank-1 covariances: d^2 = 1 + 1
    got = metrics.frechet_distance(np.zeros(2), np.diag([1.0, 0.0]), np.zeros(2), np.diag([0.0, 1.0]))
    assert got == pytest.approx(2.0, abs=1e-2)
    # fewer samples than dimensions: covariance of rank 4 in 20-d
    f = np.random.default_rng(2).normal(size=(5, 20))
    assert abs(metrics.frechet_distance_from_features(f, f)) < 1e-4


def test_frechet_identical_features_is_zero():
    f = np.random.default_rng(3).normal(size=(300, 16)) @ np.random.default_rng(4).normal(size=(16, 16))
    assert abs(metrics.frechet_distance_from_features(f, f)) < 1e-6


def test_frechet_from_gaussian_samples():
    rng = np.random.default_rng(5)
    n, d = 50_000, 4
    mu1, mu2 = np.zeros(d), np.array([1.0, -1.0, 0.5, 0.0])
    s1, s2 = random_spd(rng, d), random_spd(rng, d)
    f1 = rng.multivariate_normal(mu1, s1, size=n)
    f2 = rng.multivariate_normal(mu2, s2, size=n)
    expected = metrics.frechet_distance(mu1, s1, mu2, s2)
    assert expected > 1.0
    assert metrics.frechet_distance_from_features(f1, f2) == pytest.approx(expected, rel=0.05)


def test_frechet_rejects_bad_shapes():
    with pytest.raises(errors.ZooValueError):
        metrics.frechet_distance_from_features(np.zeros((10, 3)), np.zeros((10, 4)))
    with pytest.raises(errors.ZooValueError):
        metrics.frechet_distance(np.zeros(3), np.eye(2), np.zeros(3), np.eye(3))


# ----------------------------------------------------------------------------- KID


def brute_force_unbiased_mmd2(x, y):
    d = x.shape[1]

    def k(a, b):
        return (a @ b / d + 1) ** 3

    m = len(x)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / (m * m)
    return xx + yy - 2 * xy


def test_kid_matches_explicit_sum():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(12, 3)), rng.normal(1.0, 1.0, size=(12, 3))
    # one subset of all samples is a permutation; the estimate does not depend on order
    mean, std = metrics.kernel_inception_distance(x, y, num_subsets=1, subset_size=1000)
    assert mean == pytest.approx(brute_force_unbiased_mmd2(x, y), rel=1e-10)
    assert std == 0.0


def test_kid_same_distribution_near_zero_and_shift_positive():
    rng = np.random.default_rng(7)
    d = 16
    f1, f2 = rng.normal(size=(1000, d)), rng.normal(size=(1000, d))
    mean, std = metrics.kernel_inception_distance(f1, f2, num_subsets=50, subset_size=200)
    assert std > 0 and abs(mean) < 0.5 * std
    shifted = rng.normal(0.5, 1.0, size=(1000, d))
    mean_s, std_s = metrics.kernel_inception_distance(f1, shifted, num_subsets=50, subset_size=200)
    assert mean_s > 5 * std_s and mean_s > 10 * abs(mean)


def test_kid_unbiased_over_repetitions():
    rng = np.random.default_rng(8)
    values = [
        metrics.kernel_inception_distance(rng.normal(size=(30, 8)), rng.normal(size=(30, 8)), num_subsets=1)[0]
        for _ in range(400)
    ]
    standard_error = np.std(values) / math.sqrt(len(values))
    assert np.std(values) > 0
    assert abs(np.mean(values)) < 3 * standard_error
    # a biased (V-statistic) estimate would sit clearly above 0; the unbiased one goes negative half the time
    assert 0.3 < np.mean(np.array(values) < 0) < 0.7


def test_kid_subset_size_is_clipped_and_seeded():
    rng = np.random.default_rng(9)
    f1, f2 = rng.normal(size=(40, 4)), rng.normal(size=(25, 4))
    a = metrics.kernel_inception_distance(f1, f2, num_subsets=5, subset_size=1000, seed=3)
    b = metrics.kernel_inception_distance(f1, f2, num_subsets=5, subset_size=25, seed=3)
    assert a == b
    assert a != metrics.kernel_inception_distance(f1, f2, num_subsets=5, subset_size=25, seed=4)


# ----------------------------------------------------------------------------- precision / recall


def brute_force_precision_recall(real, fake, k):
    def radii(x):
        dist = np.linalg.norm(x[:, None] - x[None], axis=-1)
        return np.sort(dist, axis=1)[:, k]  # column 0 is the point itself

    def inside(points, support):
        dist = np.linalg.norm(points[:, None] - support[None], axis=-1)
        return (dist <= radii(support)[None]).any(axis=1).mean()

    return inside(fake, real), inside(real, fake)


def test_precision_recall_identical_sets():
    x = np.random.default_rng(10).normal(size=(50, 5))
    assert metrics.precision_recall(x, x.copy(), k=3) == {"precision": 1.0, "recall": 1.0}


def test_precision_recall_disjoint_far_sets():
    rng = np.random.default_rng(11)
    real, fake = rng.normal(size=(50, 5)), rng.normal(size=(50, 5)) + 100.0
    assert metrics.precision_recall(real, fake, k=3) == {"precision": 0.0, "recall": 0.0}


def test_precision_recall_worked_example_k1():
    # 1-D, k=1. Real radii: 0->1, 1->1, 2->1, 10->8. Fake radii: 0.5->2, 2.5->2, 30->1, 31->1.
    # Precision: 0.5 (near 0) and 2.5 (near 2) are in; 30 and 31 are >8 from 10 -> 2/4.
    # Recall: 0, 1, 2 are within 2 of 0.5 or 2.5; 10 is 7.5 from 2.5 and 20 from 30 -> 3/4.
    real = np.array([[0.0], [1.0], [2.0], [10.0]])
    fake = np.array([[0.5], [2.5], [30.0], [31.0]])
    assert metrics.precision_recall(real, fake, k=1) == {"precision": 0.5, "recall": 0.75}


def test_precision_recall_worked_example_k3():
    # 1-D, k=3, two clusters per set.
    # Real [0..4] radii 3,2,2,2,3 -> covers [-3, 7]; real [60..63] radii 3,2,2,3 -> covers [57, 66].
    # Fake [1.5..4.5] radii 3,2,2,3 -> covers [-1.5, 7.5]; fake [30..33] radii 3,2,2,3 -> covers [27, 36].
    # Precision: 1.5, 2.5, 3.5, 4.5 in; 30..33 out -> 4/8.  Recall: 0..4 in; 60..63 out -> 5/9.
    real = np.array([0.0, 1, 2, 3, 4, 60, 61, 62, 63])[:, None]
    fake = np.array([1.5, 2.5, 3.5, 4.5, 30, 31, 32, 33])[:, None]
    got = metrics.precision_recall(real, fake, k=3)
    assert got == {"precision": 0.5, "recall": pytest.approx(5 / 9)}
    assert brute_force_precision_recall(real, fake, k=3) == (0.5, pytest.approx(5 / 9))


def test_precision_recall_batched_matches_brute_force():
    rng = np.random.default_rng(12)
    real, fake = rng.normal(size=(90, 3)), rng.normal(0.7, 1.3, size=(70, 3))
    precision, recall = brute_force_precision_recall(real, fake, k=3)
    assert 0 < precision < 1 and 0 < recall < 1
    for batch_size in (1, 7, 64, 1000):
        got = metrics.precision_recall(real, fake, k=3, batch_size=batch_size)
        assert got == {"precision": pytest.approx(precision), "recall": pytest.approx(recall)}


def test_precision_recall_needs_more_samples_than_k():
    with pytest.raises(errors.ZooValueError):
        metrics.precision_recall(np.zeros((3, 2)), np.ones((10, 2)), k=3)


# ----------------------------------------------------------------------------- classifier score, modes


def test_classifier_score_bounds():
    c, num_splits = 10, 5
    confident_uniform = np.tile(np.eye(c), (num_splits * 3, 1))  # every split holds each class 3 times
    mean, std = metrics.classifier_score(confident_uniform, num_splits=num_splits)
    assert mean == pytest.approx(c) and std == pytest.approx(0.0, abs=1e-12)
    constant = np.tile(np.full(c, 1.0 / c), (100, 1))
    assert metrics.classifier_score(constant)[0] == pytest.approx(1.0)
    same_class = np.tile(np.eye(c)[3], (100, 1))
    assert metrics.classifier_score(same_class)[0] == pytest.approx(1.0)


def test_classifier_score_worked_example():
    probs = np.array([[1.0, 0.0], [0.5, 0.5]])  # p(y) = (0.75, 0.25)
    kl1 = math.log(1 / 0.75)
    kl2 = 0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25)
    mean, std = metrics.classifier_score(probs, num_splits=1)
    assert mean == pytest.approx(math.exp((kl1 + kl2) / 2)) and std == 0.0


def test_classifier_score_rejects_logits():
    with pytest.raises(errors.ZooValueError):
        metrics.classifier_score(np.array([[2.0, -1.0], [0.3, 0.1]]), num_splits=1)


def test_kl_to_uniform():
    assert metrics.kl_to_uniform(np.full(7, 5)) == pytest.approx(0.0, abs=1e-12)
    assert metrics.kl_to_uniform(np.eye(7)[2] * 40) == pytest.approx(math.log(7))
    assert metrics.kl_to_uniform([3, 1]) == pytest.approx(0.75 * math.log(1.5) + 0.25 * math.log(0.5))


def test_class_histogram_from_labels_and_probs():
    labels = np.array([0, 2, 2, 3, 3, 3])
    assert metrics.class_histogram(labels, 5).tolist() == [1, 0, 2, 3, 0]
    probs = np.eye(5)[labels] * 0.6 + 0.1  # arg-max is the label
    assert metrics.class_histogram(probs, 5).tolist() == [1, 0, 2, 3, 0]
    with pytest.raises(errors.ZooValueError):
        metrics.class_histogram(np.array([0, 5]), 5)


def test_mode_coverage_stacked_mnist():
    all_modes = np.repeat(np.arange(1000), 3)
    expected = {"modes_covered": 1000, "kl": pytest.approx(0.0, abs=1e-12)}
    assert metrics.mode_coverage(all_modes, 1000) == expected
    one_mode = np.full(500, 100 * 7 + 10 * 4 + 2)
    assert metrics.mode_coverage(one_mode, 1000) == {"modes_covered": 1, "kl": pytest.approx(math.log(1000))}
    few = np.array([0, 0, 1, 2, 2, 2, 999])
    assert metrics.mode_coverage(few, 1000)["modes_covered"] == 4
    assert metrics.mode_coverage(few, 1000, min_count=2)["modes_covered"] == 2


# ----------------------------------------------------------------------------- feature extraction


class LinearFeatures:
    """A numpy feature map that records the batch sizes it was called with."""

    def __init__(self, shape, dim=6):
        self.weights = np.random.default_rng(13).normal(size=(int(np.prod(shape)), dim))
        self.seen = []

    def __call__(self, batch):
        self.seen.append(len(batch))
        return batch.reshape(len(batch), -1) @ self.weights


def test_extract_features_batching_equals_unbatched():
    images = np.random.default_rng(14).uniform(-1, 1, size=(23, 4, 4, 1)).astype(np.float32)
    fn = LinearFeatures(images.shape[1:])
    whole = fn(images)
    fn.seen.clear()
    batched = metrics.extract_features(fn, images, batch_size=5)
    assert fn.seen == [5, 5, 5, 5, 3]
    assert batched.dtype == np.float64 and batched.shape == (23, 6)
    np.testing.assert_allclose(batched, whole, rtol=1e-12)
    # an iterator of batches (re-split to batch_size) and a callable returning one
    chunks = [images[:12], images[12:]]
    fn.seen.clear()
    np.testing.assert_allclose(metrics.extract_features(fn, iter(chunks), batch_size=5), whole, rtol=1e-12)
    assert max(fn.seen) <= 5
    np.testing.assert_allclose(metrics.extract_features(fn, lambda: (c for c in chunks)), whole, rtol=1e-12)
    labelled = [(c, np.zeros(len(c))) for c in chunks]
    np.testing.assert_allclose(metrics.extract_features(fn, labelled, batch_size=5), whole, rtol=1e-12)


def test_extract_features_with_keras_model():
    import keras

    images = np.random.default_rng(15).uniform(-1, 1, size=(11, 3, 3, 1)).astype(np.float32)
    model = keras.Sequential([keras.Input((3, 3, 1)), keras.layers.Flatten(), keras.layers.Dense(4)])
    whole = keras.ops.convert_to_numpy(model(images))
    batched = metrics.extract_features(model, images, batch_size=4)
    assert batched.shape == (11, 4) and batched.dtype == np.float64
    np.testing.assert_allclose(batched, whole, rtol=1e-5, atol=1e-6)


def test_extract_features_rejects_empty_input():
    with pytest.raises(errors.ZooValueError):
        metrics.extract_features(lambda x: x, iter([]))


@pytest.fixture
def connections(monkeypatch):
    """Every network connection the code under test tries, refused and recorded."""
    tried = []

    def refuse(sock, address, *args):
        tried.append(address)
        raise OSError(f"test: no network ({address})")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return tried


def test_inception_extractor_missing_weights_fails_without_downloading(tmp_path, connections):
    missing = tmp_path / "nope.h5"
    with pytest.raises(metrics.FeatureExtractorUnavailable) as info:
        metrics.inception_extractor(weights=str(missing))
    assert connections == []
    assert isinstance(info.value, errors.ZooError) and isinstance(info.value, FileNotFoundError)
    assert "nope.h5" in str(info.value) and metrics.INCEPTION_WEIGHTS_FILE in str(info.value)


def test_inception_extractor_without_cache_explains_how_to_provide_weights(tmp_path, monkeypatch,
                                                                          connections):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    if any(os.path.isfile(p) for p in metrics._keras_cache_candidates()):
        pytest.skip("InceptionV3 weights are cached in /tmp/.keras on this machine")
    with pytest.raises(metrics.FeatureExtractorUnavailable) as info:
        metrics.inception_extractor()
    assert connections == []
    message = str(info.value)
    assert metrics.INCEPTION_WEIGHTS_FILE in message
    assert str(tmp_path / "keras_home" / "models") in message and "weights=" in message


def test_memorisation_tells_copies_from_new_draws():
    rng = np.random.default_rng(0)
    train, test = rng.normal(size=(2000, 16)), rng.normal(size=(500, 16))
    new = metrics.memorisation(train, test, rng.normal(size=(500, 16)))
    assert 0.9 < new["nearest_train_ratio"] < 1.1 and new["near_copies"] < 0.04
    copies = train[rng.permutation(2000)[:500]] + 0.01 * rng.normal(size=(500, 16))
    copied = metrics.memorisation(train, test, copies)
    assert copied["nearest_train_ratio"] < 0.05 and copied["near_copies"] == 1.0
    np.testing.assert_allclose(metrics.nearest_distances(train, train[:5]), 0, atol=1e-6)
