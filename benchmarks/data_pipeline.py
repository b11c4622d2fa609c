"""Is training ever input-bound? The pipeline's images/s next to each variant's training step.

Prints a markdown table: images/s that ``zoo.data.load`` delivers (after its first,
caching pass) and images/s each MNIST preset's ``fit`` consumes, with the ratio.
The goal is a ratio of at least 10 for the slowest variant. Needs the prepared MNIST
(``python -m zoo prepare-data mnist``).

    python benchmarks/data_pipeline.py [--steps 30] [--threads 0]
"""

from absl import app, flags
import time


def pipeline_rate(name, batch_size, batches, labels=False):
    from zoo import data

    ds = data.load(name, batch_size=batch_size, labels=labels, repeat=True)
    it = iter(ds)
    for _ in range(60_000 // batch_size + 5):  # first pass fills the cache
        next(it)
    start = time.perf_counter()
    for _ in range(batches):
        next(it)
    return batches * batch_size / (time.perf_counter() - start)


def training_rate(preset, batch_size, steps):
    import numpy as np
    import tensorflow as tf

    from zoo import registry

    model = registry.build(preset)
    x = np.random.default_rng(0).uniform(-1, 1, (batch_size,) + model.image_shape).astype("float32")
    if preset.startswith("cgan"):
        ds = tf.data.Dataset.from_tensors((x, np.arange(batch_size) % 10)).repeat()
    else:
        ds = tf.data.Dataset.from_tensors(x).repeat()
    model.fit(ds, steps_per_epoch=5, epochs=1, verbose=0)  # trace and warm up
    start = time.perf_counter()
    model.fit(ds, steps_per_epoch=steps, epochs=1, verbose=0)
    return steps * batch_size / (time.perf_counter() - start)


flags.DEFINE_integer("steps", 30, "Training steps timed per preset.")
flags.DEFINE_integer("threads", 0, "TensorFlow threads (0: all cores).")
FLAGS = flags.FLAGS


def main(argv):
    del argv
    args = FLAGS
    import tensorflow as tf

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    presets = {"gan-mnist": 64, "dcgan-mnist": 128, "wgan-mnist": 64, "wgan-gp-mnist": 64,
               "cgan-mnist": 128}
    rows = []
    for preset, batch in presets.items():
        feed = pipeline_rate("mnist", batch, 200, labels=preset.startswith("cgan"))
        train = training_rate(preset, batch, args.steps)
        rows.append((preset, batch, feed, train, feed / train))
    print("| preset | batch | pipeline images/s | fit images/s | ratio |")
    print("|---|---|---|---|---|")
    for preset, batch, feed, train, ratio in rows:
        print(f"| {preset} | {batch} | {feed:,.0f} | {train:,.0f} | {ratio:.1f}x |")


if __name__ == "__main__":
    app.run(main)
