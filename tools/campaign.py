"""The checkpoint campaign: train several presets at once on one machine, each to
a time (and optionally step) budget, resuming where its run stands, then pack
what would be shipped.

Made for the GPU machine some sessions can borrow for about ten minutes (JAX and
PyTorch, no TensorFlow, no package index): ``tools/gpu_campaign.sh`` installs
Keras from carried wheels and calls this script. Each preset runs its own recipe
(``recipes/<preset>.py``) in its own process, with ``--ship`` into
``<outdir>/checkpoints`` and ``--minutes``, so everything a recipe does (quality
curve, best snapshot, exact resume, record with hardware and backend) happens
as on the CPU. A run found in ``--resume_from/<preset>/last`` (a CPU run's
state, say) is continued rather than restarted.

``--pack DIR`` writes one ``<preset>.tar.gz`` per preset (the shipped folder,
the run's record, curve, quality rows and last sample grid, and its resume
state where the archive stays under 16 MiB) and ``campaign.json`` (one summary
row per preset): the files the device tool brings back. Unpack one into the
checkout with ``tar -xzf wgan-mnist.tar.gz -C .`` (it holds
``checkpoints/<preset>/`` and ``runs/<preset>/``), then re-measure it with
``python tools/evaluate_checkpoints.py --only <preset>``.

Before a device call, on this machine: ``--prepare_carry`` writes what must travel
with the checkout: the wheels (``.whl/``: Keras and the two packages it needs that
the GPU image lacks) and each dataset's training split as ``.gpu/zoo/<name>.npz.xz``;
it leaves the weights that are not being trained out of the working tree (a sparse
checkout: ``leave_behind``), then prints the size of everything that travels against
the device tool's 64 MiB. ``--restore_carry`` brings the working tree back.

    python tools/campaign.py --prepare_carry --presets wgan-mnist,dcgan-mnist
    python tools/campaign.py --presets wgan-mnist,dcgan-mnist --minutes 8 --pack /tmp/out
    python tools/campaign.py --restore_carry   # after the device call, on this machine
    python tools/campaign.py --smoke --minutes 1 --pack /tmp/out   # tiny models, mock data
"""

import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

from absl import app, flags

ROOT = Path(__file__).resolve().parent.parent
# The order of issue 14: what users see first.
CAMPAIGN = ["wgan-mnist", "dcgan-mnist", "wgan-gp-mnist", "gan-mnist", "cgan-mnist",
            "dcgan-fashion-mnist", "wgan-gp-fashion-mnist", "cyclegan-sneaker2boot"]
PACK_LIMIT = 16 << 20  # the device tool brings back files of at most 16 MiB

flags.DEFINE_list("presets", CAMPAIGN, "Presets to train, each with recipes/<preset>.py.")
flags.DEFINE_float("minutes", 8, "Training time per preset (they run at once).")
flags.DEFINE_integer("steps", None, "Stop each at this many steps too (default: its schedule).")
flags.DEFINE_integer("parallel", 8, "Presets trained at the same time.")
flags.DEFINE_string("outdir", "/tmp/zoo-campaign", "Runs go to <outdir>/runs/<preset>, shipped "
                    "folders to <outdir>/checkpoints/<preset>.")
flags.DEFINE_string("resume_from", None, "A folder of runs (<preset>/last) to continue.")
flags.DEFINE_string("pack", None, "Write <preset>.tar.gz and campaign.json here.")
flags.DEFINE_integer("eval_every", 1, "Quality measurement every this many epochs.")
flags.DEFINE_integer("steps_per_execution", 64, "Training steps per call (the same results at "
                     "any value): on a GPU a step of these small models is mostly the call.")
flags.DEFINE_bool("smoke", False, "Tiny models on mock data (the tests' dry run).")
flags.DEFINE_bool("prepare_carry", False, "Write .whl/ and .gpu/ for a device call, leave the "
                  "weights that are not trained out of the working tree, and stop.")
flags.DEFINE_bool("restore_carry", False, "After the device call: the whole working tree again.")
FLAGS = flags.FLAGS


def recipe(preset):
    path = ROOT / "recipes" / f"{preset.replace('-', '_')}.py"
    if not path.exists():
        raise app.UsageError(f"no recipe for {preset!r} ({path.name}); presets with recipes: "
                             f"{', '.join(CAMPAIGN)}.")
    return path


