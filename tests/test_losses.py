"""The adversarial losses against values worked out by hand."""

import math

import numpy as np
from keras import ops

from zoo import losses
from zoo.models.wgan_gp import gradient_penalty


def close(a, b):
    np.testing.assert_allclose(ops.convert_to_numpy(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_minimax_discriminator_loss():
    # logits 0 -> D = 1/2: -log(1/2) - log(1 - 1/2) = 2 log 2.
    close(losses.minimax_discriminator_loss([[0.0]], [[0.0]]), [2 * math.log(2)])
    # real logit log(3) -> D = 3/4; fake logit -log(3) -> D = 1/4.
    close(losses.minimax_discriminator_loss([math.log(3)], [-math.log(3)]),
          [-math.log(0.75) - math.log(0.75)])
    # Extreme logits stay finite.
    assert np.isfinite(losses.minimax_discriminator_loss([100.0], [-100.0])).all()


def test_generator_losses():
    # D(G(z)) = 1/4: minimax log(1 - 1/4); non-saturating -log(1/4).
    close(losses.minimax_generator_loss([-math.log(3)]), [math.log(0.75)])
    close(losses.non_saturating_generator_loss([-math.log(3)]), [math.log(4)])


def test_wasserstein_losses():
    close(losses.wasserstein_critic_loss([2.0, 4.0], [1.0, -1.0]), [-1.0, -5.0])
    close(losses.wasserstein_generator_loss([1.0, -1.0]), [-1.0, 1.0])


def test_least_squares_and_l1_on_patch_maps():
    real = np.array([[[[1.0], [0.0]]]])  # one image, a 1x2 patch map
    fake = np.array([[[[0.5], [1.0]]]])
    close(losses.least_squares_discriminator_loss(real, fake), [(0 + 1) / 2 + (0.25 + 1) / 2])
    close(losses.least_squares_generator_loss(fake), [(0.25 + 0) / 2])
    close(losses.l1_loss(real, fake), [(0.5 + 1.0) / 2])


def test_gradient_penalty_of_a_linear_critic():
    # f(x) = sum(w * x) has gradient w everywhere: penalty (|w| - 1)^2 for any eps.
    w = ops.convert_to_tensor(np.full((1, 2, 2, 1), 1.5, np.float32))  # |w| = 3

    def critic(x, training=False):
        return ops.sum(x * w, axis=[1, 2, 3])

    rng = np.random.default_rng(0)
    real = ops.convert_to_tensor(rng.normal(size=(3, 2, 2, 1)).astype("float32"))
    fake = ops.convert_to_tensor(rng.normal(size=(3, 2, 2, 1)).astype("float32"))
    eps = ops.convert_to_tensor([0.0, 0.3, 1.0])
    close(gradient_penalty(critic, real, fake, eps), [4.0, 4.0, 4.0])
    # At a zero gradient the penalty is 1 and its own gradient is finite (epsilon in the norm).
    zero = lambda x, training=False: ops.sum(x * 0.0, axis=[1, 2, 3])  # noqa: E731
    close(gradient_penalty(zero, real, fake, eps), [1.0, 1.0, 1.0])


def test_gradient_norm_of_a_linear_network_with_batch_norm():
    """``backends.current.gradient_norm`` against the gradient worked out by hand,
    the network in inference mode (its batch-norm statistics untouched)."""
    import keras

    from zoo.backends import current

    w = np.array([[1.0, -2.0], [0.5, 3.0], [-1.0, 0.25]], "float32")
    net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(
        2, use_bias=False, kernel_initializer=keras.initializers.Constant(w)),
        keras.layers.BatchNormalization(epsilon=1e-3)])
    x = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]], "float32")
    # Inference-mode batch norm at its initial state: y = x W / s + beta, s = sqrt(1 + eps).
    s = math.sqrt(1.0 + 1e-3)
    # loss = mean over the batch of sum(y): d/dW = mean(x)^T 1 / s, d/dgamma = mean(x W) / s,
    # d/dbeta = 1 per unit.
    mean_x = x.mean(0)
    grad_w = np.outer(mean_x, [1.0, 1.0]) / s
    grad_gamma = (x @ w).mean(0) / s
    expected = math.sqrt((grad_w ** 2).sum() + (grad_gamma ** 2).sum() + 2.0)
    norm = current.gradient_norm(lambda: ops.sum(net(x, training=False), axis=1),
                                 net.trainable_variables)
    assert isinstance(norm, float)
    np.testing.assert_allclose(norm, expected, rtol=1e-5)
    # In training mode batch norm uses the batch's statistics and assigns its moving
    # ones; the norm is measured and the moving statistics are left as they were.
    bn = net.layers[-1]
    trained = current.gradient_norm(lambda: ops.sum(net(x, training=True), axis=1),
                                    net.trainable_variables, restore=net.non_trainable_variables)
    # Normalised by the batch's own statistics, sum(y) no longer depends on W: only the
    # gradient of beta (1 per unit) and of gamma (mean of x-hat = 0) remain.
    np.testing.assert_allclose(trained, math.sqrt(2.0), rtol=1e-4)
    close(bn.moving_mean, [0.0, 0.0])
    close(bn.moving_variance, [1.0, 1.0])
