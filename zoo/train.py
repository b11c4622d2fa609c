"""The training driver every recipe shares: build -> data -> fit -> ship.

A recipe (``recipes/<variant>_<dataset>.py``) is a card (its docstring) plus
one call to :func:`main`, which is :func:`run` with the recipe's flags. The parts:
``zoo.runs`` keeps the run folder (resume state, best snapshot, quality rows, the
lock, stopping on signals), ``zoo.probe`` measures quality and chooses the snapshot,
``zoo.ship`` writes the record and ships. ``run``

* builds the preset's model fresh (initial weights, noise and data order all
  from ``--seed``), or resumes from ``<outdir>/last``, a preset folder written
  atomically at the end of every epoch with everything training depends on:
  every network, both optimizers' slots, the step counters (which key the
  noise, the WGAN critic schedule and the learning-rate schedules), dropout
  state and CycleGAN's pools. The data stream is deterministic and skips the
  batches already used, so a run killed at any moment (even SIGKILL mid-save)
  and restarted ends with the same weights as one that never stopped;
* trains with ``model.fit`` on ``zoo.data.load``, writing TensorBoard logs to
  ``<outdir>/tb`` and a sample grid per epoch to ``<outdir>/samples``, watched
  by ``zoo.DivergenceGuard`` (NaN stops at the last good weights; a winning
  discriminator or collapsing samples are warned about in the log);
* every ``--eval_every`` epochs measures the quality (``zoo.probe.QualityProbe``:
  domain FID, precision and recall of G's own and of its averaged weights, or
  CycleGAN's to-target numbers) into TensorBoard and ``<outdir>/quality.jsonl``
  (one row per measurement, with step counts, wall time and the epoch's
  losses), and keeps the best snapshot so far in ``<outdir>/best``;
* on SIGTERM or SIGINT, saves the whole state at the next step and exits 0;
* with ``--ship``, writes the best snapshot (or the last one where nothing
  measures quality) to ``checkpoints/<preset>`` with its training record, its
  quality curve (``curve.png``) and how it was chosen; with
  ``--push_to_hub=owner/name``, pushes it;
* with ``--smoke``, runs a few steps of a tiny model on made-up images
  (``zoo.smoke``), which is what the test suite does.

It runs on every Keras backend: with ``KERAS_BACKEND=jax`` or ``torch`` no
TensorFlow is needed (TensorBoard logs are written only where TensorFlow is
installed; ``celeb_a`` and ``cycle_gan/<pair>`` data need it).
"""

import contextlib
import dataclasses
import shlex
import sys
import time
import typing
from pathlib import Path

import keras
import numpy as np
from absl import flags

from zoo import data, errors, guard, registry, runs, ship, smoke
from zoo.probe import QualityProbe

def _option(default, help, choices=None):
    return dataclasses.field(default=default, metadata={"help": help, "choices": choices})


