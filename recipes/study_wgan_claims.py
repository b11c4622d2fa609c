"""WGAN's claims (Arjovsky, Chintala & Bottou 2017), tested as the paper tested them.

The claims, as the lecture notes this project follows teach them: WGAN (1) needs no
careful balancing of critic and generator and trains where a GAN fails, (2) does not
collapse onto a few modes, (3) has a loss that tracks sample quality; and behind them, the
original GAN's generator gradient vanishes when D is confident.

Runs (Stacked MNIST, 28x28x3, 1000 modes; batch 64; the DCGAN discriminator/critic body at
``--width`` in every run):

* objectives: ``gan`` (DCGAN's: the GAN loss with the non-saturating generator loss, Adam
  2e-4, beta1 0.5), ``wgan`` (weight clipping 0.01, RMSProp 5e-5, 5 critic updates per
  generator update with the authors' warm-up), ``wgan-gp`` (penalty 10, Adam 1e-4, betas
  0/0.9), each the zoo's own class;
* generators, the paper's figures 5-7: ``dcgan``; ``dcgan-nobn``, the same without batch
  norm (biases instead; the paper also kept the filter count constant, here it halves per
  layer as in ``dcgan``); ``mlp``, 4 hidden layers of 512 ReLU units;
* ``gan-minimax``: the GAN objective with the original, saturating generator loss
  ``log(1 - D(G(z)))`` and the ``dcgan`` generator, for the vanishing gradient;
* ``--seeds`` of each (initial weights, noise and data order).

Every ``--eval_every`` discriminator/critic updates a run appends a row to
``<out>/runs/<run>/trace.jsonl``: the domain FID of 2,000 samples (each channel's features
from the shipped MNIST classifier, concatenated), modes covered and KL to uniform of the same
samples (each channel read as a digit: the PacGAN/VEEGAN protocol with our classifier); the
window's mean losses and the critic's Wasserstein estimate; and the generator's gradient norm
on 256 fixed latents under the current discriminator (inference mode) for each generator loss
that applies: GAN runs the saturating and the non-saturating one, with D's mean probability
on those fakes; critics ``-E f(G(z))``. Then the run's state goes to ``<out>/runs/<run>/last``
(atomically), so a killed run resumes there exactly; a finished one is measured once more on
``--n`` samples (``final.json``) and skipped next time. ``--shard i/k`` takes every k-th run
from the i-th, so k processes share the runs (one per core); ``--report`` writes
``<out>/REPORT.md`` and its plots from whatever the runs' files hold, verdicts included (the
rules are stated in the report).

    python recipes/study_wgan_claims.py --steps 30000 --shard 0/2 --threads 1 &
    python recipes/study_wgan_claims.py --steps 30000 --shard 1/2 --threads 1 &
    python recipes/study_wgan_claims.py --steps 30000 --report
    python recipes/study_wgan_claims.py --smoke --out /tmp/study    # tiny, mock data

On the borrowed GPU machine (JAX, no TensorFlow), every run at once:
``bash recipes/gpu_campaign.sh --study --steps 30000`` (README, "Training without
TensorFlow, and on a GPU").
"""

import contextlib
import json
import statistics
import time
from pathlib import Path

import keras
import numpy as np
from absl import app, flags
from keras import layers, ops

from zoo import checkpoint, data, evaluation, files, images, losses, metrics
from zoo.backends import current as backend
from zoo.models import DCGAN, WGAN, WGANGP
from zoo.models.dcgan import dcgan_discriminator, dcgan_generator

flags.DEFINE_integer("steps", 30000, "Discriminator/critic updates per run.")
flags.DEFINE_integer("eval_every", 1000, "Updates between measurements (and saved states).")
flags.DEFINE_integer("n", 10000, "Samples for the final mode count of a finished run.")
flags.DEFINE_integer("width", 16, "Width of the DCGAN networks (D's first filters).")
flags.DEFINE_list("seeds", ["0", "1"], "Seeds of every configuration.")
flags.DEFINE_string("shard", "0/1", "i/k: train runs i, i+k, i+2k, ... of the list.")
flags.DEFINE_integer("threads", 0, "CPU threads (0: all cores).")
flags.DEFINE_bool("report", False, "Only write the report from the runs' files.")
flags.DEFINE_bool("write_report", True, "Write the report after training (the GPU script "
                  "trains shards in parallel and leaves the report to one later call).")
