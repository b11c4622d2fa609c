"""The Keras forward pass of every variant: ``model(z)``, ``predict`` and ``export`` give
exactly what ``sample`` / ``translate`` give (tiny models, one fit step so that the
averaged generator differs from G's own weights). ``tests/test_backends.py`` checks
``predict`` and ``evaluate`` on JAX and PyTorch; other backends' export formats are
measured in docs/usage.md ("The Keras forward pass, and serving")."""

import keras
import numpy as np
import pytest

from zoo import errors
from tiny import batch, build, one_per_variant, translator


def arrays(model, n=4, seed=0, repeat=1):
    """``fit``/``evaluate`` keyword arguments: ``repeat`` copies of one batch."""
    data = batch(model, n, seed=seed)
    data = data if isinstance(data, tuple) else (data,)
    data = [np.concatenate([d] * repeat) for d in data]
    return dict(zip(("x", "y"), data), batch_size=n)


NAMES = one_per_variant()
# Batch norm put back (DCGAN, WGAN's critic), the penalty's gradient (WGAN-GP), labels
# (cGAN), a test_step of its own (CycleGAN; pix2pix, whose dropout counters are put back).
EVALUATED = ["wgan-mnist", "wgan-gp-mnist", "cgan-mnist", "cyclegan-sneaker2boot",
             "pix2pix-noto2twemoji"]


def trained(name):
    keras.utils.set_random_seed(0)
    model = build(name, seed=0)
    model.fit(**arrays(model, repeat=2), epochs=1, shuffle=False, verbose=0)
    return model


def inputs_and_expected(model, n=5):
    if translator(model):
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
    if getattr(model, "average", None):
        model.sample_average = True  # the averaged set, as shipped checkpoints often say
        assert not np.allclose(model.sample(3, seed=1, average=False), model.sample(3, seed=1))
    x, expected = inputs_and_expected(model)
    # Eager and traced float rounding differ in the last bit (seen: 6e-8).
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(x)), expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(model.predict(x, batch_size=2, verbose=0), expected, rtol=0,
                               atol=1e-6)


def feeds(session, x):
    return dict(zip([i.name for i in session.get_inputs()], x if isinstance(x, list) else [x]))


# Tolerance: the same float32 graph, other kernels (seen: 3e-6 on shipped presets).
@pytest.mark.parametrize("name", ["dcgan-mnist", "cgan-mnist", "cyclegan-sneaker2boot",
                                  "pix2pix-noto2twemoji"])
def test_exported_saved_model_and_onnx_serve_the_same_images(name, tmp_path):
    import onnxruntime
    import tensorflow as tf

    model = trained(name)
    if not translator(model):
        model.sample_average = bool(model.average)
    x, expected = inputs_and_expected(model)
    model.export(str(tmp_path / "served"), verbose=False)
    served = tf.saved_model.load(str(tmp_path / "served"))
    np.testing.assert_allclose(served.serve(x).numpy(), expected, rtol=0, atol=1e-5)
    model.export(str(tmp_path / "g.onnx"), format="onnx", verbose=False)
    session = onnxruntime.InferenceSession(str(tmp_path / "g.onnx"))
    assert [i.name for i in session.get_inputs()] == (
        ["images"] if translator(model) else ["latent", "labels"][:1 + bool(model.num_classes)])
    np.testing.assert_allclose(session.run(None, feeds(session, x))[0], expected, rtol=0, atol=1e-5)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.onnx", "served"]  # no leftovers