@dataclasses.dataclass
class Options:
    """How to run a preset's training; each field is also a recipe flag.

    Everything else (dataset, steps, batch size, epoch length, optimizers,
    schedules) comes from the preset's record (``zoo.registry.get(name)``).
    """

    steps: int | None = _option(None, "Training steps (fit batches); default: the preset's. "
                                "With --finetune: this many more.")
    batch_size: int | None = _option(None, "Global batch size; default: the preset's.")
    steps_per_epoch: int | None = _option(None, "Steps between checkpoints/sample grids.")
    outdir: str | None = _option(None, "Run folder (logs, samples, resume state).")
    smoke: bool = _option(False, "A few steps of a tiny model on mock data.")
    ship: bool = _option(False, "Write the trained model to checkpoints/<preset>.")
    push_to_hub: str | None = _option(None, "Push the result to this Hub repository.")
    seed: int = _option(0, "Seed of the initial weights, the noise and the data order.")
    threads: int = _option(0, "CPU threads for TensorFlow/PyTorch ops (0: all cores).")
    deterministic: bool = _option(
        True, "Deterministic TensorFlow ops, so a run (and its resume) is repeatable bit for "
        "bit. Without it, reduction order varies between runs, and CycleGAN's instance norm "
        "over small maps turns that noise into different weights.")
    data: str | None = _option(None, "Train on this folder or .zip of images instead of the "
                               "preset's dataset (converted to its image size and channels).")
    config: str | None = _option(
        None, "Change the preset's model settings for this run, as key=value pairs "
        "separated by commas (e.g. identity_weight=0,width=64): a measured variation "
        "keeps its own --outdir; the record says what changed.")
    finetune: bool = _option(False, "Start from the preset's trained weights (fresh "
                             "optimizers) instead of a fresh initialisation; on the preset's "
                             "own data this continues the shipped run, its curve and clocks.")
    fresh_critic: int = _option(
        0, "With --finetune of a WGAN or WGAN-GP preset: keep the trained generator, start "
        "the critic afresh at the preset's architecture, or --config's (a critic_width, "
        "critic_norm or critic_extra_layers other than the shipped critic's), and give it "
        "this many updates against the frozen generator before the generator moves (0: keep "
        "the trained critic).")
    lr_d: float = _option(0, "The discriminator's (critic's) learning rate (0: the preset's); "
                          "with --lr_g, Heusel et al. 2017's two time-scale update rule. The "
                          "shipped checkpoint keeps the preset's optimizers.")
    lr_g: float = _option(0, "The generator's learning rate (0: the preset's).")
    lr_decay: int = _option(
        0, "Over the run's last this many steps both players' learning rates fall linearly "
        "to 0 (0: the preset's rates throughout). The literature's end-of-training decay; "
        "set when the run starts (a resume keeps it), with --finetune over the fine-tune's "
        "last steps.")
    precision: str = _option(
        "float32", "Keras dtype policy for training (bfloat16 is ~1.5x faster on CPUs with "
        "AVX512_BF16; docs/speed.md says what is known of its quality).",
        choices=["float32", "mixed_bfloat16", "mixed_float16"])
    steps_per_execution: int = _option(
        1, "Training steps per call of the traced step (compile's steps_per_execution); "
        "the results are the same at any value. On an accelerator use 64. On this CPU 64 "
        "was 1-5% faster at the presets' sizes (benchmarks/steps_per_execution.md), but a "
        "stop signal waits for the running call (64 DCGAN steps: half a minute), so 1.")
    eval_every: int = _option(1, "Measure quality every this many epochs (0: never).")
    eval_n: int = _option(2000, "Samples (and real images) per quality measurement.")
    minutes: float = _option(0, "Stop at the first epoch end after this many minutes of "
                             "training in this process (0: no limit); the run resumes there.")
    stop_at_fid: float = _option(0, "Stop at the first quality measurement whose domain FID "
                                 "(the better weight set's) is at or below this (0: never); "
                                 "the run resumes there.")


def _check_options(opt):
    """Options a run cannot honour fail before anything starts, naming the flag."""
    for name in ("steps", "batch_size", "steps_per_epoch", "eval_n", "steps_per_execution"):
        if getattr(opt, name) is not None:  # None: the preset's own
            errors.check_positive_int(f"--{name}", getattr(opt, name))
    if opt.fresh_critic and not opt.finetune:
        raise errors.ZooValueError("--fresh_critic starts a fine-tune's critic afresh; add "
                                   "--finetune (or drop --fresh_critic).")
    for name in ("threads", "eval_every", "minutes", "stop_at_fid", "fresh_critic", "lr_decay",
                 "lr_d", "lr_g"):
        if getattr(opt, name) < 0:
            raise errors.ZooValueError(f"--{name} must be 0 (off) or more, got {getattr(opt, name)!r}.")


def _kind(field):
    """The plain type of an :class:`Options` field (``int | None`` -> int)."""
    return next(t for t in (bool, int, float, str) if field.type is t or t in typing.get_args(field.type))


def _define_flags(flag_values=flags.FLAGS):
    """The recipes' flags: one per field of :class:`Options`, with its help."""
    if "steps" in flag_values:
        return
    define = {bool: flags.DEFINE_bool, int: flags.DEFINE_integer, float: flags.DEFINE_float,
              str: flags.DEFINE_string}
    for f in dataclasses.fields(Options):
        if f.metadata["choices"]:
            flags.DEFINE_enum(f.name, f.default, f.metadata["choices"], f.metadata["help"],
                              flag_values=flag_values)
        else:
            define[_kind(f)](f.name, f.default, f.metadata["help"], flag_values=flag_values)


