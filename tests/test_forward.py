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
    import keras

    keras.utils.set_random_seed(0)
    model = build(name, seed=0)
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


def every_variable(model):
    return [np.array(v.numpy()) for v in model.variables] + [
        np.array(v.numpy()) for o in (model.d_optimizer, model.g_optimizer) for v in o.variables]


# Batch norm put back (DCGAN, WGAN's critic), the penalty's gradient (WGAN-GP), labels
# (cGAN), a test_step of its own (CycleGAN).
@pytest.mark.parametrize("name", ["wgan-mnist", "wgan-gp-mnist", "cgan-mnist",
                                  "cyclegan-sneaker2boot"])
def test_evaluate_measures_the_losses_and_changes_nothing(name):
    model = trained(name)
    data = tf.data.Dataset.from_tensors(batch(model, 4, seed=9))
    before = every_variable(model)
    logs = model.evaluate(data, verbose=0, return_dict=True)
    assert set(logs) == set(model.tracker_names) and all(np.isfinite(list(logs.values())))
    for old, new in zip(before, every_variable(model)):
        np.testing.assert_array_equal(old, new)
    # And training goes on exactly as if evaluate had not run (no noise stream moved).
    twin = trained(name)
    for m in (model, twin):
        m.fit(tf.data.Dataset.from_tensors(batch(m, 4, seed=1)).repeat(), epochs=1,
              steps_per_epoch=1, verbose=0)
    for a, b in zip(every_variable(model), every_variable(twin)):
        np.testing.assert_array_equal(a, b)


def test_fit_with_validation_data_logs_val_rows_to_callbacks(tmp_path):
    import keras

    model = build("wgan-gp-mnist")
    train = tf.data.Dataset.from_tensors(batch(model, 4)).repeat()
    val = tf.data.Dataset.from_tensors(batch(model, 4, seed=5))
    log = tmp_path / "log.csv"
    history = model.fit(train, epochs=2, steps_per_epoch=2, validation_data=val, verbose=0,
                        callbacks=[keras.callbacks.CSVLogger(str(log))])
    for key in ("val_d_loss", "val_g_loss", "val_wasserstein", "val_gp"):
        assert len(history.history[key]) == 2 and np.isfinite(history.history[key]).all()
    assert "val_wasserstein" in log.read_text().splitlines()[0]