def launch(preset, outdir):
    run = outdir / "runs" / preset
    if FLAGS.resume_from and not (run / "last").exists():
        source = Path(FLAGS.resume_from) / preset
        if (source / "last").exists():
            run.mkdir(parents=True, exist_ok=True)
            for name in ("last", "best"):
                if (source / name).exists():
                    shutil.copytree(source / name, run / name)
            if (source / "quality.jsonl").exists():
                shutil.copy(source / "quality.jsonl", run / "quality.jsonl")
    args = [sys.executable, str(recipe(preset)), f"--outdir={run}", f"--minutes={FLAGS.minutes}",
            f"--eval_every={FLAGS.eval_every}", f"--steps_per_execution={FLAGS.steps_per_execution}",
            "--ship"]
    if FLAGS.steps:
        args.append(f"--steps={FLAGS.steps}")
    if FLAGS.smoke:
        args += ["--smoke", "--steps_per_epoch=2"]
    env = {**os.environ, "ZOO_CHECKPOINTS": str(outdir / "checkpoints")}
    log = open(outdir / f"{preset}.log", "w")
    print(f"{preset}: {' '.join(args[1:])}", flush=True)
    return subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT), log


def summary(preset, outdir, returncode, seconds):
    row = {"preset": preset, "returncode": returncode, "seconds": round(seconds, 1)}
    record = outdir / "runs" / preset / "record.json"
    if record.exists():
        rec = json.loads(record.read_text())
        row.update({k: rec.get(k) for k in ("train_steps", "generator_steps", "hardware",
                                            "backend", "wall_time_s")})
        chosen = rec.get("shipped_snapshot", {})
        best = next((r for r in rec.get("curve", [])
                     if r["train_steps"] == chosen.get("train_steps")), None)
        if best:
            row.update({k: best[k] for k in ("fid", "fid_average", "precision", "recall",
                                             "a2b_target_class_rate") if k in best})
    return row


def pack(preset, outdir, target):
    """``<target>/<preset>.tar.gz``; the resume state only where it fits."""
    run = outdir / "runs" / preset
    members = [outdir / "checkpoints" / preset]
    members += [run / n for n in ("record.json", "quality.jsonl", "curve.png") if (run / n).exists()]
    grids = sorted((run / "samples").glob("*.png"))
    members += grids[-1:]
    path = Path(target) / f"{preset}.tar.gz"
    for with_state in (True, False):
        with tarfile.open(path, "w:gz") as tar:
            for m in members + ([run / "last"] if with_state and (run / "last").exists() else []):
                if m.exists():
                    arcname = m.relative_to(outdir)
                    tar.add(m, arcname=str(arcname))
        if path.stat().st_size <= PACK_LIMIT:
            return with_state
    return False


WHEELS = ["keras==3.15.1", "namex==0.1.0", "optree==0.20.0"]  # Python 3.12, x86-64
CARRY_LIMIT = 64 << 20  # the device tool's limit on what travels


def classifiers_for(presets):
    """The shipped classifier folders the presets' quality measurements read."""
    from zoo import registry

    names = set()
    for preset in presets:
        dataset = registry.get(preset).dataset
        names.add("classifier-emoji" if dataset.startswith("emoji") else
                  "classifier-fashion-mnist" if dataset.startswith("fashion") else
                  "classifier-mnist")
    return sorted(names)


def leave_behind(presets, root=ROOT):
    """Take out of the working tree what a campaign of ``presets`` never reads: every
    shipped ``checkpoints/*/model.weights.h5`` (a campaign trains from nothing or from a
    carried run's ``last``, and ships into its own folder) and the classifiers of other
    datasets. A sparse checkout (``git sparse-checkout``): the files stay tracked and in
    every commit, ``git status`` stays clean, and ``restore_carry`` brings them back.
    Returns the paths left behind."""
    keep = classifiers_for(presets)
    patterns = ["/*", "!/checkpoints/*/model.weights.h5", "!/checkpoints/classifier-*/",
                *(f"/checkpoints/{name}/" for name in keep)]
    subprocess.run(["git", "sparse-checkout", "set", "--no-cone", "--stdin"], cwd=root,
                   input="\n".join(patterns) + "\n", text=True, check=True,
                   capture_output=True)
    listed = subprocess.run(["git", "ls-files", "-t"], cwd=root, capture_output=True,
                            text=True, check=True).stdout.splitlines()
    return [line[2:] for line in listed if line.startswith("S ")]  # S: skip-worktree