flags.DEFINE_list("objectives", None, "Train only these objectives (default: all).")
flags.DEFINE_list("generators", None, "Train only these generators (default: all).")
flags.DEFINE_bool("smoke", False, "Tiny networks, mock data, a few steps: what the tests run.")
flags.DEFINE_string("out", "docs/study/claims", "Where the runs and the report go.")
FLAGS = flags.FLAGS

OBJECTIVES = {"gan": DCGAN, "wgan": WGAN, "wgan-gp": WGANGP}
GENERATORS = ("dcgan", "dcgan-nobn", "mlp")
CONFIGS = [(o, g) for o in OBJECTIVES for g in GENERATORS] + [("gan-minimax", "dcgan")]
BATCH, EVAL_N, GRAD_N = 64, 2000, 256
MLP_UNITS = 512


def _study_class(base):
    """``base`` (a zoo variant) with the generator chosen by ``generator_kind``
    and the variant's own discriminator/critic."""

    class Study(base):
        def __init__(self, *args, generator_kind="dcgan", mlp_units=MLP_UNITS, **kwargs):
            self.generator_kind, self.mlp_units = generator_kind, mlp_units
            super().__init__(*args, **kwargs)

        def get_config(self):
            return {**super().get_config(), "generator_kind": self.generator_kind,
                    "mlp_units": self.mlp_units}

        def build_networks(self):
            size, ch, z = self.image_size, self.channels, self.latent_dim
            if self.generator_kind == "mlp":
                self.generator = keras.Sequential(
                    [keras.Input((z,))]
                    + [layers.Dense(self.mlp_units, activation="relu") for _ in range(4)]
                    + [layers.Dense(size * size * ch), layers.Activation("tanh"),
                       layers.Reshape((size, size, ch))], name="generator")
            else:
                self.generator = dcgan_generator(size, ch, z, self.width,
                                                 norm=self.generator_kind == "dcgan")
            critic = isinstance(self, WGAN)  # WGAN-GP's has no batch norm
            self.discriminator = dcgan_discriminator(
                size, ch, self.width, norm=self.critic_norm if critic else "batch",
                name="critic" if critic else "discriminator")

    name = f"Study{base.__name__}"
    Study.__name__ = Study.__qualname__ = name
    return keras.saving.register_keras_serializable(package="zoo_study", name=name)(Study)


STUDY_CLASSES = {name: _study_class(cls) for name, cls in OBJECTIVES.items()}


def run_name(objective, generator, seed):
    return f"{objective}-{generator}-seed{seed}"


def build(objective, generator, seed):
    keras.utils.set_random_seed(seed)
    cls = STUDY_CLASSES["gan" if objective == "gan-minimax" else objective]
    extra = {"generator_loss": "minimax"} if objective == "gan-minimax" else {}
    model = cls(image_size=28, channels=3, latent_dim=100, width=FLAGS.width, seed=seed,
                generator_kind=generator, mlp_units=16 if FLAGS.smoke else MLP_UNITS, **extra)
    model.compile()
    return model


class Probe:
    """Stacked MNIST images -> per-channel classifier features (concatenated) and mode ids."""

    def __init__(self):
        self.net = evaluation.load_classifier("mnist")
        real = data.load("stacked_mnist", batch_size=self.eval_n, seed=5)[0]
        self.real_features, _ = self.read(real)

    @property
    def eval_n(self):
        return 64 if FLAGS.smoke else EVAL_N

    def read(self, x):
        feats, modes = [], 0
        for c in range(3):
            f, p = evaluation._embed(self.net, x[..., c : c + 1])
            feats.append(f)
            modes = modes * 10 + p.argmax(1)
        return np.concatenate(feats, axis=1), modes

    def quality(self, model, n, seed):
        feats, modes = self.read(model.sample(n, seed=seed))
        cover = metrics.mode_coverage(modes, 1000)
        return {"fid": round(metrics.frechet_distance_from_features(self.real_features, feats), 2),
                "modes": cover["modes_covered"], "kl": round(cover["kl"], 4)}

    def gradients(self, model):
        """G's gradient norm under the current D, one per generator loss that applies."""
        z = model.latents(16 if FLAGS.smoke else GRAD_N, seed=3)
        d = model.discriminator

        def norm(loss):
            return backend.gradient_norm(lambda x: loss(d(x, training=False)), model.generator, z)

        if isinstance(model, WGAN):
            return {"grad_wasserstein": norm(losses.wasserstein_generator_loss)}
        fake = model.generator(z, training=False)
        return {"grad_saturating": norm(losses.minimax_generator_loss),
                "grad_non_saturating": norm(losses.non_saturating_generator_loss),
                "d_fake": float(ops.mean(ops.sigmoid(ops.cast(d(fake, training=False),
                                                              "float32"))))}


