"""Adversarial losses as pure functions of discriminator outputs.

Every function returns a *per-example* loss vector of shape ``(batch,)``. The
variants average it themselves so that the average is taken over the *global*
batch when training under a ``tf.distribute`` strategy (see
``zoo.models.base.global_mean``). Inputs are logits (pre-sigmoid) or raw critic
scores; nothing here applies a sigmoid twice.
"""

from keras import ops


def _flat_mean(x):
    """Mean over every axis but the first (PatchGAN maps -> one value per image)."""
    x = ops.convert_to_tensor(x)
    if len(x.shape) == 1:
        return x
    return ops.mean(ops.reshape(x, (ops.shape(x)[0], -1)), axis=1)


def _bce_with_logits(logits, target):
    # log(1 + exp(-|x|)) + max(x, 0) - x * t, numerically stable for any x.
    logits = ops.convert_to_tensor(logits, "float32")
    return ops.relu(logits) - logits * target + ops.log1p(ops.exp(-ops.abs(logits)))


def minimax_discriminator_loss(real_logits, fake_logits):
    """Goodfellow et al. 2014, eq. 1, the discriminator's side.

    The discriminator maximises ``log D(x) + log(1 - D(G(z)))``; as a loss to
    minimise this is ``-log sigmoid(real) - log(1 - sigmoid(fake))``.
    """
    return _flat_mean(_bce_with_logits(real_logits, 1.0)) + _flat_mean(
        _bce_with_logits(fake_logits, 0.0)
    )


def minimax_generator_loss(fake_logits):
    """Goodfellow et al. 2014, eq. 1, the generator's side (saturating).

    The generator minimises ``log(1 - D(G(z)))``. Its gradient vanishes when
    the discriminator confidently rejects fakes, which is why the paper itself
    recommends the non-saturating form early in training.
    """
    return -_flat_mean(_bce_with_logits(fake_logits, 0.0))


def non_saturating_generator_loss(fake_logits):
    """Goodfellow et al. 2014, section 3: maximise ``log D(G(z))`` instead.

    Same fixed point as the minimax loss, strong gradients early in training.
    """
    return _flat_mean(_bce_with_logits(fake_logits, 1.0))


def wasserstein_critic_loss(real_scores, fake_scores):
    """Arjovsky et al. 2017, algorithm 1: the critic maximises
    ``E[f(x)] - E[f(G(z))]``, so it minimises ``f(G(z)) - f(x)``. No log, no sigmoid.
    """
    return _flat_mean(fake_scores) - _flat_mean(real_scores)


def wasserstein_generator_loss(fake_scores):
    """Arjovsky et al. 2017, algorithm 1: the generator minimises ``-E[f(G(z))]``."""
    return -_flat_mean(fake_scores)


def least_squares_discriminator_loss(real_out, fake_out):
    """Mao et al. 2017 (LSGAN, a=0, b=c=1), as used by CycleGAN (Zhu et al. 2017, sec. 4).

    ``(D(x) - 1)^2 + D(G(z))^2``, averaged over the PatchGAN map. CycleGAN's
    authors halve the discriminator's objective; that factor is applied by the
    model, not here.
    """
    return _flat_mean(ops.square(ops.convert_to_tensor(real_out) - 1.0)) + _flat_mean(
        ops.square(fake_out)
    )


def least_squares_generator_loss(fake_out):
    """Mao et al. 2017: the generator minimises ``(D(G(z)) - 1)^2``."""
    return _flat_mean(ops.square(ops.convert_to_tensor(fake_out) - 1.0))


def l1_loss(a, b):
    """Mean absolute error per example (CycleGAN's cycle and identity losses)."""
    return _flat_mean(ops.abs(ops.convert_to_tensor(a) - b))