def restore_carry(root=ROOT):
    """The whole working tree again, as before ``leave_behind``."""
    subprocess.run(["git", "sparse-checkout", "disable"], cwd=root, check=True,
                   capture_output=True)


def prepare_carry(presets):
    """``.whl/`` and ``.gpu/zoo/<dataset>.npz.xz`` (training split only, xz), with the
    weights that are not being trained left behind (``leave_behind``: the shipped
    checkpoints alone are three times the device tool's 64 MiB); returns the bytes that
    travel."""
    import io
    import lzma

    import numpy as np

    from zoo import data, registry

    platforms = [f"--platform={p}" for p in ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64",
                                            "manylinux2014_x86_64")]
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                    "--only-binary=:all:", "--python-version=3.12", "--implementation=cp",
                    *platforms, "-d", str(ROOT / ".whl"), *WHEELS], check=True)
    datasets = {registry.get(p).dataset for p in presets}
    sources = {d.split("/")[0].replace("fashion_mnist_pair", "fashion_mnist") for d in datasets}
    for name in sorted(sources):
        target = ROOT / ".gpu" / "zoo" / f"{name}.npz.xz"
        if not target.exists():
            x, y = data.read_arrays(name, "train")
            buffer = io.BytesIO()
            np.savez(buffer, train_images=x, train_labels=y)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(lzma.compress(buffer.getvalue(), preset=9))
        print(f"{target.relative_to(ROOT)}: {target.stat().st_size / 2**20:.1f} MiB")
    behind = leave_behind(presets)
    print(f"left behind until `python tools/campaign.py --restore_carry`: {len(behind)} "
          f"tracked files ({', '.join(sorted({str(Path(p).parent) for p in behind}))})")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    tree = sum((ROOT / p.decode()).stat().st_size for p in listed
               if p and (ROOT / p.decode()).is_file())
    carried = sum(p.stat().st_size for d in (".whl", ".gpu") for p in (ROOT / d).rglob("*")
                  if p.is_file())
    total = tree + carried
    print(f"travels: checkout {tree / 2**20:.1f} MiB + carried {carried / 2**20:.1f} MiB = "
          f"{total / 2**20:.1f} MiB of {CARRY_LIMIT / 2**20:.0f}")
    if total > CARRY_LIMIT:
        print("too much for one device call: fewer datasets (presets), or no .gpu/runs.")
    return total


def main(argv):
    del argv
    if FLAGS.restore_carry:
        return restore_carry()
    if FLAGS.prepare_carry:
        return 0 if prepare_carry(FLAGS.presets) <= CARRY_LIMIT else 1
    outdir = Path(FLAGS.outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for preset in FLAGS.presets:
        recipe(preset)  # every name checked before anything starts
    waiting, running, rows = list(FLAGS.presets), {}, []
    started = time.time()
    while waiting or running:
        while waiting and len(running) < FLAGS.parallel:
            preset = waiting.pop(0)
            running[preset] = (*launch(preset, outdir), time.time())
        for preset, (proc, log, t0) in list(running.items()):
            if proc.poll() is not None:
                log.close()
                del running[preset]
                rows.append(summary(preset, outdir, proc.returncode, time.time() - t0))
                print(json.dumps(rows[-1]), flush=True)
                if proc.returncode:
                    print((outdir / f"{preset}.log").read_text()[-3000:], flush=True)
        time.sleep(1)
    if FLAGS.pack:
        target = Path(FLAGS.pack)
        target.mkdir(parents=True, exist_ok=True)
        for row in rows:
            if (outdir / "checkpoints" / row["preset"]).exists():
                row["packed_resume_state"] = pack(row["preset"], outdir, target)
        (target / "campaign.json").write_text(json.dumps(rows, indent=2) + "\n")
    print(f"campaign: {len(rows)} presets in {time.time() - started:.0f} s; "
          f"{sum(r['returncode'] != 0 for r in rows)} failed.", flush=True)
    return 1 if any(r["returncode"] for r in rows) else 0


if __name__ == "__main__":
    app.run(main)
