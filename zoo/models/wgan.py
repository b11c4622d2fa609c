"""WGAN: Arjovsky, Chintala & Bottou 2017, "Wasserstein GAN", Algorithm 1.

* The critic f has no sigmoid; it maximises ``E[f(x)] - E[f(G(z))]`` (no log),
  so its loss is ``f(G(z)) - f(x)``; the generator minimises ``-E[f(G(z))]``.
* After *every* critic update all critic weights (batch-norm scale and shift
  included, as in the authors' code) are clipped to ``[-clip, clip]``, c = 0.01.
* RMSProp with lr 5e-5 for both players (no momentum), configured as the
  authors' PyTorch code ran it: ``torch.optim.RMSprop`` defaults, i.e. decay
  0.99 and an epsilon of 1e-8 added *outside* the square root. Keras'
  defaults (rho 0.9, epsilon 1e-7 *inside* the root) floor the denominator
  at 3.2e-4, and clipped WGAN's gradients are that small: at the old shipped
  checkpoint 69-76% of the generator's conv-kernel gradients were below it,
  so Keras' defaults shrank those steps to a fraction of the learning rate.
  Here epsilon is 1e-16 inside the root, which is 1e-8 outside it.
* ``n_critic`` = 5 critic updates per generator update, each on a fresh real
  batch; and, as in the authors' code, 100 critic updates before each of the
  first 25 generator updates and before every 500th one.

In ``fit`` one step is one critic update on one batch, so an epoch of N batches
makes N critic updates and about N/5 generator updates. The log shows
``wasserstein`` = ``E[f(x)] - E[f(G(z))]``, the critic's estimate of the
distance (up to the Lipschitz constant the clipping implies).

Network: the DCGAN body (the paper's main experiments), critic with batch
norm as in the authors' DCGAN critic. ``critic_width`` (default: ``width``) sets the
critic's first-layer filters on its own: clipping caps what a critic of a given width can
tell (Gulrajani et al. 2017, section 3), so a wider critic is the knob the paper leaves open.
``critic_norm`` (``"batch"``, the authors'; ``"layer"`` or ``None``) is there to measure
what batch norm costs a clipped critic: real and fake batches are normalised apart.
``critic_extra_layers`` adds 3x3 convolutions on the critic's last feature map, as the
authors' code's ``n_extra_layers`` (which puts them on the first): at 28x28 the DCGAN critic
has two strided layers where the paper's 64x64 one has four, and depth there is what the
clipped critic lacked (a fresh one told the samples of the generator then shipped, FID
112.2, from real digits 95% of the time with two such layers, 68% without, 72% with one on
the first map: ``studies/wgan_critic.py``). ``wgan-mnist`` has two.
"""

import numbers

import keras
from keras import ops

from zoo import errors, losses
from zoo.models.base import NoiseToImage
from zoo.models.dcgan import dcgan_discriminator, dcgan_generator
from zoo.preset import Preset, Schedule, collect


def rmsprop_as_in_pytorch(learning_rate):
    """``torch.optim.RMSprop(lr)`` as a Keras optimizer (see the module docstring)."""
    return keras.optimizers.RMSprop(learning_rate, rho=0.99, epsilon=1e-16)


