"""A run's folder, ``runs/<preset>/``: everything a training run keeps while it trains.

* ``last/``: the whole training state, saved atomically at the end of every epoch
  (and at the step a SIGTERM or SIGINT stops it), which a restarted run resumes;
* ``best/``: the best measured snapshot so far (``zoo.probe.QualityProbe.badness``);
* ``quality.jsonl``: one row per quality measurement, ``samples/``: a grid per epoch;
* ``.lock``: held while a run trains, so that a second run on the folder refuses;
* ``continued_from.json``: where a fine-tune of a shipped checkpoint began.

:class:`EpochEnd` is the callback that keeps them; ``zoo.train`` builds, feeds and fits,
and ``zoo.ship`` turns a finished folder into a shipped checkpoint.
"""

import contextlib
import functools
import json
import os
import platform
import time
from pathlib import Path

import keras
import numpy as np

from zoo import checkpoint, errors, files, images, registry
from zoo.probe import QualityProbe


def sample_grid(model, path, sample_inputs):
    if model.task == "image-to-image":  # a row of inputs, a row of their translations, ...
        a, b = (np.asarray(x) for x in sample_inputs)
        if model.directions == ("a2b",):  # paired: source, translation, the true target
            grid = list(a) + list(model.translate(a)) + list(b)
        else:
            grid = (list(a) + list(model.translate(a, "a2b")) + list(b)
                    + list(model.translate(b, "b2a")))
        images.save_grid(grid, path, cols=len(a), scale=2)
    else:
        images.save_grid(model.sample(64, seed=0), path, cols=8, scale=2)


def read_rows(path, key, up_to_step=None):
    """The rows of a run's ``.jsonl`` record, one per value of ``key`` (the last kept), in
    its order, dropping any beyond ``up_to_step`` (written after the state a run resumed
    from: a run killed between writing a row and saving its state repeats that row)."""
    rows = {}
    if Path(path).exists():
        for line in Path(path).read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row[key]] = row
    return [r for k, r in sorted(rows.items()) if up_to_step is None or k <= up_to_step]


def write_rows(path, rows):
    """Rewrite a run's ``.jsonl`` record atomically: a kill never leaves a torn row."""
    files.write_text(Path(path), "".join(json.dumps(r) + "\n" for r in rows))


def read_quality(outdir, up_to_step=None):
    """The rows of ``<outdir>/quality.jsonl`` (:func:`read_rows` by ``train_steps``)."""
    return read_rows(Path(outdir) / "quality.jsonl", "train_steps", up_to_step)


def write_quality(outdir, rows):
    write_rows(Path(outdir) / "quality.jsonl", rows)


def resume(last, best=None):
    """``(model, metadata)`` of the resume state ``last`` (a run folder's), or ``(None,
    None)`` where there is none. A save killed between its renames is completed first; a
    damaged state is never trained over: the error names the file and what to do."""
    last = Path(last)
    checkpoint.recover(last)
    if not last.exists():
        return None, None
    try:
        model = checkpoint.load_preset(last)
    except errors.CheckpointError as e:
        keep = (f"; {best} keeps the best measured weights (without optimizer state: "
                "zoo.load can read it)") if best is not None else ""
        raise errors.CheckpointError(
            f"cannot resume from {last}: {e} To start this run afresh, move the folder "
            f"aside (mv {last} {last}.broken){keep}.") from e
    return model, checkpoint.read_metadata(last)


class StopOnRequest(keras.callbacks.Callback):
    """Ends ``fit`` at the next step boundary once ``stop`` (a :class:`StopRequest`) has
    seen a signal; the caller saves the state."""

    def __init__(self, stop):
        super().__init__()
        self.stop = stop

    def on_train_batch_end(self, batch, logs=None):
        if self.stop.signal:
            self.model.stop_training = True


