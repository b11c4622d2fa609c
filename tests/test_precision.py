"""Mixed precision: every variant trains and samples under Keras' ``mixed_bfloat16`` and
``mixed_float16`` dtype policies, with float32 losses and weights, and checkpoints that move
between policies."""

import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo import checkpoint
from tiny import batch, build, networks, one_per_variant, translator

PRESETS = one_per_variant()


@pytest.fixture(params=["mixed_bfloat16", "mixed_float16"])
def policy(request):
    keras.mixed_precision.set_global_policy(request.param)
    yield request.param
    keras.mixed_precision.set_global_policy("float32")


def outputs(model, seed=3):
    if translator(model):
        return model.translate(batch(model, 2, seed=seed)[0])
    return model.sample(4, seed=seed)


def players(model):
    return networks(model)


@pytest.mark.parametrize("name", PRESETS)
def test_fit_and_sample_under_a_mixed_policy(name, policy, tmp_path):
    model = build(name)
    before = [[w.copy() for w in net.get_weights()] for net in players(model)]
    data = tf.data.Dataset.from_tensors(batch(model)).repeat()
    # Under float16 the loss scaler starts at 2**15 and skips the updates that overflow,
    # halving the scale each time, so it needs a few more steps to move every player.
    steps = 16 if policy == "mixed_float16" else 3
    history = model.fit(data, epochs=1, steps_per_epoch=steps, verbose=0)
    for key in model.tracker_names:
        assert np.isfinite(history.history[key][-1]), key
    for net, old in zip(players(model), before):
        assert any(not np.array_equal(a, b) for a, b in zip(old, net.get_weights())), net.name
    # Networks compute in the policy's dtype; what leaves them, and every weight, is float32.
    assert all(v.dtype == "float32" for v in model.trainable_variables)
    out = outputs(model)
    assert out.dtype == np.float32 and np.isfinite(out).all()
    assert out.min() >= -1 and out.max() <= 1
    if policy == "mixed_float16":  # dynamic loss scaling on both players
        for opt in (model.d_optimizer, model.g_optimizer):
            assert isinstance(opt, keras.optimizers.LossScaleOptimizer)
    # The checkpoint holds float32 weights, loads under float32 and gives the same images
    # up to the policy's rounding, and loads under the policy again with its training state.
    folder = checkpoint.save_preset(model, tmp_path / "p")
    with h5py.File(folder / checkpoint.WEIGHTS) as f:
        dtypes = set()
        f.visititems(lambda n, o: dtypes.add(str(o.dtype)) if isinstance(o, h5py.Dataset)
                     else None)
    assert dtypes <= {"float32", "int64", "int32", "bool"}, dtypes
    again = zoo.load(folder)
    np.testing.assert_array_equal(outputs(again), out)
    keras.mixed_precision.set_global_policy("float32")
    exact = zoo.load(folder)
    tolerance = 0.1 if policy == "mixed_bfloat16" else 0.02
    np.testing.assert_allclose(outputs(exact), out, atol=tolerance)
    assert isinstance(exact.d_optimizer, keras.optimizers.Optimizer)


def test_loss_scale_state_survives_a_preset_folder(tmp_path):
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = build("wgan-gp-mnist")
        model.fit(tf.data.Dataset.from_tensors(batch(model)).repeat(), epochs=1,
                  steps_per_epoch=3, verbose=0)
        scale = float(model.g_optimizer.dynamic_scale.numpy())
        again = zoo.load(checkpoint.save_preset(model, tmp_path / "p"))
        assert isinstance(again.g_optimizer, keras.optimizers.LossScaleOptimizer)
        assert float(again.g_optimizer.dynamic_scale.numpy()) == scale
        assert int(again.g_optimizer.iterations.numpy()) == int(model.g_optimizer.iterations.numpy())
    finally:
        keras.mixed_precision.set_global_policy("float32")
