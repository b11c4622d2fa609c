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
  layer as in ``dcgan``); ``mlp``, the paper's "4-layer ReLU-MLP with 512 hidden
  units" as its authors' code builds it: 3 hidden layers of 512 ReLU units and a linear
  output layer, no tanh (see ``ClipWhenSampling``);
* ``gan-minimax``: the GAN objective with the original, saturating generator loss
  ``log(1 - D(G(z)))`` and the ``dcgan`` generator, for the vanishing gradient;
* ``--seeds`` of each (initial weights, noise and data order).

The budget is counted in generator updates, as the paper's curves are (``--g_steps``; a
critic makes 5 updates per generator update, and WGAN's warm-up more). Every
``--eval_every`` generator updates a run appends a row to ``<runs>/<run>/trace.jsonl``: the
domain FID of 2,000 samples (each channel's features from the shipped MNIST classifier,
concatenated), modes covered and KL to uniform of the same samples (each channel read as a
digit: the PacGAN/VEEGAN protocol with our classifier); the window's mean losses and the
critic's Wasserstein estimate; and the generator's gradient norm on 256 fixed latents, both
networks in training mode as in a training step (their batch-norm statistics put back), for
each generator loss that applies: GAN runs the saturating and the non-saturating one, with
D's mean probability on those fakes; critics ``-E f(G(z))``; for the MLP, whose output is
linear, also the FID of that output unclipped, as the critic sees it. Then the run's state
goes to ``<runs>/<run>/last`` (atomically), so a killed run resumes there exactly. The
run folder is the recipes' (``zoo.runs``): a run holds its lock while it trains, so two
processes never train one run, and SIGTERM or Ctrl-C saves its state at the next step and
exits 0; the same command resumes it. A
finished run is measured once more on ``--n`` samples for its modes (``final.json``) and
skipped next time (unless ``--g_steps`` grew); a run whose samples stop being finite is
recorded as diverged.
``--shard i/k`` takes every k-th run from the i-th, so k processes share the runs (one per
core); ``--report`` writes ``<out>/REPORT.md``, its plots and sample grids from whatever the
runs' files hold (``studies/wgan_report.py``, which reads files only), verdicts included (the
rules are stated in the report, with each verdict again at a quarter and a half of the
budget), and copies the runs' records to
``<out>/records/``, from which ``--report --runs <out>/records`` writes it again.

    python studies/wgan_claims.py --shard 0/2 --threads 1 --nowrite_report &
    python studies/wgan_claims.py --shard 1/2 --threads 1 --nowrite_report &
    wait; python studies/wgan_claims.py --report
    python studies/wgan_claims.py --smoke --runs /tmp/study/runs --out /tmp/study

On the borrowed GPU machine (JAX, no TensorFlow), every run at once:
``bash tools/gpu_campaign.sh --study --steps 30000`` (docs/gpu.md).
"""

import contextlib
import json
import time
from pathlib import Path

import keras
import numpy as np
from absl import app, flags
from keras import layers, ops

from zoo import checkpoint, data, evaluation, files, images, losses, metrics, runs
from zoo.backends import current as backend
from zoo.models import DCGAN, WGAN, WGANGP
from zoo.models.wgan import Wasserstein
from zoo.models.dcgan import dcgan_discriminator, dcgan_generator

from wgan_report import CONFIGS, GENERATORS, OBJECTIVES as NAMES, Study, report, run_name

flags.DEFINE_integer("g_steps", 10000, "Generator updates per run.")
flags.DEFINE_integer("eval_every", 500, "Generator updates between measurements (and saved "
                     "states).")
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
flags.DEFINE_string("runs", "runs/study", "Where the runs' states and records go.")
flags.DEFINE_string("out", "docs/study/claims", "Where the report, plots and grids go.")
FLAGS = flags.FLAGS

OBJECTIVES = dict(zip(NAMES, (DCGAN, WGAN, WGANGP)))  # the zoo's class of each
BATCH, EVAL_N, GRAD_N = 64, 2000, 256
MLP_UNITS = 512


@keras.saving.register_keras_serializable(package="zoo_study")
class ClipWhenSampling(layers.Layer):
    """The MLP generator's output: linear in training, as the WGAN authors' MLP generator
    is, and clipped to [-1, 1] when sampling, so samples keep the zoo's range. A tanh
    here saturates: with Adam, WGAN-GP's MLP pushed its pre-activations to |a| ~ 70,
    where tanh's gradient is exactly 0 in float32, and its samples froze into one image."""

    def call(self, x, training=None):
        return x if training else ops.clip(x, -1.0, 1.0)


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
                    + [layers.Dense(self.mlp_units, activation="relu") for _ in range(3)]
                    + [layers.Dense(size * size * ch), ClipWhenSampling(),
                       layers.Reshape((size, size, ch))], name="generator")
            else:
                self.generator = dcgan_generator(size, ch, z, self.width,
                                                 norm=self.generator_kind == "dcgan")
            critic = isinstance(self, Wasserstein)  # WGAN-GP's has no batch norm
            self.discriminator = dcgan_discriminator(
                size, ch, self.width, norm=self.critic_norm if critic else "batch",
                name="critic" if critic else "discriminator")

    name = f"Study{base.__name__}"
    Study.__name__ = Study.__qualname__ = name
    return keras.saving.register_keras_serializable(package="zoo_study", name=name)(Study)


