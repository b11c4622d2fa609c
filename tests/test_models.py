"""Every registered preset, at a tiny size: sampling, training, saving, bad input."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo import checkpoint, errors, registry
from zoo.models import WGAN, ConditionalGAN
from zoo.models.wgan import Wasserstein

import tiny
from tiny import batch, build, networks

# Every registered preset, less those whose tiny build is another's (tiny.distinct).
PRESETS = tiny.distinct(registry.list_models())
SAMPLERS = [n for n in PRESETS if registry.PRESETS[n].task != "image-to-image"]


def dataset(model, n=8, batch_size=4):
    return tf.data.Dataset.from_tensor_slices(batch(model, n)).batch(batch_size)


def weights(net):
    return [v.numpy().copy() for v in net.trainable_variables]


def players(model):
    return networks(model)


def optimizer_state(model):
    return [v.numpy().copy() for opt in (model.d_optimizer, model.g_optimizer)
            for v in opt.variables]


def outputs(model):
    if model.task == "image-to-image":
        return model.translate(batch(model, 2)[0])
    return model.sample(5, seed=3)


@pytest.mark.parametrize("name", SAMPLERS)
def test_sample_shape_range_and_seed(name):
    model = build(name)
    a = model.sample(5, seed=1)
    assert a.shape == (5,) + model.image_shape and a.dtype == np.float32
    assert a.min() >= -1.0 and a.max() <= 1.0
    np.testing.assert_array_equal(a, model.sample(5, seed=1))
    assert not np.allclose(a, model.sample(5, seed=2))
    # Batching does not change what a seed gives.
    np.testing.assert_allclose(model.sample(5, seed=1, batch_size=2), a, atol=1e-6)


@pytest.mark.parametrize("name", PRESETS)
def test_fit_moves_every_player_and_a_keras_round_trip_restores_it(name, tmp_path):
    model = build(name)
    before = [weights(net) for net in players(model)]
    history = model.fit(dataset(model), epochs=1, verbose=0)
    for net, old in zip(players(model), before):
        changed = [not np.array_equal(o, n) for o, n in zip(old, weights(net))]
        if isinstance(model, Wasserstein) and net is model.critic:
            # The output bias cancels in E[f(x)] - E[f(G(z))]: its gradient is exactly 0.
            assert not changed[-1]
            changed = changed[:-1]
        assert all(changed), f"{net.name}: some weights did not move"
    for key in model.tracker_names:
        assert np.isfinite(history.history[key][-1]), key
    assert int(model.d_steps.numpy()) == 2
    # A .keras file restores the outputs and the whole training state.
    path = tmp_path / "m.keras"
    model.save(path)
    again = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_array_equal(outputs(again), outputs(model))
    for a, b in zip(optimizer_state(model), optimizer_state(again)):
        np.testing.assert_array_equal(a, b)
    assert int(again.d_optimizer.iterations.numpy()) == int(model.d_optimizer.iterations.numpy()) > 0
    assert int(again.d_steps.numpy()) == int(model.d_steps.numpy())
    # And training continues identically from both.
    model.fit(dataset(model), epochs=1, verbose=0, shuffle=False)
    again.fit(dataset(again), epochs=1, verbose=0, shuffle=False)
    for a, b in zip(weights(model), weights(again)):
        np.testing.assert_allclose(a, b, atol=1e-6)


@pytest.mark.parametrize("name", ["dcgan-mnist", "cyclegan-sneaker2boot"])
def test_preset_folder_round_trip_and_corruption(name, tmp_path):
    model = build(name)
    model.fit(dataset(model), epochs=1, verbose=0)
    folder = checkpoint.save_preset(model, tmp_path / "p", metadata={"note": "x"})
    again = zoo.load(folder)
    np.testing.assert_array_equal(outputs(again), outputs(model))
    assert checkpoint.read_metadata(folder)["note"] == "x"
    data = bytearray((folder / "model.weights.h5").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / "model.weights.h5").write_bytes(bytes(data))
    with pytest.raises(errors.CheckpointError, match="model.weights.h5"):
        zoo.load(folder)


def test_wgan_schedule_and_clipping():
    model = WGAN(image_size=8, width=4, latent_dim=8, warmup_critic=3, warmup_generator_steps=2,
                 warmup_every=4, n_critic=2)
    assert [model.critic_updates_needed(g) for g in range(6)] == [3, 3, 2, 2, 3, 2]
    fused = WGAN.from_config(model.get_config())
    fused.set_weights(model.get_weights())
    model.compile(d_optimizer=keras.optimizers.RMSprop(0.5))  # big steps, so clipping bites
    x = batch(model, 32)
    model.fit(tf.data.Dataset.from_tensor_slices(x).batch(4), epochs=1, verbose=0)
    # 8 critic updates: 3 (g0) + 3 (g1) + 2 (g2) -> 3 generator updates.
    assert int(model.d_steps.numpy()) == 8 and int(model.g_steps.numpy()) == 3
    flat = np.concatenate([v.numpy().ravel() for v in model.critic.trainable_variables])
    assert np.abs(flat).max() <= 0.01 + 1e-7 and np.isclose(np.abs(flat).max(), 0.01)
    # Three steps per call (3, 3, then the epoch's last 2), each player chosen inside the
    # traced loop from the counters: the same schedule, the same weights.
    fused.compile(d_optimizer=keras.optimizers.RMSprop(0.5), steps_per_execution=3)
    fused.fit(tf.data.Dataset.from_tensor_slices(x).batch(4), epochs=1, verbose=0)
    assert int(fused.d_steps.numpy()) == 8 and int(fused.g_steps.numpy()) == 3
    # Bit for bit on TensorFlow. XLA compiles JAX's loop of steps into other kernels than
    # its single step, and RMSprop at 0.5 makes the float differences lr-sized steps on
    # weights whose gradient is nearly 0 (seen: 6e-7); a wrong schedule moves them ~1e-2.
    tol = 0 if keras.backend.backend() == "tensorflow" else 1e-4
    for a, b in zip(model.get_weights(), fused.get_weights()):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_learning_rates_and_their_decay_count_each_players_updates_and_resume_exactly(tmp_path):
    model = WGAN(image_size=8, width=4, latent_dim=8, warmup_critic=3, warmup_generator_steps=2,
                 warmup_every=4, n_critic=2)
    model.compile()
    # Critic updates per generator update 3, 3, 2, 2, 3: G moves at steps 3, 6, 8, 10 of 12,
    # once in the 5 steps before the decay; so G's rate falls over its last 3 updates.
    assert model.generator_updates_in(12) == 4 and model.generator_updates_in(5) == 1
    lr = 5e-5
    model.set_learning_rates(d=2 * lr, steps=12, decay=7)  # the critic's doubled
    ds = tf.data.Dataset.from_tensor_slices(batch(model, 48)).batch(4)
    model.fit(ds.take(6), epochs=1, verbose=0)
    assert int(model.g_optimizer.iterations.numpy()) == 2
    assert float(model.d_optimizer.learning_rate) == pytest.approx(2 * lr * (1 - 1 / 7))
    assert float(model.g_optimizer.learning_rate) == pytest.approx(lr * (1 - 1 / 3))
    # The schedule is saved with the optimizers: a resumed model goes on exactly.
    checkpoint.save_preset(model, tmp_path / "last")
    resumed = checkpoint.load_preset(tmp_path / "last")
    for m in (model, resumed):
        m.fit(ds.skip(6), epochs=1, verbose=0)
        assert int(m.g_steps.numpy()) == 4
        assert float(m.d_optimizer.learning_rate) == float(m.g_optimizer.learning_rate) == 0.0
    for a, b in zip(model.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    # Nor twice; nor on optimizers that have moved (it would throw their state away).
    with pytest.raises(errors.ZooValueError, match=r"already follows .*\(LinearDecay\)"):
        model.set_learning_rates(g=1e-4)
    moved = WGAN(image_size=8, width=4, latent_dim=8)
    moved.compile()
    moved.fit(ds.take(2), epochs=1, verbose=0)
    with pytest.raises(errors.ZooValueError, match="d_optimizer has made 2 updates"):
        moved.set_learning_rates(steps=4, decay=2)


def test_wgan_critic_width_norm_and_depth_change_only_the_critic_and_survive_a_round_trip(
        tmp_path):
    def norms(m):
        return [type(layer).__name__ for layer in m.critic.layers if "Normalization" in
                type(layer).__name__]

    def kernels(m):  # the critic's convolution kernels, input to score
        return [tuple(layer.kernel.shape) for layer in m.critic.layers if hasattr(layer, "kernel")]

    narrow = WGAN(image_size=16, width=4, latent_dim=8)  # 16 px: a critic layer with a norm
    wide = WGAN(image_size=16, width=4, latent_dim=8, critic_width=8, critic_norm=None,
                critic_extra_layers=2)
    assert kernels(narrow) == [(5, 5, 1, 4), (5, 5, 4, 8), (4, 4, 8, 1)]
    assert kernels(wide) == [(5, 5, 1, 8), (5, 5, 8, 16), (3, 3, 16, 16), (3, 3, 16, 16),
                             (4, 4, 16, 1)]
    assert norms(narrow) == ["BatchNormalization"] and norms(wide) == []
    deep = WGAN(image_size=16, width=4, latent_dim=8, critic_extra_layers=1)
    assert norms(deep) == ["BatchNormalization"] * 2  # each extra layer has the critic's norm
    assert [w.shape for w in wide.generator.weights] == [w.shape for w in narrow.generator.weights]
    wide.compile()
    checkpoint.save_preset(wide, tmp_path / "wide")
    again = zoo.load(tmp_path / "wide")
    assert again.critic_width == 8 and kernels(again) == kernels(wide)
    assert again.critic_norm is None and norms(again) == []
    np.testing.assert_array_equal(again.sample(3, seed=1), wide.sample(3, seed=1))
    with pytest.raises(errors.ZooValueError, match="critic_norm must be 'batch'"):
        WGAN(image_size=8, width=4, latent_dim=8, critic_norm="instance")
    for bad in (-1, 1.5, True):
        with pytest.raises(errors.ZooValueError, match="critic_extra_layers must be a whole"):
            WGAN(image_size=8, width=4, latent_dim=8, critic_extra_layers=bad)


def test_a_fresh_critic_keeps_the_generator_and_holds_it_for_its_warm_updates():
    config = {"image_size": 8, "width": 4, "latent_dim": 8, "n_critic": 1, "warmup_critic": 0,
              "average_decay": 0.9}
    trained = WGAN(**config)
    trained.compile()
    trained.fit(dataset(trained), epochs=1, verbose=0)  # 2 critic and 2 generator updates
    fresh = trained.with_fresh_critic(WGAN(**config, critic_width=8), warm_updates=3)
    fresh.compile()
    assert fresh.critic.layers[0].filters == 8
    for a, b in zip(weights(fresh.generator), weights(trained.generator)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(fresh.sample(3, seed=1, average=True),
                                  trained.sample(3, seed=1, average=True))
    assert (int(fresh.d_steps.numpy()), int(fresh.g_steps.numpy())) == (2, 2)
    x = dataset(fresh, n=12)
    held = weights(fresh.generator)
    fresh.fit(x.take(1), epochs=1, verbose=0)
    fresh.fit(x.skip(1).take(2), epochs=1, verbose=0)  # the 3 warm updates: G stays
    assert (int(fresh.d_steps.numpy()), int(fresh.g_steps.numpy())) == (5, 2)
    for a, b in zip(weights(fresh.generator), held):
        np.testing.assert_array_equal(a, b)
    fresh.fit(x.take(1), epochs=1, verbose=0)  # the schedule again: G moves
    assert (int(fresh.d_steps.numpy()), int(fresh.g_steps.numpy())) == (6, 3)
    assert any(not np.array_equal(a, b) for a, b in zip(weights(fresh.generator), held))
    with pytest.raises(errors.ZooValueError, match="same architecture"):
        trained.with_fresh_critic(WGAN(**{**config, "width": 8}), 3)


def test_conditional_labels_pick_classes_and_bad_labels_fail():
    model = build("cgan-mnist")
    a = model.sample(4, seed=0, labels=[1, 1, 1, 1])
    b = model.sample(4, seed=0, labels=[2, 2, 2, 2])
    assert not np.allclose(a, b)
    np.testing.assert_array_equal(model.sample(4, seed=0, labels=1), a)
    for bad in ([0, 1], [10, 0, 0, 0], [-1, 0, 0, 0], [0.5, 1, 1, 1]):
        with pytest.raises(errors.ZooValueError):
            model.sample(4, labels=bad)
    with pytest.raises(errors.ZooValueError, match="unconditional"):
        build("dcgan-mnist").sample(2, labels=[0, 1])
    with pytest.raises(errors.ZooValueError, match="labels"):
        model.fit(tf.data.Dataset.from_tensor_slices(batch(model)[0]).batch(4), verbose=0)


@pytest.mark.parametrize("n", [0, -3, 2.5, "4", True, errors.MAX_SAMPLES + 1])
def test_sample_rejects_bad_counts(n):
    with pytest.raises(errors.ZooValueError):
        build("gan-mnist").sample(n)


def test_translate_accepts_uint8_float_single_and_batch():
    model = build("cyclegan-sneaker2boot")
    x = batch(model, 3)[0]
    out = model.translate(x, "b2a")
    assert out.shape == x.shape and out.dtype == np.float32 and np.abs(out).max() <= 1
    np.testing.assert_allclose(model.translate(x[0]), model.translate(x)[0], atol=1e-6)
    np.testing.assert_allclose(model.translate(keras.ops.convert_to_tensor(x)), model.translate(x), atol=1e-6)
    u8 = np.round((x + 1) * 127.5).astype(np.uint8)
    np.testing.assert_allclose(model.translate(u8), model.translate(u8 / 127.5 - 1), atol=1e-5)
    for bad, kw in [(x * 3, {}), (x[..., :0], {}), (x[:, :6, :6], {}), (x, {"direction": "x"}),
                    (x.astype(np.int32), {}), (np.full_like(x, np.nan), {}), (x[:0], {})]:
        with pytest.raises(errors.ZooValueError):
            model.translate(bad, **kw)
    # A translator has no latent space: no sampling API, and a call of one says what to use.
    assert not any(hasattr(model, a) for a in ("sample", "interpolate", "latents", "average"))
    with pytest.raises(errors.ZooValueError, match="translate"):
        model.sample(2)
    # Any other missing attribute is the plain AttributeError, naming it; the networks are
    # found on every backend (a PyTorch layer keeps its sublayers where its own lookup is).
    with pytest.raises(AttributeError, match="no_such_setting"):
        model.no_such_setting
    assert model.d_a is not None and model.g_ab is not None


def test_image_pool_returns_first_fakes_then_mixes_history():
    model = build("cyclegan-sneaker2boot")  # pool of 3
    fakes = [np.full((1, 16, 16, 1), v, np.float32) for v in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)]
    seen = []
    for f in fakes:
        f = keras.ops.convert_to_tensor(f)
        out_a, _ = model.query_pools(f, f)
        model.d_steps.assign_add(1)
        seen.append(float(keras.ops.convert_to_numpy(out_a).mean()))
    np.testing.assert_allclose(seen[:3], [0.1, 0.2, 0.3], atol=1e-6)  # filling: returned as is
    assert int(model.pool_count.numpy()) == 3
    stored = sorted(round(float(v), 3) for v in model.pool_a.numpy().mean(axis=(1, 2, 3)))
    assert set(stored) <= {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8} and len(set(stored)) == 3
    assert any(abs(s - f.mean()) > 1e-6 for s, f in zip(seen[3:], fakes[3:])), "never swapped"


def test_registry_names_and_errors():
    assert "wgan-mnist" in zoo.list_models()
    assert registry.canonical("WGAN_MNIST") == "wgan-mnist"
    with pytest.raises(errors.UnknownModelError, match="wgan-mnist"):
        zoo.load("wgan-mnst")
    with pytest.raises(errors.ZooValueError):
        zoo.load("")
    with pytest.raises(errors.WeightsNotAvailableError, match="recipes/dcgan_celeba.py"):
        zoo.load("dcgan-celeba")
    model = zoo.load("dcgan_celeba", pretrained=False, width=4, latent_dim=8)
    assert model.sample(1, seed=0).shape == (1, 64, 64, 3)


def test_compile_rejects_single_optimizer():
    model = build("dcgan-mnist")
    with pytest.raises(errors.ZooValueError, match="d_optimizer"):
        model.compile(optimizer="adam")


def test_load_rejects_checkpoint_of_another_architecture(tmp_path):
    folder = checkpoint.save_preset(build("dcgan-mnist"), tmp_path / "p")
    with pytest.raises(errors.CheckpointError, match="do not fit"):
        checkpoint.load_preset(folder, width=8)
    with pytest.raises(errors.CheckpointError, match="DCGAN"):
        checkpoint.load_preset(folder, expect_class=ConditionalGAN)


def test_slim_preset_keeps_outputs_and_trains_on(tmp_path):
    model = build("wgan-gp-mnist")
    model.fit(dataset(model), epochs=1, verbose=0)
    full = checkpoint.save_preset(model, tmp_path / "full")
    slim = checkpoint.save_preset(model, tmp_path / "slim", training_state=False)
    assert (slim / "model.weights.h5").stat().st_size < (full / "model.weights.h5").stat().st_size
    again = zoo.load(slim)
    np.testing.assert_array_equal(again.sample(3, seed=0), model.sample(3, seed=0))
    assert int(again.d_steps.numpy()) == 2 and int(again.d_optimizer.iterations.numpy()) == 0
    again.fit(dataset(again), epochs=1, verbose=0)
    assert int(again.d_optimizer.iterations.numpy()) == 2


AVERAGED = [n for n in SAMPLERS if registry.PRESETS[n].config.get("average_decay")]


def test_every_shipped_noise_preset_keeps_averaged_weights():
    noise = [n for n in registry.list_models(shipped_only=True)
             if registry.PRESETS[n].task != "image-to-image"]
    lacking = [n for n in noise if not registry.PRESETS[n].config.get("average_decay")]
    assert noise and not lacking, f"shipped without averaged weights: {lacking}"


@pytest.mark.parametrize("name", AVERAGED)
def test_averaged_weights_follow_the_generator_by_the_stated_rule(name):
    model = build(name, average_decay=0.9)
    # Before any generator update the average is the generator itself.
    np.testing.assert_array_equal(model.sample(4, seed=1, average=True),
                                  model.sample(4, seed=1, average=False))
    g_vars = model._averaged_variables()
    before = [np.asarray(v.numpy(), np.float64) for v in g_vars]
    # One fit step is one D update plus (for every variant here) one G update.
    model.fit(dataset(model, n=4, batch_size=4), epochs=1, verbose=0)
    assert int(model.g_steps.numpy()) == 1
    decay = min(0.9, 2.0 / 11.0)  # min(decay, (1 + t) / (10 + t)) at t = 1
    for avg, v, old in zip(model.average, g_vars, before):
        expected = old + (1 - decay) * (np.asarray(v.numpy(), np.float64) - old)
        np.testing.assert_allclose(avg.numpy(), expected, rtol=1e-5, atol=1e-7)
    assert not np.allclose(model.sample(4, seed=1, average=True),
                           model.sample(4, seed=1, average=False), atol=1e-6)


def test_sample_average_picks_the_default_set_and_survives_a_preset_folder(tmp_path):
    model = build("dcgan-mnist")
    model.fit(dataset(model), epochs=2, verbose=0)
    raw, avg = model.sample(3, seed=0, average=False), model.sample(3, seed=0, average=True)
    assert not np.allclose(raw, avg)
    np.testing.assert_array_equal(model.sample(3, seed=0), raw)
    model.sample_average = True
    np.testing.assert_array_equal(model.sample(3, seed=0), avg)
    again = zoo.load(checkpoint.save_preset(model, tmp_path / "p", training_state=False))
    assert again.sample_average
    np.testing.assert_array_equal(again.sample(3, seed=0), avg)
    np.testing.assert_array_equal(again.sample(3, seed=0, average=False), raw)


def test_averaging_off_and_bad_settings_say_what_to_do():
    model = build("dcgan-mnist", average_decay=0.0)
    assert model.average == []
    with pytest.raises(errors.ZooValueError, match="average=False"):
        model.sample(2, average=True)
    with pytest.raises(errors.ZooValueError, match="True, False or None"):
        model.sample(2, average="yes")
    with pytest.raises(errors.ZooValueError, match=r"\[0, 1\)"):
        build("dcgan-mnist", average_decay=1.0)


@pytest.mark.parametrize("name", SAMPLERS)
def test_interpolation_starts_and_ends_at_the_two_seeds_samples(name):
    model = build(name)
    model.fit(dataset(model), epochs=1, verbose=0)
    walk = model.interpolate(3, 9, steps=5)
    assert walk.shape == (5,) + model.image_shape and walk.dtype == np.float32
    np.testing.assert_allclose(walk[0], model.sample(1, seed=3)[0], atol=1e-6)
    np.testing.assert_allclose(walk[-1], model.sample(1, seed=9)[0], atol=1e-6)
    # The inside of the path differs from both ends, and the two methods differ there.
    assert not np.allclose(walk[2], walk[0]) and not np.allclose(walk[2], walk[-1])
    assert not np.allclose(walk[2], model.interpolate(3, 9, steps=5, method="linear")[2])


def test_slerp_keeps_the_norm_that_a_straight_line_loses():
    from zoo.models.base import slerp

    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    np.testing.assert_allclose(np.linalg.norm(slerp(a, b, 0.5)), 1.0)
    np.testing.assert_allclose(slerp(a, b, 0.0), a)
    np.testing.assert_allclose(slerp(a, b, 1.0), b)
    np.testing.assert_allclose(slerp(a, 2 * a, 0.5), 1.5 * a)  # parallel: the straight line


def test_conditional_interpolation_keeps_its_labels_and_bad_arguments_fail():
    model = build("cgan-mnist")
    walk = model.interpolate(1, 2, steps=3, labels=7)
    np.testing.assert_allclose(walk[0], model.sample(1, seed=1, labels=[7])[0], atol=1e-6)
    np.testing.assert_allclose(walk[-1], model.sample(1, seed=2, labels=[7])[0], atol=1e-6)
    for kwargs, match in [({"steps": 1}, "at least 2"), ({"method": "cubic"}, "slerp"),
                          ({"labels": 10}, r"\[0, 10\)")]:
        with pytest.raises(errors.ZooValueError, match=match):
            model.interpolate(1, 2, **kwargs)
    with pytest.raises(errors.ZooValueError, match="two integer seeds"):
        model.interpolate(None, 2)
    with pytest.raises(errors.ZooValueError, match="unconditional"):
        build("dcgan-mnist").interpolate(1, 2, labels=3)
    with pytest.raises(errors.ZooValueError, match="translate"):
        build("cyclegan-sneaker2boot").interpolate(1, 2)


def test_fit_on_a_pipeline_does_not_warn_about_a_shuffle_nobody_asked_for():
    import warnings

    model = build("dcgan-mnist")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        model.fit(dataset(model), epochs=1, verbose=0)
    assert not [w for w in seen if "shuffle=True" in str(w.message)]
    with warnings.catch_warnings(record=True) as seen:  # asked for: Keras says it is ignored
        warnings.simplefilter("always")
        model.fit(dataset(model), epochs=1, verbose=0, shuffle=True)
    assert [w for w in seen if "shuffle=True" in str(w.message)]


@pytest.mark.parametrize("name", ["dcgan-mnist", "cgan-mnist"])
def test_projection_finds_the_latents_of_the_model_s_own_samples(name):
    """project() on every backend (this file runs on JAX and PyTorch too): samples of known
    latents are reconstructed far closer than other samples are, G stays as it was, and
    the images returned are the latents' samples."""
    model = build(name)
    labels = {"labels": [1, 4]} if model.num_classes else {}
    target = model.sample(2, seed=5, **labels)
    weights = [np.array(w) for w in model.get_weights()]
    z, made = model.project(target, steps=60, restarts=2, learning_rate=0.1, **labels)
    assert z.shape == (2, model.latent_dim) and made.shape == target.shape
    other = model.sample(2, seed=6, **labels)
    assert ((made - target) ** 2).mean() < 0.2 * ((other - target) ** 2).mean()
    np.testing.assert_allclose(made, model._draw(z, np.array([1, 4]) if labels else None,
                                                 None, 500), atol=1e-5)
    assert all(np.array_equal(a, b) for a, b in zip(weights, model.get_weights()))
    # One image alone is a batch of one; uint8 pixels are scaled as everywhere.
    one = model.project(target[0], steps=2, restarts=1, **({"labels": [1]} if labels else {}))
    assert one[0].shape == (1, model.latent_dim)