def add_arguments(parser):
    """The same options for ``python -m zoo train`` (argparse): one per field of
    :class:`Options`, with the recipes' names, defaults, choices and help, booleans as
    ``--name`` and ``--noname`` as absl spells them, so a recipe's command line runs
    unchanged as ``python -m zoo train <preset> ...``."""
    import argparse

    for f in dataclasses.fields(Options):
        help_ = f.metadata["help"].replace("%", "%%")
        if _kind(f) is bool:
            parser.add_argument(f"--{f.name}", dest=f.name, action="store_true", default=f.default,
                                help=help_)
            parser.add_argument(f"--no{f.name}", dest=f.name, action="store_false",
                                help=argparse.SUPPRESS)
        else:
            parser.add_argument(f"--{f.name}", type=_kind(f), default=f.default,
                                choices=f.metadata["choices"], help=help_)


def options_from(values):
    """:class:`Options` from parsed flags or arguments (anything with its fields as attributes)."""
    return Options(**{f.name: getattr(values, f.name) for f in dataclasses.fields(Options)})


def main(preset):
    """A recipe's entry point: ``python recipes/<preset>.py [--flags]`` is
    ``run(preset, Options(<flags>))``."""
    from absl import app

    _define_flags()
    if "replay" not in flags.FLAGS:
        flags.DEFINE_bool("replay", False, "Run the chain of runs that made the shipped "
                          "checkpoint (its preset's chain, the card's Reproduce list), in order.")

    def go(argv):
        if len(argv) > 1:
            raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
        try:
            if flags.FLAGS.replay:
                return replay(preset)
            run(preset, options_from(flags.FLAGS))
        except runs.Interrupted as stopped:
            print(stopped, flush=True)  # a clean stop: the state is saved, exit status 0
        except errors.ZooError as e:
            print(f"error: {e}", file=sys.stderr, flush=True)
            sys.exit(2)

    app.run(go)


def replay_commands(preset):
    """The command (argv, with this Python) of each run in ``preset``'s chain."""
    record_ = registry.get(preset)
    if not record_.chain:
        raise errors.ZooValueError(
            f"{record_.name}'s shipped checkpoint came from one run: the Reproduce command on "
            f"its card (or in {record_.recipe}) rebuilds it; there is no chain to replay.")
    return [[sys.executable, *shlex.split(command)[1:]] for command in record_.chain]


def replay(preset):
    """Run ``preset``'s chain one run after another, each in its own process. Every run
    resumes where it stopped, so a replay stopped anywhere goes on when started again."""
    import subprocess

    commands = replay_commands(preset)
    for i, argv in enumerate(commands, 1):
        print(f"[{i}/{len(commands)}] {shlex.join(argv)}", flush=True)
        if subprocess.run(argv).returncode:
            raise errors.ZooError(f"run {i} of the chain failed (above); fix it and start "
                                  "--replay again: the runs before it are done and resume.")


def _batches(dataset, batch_size, labels, seed, start, data_args):
    """The run's first batch (real images for the grids and the guard) and its
    never-ending batches from global batch ``start`` on."""
    ds = data.load(dataset, batch_size=batch_size, labels=labels, seed=seed, repeat=True,
                   **data_args)
    if isinstance(ds, data.Batches):
        return ds[0], ds.repeating(start)
    return next(iter(ds.take(1))), ds.skip(start)  # a tf.data pipeline (celeb_a, cycle_gan/*)


def run_folder(preset, opt):
    """Where a run of ``preset`` with options ``opt`` keeps its state."""
    return Path(opt.outdir or f"runs/{registry.canonical(preset)}{'-smoke' if opt.smoke else ''}")


def run(preset, options=None):
    """Train ``preset`` as its record (:class:`zoo.preset.Preset`) describes, holding
    its run folder (:func:`exclusive`) from start to ship; see :func:`_run`."""
    opt = options or Options()
    _check_options(opt)
    stop = runs.StopRequest()
    with runs.exclusive(run_folder(preset, opt)), stop.on_signals():
        return _run(preset, opt, stop)


@dataclasses.dataclass
class Plan:
    """What a run trains on and for how long: the preset's record (its schedule and
    dataset) with the run's options applied (``--steps``, ``--data``, ``--smoke``...)."""

    steps: int
    batch_size: int
    steps_per_epoch: int
    overrides: dict  # constructor settings over the record's config (--seed, --config)
    dataset: str  # a zoo.data.load name, or --data's folder
    data_args: dict
    mock: typing.Any  # the block in which the data is made up (--smoke), else a no-op


