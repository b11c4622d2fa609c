"""A callback that watches a GAN train and says, in words, when it goes wrong.

The three classic failures, each checked during ``fit``:

* **divergence**: a loss becomes NaN or infinite;
* **a discriminator that has won outright**: its loss stays near zero for
  ``patience`` steps while the generator's loss grows, so the generator's
  gradients vanish (Goodfellow et al. 2014, sec. 3; Arjovsky & Bottou 2017).
  Not checked for Wasserstein critics, whose loss is unbounded by design;
* **mode collapse**: the spread of a fixed set of samples (mean pairwise
  distance) falls below ``min_diversity`` times the spread of real images (or,
  without real images, of the most diverse samples seen in this run). A fresh
  generator's samples are all alike too (its N(0, 0.02) weights make nearly
  constant images), so this is checked only after ``warmup`` generator steps.

For each, the action is ``"stop"`` (restore the last good weights, optimizer
state and counters, and stop ``fit``), ``"warn"`` (a ``GANHealthWarning``) or
``"ignore"``; a warning is given once per kind and epoch. Every event is kept
in ``guard.events``.

    guard = zoo.DivergenceGuard(reference=real_images)
    model.fit(ds, epochs=10, callbacks=[guard])
"""

import math
import warnings

import keras
import numpy as np

from zoo import errors

ACTIONS = ("stop", "warn", "ignore")


class GANHealthWarning(UserWarning):
    """A training run shows one of the known GAN failure modes."""


def diversity(images):
    """Mean pairwise Euclidean distance between images (flattened)."""
    x = np.asarray(images, np.float64).reshape(len(images), -1)
    sq = (x * x).sum(1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * x @ x.T, 0.0)
    n = len(x)
    return float(np.sqrt(d2).sum() / (n * (n - 1)))