def read_rows(path, up_to_step):
    """The trace's rows up to ``up_to_step``, one per step (a killed run may have
    written a row after its last saved state, or one twice)."""
    rows = {}
    if path.exists():
        for line in path.read_text().splitlines():
            row = json.loads(line)
            if row["step"] <= up_to_step:
                rows[row["step"]] = row
    return [rows[k] for k in sorted(rows)]


def train(objective, generator, seed, probe):
    folder = Path(FLAGS.out) / "runs" / run_name(objective, generator, seed)
    last, trace, final = folder / "last", folder / "trace.jsonl", folder / "final.json"
    if final.exists():
        return
    checkpoint.recover(last)
    if (last / checkpoint.METADATA).exists():
        model = checkpoint.load_preset(last)
        seconds = checkpoint.read_metadata(last)["seconds"]
    else:
        model, seconds = build(objective, generator, seed), 0.0
    step = int(model.d_steps.numpy())
    rows = read_rows(trace, step)
    files.write_text(trace, "".join(json.dumps(r) + "\n" for r in rows))
    print(f"{folder.name}: from step {step}", flush=True)
    while step < FLAGS.steps:
        chunk = min(FLAGS.eval_every - step % FLAGS.eval_every, FLAGS.steps - step)
        batches = data.load("stacked_mnist", batch_size=BATCH, seed=seed, repeat=True,
                            start=step)
        began = time.time()
        history = model.fit(batches, epochs=1, steps_per_epoch=chunk, verbose=0, shuffle=False)
        seconds += time.time() - began
        step = int(model.d_steps.numpy())
        row = {"step": step, "g_steps": int(model.g_steps.numpy()), "seconds": round(seconds, 1),
               **{k: float(v[-1]) for k, v in history.history.items()},
               **probe.quality(model, probe.eval_n, seed=1), **probe.gradients(model)}
        with open(trace, "a") as f:
            f.write(json.dumps(row) + "\n")
        checkpoint.save_preset(model, last, metadata={"seconds": seconds})
        print(folder.name, row, flush=True)
    images.save_grid(model.sample(64, seed=0), folder / "samples.png", scale=2)
    files.write_json(final, {**probe.quality(model, 64 if FLAGS.smoke else FLAGS.n, seed=2),
                             "n": 64 if FLAGS.smoke else FLAGS.n, "step": step,
                             "g_steps": int(model.g_steps.numpy()), "seconds": round(seconds, 1)})


# ---------------------------------------------------------------------------- the report
def spread(values):
    """'mean ± half-range' of the seeds' values."""
    if not values:
        return "n/a"
    digits = 1 if max(abs(v) for v in values) >= 10 else 2
    return f"{statistics.mean(values):.{digits}f} ± {(max(values) - min(values)) / 2:.{digits}f}"


def compare(better, worse):
    """'yes' when every seed of ``better`` beats every seed of ``worse`` (lower is
    better), 'no' when every seed of ``worse`` beats ``better``, else 'undecided'."""
    if not better or not worse:
        return "undecided"
    if max(better) < min(worse):
        return "yes"
    if max(worse) < min(better):
        return "no"
    return "undecided"


def verdict(answers):
    if answers and all(a == "yes" for a in answers):
        return "supported"
    if any(a == "no" for a in answers):
        return "not supported"
    return "undecided"


def load_runs(out):
    runs = {}
    for objective, generator in CONFIGS:
        for seed in FLAGS.seeds:
            folder = out / "runs" / run_name(objective, generator, seed)
            rows = read_rows(folder / "trace.jsonl", float("inf"))
            if rows:
                final = folder / "final.json"
                runs[(objective, generator, int(seed))] = {
                    "rows": rows, "folder": folder,
                    "final": json.loads(final.read_text()) if final.exists() else None}
    return runs


