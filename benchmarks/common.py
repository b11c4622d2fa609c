"""What the training benchmarks share: the variants they time and an epoch clock."""

import time

# variant -> (preset, global batch, constructor overrides)
SETTINGS = {
    "gan": ("gan-mnist", 64, {}),
    "dcgan": ("dcgan-mnist", 128, {}),
    # Steady state: 5 critic updates per generator update (no 100-update warm-up).
    "wgan": ("wgan-mnist", 64, {"warmup_critic": 0}),
    "wgan-gp": ("wgan-gp-mnist", 64, {}),
    "cgan": ("cgan-mnist", 128, {}),
    "cyclegan": ("cyclegan-sneaker2boot", 1, {}),
    # The paper's size (256x256x3, 9 residual blocks), where compute, not per-op
    # overhead, decides; a few steps only, it is slow on a CPU.
    "cyclegan-256": ("cyclegan-horse2zebra", 1, {}),
}


def epoch_clock(times):
    """A Keras callback appending each epoch's wall time in seconds to ``times``.

    Keras is imported here, not above, so a benchmark can set up its backend first.
    """
    import keras

    class EpochClock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.t)

    return EpochClock()