class EpochEnd(StopOnRequest):
    """At each epoch end, in this order: measure quality (every ``eval_every``
    epochs) and keep the best snapshot, then atomically save the resume state
    and a sample grid. A run killed in between repeats at most one epoch, and a
    quality row written twice for a step count is read once."""

    def __init__(self, outdir, started, wall_before, sample_inputs, probe=None, eval_every=1,
                 minutes=0, measure_before=0.0, stop_at_fid=0.0, stop=None, run_start=0):
        super().__init__(stop or StopRequest())
        self.run_start = run_start  # the step count the run began at, saved with its state
        self.stop_at_fid = stop_at_fid
        self.deadline = started + 60 * minutes if minutes else None
        self.outdir, self.started, self.wall_before = Path(outdir), started, wall_before
        # Seconds spent measuring quality, so a row also says the training time alone.
        self.measure_time = measure_before
        self.sample_inputs = sample_inputs
        self.probe, self.eval_every = probe, eval_every

    def on_train_begin(self, logs=None):
        self.rows = read_quality(self.outdir, int(self.model.d_steps.numpy()))
        # The file holds exactly the rows this run stands on.
        if self.probe is not None:
            write_quality(self.outdir, self.rows)
        self.best = min((QualityProbe.badness(r) for r in self.rows), default=None)

    def on_epoch_begin(self, epoch, logs=None):
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches = batch + 1  # the call's last step (steps_per_execution may be > 1)
        super().on_train_batch_end(batch, logs)  # Keras ends the epoch: on_epoch_end follows

    def on_epoch_end(self, epoch, logs=None):
        wall = self.wall_before + time.time() - self.started
        losses = {k: float(v) for k, v in (logs or {}).items()}
        meta = {"epoch": epoch + 1, "wall_time_s": round(wall, 1),
                "measure_time_s": round(self.measure_time, 1),
                "train_steps": int(self.model.d_steps.numpy()),
                "generator_steps": int(self.model.g_steps.numpy()),
                "run_start": self.run_start, "last_logs": losses}
        if self.stop.signal and self.batches < self.params["steps"]:
            # Cut short: the state alone; the resumed run ends this epoch, measures and all.
            meta["epoch"] = epoch  # epochs completed
            checkpoint.save_preset(self.model, self.outdir / "last", metadata=meta)
            return
        if self.probe is not None and (epoch + 1) % self.eval_every == 0:
            began = time.time()
            self.measure(meta, losses, logs)
            self.measure_time += time.time() - began
            # Resume continues both clocks from after this measurement.
            meta.update(wall_time_s=round(self.wall_before + time.time() - self.started, 1),
                        measure_time_s=round(self.measure_time, 1))
        checkpoint.save_preset(self.model, self.outdir / "last", metadata=meta)
        sample_grid(self.model, self.outdir / "samples" / f"epoch_{epoch + 1:03d}.png",
                     self.sample_inputs)
        if self.deadline is not None and time.time() > self.deadline:
            print(f"Stopping at epoch {epoch + 1}: the --minutes budget is spent.", flush=True)
            self.model.stop_training = True

    def measure(self, meta, losses, logs):
        quality = self.probe(self.model)
        row = {**{k: meta[k] for k in ("epoch", "train_steps", "generator_steps",
                                        "wall_time_s")},
               "train_time_s": round(meta["wall_time_s"] - meta["measure_time_s"], 1),
               "eval_n": self.probe.n,
               # Where it was chosen from, when not the test split (a paired set's validation).
               **({"eval_split": self.probe.split} if self.probe.split != "test" else {}),
               **quality, **losses}
        if logs is not None:  # for TensorBoard, which runs after this callback
            logs.update({k: v for k, v in quality.items() if isinstance(v, float)})
        self.rows.append(row)
        write_quality(self.outdir, self.rows)
        print("quality: " + ", ".join(f"{k} {v}" for k, v in quality.items()), flush=True)
        badness = QualityProbe.badness(row)
        if self.stop_at_fid and "fid" in row and badness <= self.stop_at_fid:
            print(f"Stopping at epoch {meta['epoch']}: FID {badness} reached --stop_at_fid "
                  f"{self.stop_at_fid}.", flush=True)
            self.model.stop_training = True
        if self.best is None or badness < self.best:
            self.best = badness
            # A generator of noise ships the weight set that scored better; a translator has one.
            sample_average = getattr(self.model, "sample_average", None)
            if sample_average is not None:
                self.model.sample_average = QualityProbe.use_average(row)
            try:
                checkpoint.save_preset(self.model, self.outdir / "best", training_state=False,
                                       metadata={**meta, "selected_by": row})
            finally:
                if sample_average is not None:
                    self.model.sample_average = sample_average


