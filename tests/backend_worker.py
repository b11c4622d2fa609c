"""Runs zoo jobs on one Keras backend, for tests/test_backends.py.

Keras fixes its backend when it is imported, so comparing backends takes one
process per backend: ``KERAS_BACKEND=jax python tests/backend_worker.py jobs.json``.
Each job reads and writes files in the job's folder:

* ``init``: build the tiny preset, compile it, save ``init.weights.h5`` and
  ``batches.npz`` (the training batches every backend will use).
* ``train``: load ``init.weights.h5``, ``fit`` on ``batches.npz`` for one epoch
  (``steps`` batches, in order, ``steps_per_execution`` of them per call: 1 unless
  the job says), save ``<tag>.weights.h5``. With ``devices`` > 1 (JAX only) under
  ``keras.distribution.DataParallel``.
* ``outputs``: load each listed weights file and write what the model makes of
  fixed inputs (``sample(8, seed=1)`` or ``translate``) to ``<file>.<backend>.npz``;
  for the last file also what Keras' ``predict`` gives beside ``sample``/``translate``
  on the same inputs, and what ``evaluate`` measures (``<file>.<backend>.keras.json``).
"""

import json
import os
import sys

if "--devices" in sys.argv:  # before JAX initialises its devices
    count = sys.argv[sys.argv.index("--devices") + 1]
    os.environ["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={count}"

import keras  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from tiny import batch, build  # noqa: E402

from zoo.models import ConditionalGAN  # noqa: E402

BACKEND = keras.backend.backend()


def fit_arrays(model, arrays):
    if model.task == "image-to-image" or isinstance(model, ConditionalGAN):
        return {"x": arrays["x"], "y": arrays["y"]}
    return {"x": arrays["x"]}


def fixed_outputs(model):
    if model.task == "image-to-image":
        images = batch(model, 2, seed=9)[0]
        return tuple(model.translate(images, direction=d) for d in model.directions)
    return (model.sample(8, seed=1),)


def run(job):
    folder = job["folder"]
    path = lambda name: os.path.join(folder, name)  # noqa: E731
    if job["kind"] == "init":
        keras.utils.set_random_seed(0)
        model = build(job["name"])
        model.compile()
        model.save_weights(path("init.weights.h5"))
        data = batch(model, job["batch_size"] * job["steps"], seed=5)
        data = data if isinstance(data, tuple) else (data,)
        np.savez(path("batches.npz"), **dict(zip("xy", data)))
    elif job["kind"] == "train":
        if job.get("devices", 1) > 1:
            keras.distribution.set_distribution(keras.distribution.DataParallel())
        model = build(job["name"])
        model.compile(steps_per_execution=job.get("steps_per_execution", 1))
        model.load_weights(path("init.weights.h5"))
        arrays = dict(np.load(path("batches.npz")))
        model.fit(**fit_arrays(model, arrays), batch_size=job["batch_size"], shuffle=False,
                  epochs=1, verbose=0)
        model.save_weights(path(job["tag"] + ".weights.h5"))
        if job.get("devices", 1) > 1:
            # What the test checks: two devices, the variables on both, batches split over them.
            import jax

            layout = keras.distribution.distribution().get_data_layout((job["batch_size"], 1))
            with open(path(job["tag"] + ".devices.json"), "w") as f:
                json.dump({
                    "devices": len(jax.devices()),
                    "variable_on": len(model.trainable_variables[0].value.sharding.device_set),
                    "batch_axis": layout.axes[0],
                    "batch_split": int(layout.device_mesh.shape[0]),
                }, f)
            keras.distribution.set_distribution(None)
    elif job["kind"] == "outputs":
        model = build(job["name"])
        model.compile()
        for weights in job["weights"]:
            model.load_weights(path(weights))
            np.savez(path(f"{weights}.{BACKEND}.npz"), *fixed_outputs(model))
        with open(path(f"{weights}.{BACKEND}.keras.json"), "w") as f:
            json.dump(keras_calls(model), f)


def keras_calls(model):
    """``predict`` against ``sample``/``translate`` (largest difference), and ``evaluate``,
    both at 2 steps per call (predict: 3 batches of 1, evaluate: 2 batches of 2)."""
    model.set_steps_per_execution(2)
    if model.task == "image-to-image":
        x = batch(model, 3, seed=4)[0]
        expected = model.translate(x)
    elif isinstance(model, ConditionalGAN):
        x = [model.latents(3, seed=2), np.arange(3, dtype="int32")]
        expected = model.sample(3, seed=2, labels=x[1])
    else:
        x, expected = model.latents(3, seed=2), model.sample(3, seed=2)
    data = batch(model, 4, seed=6)
    data = data if isinstance(data, tuple) else (data,)
    before = [np.array(v) for v in model.get_weights()]
    logs = model.evaluate(*data, batch_size=2, verbose=0, return_dict=True)
    predicted = model.predict(x, batch_size=1, verbose=0)
    return {"predict_vs_sample": float(np.abs(predicted - expected).max()),
            "evaluate": logs, "tracked": list(model.tracker_names),
            "weights_unchanged": all(np.array_equal(a, np.array(b))
                                     for a, b in zip(before, model.get_weights()))}


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        for job in json.load(f):
            run(job)
