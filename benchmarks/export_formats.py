"""Which export formats work on which backend: README's table ("The Keras forward pass,
and serving"). For three shipped presets (noise -> image, conditional, translator) it
exports each format, loads the file with its own runtime (``tf.saved_model.load``,
``onnxruntime``) and prints the largest pixel difference from ``model.predict`` on the
same inputs, or the first line of the error.

    KERAS_BACKEND=tensorflow python benchmarks/export_formats.py
    KERAS_BACKEND=jax python benchmarks/export_formats.py     # ONNX: pip install jax2onnx
    KERAS_BACKEND=torch python benchmarks/export_formats.py   # ONNX: pip install onnxscript
"""

import os
import tempfile

import keras
import numpy as np

import zoo

PRESETS = ("dcgan-mnist", "cgan-mnist", "cyclegan-sneaker2boot")


def inputs(model):
    if isinstance(model, zoo.CycleGAN):
        return np.random.default_rng(0).uniform(-1, 1, (3,) + model.image_shape).astype("float32")
    if model.num_classes:
        return [model.latents(3, seed=0), np.arange(3, dtype="int32")]
    return model.latents(3, seed=0)


def served(fmt, path, x):
    if fmt == "onnx":
        import onnxruntime

        session = onnxruntime.InferenceSession(path)
        names = [i.name for i in session.get_inputs()]
        return session.run(None, dict(zip(names, x if isinstance(x, list) else [x])))[0]
    import tensorflow as tf

    loaded = tf.saved_model.load(path)  # kept alive while it serves
    return loaded.serve(x).numpy()


def main():
    backend = keras.backend.backend()
    print("| backend | preset | format | result |\n|---|---|---|---|")
    for name in PRESETS:
        model = zoo.load(name)
        x = inputs(model)
        expected = np.asarray(model.predict(x, verbose=0))
        for fmt in ("tf_saved_model", "onnx"):
            path = os.path.join(tempfile.mkdtemp(), "m.onnx" if fmt == "onnx" else "served")
            try:
                model.export(path, format=fmt, verbose=False)
                diff = float(np.abs(served(fmt, path, x) - expected).max())
                result = f"works, max |difference| {diff:.1e}"
            except Exception as e:  # noqa: BLE001 - the table reports what fails, and why
                result = f"fails: {type(e).__name__}: {str(e).splitlines()[0][:120]}"
            print(f"| {backend} | {name} | {fmt} | {result} |", flush=True)


if __name__ == "__main__":
    main()
