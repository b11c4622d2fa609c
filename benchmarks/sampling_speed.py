"""Sampling speed of every shipped checkpoint, and the cold start of the CLI.

* ``sample(n)`` images/s at n = 16, 1,000 and 10,000 (after one warm-up call,
  median of ``--repeats``), for every shipped preset that samples from noise;
* cold start: wall time and peak memory (max RSS) of a fresh
  ``python -m zoo sample wgan-mnist -n 16 -o grid.png`` process, median of
  ``--cold_repeats`` runs, next to a bare interpreter and to importing the
  libraries alone, so the table shows where the time goes.

    python benchmarks/sampling_speed.py --markdown benchmarks/sampling.md
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app, flags  # noqa: E402

flags.DEFINE_list("sizes", ["16", "1000", "10000"], "Sample counts.")
flags.DEFINE_integer("repeats", 3, "Timed calls per size.")
flags.DEFINE_integer("cold_repeats", 5, "Fresh CLI processes to time.")
flags.DEFINE_string("markdown", None, "Write the tables to this markdown file too.")
FLAGS = flags.FLAGS


def child(argv):
    """Wall seconds and peak RSS (MiB) of one fresh process."""
    t = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own resource usage
    wall = time.perf_counter() - t
    if status != 0:
        raise RuntimeError(f"{' '.join(argv)} failed with status {status}")
    return wall, usage.ru_maxrss / 1024  # KiB on Linux


def main(argv):
    del argv
    # Cold start first: a child forked from a process that has loaded TensorFlow
    # would report the parent's memory as its own peak.
    with tempfile.TemporaryDirectory() as tmp:
        grid = os.path.join(tmp, "grid.png")
        cli = [sys.executable, "-m", "zoo", "sample", "wgan-mnist", "-n", "16", "-o", grid]
        imports = [sys.executable, "-c", "import zoo, keras, tensorflow"]
        bare = [sys.executable, "-c", "pass"]
        rows = {}
        for label, cmd in (("python -c pass", bare), ("import zoo (TensorFlow, Keras)", imports),
                           ("python -m zoo sample wgan-mnist -n 16 -o grid.png", cli)):
            runs = [child(cmd) for _ in range(FLAGS.cold_repeats)]
            rows[label] = (statistics.median(w for w, _ in runs), max(m for _, m in runs))
    import zoo

    lines = ["| preset | " + " | ".join(f"n={n} img/s" for n in FLAGS.sizes) + " |",
             "|---|" + "---|" * len(FLAGS.sizes)]
    for name in zoo.list_models(shipped_only=True):
        model = zoo.load(name)
        if model.task == "image-to-image":
            continue
        model.sample(16, seed=0)  # warm-up: traces the generator
        cells = []
        for n in map(int, FLAGS.sizes):
            times = []
            for r in range(FLAGS.repeats):
                t = time.perf_counter()
                model.sample(n, seed=r)
                times.append(time.perf_counter() - t)
            cells.append(f"{n / statistics.median(times):,.0f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)

    lines += ["", "| cold start | wall (median) | peak RSS |", "|---|---|---|"]
    lines += [f"| `{k}` | {w:.2f} s | {m:.0f} MiB |" for k, (w, m) in rows.items()]
    text = "\n".join([f"Machine: {os.cpu_count()} logical CPUs; median of {FLAGS.repeats} "
                      "calls (sampling) and of " f"{FLAGS.cold_repeats} processes (cold start).",
                      ""] + lines) + "\n"
    print(text)
    if FLAGS.markdown:
        with open(FLAGS.markdown, "w") as f:
            f.write(text)


if __name__ == "__main__":
    app.run(main)
