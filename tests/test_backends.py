"""The zoo on TensorFlow, JAX and PyTorch: same training, same checkpoints.

Keras fixes its backend at import, so each backend runs in its own process
(``tests/backend_worker.py``). From one set of initial weights (made under
TensorFlow) and the same batches, three ``fit`` steps of every variant run on
each backend, and on JAX also under ``keras.distribution.DataParallel`` over
two devices. Then every backend loads every resulting weights file and samples
(or translates) fixed inputs.

Tolerances, stated once: trained arrays (networks, both optimizers' slots,
counters, image pools) agree to ``max|a - b| <= 1e-4 * max|a| + 1e-7`` (the
worst measured is 3e-5 relative, CycleGAN, whose instance norm on small maps
amplifies float rounding; the others are below 3e-6); sampled or translated
pixels agree within 1e-5.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import h5py
import numpy as np
import pytest

from tiny import one_per_variant

pytestmark = pytest.mark.slow  # pytest -m 'not slow' skips this module

HERE = Path(__file__).parent
WORKER = HERE / "backend_worker.py"
BACKENDS = ("tensorflow", "jax", "torch")
NAMES = tuple(one_per_variant())
STEPS, BATCH = 3, 4


def environment(backend, folder):
    # JAX compiles every fresh model's step anew; its persistent cache (shared by
    # this module's processes) halves the time of the JAX runs.
    return {**os.environ, "KERAS_BACKEND": backend,
            "JAX_COMPILATION_CACHE_DIR": str(folder / "jax-cache"),
            "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
            "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0"}


def start(backend, jobs, folder, *args):
    spec = folder / f"{backend}{'-'.join(args)}.json"
    spec.write_text(json.dumps(jobs))
    env = environment(backend, folder)
    return subprocess.Popen([sys.executable, str(WORKER), str(spec), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(*procs):
    for p in procs:
        out, _ = p.communicate(timeout=900)
        assert p.returncode == 0, out[-4000:]


def jobs(root, kind, **extra):
    return [{"kind": kind, "folder": str(root / n), "name": n, "batch_size": BATCH,
             "steps": STEPS, **extra} for n in NAMES]


# What the training jobs here already show on every backend, weight for weight against
# TensorFlow (CycleGAN's whole training state, pools and both optimizers' slots included, is
# compared array by array, so its fit-and-.keras-round-trip test runs on TensorFlow only),
# and what does not depend on the backend (a preset folder's checksums).
ALREADY_SHOWN = "not test_preset_folder_round_trip and not (test_fit_moves_every_player and cyclegan)"


def variant_tests(backend, folder):
    """test_models.py (every preset: sample, save/load, bad input), test_losses.py,
    test_rng.py, less :data:`ALREADY_SHOWN`."""
    env = environment(backend, folder)
    return subprocess.Popen([sys.executable, "-m", "pytest", str(HERE / "test_models.py"),
                             str(HERE / "test_losses.py"), str(HERE / "test_rng.py"), "-q",
                             "-k", ALREADY_SHOWN,
                             "-p", "no:cacheprovider", "-p", "no:xdist"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Runs every backend's jobs, the variant tests on JAX and PyTorch alongside."""
    root = tmp_path_factory.mktemp("backends")
    for n in NAMES:
        (root / n).mkdir()
    suites = {b: variant_tests(b, root) for b in ("jax", "torch")}
    finish(start("tensorflow", jobs(root, "init"), root))
    # PyTorch's run and JAX's two-device run take two steps per call (steps_per_execution;
    # three steps: a call of two, then one where the epoch ends), TensorFlow's and JAX's one.
    many = {"torch": {"steps_per_execution": 2}}
    finish(*[start(b, jobs(root, "train", tag=b, **many.get(b, {})), root) for b in BACKENDS],
           start("jax", jobs(root, "train", tag="jax-2dev", devices=2, steps_per_execution=2),
                 root, "--devices", "2"))
    files = ["init.weights.h5"] + [f"{b}.weights.h5" for b in BACKENDS]
    finish(*[start(b, jobs(root, "outputs", weights=files), root) for b in BACKENDS])
    results = {}
    for b, p in suites.items():
        out, _ = p.communicate(timeout=1200)
        results[b] = (p.returncode, out)
    return SimpleNamespace(root=root, suites=results)


def arrays(path):
    out = {}

    def visit(key, item):
        if isinstance(item, h5py.Dataset):
            out[key] = np.asarray(item[()], np.float64)
        # returning None: h5py stops the walk on anything else

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    assert len(out) > 20, f"only {len(out)} arrays read from {path}"
    return out


def assert_same_state(actual, expected, what):
    assert actual.keys() == expected.keys(), f"{what}: {sorted(actual.keys() ^ expected.keys())}"
    for key, a in expected.items():
        b = actual[key]
        limit = 1e-4 * (np.abs(a).max() if a.size else 0) + 1e-7
        diff = np.abs(a - b).max() if a.size else 0.0
        assert diff <= limit, f"{what}: {key} differs by {diff:.3g} (limit {limit:.3g})"


