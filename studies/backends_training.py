"""Real training on each backend: does the zoo train as well on JAX and PyTorch?

    python studies/backends_training.py --preset gan-mnist --epochs 5 --out runs/backends

From one set of initial weights (made under TensorFlow) and the same data order
(``zoo.data.load(..., seed=0)``), ``fit`` runs ``--epochs`` epochs on each backend in
its own process; then every result is scored with ``zoo.evaluate`` (the zoo's
domain classifier, n = 10,000) and compared with TensorFlow's weights. Needs the
prepared dataset (``python -m zoo prepare-data mnist``) and TensorFlow (for the
data pipeline and the scoring). Prints a table and writes ``summary.json``.
"""

import json
import os
import subprocess
import sys
import time

from absl import app, flags

flags.DEFINE_string("preset", "gan-mnist", "An unconditional preset.")
flags.DEFINE_integer("epochs", 5, "Epochs on each backend.")
flags.DEFINE_integer("batch_size", 64, "Global batch size.")
flags.DEFINE_list("backends", ["tensorflow", "jax", "torch"], "Backends to train on.")
flags.DEFINE_string("out", "runs/backends-training", "Folder for weights and the summary.")
flags.DEFINE_string("worker", None, "Internal: train on this backend in this process.")
FLAGS = flags.FLAGS


def build():
    from zoo import registry

    model = registry.build(FLAGS.preset)
    model.compile(**registry.PRESETS[FLAGS.preset].optimizers)
    return model


def train():
    from zoo import data, registry

    model = build()
    model.load_weights(os.path.join(FLAGS.out, "init.weights.h5"))
    dataset = data.load(registry.PRESETS[FLAGS.preset].dataset, batch_size=FLAGS.batch_size,
                        seed=0)
    start = time.time()
    model.fit(dataset, epochs=FLAGS.epochs, verbose=0)
    model.save_weights(os.path.join(FLAGS.out, f"{FLAGS.worker}.weights.h5"))
    with open(os.path.join(FLAGS.out, f"{FLAGS.worker}.json"), "w") as f:
        json.dump({"seconds": time.time() - start, "steps": int(model.d_steps.numpy())}, f)


def arrays(path):
    import h5py
    import numpy as np

    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda k, v: out.__setitem__(k, np.asarray(v[()], np.float64))
                     if isinstance(v, h5py.Dataset) else None)
    return out


def main(argv):
    if FLAGS.worker:
        return train()
    os.makedirs(FLAGS.out, exist_ok=True)
    import keras
    import numpy as np

    from zoo import registry
    from zoo.evaluation import evaluate

    keras.utils.set_random_seed(0)
    build().save_weights(os.path.join(FLAGS.out, "init.weights.h5"))
    procs = [subprocess.Popen([sys.executable, os.path.abspath(__file__), f"--worker={b}",
                               f"--preset={FLAGS.preset}", f"--epochs={FLAGS.epochs}",
                               f"--batch_size={FLAGS.batch_size}", f"--out={FLAGS.out}"],
                              env={**os.environ, "KERAS_BACKEND": b}) for b in FLAGS.backends]
    for p in procs:
        if p.wait():
            raise SystemExit(f"a backend run failed: {p.args}")
    reference = arrays(os.path.join(FLAGS.out, f"{FLAGS.backends[0]}.weights.h5"))
    summary = {}
    for b in FLAGS.backends:
        model = build()
        path = os.path.join(FLAGS.out, f"{b}.weights.h5")
        model.load_weights(path)
        metrics = evaluate(model, registry.PRESETS[FLAGS.preset].dataset)["metrics"]
        weights = arrays(path)
        drift = max(np.abs(weights[k] - reference[k]).max() / (np.abs(reference[k]).max() + 1e-12)
                    for k in reference if k.startswith("generator/") and reference[k].size > 1)
        with open(os.path.join(FLAGS.out, f"{b}.json")) as f:
            run = json.load(f)
        summary[b] = {**run, **{k: metrics.get(k) for k in
                                ("fid", "precision", "recall", "classes_covered")},
                      "generator_drift_vs_" + FLAGS.backends[0]: float(drift)}
        print(b, summary[b], flush=True)
    with open(os.path.join(FLAGS.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)


if __name__ == "__main__":
    app.run(main)
