"""Quality parity of mixed precision (issue 19): a preset trained the same number of
steps in float32 and in mixed_bfloat16, with two seeds each, on its real data, and
its domain FID at the end. Each run is its recipe in its own process (the dtype
policy is global), one after another on ``--threads`` threads; the records stay
in ``--out``. Prints a markdown table: one row per run, then each precision's mean
and the half-range of its seeds (the spread a difference must exceed).

    python studies/precision_parity.py --preset dcgan-mnist --steps 1872 --seeds 0 1

With ``--stop_at_fid T`` it measures the time to a quality instead: every run
measures each epoch, stops at the first FID at or below T (the better weight
set's), and the table says when each got there (steps, and training time alone,
without the time spent measuring).

    python studies/precision_parity.py --preset dcgan-mnist --stop_at_fid 20 \
        --steps 11700 --seeds 0 --eval_n 5000 --out runs/time-to-fid
"""

import json
import statistics
import subprocess
import sys
from pathlib import Path

from absl import app, flags

ROOT = Path(__file__).resolve().parent.parent
flags.DEFINE_string("preset", "dcgan-mnist", "Preset (its recipe is run).")
flags.DEFINE_integer("steps", 1872, "Training steps of every run.")
flags.DEFINE_list("seeds", ["0", "1"], "Seeds (initial weights, noise, data order).")
flags.DEFINE_list("precisions", ["float32", "mixed_bfloat16"], "Keras dtype policies.")
flags.DEFINE_integer("threads", 1, "Threads per run.")
flags.DEFINE_integer("eval_n", 2000, "Samples per FID.")
flags.DEFINE_bool("smoke", False, "The recipes' smoke mode (tiny models, mock data): tests.")
flags.DEFINE_float("stop_at_fid", 0, "Measure every epoch and stop each run at this FID "
                   "(0: measure once, at the end of --steps).")
flags.DEFINE_string("out", "runs/precision-parity", "Run folders go here.")
FLAGS = flags.FLAGS


def reached(curve):
    """The rows at or below --stop_at_fid (the better weight set's FID)."""
    from zoo.probe import QualityProbe

    return [r for r in curve if QualityProbe.badness(r) <= FLAGS.stop_at_fid]


def done(record):
    """Whether a run's record answers this call: its --steps trained, or its FID reached."""
    if not record.exists():
        return False
    rec = json.loads(record.read_text())
    return rec["train_steps"] >= FLAGS.steps or bool(FLAGS.stop_at_fid and reached(rec["curve"]))


def train(precision, seed):
    from zoo import registry

    out = Path(FLAGS.out) / FLAGS.preset / f"{precision}-seed{seed}"
    record = out / "record.json"
    if not done(record):  # the recipe resumes a run that has its `last` state
        epoch = registry.PRESETS[FLAGS.preset].schedule.steps_per_epoch
        every = 1 if FLAGS.stop_at_fid else max(1, FLAGS.steps // epoch)
        recipe = ROOT / "recipes" / f"{FLAGS.preset.replace('-', '_')}.py"
        subprocess.run([sys.executable, str(recipe), f"--outdir={out}", f"--steps={FLAGS.steps}",
                        f"--seed={seed}", f"--precision={precision}", f"--threads={FLAGS.threads}",
                        f"--eval_n={FLAGS.eval_n}", f"--eval_every={every}",
                        f"--stop_at_fid={FLAGS.stop_at_fid}", f"--smoke={FLAGS.smoke}"],
                       check=True, stdout=subprocess.DEVNULL)
    rec = json.loads(record.read_text())
    last = rec["curve"][-1]
    row = {"precision": precision, "seed": seed, "steps": rec["train_steps"],
           "wall_s": rec["wall_time_s"], "fid": last["fid"], "fid_average": last.get("fid_average"),
           "train_s": last.get("train_time_s", rec["wall_time_s"])}
    if reached(rec["curve"]):  # training time alone; rows from before it was recorded: wall
        first = reached(rec["curve"])[0]
        row["reached"] = {"steps": first["train_steps"],
                          "train_s": first.get("train_time_s", first["wall_time_s"]),
                          "fid": min(first["fid"], first.get("fid_average", first["fid"]))}
    return row


def main(argv):
    del argv
    rows = [train(p, int(s)) for p in FLAGS.precisions for s in FLAGS.seeds]
    print(f"{FLAGS.preset}, {FLAGS.steps} steps, domain FID on {FLAGS.eval_n} samples\n")
    print("| precision | seed | wall s | FID | FID (averaged G) |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['precision']} | {r['seed']} | {r['wall_s']:.0f} | {r['fid']:.1f} | "
              f"{r['fid_average'] or float('nan'):.1f} |")
    if FLAGS.stop_at_fid:
        print(f"\nTime to a domain FID of {FLAGS.stop_at_fid:g} (the better weight set's)\n\n"
              "| precision | seed | steps | training time | FID there |\n|---|---|---|---|---|")
        for r in rows:
            if "reached" in r:
                print(f"| {r['precision']} | {r['seed']} | {r['reached']['steps']:,} | "
                      f"{r['reached']['train_s'] / 60:.1f} min | {r['reached']['fid']:.1f} |")
            else:
                print(f"| {r['precision']} | {r['seed']} | not within {r['steps']:,} | "
                      f"> {r['train_s'] / 60:.1f} min | |")
    print("\n| precision | FID mean ± half-range | averaged G | wall s (mean) |\n|---|---|---|---|")
    for p in FLAGS.precisions:
        mine = [r for r in rows if r["precision"] == p]

        def summary(key):
            values = [r[key] for r in mine if r[key] is not None]
            return f"{statistics.mean(values):.1f} ± {(max(values) - min(values)) / 2:.1f}"

        wall = statistics.mean(r["wall_s"] for r in mine)
        print(f"| {p} | {summary('fid')} | {summary('fid_average')} | {wall:.0f} |")


if __name__ == "__main__":
    app.run(main)