def _run(preset, opt, stop=None):
    """Train ``preset`` as its record (:class:`zoo.preset.Preset`) describes,
    with ``options`` (:class:`Options`) for what a run may change: build (or
    resume, or fine-tune) -> data -> fit -> ship. Returns ``(model, record)``.

    The record's ``schedule`` gives the dataset's batch size, the published
    number of steps and the epoch length; the model class fits settings that
    depend on the run's length to the steps actually run (CycleGAN's
    constant-then-decay learning rate, ``schedule_for``), so a ``steps`` budget
    keeps the schedule's shape.
    """
    preset = registry.canonical(preset)
    record_ = registry.PRESETS[preset]
    _configure(opt)
    plan = _plan(record_, opt)
    outdir = run_folder(preset, opt)
    with plan.mock:
        model, start, clocks = _start(record_, plan, opt, outdir)
        _fit(record_, plan, opt, outdir, model, start, clocks, stop or runs.StopRequest())
    record = ship.record(preset, plan.dataset, plan.batch_size, outdir, opt, model)
    model = ship.ship(preset, outdir, record, model, opt)
    return model, record


def _configure(opt):
    """The process's precision policy, determinism and threads, as ``opt`` asks."""
    keras.mixed_precision.set_global_policy(opt.precision)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        if opt.deterministic:
            tf.config.experimental.enable_op_determinism()
        if opt.threads:
            tf.config.threading.set_intra_op_parallelism_threads(opt.threads)
            tf.config.threading.set_inter_op_parallelism_threads(opt.threads)
    elif keras.backend.backend() == "torch" and opt.threads:
        import torch

        torch.set_num_threads(opt.threads)


def _plan(record_, opt):
    """The run's :class:`Plan`; ``--data`` that the preset cannot train on is refused."""
    schedule = record_.schedule
    plan = Plan(steps=opt.steps or schedule.steps,
                batch_size=opt.batch_size or schedule.batch_size,
                steps_per_epoch=opt.steps_per_epoch or schedule.steps_per_epoch,
                overrides={"seed": opt.seed, **record_.parse_overrides(opt.config)},
                dataset=record_.dataset, data_args={}, mock=contextlib.nullcontext())
    if opt.smoke:  # a tiny model on made-up data (zoo.smoke)
        plan.steps = opt.steps or smoke.STEPS
        plan.steps_per_epoch = opt.steps_per_epoch or smoke.STEPS_PER_EPOCH
        plan.batch_size = smoke.BATCH_SIZE
        plan.overrides.update(smoke.overrides(record_))
        plan.mock = smoke.mock_data(plan.dataset)
    plan.steps_per_epoch = min(plan.steps_per_epoch, plan.steps)
    if opt.data:
        config = record_.config
        if schedule.labels or record_.cls.task != "unconditional-image-generation":
            raise errors.ZooValueError(
                f"--data trains noise-to-image presets on unlabelled images; {record_.name} "
                "needs labelled or paired data."
            )
        plan.dataset = opt.data
        plan.data_args = {"image_size": config.get("image_size", 28),
                          "channels": config.get("channels", 1), "crop": schedule.crop}
        plan.mock = contextlib.nullcontext()
    return plan


def _start(record_, plan, opt, outdir):
    """The model to train: resumed from ``<outdir>/last``, or the shipped weights
    (``--finetune``), or freshly built. Returns ``(model, start, clocks)``: the step
    count the run began at and the wall and measuring clocks it goes on from."""
    preset, last = record_.name, outdir / "last"
    model, meta = runs.resume(last, best=outdir / "best")
    if model is not None:
        # The step count this run began at (a fine-tune's: the shipped state's); saved
        # before 2026-12-05 as whole epochs counted from it.
        start = meta.get("run_start",
                         max(0, meta["train_steps"] - meta["epoch"] * plan.steps_per_epoch))
        clocks = meta["wall_time_s"], meta.get("measure_time_s", 0.0)  # absent before 2026-12
        print(f"Resuming {preset} from {last} at step {int(model.d_steps.numpy()):,}.")
        if opt.lr_d or opt.lr_g or opt.lr_decay:
            print("The learning rates are the run's own, saved with its optimizers when it "
                  "started; --lr_d, --lr_g and --lr_decay change nothing on a resume.")
        return model, start, clocks
    if not opt.finetune:
        keras.utils.set_random_seed(opt.seed)
        model = record_.build(plan.steps, **plan.overrides)
        _set_learning_rates(model, plan, opt)
        return model, 0, (0.0, 0.0)
    # Trained weights, fresh optimizers; --config's settings too, unless a fresh critic
    # (which may be wider) takes them below.
    config = {} if opt.fresh_critic else record_.parse_overrides(opt.config)
    model = registry.load(preset, seed=opt.seed, **config)
    print(f"Fine-tuning {preset} from its trained weights.")
    if opt.fresh_critic:
        if not hasattr(model, "with_fresh_critic"):
            raise errors.ZooValueError(
                f"--fresh_critic is for WGAN and WGAN-GP presets; {preset} is a "
                f"{type(model).__name__}.")
        keras.utils.set_random_seed(opt.seed)
        model = model.with_fresh_critic(record_.build(plan.steps, **plan.overrides),
                                        opt.fresh_critic)
        print(f"A fresh critic, {opt.fresh_critic} updates before G moves.", flush=True)
    _set_learning_rates(model, plan, opt)
    clocks = (0.0, 0.0)
    if not opt.data:  # its own data: the shipped run goes on, history and clocks too
        clocks = runs.continue_shipped(preset, model, outdir, opt)
    return model, int(model.d_steps.numpy()), clocks  # --steps more steps from here