def plots(runs, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4), sharey=True)
    for ax, generator in zip(axes, GENERATORS):
        for (objective, g, seed), run in sorted(runs.items()):
            if g == generator:
                ax.plot([r["step"] for r in run["rows"]], [r["fid"] for r in run["rows"]],
                        label=f"{objective} seed {seed}")
        ax.set(title=f"generator: {generator}", xlabel="D/critic updates", yscale="log")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("domain FID (log)")
    fig.tight_layout()
    fig.savefig(out / "curves.png", dpi=80)
    plt.close(fig)

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for (objective, g, seed), run in sorted(runs.items()):
        fid = [r["fid"] for r in run["rows"]]
        if objective in ("wgan", "wgan-gp"):
            axes[0].scatter([r["wasserstein"] for r in run["rows"]], fid, s=8,
                            label=f"{objective} {g} {seed}")
        elif objective == "gan":
            axes[1].scatter([r["d_loss"] for r in run["rows"]], fid, s=8, label=f"{g} {seed}")
    axes[0].set(xlabel="critic's Wasserstein estimate", ylabel="domain FID", yscale="log",
                title="WGAN, WGAN-GP")
    axes[1].set(xlabel="GAN discriminator loss", ylabel="domain FID", yscale="log",
                title="GAN (the paper's contrast)")
    for ax in axes:
        ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(out / "loss_vs_fid.png", dpi=80)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    for (objective, g, seed), run in sorted(runs.items()):
        if g != "dcgan":
            continue
        steps = [r["step"] for r in run["rows"]]
        for key, style in (("grad_saturating", "-"), ("grad_non_saturating", "--"),
                           ("grad_wasserstein", ":")):
            if key in run["rows"][0]:
                ax.plot(steps, [max(r[key], 1e-12) for r in run["rows"]], style,
                        label=f"{objective} seed {seed}: {key[5:]}")
    ax.set(xlabel="D/critic updates", ylabel="||grad of G's loss wrt G's weights||",
           yscale="log", title="Generator gradient norms (DCGAN generator)")
    ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(out / "gradients.png", dpi=80)
    plt.close(fig)


def correlation(rows, key):
    from scipy import stats

    if len(rows) < 3:
        return float("nan")
    return float(stats.spearmanr([r[key] for r in rows], [r["fid"] for r in rows])[0])