class DivergenceGuard(keras.callbacks.Callback):
    """Stop or warn when a loss is not finite, D wins outright, or samples collapse.

    Args:
      on_nan, on_d_wins, on_collapse: ``"stop"``, ``"warn"`` or ``"ignore"``.
      d_loss_floor: a per-step discriminator loss below this counts as "won".
      patience: consecutive steps D must have won (with the generator's loss
        higher than when the streak began) before the event fires.
      reference: real images (N >= 2); sample diversity is measured relative to
        theirs. Without it, relative to the best diversity seen in the run.
      min_diversity: the collapse threshold for that ratio.
      warmup: generator updates before the collapse check starts.
      check_every: steps between diversity checks and good-weight snapshots.
      n_samples: samples per diversity check (always the same latent vectors).
    """

    def __init__(self, on_nan="stop", on_d_wins="warn", on_collapse="warn",
                 d_loss_floor=1e-3, patience=200, reference=None, min_diversity=0.25,
                 warmup=200, check_every=100, n_samples=64):
        super().__init__()
        for name, action in (("on_nan", on_nan), ("on_d_wins", on_d_wins),
                             ("on_collapse", on_collapse)):
            if action not in ACTIONS:
                raise errors.ZooValueError(f"{name} must be one of {ACTIONS}, got {action!r}.")
        self.actions = {"nan": on_nan, "d_wins": on_d_wins, "collapse": on_collapse}
        self.d_loss_floor = float(d_loss_floor)
        self.patience = errors.check_positive_int("patience", patience)
        self.check_every = errors.check_positive_int("check_every", check_every)
        self.n_samples = errors.check_positive_int("n_samples", n_samples)
        if self.n_samples < 2:
            raise errors.ZooValueError("n_samples must be at least 2 to measure diversity.")
        self.min_diversity = float(min_diversity)
        if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
            raise errors.ZooValueError(f"warmup must be an integer >= 0, got {warmup!r}.")
        self.warmup = warmup
        self.reference_diversity = None
        if reference is not None:
            reference = np.asarray(reference)
            if reference.ndim < 2 or len(reference) < 2:
                raise errors.ZooValueError(
                    f"reference must be a batch of at least 2 real images, got shape "
                    f"{reference.shape}."
                )
            self.reference_diversity = diversity(reference)
        self.events = []
        self._best_diversity = 0.0  # kept across fit calls

    # ----------------------------------------------------------- snapshots
    def _state(self):
        model = self.model
        variables = list(model.weights)
        for opt in (getattr(model, "d_optimizer", None), getattr(model, "g_optimizer", None)):
            if opt is not None:
                variables += list(opt.variables)
        return variables

    def _snapshot(self):
        self._good = [np.array(v.numpy()) for v in self._state()]
        self._good_step = self._step

    def _restore(self):
        for v, value in zip(self._state(), self._good):
            v.assign(value)

    # ------------------------------------------------------------- events
    def _fire(self, kind, message):
        action = self.actions[kind]
        if action == "ignore" or (action == "warn" and kind in self._warned):
            return  # a warning is given once per kind and epoch
        self._warned.add(kind)
        event = {"step": self._step, "kind": kind, "message": message, "action": action}
        if action == "stop":
            self._restore()
            self.model.stop_training = True
            event["message"] += (f" Stopped training and restored the weights of step "
                                 f"{self._good_step}.")
        self.events.append(event)
        warnings.warn(event["message"], GANHealthWarning, stacklevel=2)

    # ---------------------------------------------------------- callbacks
    def on_train_begin(self, logs=None):
        if not hasattr(self.model, "d_steps"):
            raise errors.ZooValueError(
                f"DivergenceGuard watches zoo GANs (zoo.load(...) or a zoo.models class); "
                f"got a {type(self.model).__name__}, which has no discriminator steps to watch."
            )
        self._step = int(self.model.d_steps.numpy())
        self._means, self._seen = {}, 0
        self._streak = 0
        self._streak_g = None
        self._warned = set()
        self._snapshot()

    def on_epoch_begin(self, epoch, logs=None):
        self._means = {}  # the loss trackers restart every epoch
        self._seen = 0  # steps of this epoch behind those means
        self._warned = set()

    def _step_values(self, seen, logs):
        """The losses of the steps since the last call (one step, or a call's
        ``steps_per_execution``: their mean), recovered from the epoch's running means
        over ``self._seen`` and ``seen`` steps."""
        values = {}
        for key, mean in logs.items():
            if np.ndim(mean) != 0:
                continue
            mean = float(mean)
            prev = self._means.get(key)
            values[key] = (mean if prev is None else
                           (seen * mean - self._seen * prev) / (seen - self._seen))
            self._means[key] = mean
        return values

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        # One step per call, or up to steps_per_execution (Keras gives the call's last
        # step, which may lie past the epoch's end when the epoch ended the call early).
        seen = min(batch + 1, self.params.get("steps") or batch + 1)
        ran = max(1, seen - self._seen)
        before, self._step = self._step, self._step + ran
        bad = {k: float(v) for k, v in logs.items()
               if np.ndim(v) == 0 and not math.isfinite(float(v))}
        if bad:
            shown = ", ".join(f"{k}={v}" for k, v in bad.items())
            self._fire("nan", f"GAN diverged at step {self._step}: {shown}. Lower the learning "
                       "rates, check the data for NaN, or use a gradient penalty (WGAN-GP).")
            return
        values = self._step_values(seen, logs) if seen > self._seen else {}
        self._seen = seen
        if "wasserstein" not in logs and "d_loss" in values and "g_loss" in values:
            self._check_d_wins(values["d_loss"], values["g_loss"], ran)
        crossed = self._step // self.check_every > before // self.check_every
        if crossed and not self.model.stop_training:
            self._check_collapse()
            if self._streak == 0 and not self.model.stop_training:
                self._snapshot()

    def _check_d_wins(self, d_loss, g_loss, steps=1):
        if d_loss >= self.d_loss_floor:
            self._streak, self._streak_g = 0, None
            return
        if self._streak == 0:
            self._streak_g = g_loss
        self._streak += steps
        if self._streak >= self.patience and g_loss > self._streak_g:
            self._fire("d_wins", (
                f"the discriminator has won outright: its loss has been below "
                f"{self.d_loss_floor:g} for {self._streak} steps while the generator's loss "
                f"grew from {self._streak_g:.3g} to {g_loss:.3g}, so the generator's "
                "gradients vanish. Weaken the discriminator (lower its learning rate, fewer "
                "updates, dropout) or switch to a Wasserstein loss (WGAN / WGAN-GP)."))
            self._streak, self._streak_g = 0, None

    def _check_collapse(self):
        if not hasattr(self.model, "sample") or hasattr(self.model, "translate"):
            return  # image-to-image models have no latent space to collapse
        if int(self.model.g_steps.numpy()) < self.warmup:
            return
        labels = None
        if getattr(self.model, "num_classes", 0):
            labels = np.arange(self.n_samples) % self.model.num_classes
        spread = diversity(self.model.sample(self.n_samples, seed=12345,
                                             labels=labels))
        if self.reference_diversity is not None:
            base, what = self.reference_diversity, "real images'"
        else:
            self._best_diversity = max(self._best_diversity, spread)
            base, what = self._best_diversity, "best in this run"
        ratio = spread / base if base > 0 else 1.0
        if ratio < self.min_diversity:
            self._fire("collapse", (
                f"mode collapse at step {self._step}: {self.n_samples} samples from different "
                f"latent vectors differ by {spread:.3g} on average, {ratio:.2f}x the {what} "
                f"({base:.3g}). Try minibatch discrimination, a lower generator learning rate, "
                "or WGAN-GP; see `python -m zoo evaluate` for mode coverage."))