def _set_learning_rates(model, plan, opt):
    """``--lr_d``, ``--lr_g`` and ``--lr_decay`` on a run's fresh optimizers (a resumed run
    has them in its saved optimizers)."""
    if opt.lr_d or opt.lr_g or opt.lr_decay:
        model.set_learning_rates(d=opt.lr_d or None, g=opt.lr_g or None, steps=plan.steps,
                                 decay=opt.lr_decay)


def _fit(record_, plan, opt, outdir, model, start, clocks, stop):
    """``fit`` from the model's step to ``plan.steps`` after ``start``, epoch by epoch, the
    run folder kept at each epoch's end (``zoo.runs.EpochEnd``); raises
    ``runs.Interrupted`` when ``stop`` saw a signal (the state saved)."""
    labels, steps = record_.schedule.labels, plan.steps

    def batches():  # every step consumes one batch: after the ones the state has seen
        return _batches(plan.dataset, plan.batch_size, labels, opt.seed,
                        int(model.d_steps.numpy()), plan.data_args)

    model.set_steps_per_execution(opt.steps_per_execution)
    first, ds = batches()
    sample_inputs, reference = None, first[0] if labels else first  # real images
    if record_.cls.task == "image-to-image":
        sample_inputs = tuple(np.asarray(x)[:8] for x in first)
        reference = None
    probe = None
    if opt.eval_every and QualityProbe.available(plan.dataset):
        probe = QualityProbe(plan.dataset, n=64 if opt.smoke else opt.eval_n)
    measured = runs.read_quality(outdir, int(model.d_steps.numpy()))
    if (opt.stop_at_fid and measured and "fid" in measured[-1]
            and QualityProbe.badness(measured[-1]) <= opt.stop_at_fid):
        print(f"The run already reached --stop_at_fid {opt.stop_at_fid}.", flush=True)
        steps = int(model.d_steps.numpy()) - start  # nothing to train
    wall_before, measure_before = clocks
    callbacks = [
        # Before TensorBoard, so the quality numbers reach its logs.
        runs.EpochEnd(outdir, time.time(), wall_before, sample_inputs, probe, opt.eval_every,
                      opt.minutes, measure_before, opt.stop_at_fid, stop, start),
        *([keras.callbacks.TensorBoard(str(outdir / "tb"))] if runs.has_tensorflow() else []),
        # NaN stops the run at the last good weights; D winning and
        # collapse are warned about (the run's log shows them).
        guard.DivergenceGuard(reference=reference, check_every=min(100, plan.steps_per_epoch)),
    ]
    for k, (initial_epoch, epochs, length) in enumerate(
            runs.segments(int(model.d_steps.numpy()) - start, steps, plan.steps_per_epoch)):
        if k:  # the batches after those already seen
            if model.stop_training:
                break
            _, ds = batches()
        # shuffle=False: the batches come shuffled, in an order resume can repeat.
        model.fit(ds, epochs=epochs, initial_epoch=initial_epoch, steps_per_epoch=length,
                  callbacks=callbacks, verbose=2, shuffle=False)
    if stop.signal:
        raise runs.Interrupted(
            f"Stopped by {stop.signal} at step {int(model.d_steps.numpy()) - start:,} of "
            f"{steps:,}; the whole state is in {outdir / 'last'}. Run the same command to "
            "resume: it goes on exactly as if it had not stopped.")