def report(out):
    runs = load_runs(out)
    expected = len(CONFIGS) * len(FLAGS.seeds)
    finished = sum(r["final"] is not None for r in runs.values())
    probe_real = real_row(out)

    def values(objective, generator, key, final=True):
        got = []
        for seed in FLAGS.seeds:
            run = runs.get((objective, generator, int(seed)))
            if run and (run["final"] if final else True):
                got.append((run["final"] if final else run["rows"][-1])[key])
        return got

    lines = [
        "# WGAN's claims, tested as the paper tested them", "",
        "Written by `python recipes/study_wgan_claims.py --report` from the runs' files "
        f"(`{out}/runs/*/trace.jsonl`, `final.json`); the command and its flags are in the "
        "module docstring. Stacked MNIST (1000 modes), batch 64, networks of width "
        f"{FLAGS.width}, budget {FLAGS.steps:,} discriminator/critic updates per run, seeds "
        f"{', '.join(FLAGS.seeds)}. **{finished} of {expected} runs finished**; unfinished runs "
        "count in the curves, not in the tables.", "",
        f"Real Stacked MNIST, {probe_real['n']:,} images: {probe_real['modes']} modes covered, "
        f"KL to uniform {probe_real['kl']:.3f}; another {probe_real['eval_n']:,} real images "
        f"score FID {probe_real['fid']:.2f} (the floor).", "",
        "Values are the mean ± half-range over seeds. A comparison is decided only when the "
        "seeds do not overlap (every seed of one better than every seed of the other); "
        "a claim is *supported* when every comparison it rests on is decided in its favour, "
        "*not supported* when one is decided against it, and *undecided* otherwise.", "",
        "| objective | generator | G updates | final FID | best FID | modes (of 1000) | "
        "KL to uniform |", "|---|---|---|---|---|---|---|"]
    for objective, generator in CONFIGS:
        best = []
        for seed in FLAGS.seeds:
            run = runs.get((objective, generator, int(seed)))
            if run and run["final"]:
                best.append(min(r["fid"] for r in run["rows"]))
        lines.append(
            f"| {objective} | {generator} | {spread(values(objective, generator, 'g_steps'))} | "
            f"{spread(values(objective, generator, 'fid'))} | {spread(best)} | "
            f"{spread(values(objective, generator, 'modes'))} | "
            f"{spread(values(objective, generator, 'kl'))} |")

    lines += ["", "## Claim 1: no careful balancing; WGAN trains where the GAN fails", "",
              "The paper's test (figures 5-7): weaker generators, the same critic. Does each "
              "Wasserstein objective reach a lower final FID than the GAN with the same "
              "generator?", "", "| generator | WGAN < GAN | WGAN-GP < GAN |", "|---|---|---|"]
    answers1 = []
    for generator in GENERATORS:
        gan = values("gan", generator, "fid")
        row = [compare(values(w, generator, "fid"), gan) for w in ("wgan", "wgan-gp")]
        answers1 += row if generator != "dcgan" else []
        lines.append(f"| {generator} | {row[0]} | {row[1]} |")
    lines += ["", f"**Claim 1: {verdict(answers1)}** (decided on the weaker generators, "
              "`dcgan-nobn` and `mlp`; the `dcgan` row is the paper's baseline, where both "
              "train).", ""]

    lines += ["## Claim 2: no mode collapse", "",
              "Modes covered by the final samples (more is better). Does each Wasserstein "
              "objective cover more modes than the GAN with the same generator?", "",
              "| generator | WGAN > GAN | WGAN-GP > GAN |", "|---|---|---|"]
    answers2 = []
    for generator in GENERATORS:
        gan = [-m for m in values("gan", generator, "modes")]
        row = [compare([-m for m in values(w, generator, "modes")], gan)
               for w in ("wgan", "wgan-gp")]
        answers2 += row
        lines.append(f"| {generator} | {row[0]} | {row[1]} |")
    lines += ["", f"**Claim 2: {verdict(answers2)}**", "", "![FID curves](curves.png)", ""]

    lines += ["## Claim 3: a loss that tracks quality", "",
              "Spearman correlation, over each run's measurements, of the critic's "
              "Wasserstein estimate with the FID (the paper's figure 3-4: it falls as quality "
              "improves), next to the GAN discriminator's loss (its contrast). *Supported* "
              "when every finished WGAN and WGAN-GP run has rho >= 0.7, *not supported* when "
              "their median rho is below 0.3.", "",
              "| run | loss | measurements | rho(loss, FID) |", "|---|---|---|---|"]
    values3 = []
    for (objective, generator, seed), run in sorted(runs.items()):
        if run["final"] is None or objective == "gan-minimax":
            continue
        key = "d_loss" if objective == "gan" else "wasserstein"
        rho = correlation(run["rows"], key)
        if key == "wasserstein" and not np.isnan(rho):
            values3.append(rho)
        lines.append(f"| {objective} {generator} seed {seed} | "
                     f"{'D loss' if key == 'd_loss' else 'W estimate'} | {len(run['rows'])} | "
                     f"{rho:.2f} |")
    claim3 = ("undecided" if not values3 else "supported" if min(values3) >= 0.7
              else "not supported" if statistics.median(values3) < 0.3 else "undecided")
    lines += ["", f"**Claim 3: {claim3}**", "", "![loss against FID](loss_vs_fid.png)", ""]

    lines += ["## The vanishing gradient", "",
              "The generator's gradient norm (weights) under the current D, on a log scale, "
              "for the saturating loss log(1 - D(G(z))) and the non-saturating -log D(G(z)), "
              "measured on the same fakes and the same D in every GAN run, and -f(G(z)) in the "
              "critics' runs. *Vanishes* when, at every measurement where D is confident "
              "(mean D(G(z)) < 0.1), the saturating norm is below a tenth of the "
              "non-saturating one, in every GAN run with the DCGAN generator.", "",
              "| run | measurements with D confident | median saturating / non-saturating "
              "there | median saturating / non-saturating elsewhere |", "|---|---|---|---|"]
    answers4 = []
    for (objective, generator, seed), run in sorted(runs.items()):
        if generator != "dcgan" or not objective.startswith("gan"):
            continue
        ratios = [(r["d_fake"] < 0.1, r["grad_saturating"] / max(r["grad_non_saturating"], 1e-30))
                  for r in run["rows"]]
        confident = [q for c, q in ratios if c]
        other = [q for c, q in ratios if not c]
        if confident:
            answers4.append("yes" if max(confident) < 0.1 else "no")
        lines.append(f"| {objective} seed {seed} | {len(confident)} of {len(ratios)} | "
                     f"{statistics.median(confident) if confident else float('nan'):.3g} | "
                     f"{statistics.median(other) if other else float('nan'):.3g} |")
    lines += ["", f"**The saturating loss's gradient vanishes where D is confident: "
              f"{verdict(answers4)}**", "", "![gradient norms](gradients.png)", "",
              "## Samples (seed 0, the end of each run)", ""]
    for objective, generator in CONFIGS:
        path = out / "runs" / run_name(objective, generator, FLAGS.seeds[0]) / "samples.png"
        if path.exists():
            lines.append(f"- {objective}, {generator}: "
                         f"![{objective} {generator}]({path.relative_to(out)})")
    if runs:
        plots(runs, out)
    files.write_text(out / "REPORT.md", "\n".join(lines) + "\n")
    print(f"wrote {out / 'REPORT.md'}: {finished} of {expected} runs finished")
    return {"claim 1": verdict(answers1), "claim 2": verdict(answers2), "claim 3": claim3,
            "vanishing gradient": verdict(answers4)}


