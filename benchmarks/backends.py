"""Training and sampling speed of every variant on each Keras backend.

    python benchmarks/backends.py --markdown benchmarks/backends.md

One worker process per backend (Keras fixes its backend at import), each
timing ``model.fit`` on in-memory batches (the median of ``--repeats`` epochs of
``--steps`` steps, after one untimed epoch that compiles) and
``model.sample(1000)``. Backends that are not installed are skipped, so the
same command runs the whole benchmark on an accelerator machine that has JAX
or PyTorch and no TensorFlow: the data are numpy arrays, nothing here imports
TensorFlow unless the TensorFlow backend is timed. The table goes to stdout and
to ``--markdown``.

A step is one discriminator/critic update (WGAN and WGAN-GP: 5 per generator
update, no warm-up schedule); images/s counts the real images a step consumes.
"""

import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SETTINGS, epoch_clock  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

flags.DEFINE_list("backends", ["tensorflow", "jax", "torch"], "Backends to time (if installed).")
flags.DEFINE_list("variants", ["gan", "dcgan", "wgan", "wgan-gp", "cgan", "cyclegan"],
                  "Variants to time; add cyclegan-256 on an accelerator.")
flags.DEFINE_integer("steps", 20, "Steps per timed epoch.")
flags.DEFINE_integer("repeats", 3, "Timed epochs (the median is reported).")
flags.DEFINE_string("markdown", None, "Write the table to this markdown file too.")
flags.DEFINE_string("worker", None, "Internal: time this backend in this process.")
FLAGS = flags.FLAGS

def device_name(backend):
    if backend == "jax":
        import jax

        d = jax.devices()[0]
        return f"JAX {jax.__version__} on {len(jax.devices())} x {d.device_kind} ({d.platform})"
    if backend == "torch":
        import torch

        where = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "CPU"
        return f"PyTorch {torch.__version__} on {where}"
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    return f"TensorFlow {tf.__version__} on {'GPU ' + gpus[0].name if gpus else 'CPU'}"


def time_variant(variant):

    from zoo import registry

    preset, batch, overrides = SETTINGS[variant]
    model = registry.build(preset, **overrides)
    model.compile(**registry.PRESETS[preset].optimizers)
    n = batch * FLAGS.steps
    example = model.example_batch(n)
    x, y = example if isinstance(example, tuple) else (example, None)
    times = []

    for _ in range(FLAGS.repeats + 1):
        model.fit(x, y, batch_size=batch, shuffle=False, epochs=1, verbose=0,
                  callbacks=[epoch_clock(times)])
    fit = n / statistics.median(times[1:])
    sample = None
    if model.task != "image-to-image":
        model.sample(1000, seed=0)  # compiles
        t = time.perf_counter()
        model.sample(1000, seed=1)
        sample = 1000 / (time.perf_counter() - t)
    return {"variant": variant, "batch": batch, "fit": fit, "sample": sample}


def worker(backend):
    sys.path.insert(0, ROOT)
    print(json.dumps({"device": device_name(backend)}), flush=True)
    for variant in FLAGS.variants:
        print(json.dumps(time_variant(variant)), flush=True)


def installed(backend):
    return importlib.util.find_spec(backend) is not None


def fmt(v):
    return "n/a" if v is None else (f"{v:.0f}" if v >= 10 else f"{v:.2f}")


def main(argv):
    if FLAGS.worker:
        return worker(FLAGS.worker)
    start = time.time()
    results, devices = {}, {}
    for backend in FLAGS.backends:
        if not installed(backend):
            print(f"{backend}: not installed, skipped", file=sys.stderr)
            continue
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
        args = [sys.executable, os.path.abspath(__file__), f"--worker={backend}",
                f"--variants={','.join(FLAGS.variants)}", f"--steps={FLAGS.steps}",
                f"--repeats={FLAGS.repeats}"]
        run = subprocess.run(args, env=env, capture_output=True, text=True)
        rows = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
        if run.returncode:
            print(f"{backend} failed:\n{run.stderr[-3000:]}", file=sys.stderr)
        for row in rows:
            if "device" in row:
                devices[backend] = row["device"]
            else:
                results.setdefault(row["variant"], {})[backend] = row
    timed = [b for b in FLAGS.backends if b in devices]
    base = timed[0] if timed else None
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} logical CPUs; "
        + "; ".join(devices[b] for b in timed) + ".",
        f"fit: median of {FLAGS.repeats} epochs of {FLAGS.steps} steps after a compiling epoch; "
        f"sample: 1000 images after a compiling call; whole run {time.time() - start:.0f} s.",
        "",
        "| variant | batch | " + " | ".join(f"{b} fit img/s" for b in timed)
        + " | " + " | ".join(f"{b}/{base}" for b in timed[1:])
        + (" | " if len(timed) > 1 else "") + " | ".join(f"{b} sample img/s" for b in timed) + " |",
        "|---" * (2 + 2 * len(timed) + max(len(timed) - 1, 0)) + "|",
    ]
    for variant in FLAGS.variants:
        row = results.get(variant, {})
        if not row:
            continue
        batch = next(iter(row.values()))["batch"]
        fits = [row[b]["fit"] if b in row else None for b in timed]
        ratios = [fmt(None) if f is None or fits[0] is None else f"{f / fits[0]:.2f}"
                  for f in fits[1:]]
        samples = [fmt(row[b]["sample"]) if b in row else "n/a" for b in timed]
        lines.append(f"| {variant} | {batch} | " + " | ".join(fmt(f) for f in fits)
                     + " | " + " | ".join(ratios) + (" | " if ratios else "")
                     + " | ".join(samples) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    if FLAGS.markdown:
        tmp = FLAGS.markdown + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, FLAGS.markdown)


if __name__ == "__main__":
    app.run(main)
