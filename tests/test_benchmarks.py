"""The benchmark's FLOP counter: the numbers behind its GFLOP/s column."""

import importlib.util
import json
from pathlib import Path

import keras
import pytest
import tensorflow as tf

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def speed():
    spec = importlib.util.spec_from_file_location(
        "training_speed", ROOT / "benchmarks" / "training_speed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def flops(speed, fn, *specs):
    return speed.graph_flops(tf.function(fn).get_concrete_function(*specs).graph)


@pytest.mark.parametrize("size, kernel, strides, padding", [(1, 7, 1, "valid"), (7, 5, 2, "same")])
def test_transposed_convolution_costs_what_its_forward_twin_does(speed, size, kernel, strides,
                                                                 padding):
    layer = keras.layers.Conv2DTranspose(16, kernel, strides=strides, padding=padding,
                                         use_bias=False)
    x = tf.TensorSpec((2, size, size, 8))
    layer.build(x.shape)
    # Each input pixel meets the whole kernel once: N * H * W * C_in * k * k * C_out MACs.
    assert flops(speed, layer, x) == 2 * 2 * size * size * 8 * kernel * kernel * 16


def test_training_step_counts_forward_and_both_backward_products(speed):
    conv = keras.layers.Conv2D(16, 5, strides=2, padding="same", use_bias=False)
    dense = keras.layers.Dense(10, use_bias=False)
    x = tf.TensorSpec((4, 14, 14, 8))
    conv.build(x.shape)
    dense.build((4, 7 * 7 * 16))

    def step(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(dense(tf.reshape(conv(x), (4, -1))))
        return tape.gradient(y, [x, conv.kernel, dense.kernel])

    conv_macs = 4 * 7 * 7 * 16 * 5 * 5 * 8
    dense_macs = 4 * 7 * 7 * 16 * 10
    # Forward, gradient with respect to the input, and with respect to the weights.
    assert flops(speed, step, x) == 2 * 3 * (conv_macs + dense_macs)


def test_backend_benchmark_runs_without_tensorflow(tmp_path):
    """benchmarks/backends.py on a machine with JAX and PyTorch and no TensorFlow."""
    import os
    import subprocess
    import sys

    blocker = tmp_path / "no_tf" / "tensorflow"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text('raise ImportError("no TensorFlow on this machine")\n')
    table = tmp_path / "table.md"
    env = {**os.environ, "PYTHONPATH": str(blocker.parent)}
    env.pop("KERAS_BACKEND", None)
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "backends.py"), "--backends=jax,torch",
         "--variants=gan,cyclegan", "--steps=2", "--repeats=1", f"--markdown={table}"],
        env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    text = table.read_text()
    assert "JAX" in text and "PyTorch" in text and "TensorFlow" not in text
    rows = {line.split(" | ")[0].strip("| "): line.split(" | ") for line in text.splitlines()
            if line.startswith("| gan") or line.startswith("| cyclegan")}
    assert set(rows) == {"gan", "cyclegan"}
    # batch, jax and torch img/s, the torch/jax ratio: all measured numbers.
    assert all(float(cell) > 0 for cell in rows["gan"][1:5]), rows["gan"]


def test_training_benchmark_times_each_precision_under_its_own_policy(speed, tmp_path):
    import os
    import subprocess
    import sys

    before = keras.mixed_precision.global_policy().name
    model = speed.zoo_model("gan", policy="mixed_bfloat16")
    layers = model.generator.layers + model.discriminator.layers
    assert {layer.compute_dtype for layer in layers} >= {"bfloat16"}
    assert {w.dtype for w in model.generator.weights} == {"float32"}
    assert keras.mixed_precision.global_policy().name == before  # restored
    table = tmp_path / "table.md"
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "training_speed.py"), "--variants=gan",
         "--steps=2", "--repeats=1", "--notorch", "--noxla", "--threads=1",
         "--precisions=mixed_bfloat16", f"--markdown={table}"],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    head, row = [line.split(" | ") for line in table.read_text().splitlines()
                    if line.startswith("| ")]
    cells = dict(zip([h.strip("| ") for h in head], [c.strip("| ") for c in row]))
    # Only the precisions asked for (float16, emulated on most CPUs, takes this test from
    # 50 s to 240 s; its training under its policy is tests/test_precision.py's).
    for column in ("zoo fit bf16 img/s", "bf16/zoo"):
        assert float(cells[column]) > 0, cells
    assert "zoo fit f16 img/s" not in cells and "f16/zoo" not in cells, cells
    ratio = float(cells["zoo fit bf16 img/s"]) / float(cells["zoo fit img/s"])
    assert abs(float(cells["bf16/zoo"]) - ratio) < 0.06, cells


def test_speeds_and_ratios_never_round_to_zero(speed):
    # CI's CPU emulates float16: 2 img/s against 1,400 printed its ratio as "0.00".
    assert [speed.number(v) for v in (1414.4, 12.6, 1.234, 0.1, 0.00312, 0.0)] == [
        "1414", "13", "1.23", "0.10", "0.0031", "0"]


def test_time_to_a_fid_is_read_from_runs_that_stop_there(tmp_path):
    import os
    import subprocess
    import sys

    out = tmp_path / "runs"
    args = [sys.executable, str(ROOT / "studies" / "precision_parity.py"), "--smoke",
            "--preset=dcgan-mnist", "--steps=6", "--seeds=0", f"--out={out}",
            "--precisions=float32,mixed_bfloat16", "--stop_at_fid=100000"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    run = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    table = run.stdout.split("Time to a domain FID of 100000")[1].split("\n\n")[1]
    rows = [line.split(" | ") for line in table.splitlines()[2:]]
    assert [(r[0].strip("| "), r[2]) for r in rows] == [("float32", "2"), ("mixed_bfloat16", "2")]
    for precision in ("float32", "mixed_bfloat16"):  # each stopped at its first measurement
        record = json.loads((out / "dcgan-mnist" / f"{precision}-seed0" / "record.json")
                            .read_text())
        assert record["train_steps"] == 2 and record["precision"] == precision
        minutes = record["curve"][0]["train_time_s"] / 60
        assert f"| {minutes:.1f} min |" in table
    # Ran again, it reads the finished runs instead of training them again.
    again = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and table in again.stdout
