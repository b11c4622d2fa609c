"""The Keras forward pass of every variant: ``model(z)``, ``predict`` and ``export`` give
exactly what ``sample`` / ``translate`` give (tiny models, one fit step so that the
averaged generator differs from G's own weights)."""

import numpy as np
import pytest
import tensorflow as tf

from zoo import errors
from zoo.models import CycleGAN

from tiny import batch, build

NAMES = ["gan-mnist", "dcgan-mnist", "wgan-mnist", "wgan-gp-mnist", "cgan-mnist",
         "cyclegan-sneaker2boot"]


def trained(name):
    model = build(name)
    model.fit(tf.data.Dataset.from_tensors(batch(model, 4)).repeat(), epochs=1,
              steps_per_epoch=2, verbose=0)
    return model


def inputs_and_expected(model, n=5):
    if isinstance(model, CycleGAN):
        x = np.random.default_rng(0).uniform(-1, 1, (n,) + model.image_shape).astype("float32")
        return x, model.translate(x)
    z = model.latents(n, seed=3)
    if model.num_classes:
        labels = np.arange(n, dtype=np.int32) % model.num_classes
        return [z, labels], model.sample(n, seed=3, labels=labels)
    return z, model.sample(n, seed=3)


@pytest.mark.parametrize("name", NAMES)
def test_call_and_predict_are_sample_and_translate(name):
    model = trained(name)
    if model.average:
        model.sample_average = True  # the averaged set, as shipped checkpoints often say
        assert not np.allclose(model.sample(3, seed=1, average=False), model.sample(3, seed=1))
    x, expected = inputs_and_expected(model)
    # Eager and traced float rounding differ in the last bit (seen: 6e-8).
    np.testing.assert_allclose(np.asarray(model(x)), expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(model.predict(x, batch_size=2, verbose=0), expected, rtol=0,
                               atol=1e-6)


@pytest.mark.parametrize("name", ["dcgan-mnist", "cgan-mnist", "cyclegan-sneaker2boot"])
def test_an_exported_saved_model_serves_the_same_images(name, tmp_path):
    model = trained(name)
    model.sample_average = bool(model.average)
    x, expected = inputs_and_expected(model)
    model.export(str(tmp_path / "served"), verbose=False)
    served = tf.saved_model.load(str(tmp_path / "served"))
    np.testing.assert_allclose(served.serve(x).numpy(), expected, rtol=0, atol=1e-6)


def test_a_forward_pass_of_the_wrong_shape_says_what_it_takes():
    model = build("dcgan-mnist")
    with pytest.raises(errors.ZooValueError, match=r"\(N, 8\).*model.latents"):
        model(np.zeros((2, 5), "float32"))
    cgan = build("cgan-mnist")
    with pytest.raises(errors.ZooValueError, match=r"\[z, labels\]"):
        cgan(np.zeros((2, 8), "float32"))
    cyc = build("cyclegan-sneaker2boot")
    with pytest.raises(errors.ZooValueError, match="translates images of shape"):
        cyc(np.zeros((2, 16, 16, 3), "float32"))