STUDY_CLASSES = {name: _study_class(cls) for name, cls in OBJECTIVES.items()}


def build(objective, generator, seed):
    keras.utils.set_random_seed(seed)
    cls = STUDY_CLASSES["gan" if objective == "gan-minimax" else objective]
    extra = {"generator_loss": "minimax"} if objective == "gan-minimax" else {}
    if FLAGS.smoke and objective.startswith("wgan"):
        extra["warmup_critic"] = 5  # not 100 critic updates per generator update: smoke
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
            f, p = evaluation.features(self.net, x[..., c : c + 1])
            feats.append(f)
            modes = modes * 10 + p.argmax(1)
        return np.concatenate(feats, axis=1), modes

    def quality(self, model, n, seed):
        """FID, modes and KL of ``n`` samples; None when the samples are not finite."""
        samples = model.sample(n, seed=seed)
        if not np.isfinite(samples).all():
            return None
        feats, modes = self.read(samples)
        cover = metrics.mode_coverage(modes, 1000)
        return {"fid": round(metrics.frechet_distance_from_features(self.real_features, feats), 2),
                "modes": cover["modes_covered"], "kl": round(cover["kl"], 4)}

    def outside(self, model):
        """Share of G's output in training mode, the images the critic is trained on,
        outside [-1, 1]: 0 under a tanh; the MLP's linear output can leave the range its
        clipped samples keep (batch-norm statistics put back)."""
        z, g = model.latents(16 if FLAGS.smoke else GRAD_N, seed=3), model.generator
        saved = [ops.convert_to_numpy(v) for v in g.non_trainable_variables]
        fake = ops.convert_to_numpy(ops.cast(g(z, training=True), "float32"))
        for v, value in zip(g.non_trainable_variables, saved):
            v.assign(value)
        return round(float((np.abs(fake) > 1).mean()), 4)

    def unclipped_fid(self, model):
        """The FID of the MLP's output as the critic is trained on it, unclipped, on the
        latents ``quality`` samples (the DCGAN generators end in a tanh: None)."""
        if getattr(model, "generator_kind", None) != "mlp":
            return None
        z = model.latents(self.eval_n, seed=1)
        fake = np.concatenate([ops.convert_to_numpy(ops.cast(model.generator(
            z[i : i + 500], training=True), "float32")) for i in range(0, len(z), 500)])
        if not np.isfinite(fake).all():
            return None
        feats, _ = self.read(fake)
        return round(metrics.frechet_distance_from_features(self.real_features, feats), 2)

    def gradients(self, model):
        """G's gradient norm under the current D, one per generator loss that applies,
        both networks in training mode as in a training step (statistics put back)."""
        z = model.latents(16 if FLAGS.smoke else GRAD_N, seed=3)
        g, d = model.generator, model.discriminator
        state = g.non_trainable_variables + d.non_trainable_variables

        def norm(loss):
            return backend.gradient_norm(lambda: loss(d(g(z, training=True), training=True)),
                                         g.trainable_variables, restore=state)

        if isinstance(model, Wasserstein):
            return {"grad_wasserstein": norm(losses.wasserstein_generator_loss)}
        saved = [ops.convert_to_numpy(v) for v in state]
        logits = ops.cast(d(g(z, training=True), training=True), "float32")
        for v, value in zip(state, saved):
            v.assign(value)
        return {"grad_saturating": norm(losses.minimax_generator_loss),
                "grad_non_saturating": norm(losses.non_saturating_generator_loss),
                "d_fake": float(ops.mean(ops.sigmoid(logits)))}


def train(objective, generator, seed, probe, stop):
    """One run, in its own run folder (``zoo.runs``: held by a lock while it trains; its
    state ``last`` saved atomically after each measurement, and at the next step when
    ``stop`` sees SIGTERM or SIGINT; its measurements in ``trace.jsonl``), resumed exactly
    from ``last``; ``final.json`` when it has trained its budget."""
    folder = Path(FLAGS.runs) / run_name(objective, generator, seed)
    final = folder / "final.json"
    if final.exists():
        done = json.loads(final.read_text())
        if done.get("diverged") or done["g_steps"] >= FLAGS.g_steps:
            return  # a larger budget trains on; final.json stays until the new one is written
    with runs.exclusive(folder):
        _train(objective, generator, seed, probe, stop, folder)