@pytest.mark.parametrize("backend", ["jax", "torch"])
@pytest.mark.parametrize("name", NAMES)
def test_training_steps_match_tensorflow(runs, name, backend):
    folder = runs.root / name
    init = arrays(folder / "init.weights.h5")
    reference = arrays(folder / "tensorflow.weights.h5")
    # The steps moved every network far beyond the tolerance, and the counter counts them.
    for net in {k.split("/")[0] for k in reference if "/layers/" in k}:
        moved = max(np.abs(reference[k] - init[k]).max() for k in reference if k.startswith(net + "/"))
        assert moved > 1e-4, f"{name}: {net} did not train"
    assert reference["vars/0"] == STEPS  # d_steps
    assert_same_state(arrays(folder / f"{backend}.weights.h5"), reference,
                      f"{name} on {backend} vs tensorflow")


@pytest.mark.parametrize("name", NAMES)
def test_jax_data_parallel_at_two_steps_per_call_matches_one_device_at_one(runs, name):
    folder = runs.root / name
    assert_same_state(arrays(folder / "jax-2dev.weights.h5"), arrays(folder / "jax.weights.h5"),
                      f"{name} on two JAX devices vs one")
    assert json.loads((folder / "jax-2dev.devices.json").read_text()) == {
        "devices": 2, "variable_on": 2, "batch_axis": "batch", "batch_split": 2}


@pytest.mark.parametrize("name", NAMES)
def test_checkpoints_give_the_same_outputs_on_every_backend(runs, name):
    folder = runs.root / name
    for weights in ["init.weights.h5"] + [f"{b}.weights.h5" for b in BACKENDS]:
        outputs = {b: np.load(folder / f"{weights}.{b}.npz") for b in BACKENDS}
        reference = outputs["tensorflow"]
        assert reference["arr_0"].std() > 1e-3  # real images, not a constant
        for b in ("jax", "torch"):
            for key in reference.files:
                np.testing.assert_allclose(
                    outputs[b][key], reference[key], rtol=0, atol=1e-5,
                    err_msg=f"{name}: {weights} on {b} vs tensorflow")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", NAMES)
def test_predict_and_evaluate_work_on_every_backend(runs, name, backend):
    """Keras' own calls (JAX runs them with the zoo's step functions), at 2 steps per call:
    ``predict`` is ``sample``/``translate``, ``evaluate`` measures what training does and
    changes nothing."""
    calls = json.loads((runs.root / name / f"torch.weights.h5.{backend}.keras.json").read_text())
    assert calls["predict_vs_sample"] <= 1e-6, calls
    assert set(calls["evaluate"]) == set(calls["tracked"]), calls
    assert all(np.isfinite(v) for v in calls["evaluate"].values()) and calls["weights_unchanged"]


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_variant_tests_pass_on(runs, backend):
    returncode, out = runs.suites[backend]
    assert returncode == 0, out[-6000:]
    summary = out.strip().splitlines()[-1]
    assert " passed" in summary and "skipped" not in summary and "failed" not in summary, summary


SHIPPED = """
import sys
if sys.argv[2] != "tensorflow":
    sys.modules["tensorflow"] = None  # an accelerator machine without TensorFlow
import numpy as np, zoo
from zoo import registry
out = {}
for name in registry.list_models(shipped_only=True):
    model = zoo.load(name)
    if model.task == "image-to-image":
        shape = (2, model.image_size, model.image_size, model.channels)
        images = np.linspace(-1, 1, int(np.prod(shape)), dtype="float32").reshape(shape)
        out[name] = model.translate(images)
    else:
        out[name] = model.sample(4, seed=0)
np.savez(sys.argv[1], **out)
"""


@pytest.fixture(scope="module")
def shipped_outputs(tmp_path_factory):
    """What every shipped checkpoint makes on each backend (JAX and PyTorch without TensorFlow)."""
    folder = tmp_path_factory.mktemp("shipped")
    procs = {}
    for backend in BACKENDS:
        procs[backend] = subprocess.Popen(
            [sys.executable, "-c", SHIPPED, str(folder / f"{backend}.npz"), backend],
            env=environment(backend, folder), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)
    finish(*procs.values())
    return {b: dict(np.load(folder / f"{b}.npz")) for b in BACKENDS}


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_shipped_checkpoints_give_the_same_images_without_tensorflow(shipped_outputs, backend):
    reference = shipped_outputs["tensorflow"]
    from zoo import registry

    assert set(reference) == set(registry.list_models(shipped_only=True))
    assert {"cyclegan-sneaker2boot", "cyclegan-noto2twemoji"} <= set(reference)
    assert shipped_outputs[backend].keys() == reference.keys()
    for name, images in reference.items():
        assert images.std() > 0.1, name
        # 3e-5: cyclegan-ming2kai's deeper grey maps differ by up to 1.4e-5 on JAX.
        np.testing.assert_allclose(shipped_outputs[backend][name], images, rtol=0, atol=3e-5,
                                   err_msg=f"{name} on {backend}")


def test_unsupported_backend_says_which_ones_work():
    env = {**os.environ, "KERAS_BACKEND": "numpy"}
    run = subprocess.run([sys.executable, "-c", "import zoo"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode != 0
    assert "tensorflow, jax and torch backends" in run.stderr and "'numpy'" in run.stderr