def test_projection_refuses_what_it_cannot_do():
    model = build("dcgan-mnist")
    x = model.sample(2, seed=0)
    for bad, kw, match in [(x[:, :4], {}, "makes images of shape"), (x + 3, {}, r"\[-1, 1\]"),
                           (x, {"steps": 0}, "steps"), (x, {"restarts": -1}, "restarts"),
                           (x, {"learning_rate": 0}, "learning_rate"),
                           (x, {"learning_rate": "fast"}, "learning_rate"),
                           (x, {"feature_weight": -1.0}, "feature_weight"),
                           (x.astype(np.int32), {}, "uint8 or float")]:
        with pytest.raises(errors.ZooValueError, match=match):
            model.project(bad, **kw)
    with pytest.raises(errors.ZooValueError, match="labels"):
        build("cgan-mnist").project(build("cgan-mnist").sample(1, seed=0, labels=[2]))
    with pytest.raises(errors.ZooValueError, match="no latent space"):
        build("cyclegan-sneaker2boot").project(x)


def test_projection_with_a_feature_term_returns_the_latents_samples():
    model = build("dcgan-mnist")
    target = model.sample(2, seed=5)
    net = keras.Sequential([keras.Input(model.image_shape), keras.layers.Flatten(),
                            keras.layers.Dense(4)])
    z, made = model.project(target, steps=20, restarts=2, features=net, feature_weight=0.5)
    assert z.shape == (2, model.latent_dim)
    np.testing.assert_allclose(made, model._draw(z, None, None, 500), atol=1e-5)