@pytest.mark.slow
def test_every_shipped_preset_exports_serves_what_predict_gives_and_evaluates(tmp_path):
    import onnxruntime
    import tensorflow as tf

    import zoo
    from zoo import registry
    from zoo.__main__ import main

    # One shipped checkpoint of each network: an export runs the network, whatever its
    # weights (dcgan-fashion-mnist's network is dcgan-mnist's, and so on; grey or colour
    # is the same code).
    networks, shipped = {}, registry.list_models(shipped_only=True)
    for name in shipped:
        preset = registry.PRESETS[name]
        config = {k: v for k, v in preset.config.items() if k != "channels"}
        networks.setdefault((preset.cls, repr(sorted(config.items()))), name)
    # Every shipped variant is exported, and no network twice.
    assert {c for c, _ in networks} == {registry.PRESETS[n].cls for n in shipped}
    assert len(networks) < len(shipped), sorted(networks.values())
    for name in networks.values():
        onnx, served = tmp_path / f"{name}.onnx", tmp_path / name
        assert main(["export", name, "--format", "onnx", "-o", str(onnx)]) == 0
        assert main(["export", name, "-o", str(served)]) == 0  # a SavedModel, the default
        model = zoo.load(name)
        x, _ = inputs_and_expected(model, n=3)
        expected = model.predict(x, verbose=0)
        session = onnxruntime.InferenceSession(str(onnx))
        np.testing.assert_allclose(session.run(None, feeds(session, x))[0], expected, rtol=0,
                                   atol=1e-5, err_msg=name)
        loaded = tf.saved_model.load(str(served))
        np.testing.assert_allclose(loaded.serve(x).numpy(), expected, rtol=0, atol=1e-5,
                                   err_msg=name)
        logs = model.evaluate(**arrays(model), verbose=0, return_dict=True)  # and evaluate
        assert set(logs) == set(model.tracker_names) and np.isfinite(list(logs.values())).all()


def test_a_failed_export_keeps_what_was_there_and_a_missing_package_is_named(tmp_path,
                                                                             monkeypatch):
    import importlib.util

    model = build("dcgan-mnist")
    path = tmp_path / "g.onnx"
    model.export(str(path), format="onnx", verbose=False)
    before = path.read_bytes()
    wrong = [keras.InputSpec(shape=(None, 3), dtype="float32", name="latent")]
    with pytest.raises(errors.ZooValueError, match="latent vectors"):
        model.export(str(path), format="onnx", verbose=False, input_signature=wrong)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["g.onnx"]
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "tf2onnx" else real(name, *a))
    with pytest.raises(errors.ZooError, match=r"needs tf2onnx: pip install 'zoo\[export\]'"):
        model.export(str(tmp_path / "other.onnx"), format="onnx")
    assert [p.name for p in tmp_path.iterdir()] == ["g.onnx"]


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


@pytest.mark.parametrize("name", EVALUATED)
def test_evaluate_measures_the_losses_and_changes_nothing(name):
    model = trained(name)
    before = every_variable(model)
    logs = model.evaluate(**arrays(model, seed=9), verbose=0, return_dict=True)
    assert set(logs) == set(model.tracker_names) and all(np.isfinite(list(logs.values())))
    for old, new in zip(before, every_variable(model)):
        np.testing.assert_array_equal(old, new)
    # And training goes on exactly as if evaluate had not run (no noise stream moved).
    twin = trained(name)
    for m in (model, twin):
        m.fit(**arrays(m, seed=1), epochs=1, shuffle=False, verbose=0)
    for a, b in zip(every_variable(model), every_variable(twin)):
        np.testing.assert_array_equal(a, b)


def test_fit_with_validation_data_logs_val_rows_to_callbacks(tmp_path):
    model = build("wgan-gp-mnist")
    log = tmp_path / "log.csv"
    history = model.fit(**arrays(model, repeat=2), epochs=2, shuffle=False, verbose=0,
                        validation_data=(batch(model, 4, seed=5),),
                        callbacks=[keras.callbacks.CSVLogger(str(log))])
    for key in ("val_d_loss", "val_g_loss", "val_wasserstein", "val_gp"):
        assert len(history.history[key]) == 2 and np.isfinite(history.history[key]).all()
    assert "val_wasserstein" in log.read_text().splitlines()[0]
