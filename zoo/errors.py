"""Typed errors. Every message says what went wrong and what to do about it."""

import math
import numbers

MAX_SAMPLES = 1_000_000


class ZooError(Exception):
    """Base class of every error the zoo raises on purpose."""


class ZooValueError(ZooError, ValueError):
    """An argument has the wrong value, type or shape."""


class NotThisKindOfModel(ZooValueError, AttributeError):
    """A method of another kind of model (``sample`` on a translator): absent, so
    ``hasattr`` says False, with a message that says what this model does instead."""


class UnknownModelError(ZooError, KeyError):
    """No preset has that name."""

    def __str__(self):  # KeyError would print the message in quotes
        return str(self.args[0])


class WeightsNotAvailableError(ZooError, FileNotFoundError):
    """The preset exists but its trained weights are not shipped or cached."""


class CheckpointError(ZooError, OSError):
    """A checkpoint on disk is missing, corrupted or of another architecture."""


class DataNotFoundError(ZooError, FileNotFoundError):
    """A dataset is not prepared on this machine."""


def check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ZooValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def check_truncation(psi):
    """None (no truncation) or a finite number >= 0.01 (below it the resampling's rounds
    grow like 1/psi while the samples all tend to the one image at z = 0)."""
    if psi is None:
        return None
    if isinstance(psi, bool) or not isinstance(psi, numbers.Real) or not math.isfinite(psi):
        raise ZooValueError(
            f"truncation must be None or a number psi > 0 (BigGAN's 0.5 to 2 are usual), "
            f"got {psi!r}.")
    if psi < 0.01:
        raise ZooValueError(
            f"truncation must be at least 0.01 (got {psi}): there every sample is close to the "
            "image of the mean latent, model.predict(np.zeros((1, model.latent_dim))).")
    return float(psi)


def check_sample_count(n):
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise ZooValueError(f"n must be an integer number of images, got {n!r}.")
    if n <= 0:
        raise ZooValueError(f"n must be at least 1, got {n}.")
    if n > MAX_SAMPLES:
        raise ZooValueError(
            f"n={n} images would not fit in memory at once; the limit is {MAX_SAMPLES}. "
            "Call sample() several times with different seeds instead."
        )
    return int(n)


def check_seed(seed):
    """None (fresh randomness) or a non-negative integer."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ZooValueError(f"seed must be None or an integer >= 0, got {seed!r}.")
    return int(seed)
