"""Surviving the failures GAN training is known for: SIGKILL, interrupted saves,
corrupted files, NaN, a discriminator that wins outright, mode collapse."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo import checkpoint, errors

from conftest import TEST_ENV
from tiny import batch, build

ROOT = Path(__file__).resolve().parent.parent
ENV = {**TEST_ENV, "TF_CPP_MIN_LOG_LEVEL": "2", "PATH": "/usr/bin:/bin"}


def arrays(path):
    """Every array in a weights file, by its path in the file."""
    out = {}

    def keep(name, item):  # returns None, so visititems goes on
        if isinstance(item, h5py.Dataset):
            out[name] = item[()]

    with h5py.File(path, "r") as f:
        f.visititems(keep)
    assert len(out) > 10, f"{path} holds only {sorted(out)}"
    return out


def saved_epoch(outdir):
    try:
        return json.loads((outdir / "last" / checkpoint.METADATA).read_text())["epoch"]
    except (OSError, ValueError, KeyError):
        return 0


# 12 epochs of 2 steps; kills land after epochs 1, 4 and 8 have been saved,
# plus a variable delay, so they hit mid-step, mid-epoch and mid-save alike.
# CycleGAN's state is what differs there, not the moments: one kill, mid-epoch.
KILL_AFTER = {"wgan_mnist": ((1, 0.0), (4, 0.15), (8, 0.05)),
              "cyclegan_sneaker2boot": ((4, 0.15),)}


@pytest.mark.slow
@pytest.mark.parametrize("recipe", KILL_AFTER)
def test_sigkill_anywhere_then_resume_ends_bitwise_equal(recipe, tmp_path):
    """WGAN: critic schedule, clipping, RMSProp. CycleGAN: pools, Adam, LR decay, jitter."""
    # --eval_every=0: the weights are what is compared (the SIGTERM test below resumes
    # quality rows and snapshots too); measuring every 2 steps made this minutes long.
    script = [sys.executable, str(ROOT / "recipes" / f"{recipe}.py"), "--smoke", "--steps=24",
              "--steps_per_epoch=2", "--eval_every=0"]
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    subprocess.run(script + [f"--outdir={straight}"], cwd=tmp_path, env=ENV, check=True,
                   capture_output=True, timeout=600)
    kills = []
    for epoch, delay in KILL_AFTER[recipe]:
        proc = subprocess.Popen(script + [f"--outdir={killed}"], cwd=tmp_path, env=ENV,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while saved_epoch(killed) < epoch and proc.poll() is None:
            time.sleep(0.01)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        kills.append((saved_epoch(killed), proc.wait()))
    assert all(rc == -signal.SIGKILL for _, rc in kills), f"a run ended before its kill: {kills}"
    assert kills[-1][0] < 12, "the last kill came after training ended"
    resumed = subprocess.run(script + [f"--outdir={killed}"], cwd=tmp_path, env=ENV,
                             capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "Resuming" in resumed.stdout
    a = arrays(straight / "last" / checkpoint.WEIGHTS)
    b = arrays(killed / "last" / checkpoint.WEIGHTS)
    assert a.keys() == b.keys()
    differ = [k for k in a if not np.array_equal(a[k], b[k])]
    assert not differ, f"{len(differ)} of {len(a)} arrays differ after resume, e.g. {differ[:3]}"
    meta = json.loads((killed / "record.json").read_text())
    assert meta["train_steps"] == 24


def test_save_killed_between_its_renames_loses_nothing(tmp_path):
    model = build("dcgan-mnist")
    folder = checkpoint.save_preset(model, tmp_path / "last")
    expected = model.sample(3, seed=0)
    # The moment between "old folder moved aside" and "new folder moved in".
    folder.rename(tmp_path / ".last.old")
    np.testing.assert_array_equal(checkpoint.load_preset(folder).sample(3, seed=0), expected)
    assert folder.is_dir() and not (tmp_path / ".last.old").exists()


def test_interrupted_save_keeps_the_last_good_folder(tmp_path, monkeypatch):
    model = build("gan-mnist")
    folder = checkpoint.save_preset(model, tmp_path / "p", metadata={"epoch": 1})
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    model.fit(tf.data.Dataset.from_tensor_slices(batch(model, 8)).batch(4), verbose=0)

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(type(model), "save_weights", crash)
    with pytest.raises(OSError, match="disk full"):
        checkpoint.save_preset(model, folder, metadata={"epoch": 2})
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["p"]  # no temporary left behind


@pytest.mark.parametrize("damage", ["truncate", "bitflip", "delete", "swap"])
@pytest.mark.parametrize("name", [checkpoint.WEIGHTS, checkpoint.CONFIG])
def test_damaged_checkpoint_names_the_file_and_the_fix(damage, name, tmp_path):
    model = build("wgan-mnist")
    folder = checkpoint.save_preset(model, tmp_path / "p")
    path = folder / name
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "bitflip":
        path.write_bytes(data[:100] + bytes([data[100] ^ 1]) + data[101:])
    elif damage == "delete":
        path.unlink()
    else:  # a file of another checkpoint in its place
        other = checkpoint.save_preset(build("wgan-mnist", width=8), tmp_path / "q")
        path.write_bytes((other / name).read_bytes())
    with pytest.raises(errors.CheckpointError) as info:
        zoo.load(str(folder))
    message = str(info.value)
    assert str(path) in message and ("download" in message or "save" in message)


def test_keras_files_load_in_safe_mode_and_damage_is_named(tmp_path):
    model = build("cgan-mnist")
    path = tmp_path / "m.keras"
    model.save(path)
    labels = np.arange(4) % 10
    np.testing.assert_array_equal(zoo.load(str(path)).sample(4, seed=1, labels=labels),
                                  model.sample(4, seed=1, labels=labels))
    path.write_bytes(path.read_bytes()[:-200])
    with pytest.raises(errors.CheckpointError, match="m.keras"):
        zoo.load(path)


# ------------------------------------------------------------------ guard
def nan_at(model, step, n=8):
    x = batch(model, n)
    x[step * 2 : step * 2 + 2] = np.nan
    return tf.data.Dataset.from_tensor_slices(x).batch(2)


def state(model):
    return [np.array(v.numpy()) for v in model.weights]


def test_guard_stops_at_nan_and_restores_the_last_good_weights():
    model = build("dcgan-mnist")
    model.fit(tf.data.Dataset.from_tensor_slices(batch(model, 4)).batch(2), verbose=0)
    good = state(model)
    guard = zoo.DivergenceGuard(check_every=1000)
    with pytest.warns(zoo.GANHealthWarning, match="diverged at step 3"):
        model.fit(nan_at(model, 0), epochs=1, verbose=0, callbacks=[guard])
    assert [e["kind"] for e in guard.events] == ["nan"]
    for a, b in zip(state(model), good):
        np.testing.assert_array_equal(a, b)
    assert np.all(np.isfinite(model.sample(4, seed=0)))


def test_guard_warns_once_when_asked_to_and_training_goes_on():
    model = build("gan-mnist")
    guard = zoo.DivergenceGuard(on_nan="warn", check_every=1000)
    with pytest.warns(zoo.GANHealthWarning):
        model.fit(nan_at(model, 1), epochs=1, verbose=0, callbacks=[guard])
    assert len(guard.events) == 1 and int(model.d_steps.numpy()) == 4


def test_guard_sees_a_discriminator_that_has_won_outright():
    import keras

    model = build("dcgan-mnist")
    # A frozen generator and a fast discriminator: D separates real from fake.
    # Eight steps per call: the guard reads the calls' mean losses and counts their steps.
    model.compile(d_optimizer=keras.optimizers.Adam(1e-2),
                  g_optimizer=keras.optimizers.SGD(0.0), steps_per_execution=8)
    guard = zoo.DivergenceGuard(on_d_wins="stop", d_loss_floor=0.05, patience=5,
                                check_every=1000)
    ds = tf.data.Dataset.from_tensor_slices(batch(model, 8)).batch(4).repeat()
    with pytest.warns(zoo.GANHealthWarning, match="won outright"):
        model.fit(ds, steps_per_epoch=300, epochs=1, verbose=0, callbacks=[guard])
    event = guard.events[0]
    assert event["kind"] == "d_wins" and event["step"] < 300 and event["step"] % 8 == 0
    assert int(model.d_steps.numpy()) == 0  # stopped, back at the snapshot fit began with


def test_guard_sees_collapse_and_not_a_healthy_generator():
    model = build("dcgan-mnist")
    ds = tf.data.Dataset.from_tensor_slices(batch(model, 8)).batch(2)
    guard = zoo.DivergenceGuard(check_every=1, warmup=0, on_collapse="stop")
    with warnings.catch_warnings():
        warnings.simplefilter("error", zoo.GANHealthWarning)
        model.fit(ds, verbose=0, callbacks=[guard])
    assert guard.events == []
    # Every latent vector now gives the same image: the generator has collapsed.
    last = [layer for layer in model.generator.layers if hasattr(layer, "kernel")][-1]
    last.kernel.assign(np.zeros(last.kernel.shape, np.float32))
    with pytest.warns(zoo.GANHealthWarning, match="mode collapse"):
        model.fit(ds, verbose=0, callbacks=[guard])
    assert guard.events[0]["kind"] == "collapse"
    # Stopped at the first check and went back to the snapshot taken when this fit began.
    assert guard.events[0]["step"] == 5 and int(model.d_steps.numpy()) == 4


def test_guard_measures_collapse_against_real_images_after_warmup():
    model = build("dcgan-mnist")
    real = batch(model, 32, seed=1)
    ds = tf.data.Dataset.from_tensor_slices(batch(model, 8)).batch(2)
    # A fresh generator's samples are nearly alike: far below real images' spread.
    waiting = zoo.DivergenceGuard(reference=real, check_every=1, warmup=100)
    with warnings.catch_warnings():
        warnings.simplefilter("error", zoo.GANHealthWarning)
        model.fit(ds, verbose=0, callbacks=[waiting])
    watching = zoo.DivergenceGuard(reference=real, check_every=1, warmup=0)
    with pytest.warns(zoo.GANHealthWarning, match="real images"):
        model.fit(ds, verbose=0, callbacks=[watching])
    assert len(watching.events) == 1  # warned once per epoch, not every step


@pytest.mark.parametrize("kwargs", [{"on_nan": "explode"}, {"patience": 0},
                                    {"reference": np.zeros((1, 8, 8, 1))}, {"n_samples": 1},
                                    {"warmup": -1}])
def test_guard_rejects_bad_settings(kwargs):
    with pytest.raises(errors.ZooValueError):
        zoo.DivergenceGuard(**kwargs)


def test_guard_on_a_model_that_is_not_a_zoo_gan_says_so():
    import keras

    net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    net.compile("sgd", "mse")
    with pytest.raises(errors.ZooValueError, match="watches zoo GANs"):
        net.fit(np.zeros((4, 2)), np.zeros((4, 1)), verbose=0, callbacks=[zoo.DivergenceGuard()])


def test_diversity_is_zero_for_copies_and_grows_with_spread():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 4, 4, 1))
    assert zoo.guard.diversity(np.repeat(x[:1], 5, 0)) == pytest.approx(0.0, abs=1e-6)
    assert zoo.guard.diversity(2 * x) == pytest.approx(2 * zoo.guard.diversity(x))



def test_atomic_writes_leave_files_with_the_usual_permissions(tmp_path):
    # Temporary files and folders are private (0600/0700) until chmod-ed to the umask.
    mask = os.umask(0o022)
    try:
        grid = zoo.save_grid(np.zeros((4, 8, 8, 1)), tmp_path / "grid.png")
        folder = checkpoint.save_preset(build("dcgan-mnist"), tmp_path / "preset")
    finally:
        os.umask(mask)
    assert os.stat(grid).st_mode & 0o777 == 0o644
    assert os.stat(folder).st_mode & 0o777 == 0o755


def test_a_second_run_on_the_same_folder_refuses_until_the_first_is_gone(tmp_path):
    from zoo import train

    out = tmp_path / "run"
    # The first run: another process holding the folder the way a run does.
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom zoo import runs\n"
         "with runs.exclusive(sys.argv[1]):\n    print('held', flush=True); time.sleep(120)\n",
         str(out)], stdout=subprocess.PIPE, text=True,
        env={**ENV, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)})
    try:
        assert holder.stdout.readline().strip() == "held"
        options = train.Options(smoke=True, outdir=str(out))
        with pytest.raises(errors.ZooError, match=f"another run is training in {out} \\(pid "
                                                  f"{holder.pid} on .*own --outdir"):
            train.run("dcgan-mnist", options)
        assert not (out / "last").exists()  # it wrote nothing
    finally:
        holder.send_signal(signal.SIGKILL)  # killed: the lock goes with the process
        holder.wait()
    # (In a process of its own: a run sets TensorFlow's determinism for its process.)
    # Once it has ended, the next run may start.
    done = subprocess.run([sys.executable, "-m", "zoo", "train", "dcgan-mnist", "--smoke",
                           "--outdir", str(out)], capture_output=True, text=True, timeout=300,
                          env={**ENV, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads((out / "record.json").read_text())["smoke"]


def test_epochs_after_a_stop_end_where_an_unbroken_runs_do():
    from zoo.runs import segments

    assert segments(0, 10, 4) == [(0, 2, 4), (2, 3, 2)]
    assert segments(5, 10, 4) == [(1, 2, 3), (2, 3, 2)]  # the rest of epoch 2 first
    assert segments(9, 10, 4) == [(2, 3, 1)]
    assert segments(1, 12, 4) == [(0, 1, 3), (1, 3, 4)]
    assert segments(8, 8, 4) == [] and segments(3, 3, 4) == []


@pytest.mark.slow
def test_sigterm_and_ctrl_c_save_at_the_next_step_and_resume_bitwise_equal(tmp_path):
    """Each stopped run is signalled before its first step, so it stops after exactly
    one step: at step 1 (mid-epoch: the next run finishes the epoch) and 2 (an epoch's
    end). WGAN: the critic schedule and clipping read the step counters."""
    script = [sys.executable, str(ROOT / "recipes" / "wgan_mnist.py"), "--smoke", "--steps=5",
              "--steps_per_epoch=2"]
    env = {**ENV, "PYTHONUNBUFFERED": "1"}
    straight, stopped = tmp_path / "straight", tmp_path / "stopped"
    subprocess.run(script + [f"--outdir={straight}"], cwd=tmp_path, env=env, check=True,
                   capture_output=True, timeout=600)
    for step, sig in ((1, signal.SIGTERM), (2, signal.SIGINT)):
        with open(tmp_path / "stderr", "w") as err:  # TensorFlow's C++ logs, kept apart
            proc = subprocess.Popen(script + [f"--outdir={stopped}"], cwd=tmp_path, env=env,
                                    stdout=subprocess.PIPE, stderr=err, text=True)
            lines = []
            for line in proc.stdout:
                lines.append(line)
                if line.startswith(("Epoch ", "Resuming ")):  # before this process's first step
                    proc.send_signal(sig)
                    break
            out = "".join(lines) + proc.stdout.read()
        assert proc.wait(timeout=300) == 0, out[-3000:] + (tmp_path / "stderr").read_text()[-2000:]
        assert f"Stopped by {sig.name} at step {step} of 5" in out and "resume" in out, out[-3000:]
        meta = json.loads((stopped / "last" / checkpoint.METADATA).read_text())
        assert meta["train_steps"] == step and meta["epoch"] == step // 2
    assert not (stopped / "record.json").exists()  # stopped runs ship nothing, record nothing
    # The last resume runs two steps per call (steps_per_execution): the same weights.
    resumed = subprocess.run(script + [f"--outdir={stopped}", "--steps_per_execution=2"],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0 and "Resuming" in resumed.stdout, resumed.stderr[-3000:]
    a = arrays(straight / "last" / checkpoint.WEIGHTS)
    b = arrays(stopped / "last" / checkpoint.WEIGHTS)
    differ = [k for k in a if not np.array_equal(a[k], b[k])]
    assert a.keys() == b.keys() and not differ, f"{len(differ)} arrays differ, e.g. {differ[:3]}"
    # The epoch the stop ended exactly (step 2) was measured and drawn as in the unbroken run.
    rows = lambda d: [r["train_steps"] for r in map(json.loads, (d / "quality.jsonl").open())]  # noqa: E731
    assert rows(stopped) == rows(straight) == [2, 4, 5]
    assert sorted(os.listdir(stopped / "samples")) == sorted(os.listdir(straight / "samples"))


def test_a_save_that_cannot_be_written_keeps_the_last_state_and_says_what_it_needs(
        tmp_path, monkeypatch):
    last = tmp_path / "run" / "last"
    model = build("dcgan-mnist")
    checkpoint.save_preset(model, last, metadata={"epoch": 1})
    before = arrays(last / checkpoint.WEIGHTS)
    for v in model.generator.trainable_variables:
        v.assign(v + 1.0)  # a newer state, which cannot be written
    # A folder that cannot be made (its parent is a file: refused even to root).
    (tmp_path / "file").write_text("")
    with pytest.raises(errors.CheckpointError, match=r"could not save .*file/last: File exists"
                                                     r"\. Saving needs write permission in .*file "
                                                     r"and about 1 MB free"):
        checkpoint.save_preset(model, tmp_path / "file" / "last")
    # A full disk, as the operating system reports it (HDF5 itself crashes on one).
    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10, 10, 0))
    with pytest.raises(errors.CheckpointError, match=r"only 0\.0 MB free.*is as it was"):
        checkpoint.save_preset(model, last)
    monkeypatch.undo()
    assert sorted(os.listdir(last.parent)) == ["last"]  # no half-written copy left behind
    after = arrays(checkpoint.verify(last) and last / checkpoint.WEIGHTS)
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_a_damaged_last_state_is_never_trained_over(tmp_path):
    from zoo import train

    out = tmp_path / "run"
    train.run("dcgan-mnist", train.Options(smoke=True, outdir=str(out), steps=2, eval_every=0))
    (out / "last" / checkpoint.METADATA).unlink()
    with pytest.raises(errors.CheckpointError, match=r"cannot resume from .*last.*mv .*last\.broken"):
        train.run("dcgan-mnist", train.Options(smoke=True, outdir=str(out), steps=4, eval_every=0))
    assert sorted(os.listdir(out / "last")) == [checkpoint.CONFIG, checkpoint.WEIGHTS]