class Wasserstein(NoiseToImage):
    """The Wasserstein game of Arjovsky et al. 2017, for WGAN and WGAN-GP: a critic
    without sigmoid and the losses without log, the critic's schedule (``n_critic``,
    the authors' warm-up), the DCGAN networks with the critic's own width, norm and
    extra layers, and ``with_fresh_critic`` for fine-tunes. What keeps the critic
    Lipschitz is the subclass's: WGAN clips its weights (``clip``), WGAN-GP penalises
    its gradient."""

    tracker_names = ("d_loss", "g_loss", "wasserstein")

    def __init__(self, *args, n_critic=5, warmup_critic=100,
                 warmup_generator_steps=25, warmup_every=500, critic_width=None,
                 critic_norm="batch", critic_extra_layers=0, **kwargs):
        if critic_norm not in ("batch", "layer", None):
            raise errors.ZooValueError(
                f"critic_norm must be 'batch' (the authors' critic), 'layer' or None (no "
                f"normalisation), got {critic_norm!r}.")
        if (isinstance(critic_extra_layers, bool)
                or not isinstance(critic_extra_layers, numbers.Integral) or critic_extra_layers < 0):
            raise errors.ZooValueError(
                f"critic_extra_layers must be a whole number >= 0 (0: the DCGAN critic), got "
                f"{critic_extra_layers!r}.")
        self.critic_width = critic_width
        self.critic_norm = critic_norm
        self.critic_extra_layers = int(critic_extra_layers)  # a numpy integer saves as JSON too
        self.n_critic = n_critic
        self.warmup_critic = warmup_critic
        self.warmup_generator_steps = warmup_generator_steps
        self.warmup_every = warmup_every
        super().__init__(*args, **kwargs)
        # Critic updates made since the last generator update (the schedule position).
        self.critic_streak = self._counter("critic_streak")

    def get_config(self):
        return {
            **super().get_config(),
            "n_critic": self.n_critic,
            "warmup_critic": self.warmup_critic,
            "warmup_generator_steps": self.warmup_generator_steps,
            "warmup_every": self.warmup_every,
            "critic_width": self.critic_width,
            "critic_norm": self.critic_norm,
            "critic_extra_layers": self.critic_extra_layers,
        }

    def build_networks(self):
        self.generator = dcgan_generator(
            self.image_size, self.channels, self.latent_dim, self.width
        )
        self.discriminator = dcgan_discriminator(
            self.image_size, self.channels, self.critic_width or self.width,
            norm=self.critic_norm, name="critic", extra_layers=self.critic_extra_layers,
        )

    @property
    def critic(self):
        return self.discriminator

    def default_optimizers(self):
        return rmsprop_as_in_pytorch(5e-5), rmsprop_as_in_pytorch(5e-5)

    def critic_updates_needed(self, generator_step):
        """Critic updates before generator update number ``generator_step`` (from 0)."""
        if self.warmup_critic and (
            generator_step < self.warmup_generator_steps
            or (self.warmup_every and generator_step % self.warmup_every == 0)
        ):
            return self.warmup_critic
        return self.n_critic

    def critic_updates_for(self, generator_updates):
        """Critic updates (``fit`` steps) that ``generator_updates`` generator updates take."""
        return sum(self.critic_updates_needed(g) for g in range(generator_updates))

    def generator_updates_in(self, steps):
        """Generator updates in the next ``steps`` fit steps, by the schedule, from the
        counters' values (``generator_turn``'s rule, step by step)."""
        g, streak, updates = int(self.g_steps.numpy()), int(self.critic_streak.numpy()), 0
        for _ in range(steps):
            if streak + 1 >= self.critic_updates_needed(g):
                g, streak, updates = g + 1, 0, updates + 1
            else:
                streak += 1
        return updates

    def generator_turn(self):
        # critic_updates_needed in keras.ops, so that a traced loop of many steps
        # (steps_per_execution > 1) computes it from the counters too.
        g = ops.convert_to_tensor(self.g_steps)
        needed = self.n_critic
        if self.warmup_critic:
            warm = ops.less(g, self.warmup_generator_steps)
            if self.warmup_every:
                warm = ops.logical_or(warm, ops.equal(ops.mod(g, self.warmup_every), 0))
            needed = ops.where(warm, self.warmup_critic, self.n_critic)
        return ops.greater_equal(ops.convert_to_tensor(self.critic_streak) + 1, needed)

    def generator_turn_on_host(self):
        # The same schedule from the counters' values: no tensor ops (0.09 against 0.6 ms a
        # step, measured on this CPU), where one step per call asks before every step.
        needed = self.critic_updates_needed(int(self.g_steps.numpy()))
        return int(self.critic_streak.numpy()) + 1 >= needed

    def critic_loss(self, real, fake):
        """Per-example critic loss, and the values to log (unscaled)."""
        per_example = losses.wasserstein_critic_loss(
            self.critic(real, training=True), self.critic(fake, training=True)
        )
        return per_example, {"wasserstein": -keras.ops.mean(per_example)}

    def d_objective(self, real, condition, batch):
        fake = self.generator(self.noise(batch), training=True)
        return self.critic_loss(real, fake)

    def g_objective(self, condition, batch):
        fake = self.generator(self.noise(batch, salt=1), training=True)
        return losses.wasserstein_generator_loss(self.critic(fake, training=True))

    def after_discriminator_update(self):
        self.keep_critic_lipschitz()
        self.critic_streak.assign_add(1)

    def keep_critic_lipschitz(self):
        """What follows every critic update to keep it Lipschitz (WGAN: clipping)."""

    def after_generator_update(self):
        super().after_generator_update()
        self.critic_streak.assign(0)

    def with_fresh_critic(self, fresh, warm_updates):
        """Fine-tuning this model's generator against a new critic: ``fresh``, a newly built
        model (its critic may be wider than this one's), takes this model's generator, its
        averaged weights and its step counters, and its critic makes ``warm_updates`` updates
        against the frozen generator before the generator moves again; then the paper's
        schedule goes on. Returns ``fresh``."""
        if [w.shape for w in fresh.generator.weights] != [w.shape for w in self.generator.weights]:
            raise errors.ZooValueError(
                "A fresh critic keeps the trained generator, so the new model's generator must "
                "have the same architecture; only the critic (critic_width, critic_norm) may change."
            )
        fresh.generator.set_weights(self.generator.get_weights())
        for mine, theirs in zip(fresh.average or [], self.average or []):
            mine.assign(theirs)
        fresh.d_steps.assign(self.d_steps)
        fresh.g_steps.assign(self.g_steps)
        fresh.critic_streak.assign(-int(warm_updates))  # generator_turn() waits for it
        return fresh


