"""zoo.evaluate end to end on mock MNIST with a small domain classifier."""

import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo import checkpoint, data, errors, evaluation
from zoo.probe import FIDCallback, QualityProbe

from tiny import build


@pytest.fixture()
def classifier_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ZOO_CHECKPOINTS", str(tmp_path))
    net = evaluation.build_classifier()
    evaluation.save_classifier(net, tmp_path / "classifier-mnist", {"test_accuracy": 0.0})
    return tmp_path


def test_evaluate_reports_metrics_protocol_and_references(classifier_dir, monkeypatch):
    model = build("dcgan-mnist", image_size=28)
    with data.mock_arrays(num_examples=200):
        result = zoo.evaluate(model, "mnist", n=120, references=True)
    m = result["metrics"]
    assert m["fid"] >= 0 and 0 <= m["precision"] <= 1 and 0 <= m["recall"] <= 1
    assert 1 <= m["classes_covered"] <= 10 and m["class_kl"] >= 0
    assert "label_accuracy" not in m  # unconditional: no class was asked for
    assert m["nearest_train_ratio"] > 0 and 0 <= m["near_copies"] <= 1
    assert result["protocol"]["truncation"] is None
    assert result["protocol"]["n_fake"] == 120 and result["protocol"]["real_split"] == "train"
    floor = result["references"]["real test images (floor)"]
    ceiling = result["references"]["uniform noise (ceiling)"]
    assert floor["fid"] < ceiling["fid"]
    # A saved folder (a run's best) scores as the model it holds, on the dataset it is told.
    checkpoint.save_preset(model, classifier_dir / "run" / "best")
    with data.mock_arrays(num_examples=200):
        saved = zoo.evaluate(classifier_dir / "run" / "best", "mnist", n=60)["metrics"]
        assert saved == zoo.evaluate(model, "mnist", n=60)["metrics"]
    with pytest.raises(errors.ZooValueError, match="--dataset mnist"):
        zoo.evaluate(str(classifier_dir / "run" / "best"))
    # A relative folder name is a folder; a preset's name stays a preset's.
    monkeypatch.chdir(classifier_dir / "run")
    with data.mock_arrays(num_examples=200):
        assert zoo.evaluate("best", "mnist", n=60)["metrics"] == saved
    with data.mock_arrays(num_examples=200):
        cut = zoo.evaluate(model, "mnist", n=60, truncation=0.5)
    assert cut["protocol"]["truncation"] == 0.5 and cut["metrics"] != saved
    with pytest.raises(errors.ZooValueError, match="no latents to truncate"):
        zoo.evaluate(build("cyclegan-sneaker2boot"), "fashion_mnist_pair/sneaker2boot",
                     truncation=0.5)
    (classifier_dir / "run" / "gan-mnist").mkdir()  # a folder of that name changes nothing
    with data.mock_arrays(num_examples=200):
        assert zoo.evaluate("gan-mnist", n=60)["protocol"]["dataset"] == "mnist"


def test_fid_callback_logs_fid_and_writes_grid(classifier_dir, tmp_path):
    model = build("dcgan-mnist", image_size=28)
    x = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    with data.mock_arrays(num_examples=100):
        callback = FIDCallback("mnist", n=50, grid_dir=tmp_path / "grids")
    history = model.fit(tf.data.Dataset.from_tensor_slices(x).batch(4), epochs=2, verbose=0,
                        callbacks=[callback])
    assert len(history.history["fid"]) == 2 and all(v > 0 for v in history.history["fid"])
    assert (tmp_path / "grids" / "fid_epoch_002.png").exists()


def test_classifier_hash_is_checked(classifier_dir):
    path = classifier_dir / "classifier-mnist" / "model.keras"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(errors.CheckpointError, match="sha256"):
        evaluation.load_classifier("mnist")
    with pytest.raises(errors.ZooValueError, match="classifier"):
        evaluation.load_classifier("cifar10")


def test_a_conditional_model_is_scored_on_the_classes_it_was_asked_for():
    """The shipped cgan-mnist and MNIST classifier: samples asked for class k are read as k
    (evaluate and the training probe); the same samples read against other classes are not."""
    model = zoo.load("cgan-mnist")
    with data.mock_arrays(num_examples=300):
        result = zoo.evaluate(model, "mnist", n=200)
        row = QualityProbe("mnist", n=100)(model)
    assert result["metrics"]["label_accuracy"] > 0.8
    assert row["label_accuracy"] > 0.8 and row.keys() >= {"fid", "precision", "recall"}
    net = evaluation.load_classifier("mnist")
    asked = evaluation.asked_labels(model, 200)
    assert list(asked[:12]) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    _, probs = evaluation.features(net, model.sample(200, seed=0, labels=asked))
    assert evaluation.label_accuracy(probs, asked) == result["metrics"]["label_accuracy"]
    assert evaluation.label_accuracy(probs, (asked + 1) % 10) < 0.1
    assert evaluation.asked_labels(zoo.load("gan-mnist"), 5) is None


