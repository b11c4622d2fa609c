"""The truncation trick (BigGAN): latents resampled into [-psi, psi], on tiny models."""

import math

import numpy as np
import pytest
from PIL import Image

from zoo import checkpoint, errors
from zoo.__main__ import main

from tiny import build


def test_truncated_latents_resample_outside_and_keep_what_was_inside():
    model = build("dcgan-mnist")
    z = model.latents(4000, seed=3)
    t = model.latents(4000, seed=3, truncation=1.0)
    assert t.dtype == np.float32 and t.shape == z.shape
    assert np.abs(t).max() <= 1.0
    inside = np.abs(z) <= 1.0
    np.testing.assert_array_equal(t[inside], z[inside])  # only the outside is drawn again
    assert not np.array_equal(t[~inside], np.clip(z[~inside], -1, 1))
    np.testing.assert_array_equal(model.latents(4000, seed=3, truncation=1.0), t)
    # The truncated normal, not a scaled one: P(|z| > 0.5 | |z| <= 1) = 0.439; scaling every
    # coordinate by psi would give P(|z| > 0.5) = 0.617, clipping 0.617.
    phi = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))  # noqa: E731
    expected = 2 * (phi(1.0) - phi(0.5)) / (2 * phi(1.0) - 1)
    assert abs((np.abs(t) > 0.5).mean() - expected) < 0.01
    assert model.latents(5, seed=3, truncation=None).tolist() == model.latents(5, seed=3).tolist()


def test_sample_draws_the_truncated_latents_and_less_varied_images():
    model = build("dcgan-mnist")
    a = model.sample(64, seed=1, truncation=0.5)
    np.testing.assert_allclose(a, model.sample(64, seed=1, truncation=0.5, batch_size=7), atol=1e-6)
    np.testing.assert_allclose(
        a, model.predict(model.latents(64, seed=1, truncation=0.5), verbose=0), atol=1e-5)
    full = model.sample(64, seed=1)
    assert a.std(axis=0).mean() < full.std(axis=0).mean()  # less variety
    cgan = build("cgan-mnist")
    assert cgan.sample(4, seed=1, labels=2, truncation=0.7).shape[0] == 4


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), True, "0.5", 0.001])
def test_bad_truncation_says_what_it_takes(bad):
    model = build("dcgan-mnist")
    with pytest.raises(errors.ZooValueError, match="truncation must"):
        model.sample(2, seed=0, truncation=bad)


def test_the_command_line_samples_truncated(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ZOO_CHECKPOINTS", str(tmp_path / "ckpt"))
    checkpoint.save_preset(build("dcgan-mnist"), tmp_path / "ckpt" / "dcgan-mnist")
    grids = {}
    for psi in (None, "0.3"):
        out = tmp_path / f"{psi}.png"
        extra = ["--truncation", psi] if psi else []
        assert main(["sample", "dcgan-mnist", "-n", "4", "--seed", "2", "-o", str(out),
                     "--scale", "1", *extra]) == 0
        grids[psi] = np.asarray(Image.open(out))
    assert not np.array_equal(grids[None], grids["0.3"])
    assert main(["sample", "dcgan-mnist", "--truncation", "0", "-o", str(tmp_path / "x.png")]) == 2
    assert "truncation must" in capsys.readouterr().err


def test_the_truncation_curve_is_precision_and_recall_at_each_psi(tmp_path, monkeypatch):
    from zoo import data, evaluation

    monkeypatch.setenv("ZOO_CHECKPOINTS", str(tmp_path))
    net = evaluation.build_classifier()
    evaluation.save_classifier(net, tmp_path / "classifier-mnist", {"test_accuracy": 0.0})
    model = build("dcgan-mnist", image_size=28)
    with data.mock_arrays(num_examples=200):
        rows = evaluation.truncation_curve(model, "mnist", n=80, truncations=(0.5, None))
        full = evaluation.evaluate(model, "mnist", n=80)["metrics"]
    assert [r["truncation"] for r in rows] == [0.5, None]
    # Untruncated, the curve's point is evaluate's: the same samples, the same real images.
    assert (rows[1]["precision"], rows[1]["recall"]) == (full["precision"], full["recall"])
    assert rows[0] != rows[1] and all(0 <= r["precision"] <= 1 for r in rows)
    with pytest.raises(errors.ZooValueError, match="truncation must"):
        evaluation.truncation_curve(model, "mnist", truncations=(0,))
    with pytest.raises(errors.ZooValueError, match="no latents to truncate"):
        evaluation.truncation_curve(build("cyclegan-sneaker2boot"), "mnist")