def real_row(out):
    """Real Stacked MNIST's own modes and FID (measured once, kept in ``real.json``)."""
    path = out / "real.json"
    if path.exists():
        return json.loads(path.read_text())
    probe = Probe()
    n = 64 if FLAGS.smoke else FLAGS.n
    feats, modes = probe.read(data.load("stacked_mnist", batch_size=n, seed=7)[0])
    other, _ = probe.read(data.load("stacked_mnist", batch_size=probe.eval_n, seed=9)[0])
    cover = metrics.mode_coverage(modes, 1000)
    row = {"n": n, "eval_n": probe.eval_n, "modes": cover["modes_covered"], "kl": cover["kl"],
           "fid": metrics.frechet_distance_from_features(probe.real_features, other)}
    files.write_json(path, row)
    return row


def main(argv):
    del argv
    if FLAGS.threads and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(FLAGS.threads)
        tf.config.threading.set_inter_op_parallelism_threads(FLAGS.threads)
    if FLAGS.smoke:  # tiny defaults; flags given on the command line stand
        for name, value in (("width", 4), ("steps", 4), ("eval_every", 2)):
            if not FLAGS[name].present:
                FLAGS[name].value = value
    for name, known in (("objectives", [o for o, _ in CONFIGS]), ("generators", GENERATORS)):
        unknown = set(FLAGS[name].value or ()) - set(known)
        if unknown:
            raise app.UsageError(f"--{name}: unknown {sorted(unknown)}; known: "
                                 f"{', '.join(sorted(set(known)))}.")
    try:
        index, count = (int(x) for x in FLAGS.shard.split("/"))
        assert 0 <= index < count
    except (ValueError, AssertionError):
        raise app.UsageError(f"--shard must be i/k with 0 <= i < k (e.g. 0/2 and 1/2 for two "
                             f"processes), got {FLAGS.shard!r}.") from None
    out = Path(FLAGS.out)
    with data.mock_arrays(num_examples=256) if FLAGS.smoke else contextlib.nullcontext():
        if not FLAGS.report:
            probe = Probe()
            todo = [(o, g, int(s)) for o, g in CONFIGS for s in FLAGS.seeds
                    if (FLAGS.objectives is None or o in FLAGS.objectives)
                    and (FLAGS.generators is None or g in FLAGS.generators)]
            for objective, generator, seed in todo[index::count]:
                train(objective, generator, seed, probe)
        if FLAGS.report or FLAGS.write_report:
            print(json.dumps(report(out)))


if __name__ == "__main__":
    app.run(main)