def test_the_translation_probe_measures_every_test_image_a_way_and_says_how_it_ranks():
    """The shipped cyclegan-sneaker2boot on made-up Fashion-MNIST (12 test images of class 7,
    11 of class 9): the probe translates as many images a way as the smaller class has, and
    the shipped record's words name that count and the rule badness() ranks by."""
    model = zoo.load("cyclegan-sneaker2boot")
    with data.mock_arrays(num_examples=118):
        probe = QualityProbe("fashion_mnist_pair/sneaker2boot", n=2000)
        row = probe(model)
    assert probe.n == 11
    assert 0 <= row["a2b_target_class_rate"] <= 1 and 0 <= row["b2a_target_class_rate"] <= 1
    assert "fid" not in row
    rows = [{"train_steps": s, "eval_n": probe.n, "a2b_target_class_rate": a,
             "b2a_target_class_rate": b} for s, a, b in ((500, 0.9, 0.5), (1000, 0.8, 0.8))]
    assert min(rows, key=QualityProbe.badness)["train_steps"] == 1000
    words = QualityProbe.how_chosen(rows)
    assert words.startswith("the best of 2 quality measurements taken while training, one every "
                            "500 steps, each on 11 test images a way")
    assert "classified as the target class" in words and "FID" not in words
    fid_rows = [{"train_steps": 2000, "eval_n": 2000, "fid": 30.0, "fid_average": 25.0}]
    words = QualityProbe.how_chosen(fid_rows)
    assert "each on 2,000 samples" in words and "lowest FID of the two weight sets" in words


def test_a_target_is_checked_bound_by_bound_and_a_curve_says_if_it_still_improved():
    measured = {"fid": 14.0, "recall": 0.55, "a2b": {"target_class_rate": 0.97}}
    target = {"fid": ("<=", 15), "recall": (">=", 0.6), "a2b_target_class_rate": (">=", 0.95),
              "label_accuracy": (">=", 0.98)}
    assert evaluation.check_target(measured, target) == [
        ("fid", "<=", 15, 14.0, True), ("recall", ">=", 0.6, 0.55, False),
        ("a2b_target_class_rate", ">=", 0.95, 0.97, True),
        ("label_accuracy", ">=", 0.98, None, False)]  # not measured: not met
    with pytest.raises(errors.ZooValueError, match="'<=' or '>='"):
        evaluation.check_target(measured, {"fid": ("<", 15)})
    # Eight rows: quarters of two. FID takes the better weight set of each row.
    rows = [{"fid": f, "fid_average": a, "recall": r}
            for f, a, r in [(90, 95, .1), (80, 85, .2), (70, 75, .3), (60, 65, .4),
                            (50, 45, .5), (40, 42, .4), (38, 39, .6), (41, 37, .5)]]
    assert QualityProbe.trend(rows, "fid", "<=") == (40, 37)
    assert QualityProbe.trend(rows, "recall", ">=") == (0.5, 0.6)
    assert QualityProbe.trend(rows[:3], "fid", "<=") is None
    assert QualityProbe.trend(rows, "label_accuracy", ">=") is None


def test_the_projection_gap_tells_a_model_that_copies_its_train_set(monkeypatch):
    """Train images that are the generator's own samples are reconstructed far better than
    test images of noise: test_over_train is far above 1; the same images both ways, near 1.
    The errors are those of project() on the seeded subset of each split."""
    model = build("dcgan-mnist")
    own = model.sample(6, seed=3)
    noise = np.random.default_rng(1).uniform(-1, 1, own.shape).astype(np.float32)
    splits = {"train": own, "test": noise}
    monkeypatch.setattr(data, "images", lambda name, split, labels=False:
                        (splits[split], np.zeros(len(own), np.int64)))
    row = evaluation.projection_gap(model, "mnist", n=4, steps=60, restarts=2)
    assert set(row) == {"n", "steps", "restarts", "train_mse", "test_mse", "test_over_train",
                        "seconds_per_image"}
    pick = np.random.default_rng(0).permutation(6)[:4]
    _, made = model.project(own[pick], steps=60, restarts=2, seed=0)
    assert row["train_mse"] == round(float(np.mean((made - own[pick]) ** 2)), 6)
    assert row["test_over_train"] > 3 and row["seconds_per_image"] > 0
    splits["test"] = own
    assert evaluation.projection_gap(model, "mnist", n=4, steps=60, restarts=2)[
        "test_over_train"] == 1.0
    with pytest.raises(errors.ZooValueError, match="no latents to project"):
        evaluation.projection_gap(build("cyclegan-sneaker2boot"), "mnist")