@keras.saving.register_keras_serializable(package="zoo")
class WGAN(Wasserstein):
    """Arjovsky et al. 2017 with weight clipping (``clip``, c = 0.01). See the module
    docstring."""

    def __init__(self, *args, clip=0.01, **kwargs):
        self.clip = clip
        super().__init__(*args, **kwargs)

    def get_config(self):
        return {**super().get_config(), "clip": self.clip}

    def keep_critic_lipschitz(self):
        """Algorithm 1, line 7: every critic weight clipped to [-c, c]."""
        for v in self.critic.trainable_variables:
            v.assign(keras.ops.clip(v, -self.clip, self.clip))


PAPER = 'Arjovsky, Chintala & Bottou 2017, "Wasserstein GAN"'

PRESETS = collect(
    Preset(
        name="wgan-mnist",
        cls=WGAN,
        # Two extra 3x3 layers on the critic's last (7x7) feature map: at 28x28 the DCGAN
        # critic has two strided layers to the paper's four, and clipped, it was the limit
        # (recipes/wgan_mnist.py, "How the shipped checkpoint reached its target").
        config={"image_size": 28, "channels": 1, "width": 64, "critic_extra_layers": 2,
                "average_decay": 0.999},
        dataset="mnist",
        # The authors' 10^5 generator updates: WGAN().critic_updates_for(100_000) fit steps.
        schedule=Schedule(steps=521_280, batch_size=64, steps_per_epoch=1000),
        recipe="recipes/wgan_mnist.py",
        paper=PAPER,
        hub="keras-gan-zoo/wgan-mnist",  # pinned with hub_revision once published
        # Issue 14's quality target (n = 10,000, tools/evaluate_checkpoints.py).
        target={"fid": ("<=", 25)},
        description="WGAN with weight clipping on MNIST 28x28.",
        # The shipped checkpoint's runs (its card's Reproduce; --replay runs them);
        # each with the critic it had then (the first as wide as the generator); the last
        # moves the generator at 8x the paper's rate (issue 35's rows, in the recipe).
        chain=(
            "python recipes/wgan_mnist.py --config critic_extra_layers=0 --outdir runs/wgan-mnist --eval_every 2 --steps 87000 --ship",
            "python recipes/wgan_mnist.py --config critic_width=128,critic_extra_layers=0 --outdir runs/wgan-mnist-w128 --finetune --fresh_critic 2000 --threads 2 --eval_every 2 --eval_n 2000 --steps 18000 --ship",
            "python recipes/wgan_mnist.py --outdir runs/wgan-mnist-deep64 --finetune --fresh_critic 2000 --threads 1 --eval_every 2 --eval_n 2000 --steps 30000 --precision mixed_bfloat16 --ship",
            "python recipes/wgan_mnist.py --outdir runs/wgan-mnist-lrg4e4 --finetune --lr_g 4e-4 --threads 1 --eval_every 2 --eval_n 2000 --steps 68000 --precision mixed_bfloat16 --ship",
        ),
    ),
)