def continue_shipped(preset, model, outdir, opt):
    """Fine-tuning a shipped preset on its own data continues the shipped run: its
    quality rows up to the loaded state seed ``<outdir>/quality.jsonl`` (so the curve,
    and the best snapshot to beat, start where that run stopped) and
    ``<outdir>/continued_from.json`` says what was continued, for the run's record.
    Returns the wall and measuring clocks at the loaded state (zero without a history)."""
    kind, folder = registry.where(preset)  # where load() took the weights from
    history = checkpoint.read_metadata(folder).get("training") if kind != "hub" else None
    history = history or {}
    step = int(model.d_steps.numpy())
    rows = [r for r in history.get("curve", []) if r["train_steps"] <= step]
    if not rows or rows[-1]["train_steps"] != step:
        return 0.0, 0.0
    outdir.mkdir(parents=True, exist_ok=True)
    if not (outdir / "quality.jsonl").exists():
        write_quality(outdir, rows)
    fresh, deeper = {}, ""  # a fresh critic (--fresh_critic), as the record and the card say it
    if opt.fresh_critic:
        if model.critic_extra_layers:
            deeper = f" with {model.critic_extra_layers} extra layers"
        fresh = {"fresh_critic": opt.fresh_critic,
                 "critic_width": model.critic_width or model.width,
                 "critic_extra_layers": model.critic_extra_layers}
    judge = "critic's" if hasattr(model, "critic") else "discriminator's"
    rates = [f"the {who} learning rate {rate:g}" for who, rate in (
        (judge, opt.lr_d), ("generator's", opt.lr_g)) if rate]
    if opt.lr_decay:
        rates.append(f"both rates falling linearly to 0 over its last {opt.lr_decay:,} steps")
    files.write_json(outdir / "continued_from.json", {
        "train_steps": step, "generator_steps": int(model.g_steps.numpy()),
        "command": history.get("command"), "precision": history.get("precision"), **fresh,
        # What that run continued in turn: the whole chain stays in the record.
        **({"earlier": history["continued_from"]} if history.get("continued_from") else {}),
        "optimizers": "fresh optimizers (a shipped checkpoint keeps no optimizer state)" + (
            f" at {' and '.join(rates)}" if rates else "") + (
            f" and a fresh critic of width {fresh['critic_width']:,}{deeper}, trained "
            f"{opt.fresh_critic:,} updates against the frozen generator before it moved"
            if fresh else "")})
    wall = rows[-1]["wall_time_s"]
    print(f"Continuing the shipped run of {preset} from step {step:,}.", flush=True)
    return wall, wall - rows[-1].get("train_time_s", wall)


@contextlib.contextmanager
def exclusive(outdir):
    """Hold ``<outdir>/.lock`` for the whole run, so that a second run started on the
    same folder (another terminal, another session) refuses instead of both writing
    the same state. The operating system drops the lock when the process ends, however
    it ends, so a killed run leaves nothing to clean up."""
    import fcntl

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with open(outdir / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "another process"
            raise errors.ZooError(
                f"another run is training in {outdir} ({owner}); wait for it to finish, stop "
                "it, or give this run its own --outdir.") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {platform.node()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Interrupted(Exception):
    """A run stopped by SIGTERM or SIGINT after saving its state; ``str`` says how to
    resume. Recipes and ``python -m zoo train`` print it and exit 0."""


class StopRequest:
    """Set by SIGTERM or SIGINT (preemption, Ctrl-C, a session's end) while
    :func:`run` trains: the run saves its whole state at the next step boundary
    (:class:`EpochEnd`) and stops. A second signal acts at once, as it would
    without the zoo; the state saved before it stays."""

    def __init__(self):
        self.signal = None

    @contextlib.contextmanager
    def on_signals(self):
        import signal
        import threading

        if threading.current_thread() is not threading.main_thread():
            yield  # Python delivers signals to the main thread only
            return

        def handler(number, frame):
            self.signal = signal.Signals(number).name
            signal.signal(number, previous[number])  # the next one acts at once
            print(f"\n{self.signal}: saving the state at the end of this step, then stopping "
                  "(send it again to stop at once).", flush=True)

        previous = {n: signal.signal(n, handler) for n in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield
        finally:
            for number, action in previous.items():
                signal.signal(number, action)


def segments(done, steps, per_epoch):
    """``(initial_epoch, epochs, steps_per_epoch)`` for each ``fit`` call from step
    ``done`` to ``steps`` (both counted from where the run began): the rest of an epoch a
    stop cut short, the whole epochs, and a shorter last one, so that every epoch ends
    where an unbroken run's does."""
    out = []
    if done % per_epoch and done < steps:
        epoch = done // per_epoch
        end = min(steps, (epoch + 1) * per_epoch)
        out.append((epoch, epoch + 1, end - done))
        done = end
    whole = steps // per_epoch
    if done // per_epoch < whole:
        out.append((done // per_epoch, whole, per_epoch))
        done = whole * per_epoch
    if done < steps:
        out.append((whole, whole + 1, steps - done))
    return out


@functools.cache
def has_tensorflow():
    """Whether TensorFlow is installed (TensorBoard logs in ``tb/`` need it)."""
    try:
        import tensorflow  # noqa: F401
    except ImportError:
        return False
    return True