def _train(objective, generator, seed, probe, stop, folder):
    last, trace, final = folder / "last", folder / "trace.jsonl", folder / "final.json"
    model, meta = runs.resume(last)
    if model is None:
        model, meta = build(objective, generator, seed), {"seconds": 0.0}
    seconds = meta["seconds"]
    step, g_step = int(model.d_steps.numpy()), int(model.g_steps.numpy())
    rows = runs.read_rows(trace, "step", step)
    print(f"{folder.name}: from step {step}", flush=True)
    # D/critic updates per generator update: an upper bound on what one costs.
    ratio = model.n_critic if isinstance(model, Wasserstein) else 1
    quality = {}
    while g_step < FLAGS.g_steps:
        target = min(FLAGS.g_steps, (g_step // FLAGS.eval_every + 1) * FLAGS.eval_every)
        began, logs = time.time(), {}
        while g_step < target:  # WGAN's warm-up updates make a chunk fall short
            batches = data.load("stacked_mnist", batch_size=BATCH, seed=seed, repeat=True,
                                start=step)
            history = model.fit(batches, epochs=1, steps_per_epoch=(target - g_step) * ratio,
                                verbose=0, shuffle=False, callbacks=[runs.StopOnRequest(stop)])
            logs = {k: float(v[-1]) for k, v in history.history.items()}
            step, g_step = int(model.d_steps.numpy()), int(model.g_steps.numpy())
            if stop.signal:  # the state alone; the resumed run measures at ``target``
                seconds += time.time() - began
                checkpoint.save_preset(model, last, metadata={"seconds": seconds})
                raise runs.Interrupted(
                    f"{folder.name}: stopped by {stop.signal} at step {step:,}; its state is "
                    f"in {last}. Run the same command to resume: it goes on exactly as if it "
                    "had not stopped.")
        seconds += time.time() - began
        quality = probe.quality(model, probe.eval_n, seed=1)
        row = {"step": step, "g_steps": g_step, "seconds": round(seconds, 1), **logs,
               **(quality or {"diverged": True}),
               **({**probe.gradients(model), "outside": probe.outside(model)} if quality else {})}
        unclipped = probe.unclipped_fid(model) if quality else None
        if unclipped is not None:
            row["fid_unclipped"] = unclipped
        rows.append(row)
        runs.write_rows(trace, rows)
        checkpoint.save_preset(model, last, metadata={"seconds": seconds})
        print(folder.name, row, flush=True)
        if quality is None:
            break
    n = 64 if FLAGS.smoke else FLAGS.n
    result = probe.quality(model, n, seed=2) if quality is not None else None
    if result is not None:
        images.save_grid(model.sample(64, seed=0), folder / "samples.png", scale=2)
    files.write_json(final, {**(result or {"fid": float("inf"), "modes": 0,
                                           "kl": float("inf"), "diverged": True}),
                             "n": n, "step": step, "g_steps": g_step,
                             "seconds": round(seconds, 1)})


def real_row(out):
    """Real Stacked MNIST's own modes and FID (measured once, kept in ``<out>/real.json``)."""
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
        for name, value in (("width", 4), ("g_steps", 4), ("eval_every", 2)):
            if not FLAGS[name].present:
                FLAGS[name].value = value
    for name, known in (("objectives", [o for o, _ in CONFIGS]), ("generators", GENERATORS)):
        unknown = set(FLAGS[name].value or ()) - set(known)
        if unknown:
            raise app.UsageError(f"--{name}: unknown {sorted(unknown)}; known: "
                                 f"{', '.join(sorted(set(known)))}.")
    for name in ("g_steps", "eval_every", "width", "n"):
        if FLAGS[name].value < 1:
            raise app.UsageError(f"--{name} must be a positive integer, got {FLAGS[name].value}.")
    if not all(s.isdigit() for s in FLAGS.seeds):
        raise app.UsageError(f"--seeds must be non-negative integers, e.g. 0,1; got "
                             f"{','.join(FLAGS.seeds)}.")
    try:
        index, count = (int(x) for x in FLAGS.shard.split("/"))
        assert 0 <= index < count
    except (ValueError, AssertionError):
        raise app.UsageError(f"--shard must be i/k with 0 <= i < k (e.g. 0/2 and 1/2 for two "
                             f"processes), got {FLAGS.shard!r}.") from None
    out = Path(FLAGS.out)
    out.mkdir(parents=True, exist_ok=True)
    stop = runs.StopRequest()
    with data.mock_arrays(num_examples=256) if FLAGS.smoke else contextlib.nullcontext():
        if not FLAGS.report:
            probe = Probe()
            todo = [(o, g, int(s)) for o, g in CONFIGS for s in FLAGS.seeds
                    if (FLAGS.objectives is None or o in FLAGS.objectives)
                    and (FLAGS.generators is None or g in FLAGS.generators)]
            try:
                with stop.on_signals():
                    for objective, generator, seed in todo[index::count]:
                        train(objective, generator, seed, probe, stop)
            except runs.Interrupted as stopped:
                print(stopped, flush=True)  # a clean stop: the state is saved, exit status 0
                return
        if FLAGS.report or FLAGS.write_report:
            study = Study(runs=Path(FLAGS.runs), seeds=tuple(FLAGS.seeds), width=FLAGS.width)
            print(json.dumps(report(study, out, real_row(out))))


if __name__ == "__main__":
    app.run(main)
