"""The one place where the zoo differs per Keras backend.

Everything else (networks, losses, noise, the variants' ``train_step``) is
written once in ``keras.ops``. What cannot be is a gradient: TensorFlow records
it on a tape, JAX transforms a pure function, PyTorch runs autograd. Each
backend module below provides the same seven functions:

* ``apply_gradients(optimizer, loss_fn, variables)``: one optimizer step on
  ``loss_fn() -> (scaled_loss, outputs)``; returns ``outputs``.
* ``input_gradient(fn, x)``: the gradient of ``sum(fn(x))`` with respect to
  ``x``, itself differentiable (WGAN-GP's penalty).
* ``gradient_norm(loss_fn, variables, restore=())``: the global L2 norm of
  the gradient of ``mean(loss_fn())`` with respect to ``variables``, a float,
  changing nothing: what ``loss_fn`` assigns (batch-norm statistics of
  networks called in training mode) is put back for the variables in
  ``restore`` (TensorFlow, PyTorch) or never assigned (JAX). Every variable
  must take part in the loss. For watching a generator's gradients (the
  vanishing-gradient study).
* ``leaky_relu(x, negative_slope)``: Keras' LeakyReLU, values and gradients;
  on TensorFlow its gradient reads the output instead of the input, which
  lets Grappler fuse convolution, bias and activation (the reason is beside it).
* ``make_train_function(model)``: what ``fit`` calls once per step; it asks the
  model on the host whether the generator moves this step.
* ``inference_function(model, fn)``: ``fn`` compiled for sampling.
* ``replica_info()`` and ``all_gather(x)``: the replica context of a
  ``tf.distribute`` strategy. JAX's ``keras.distribution`` is global-view (the
  step sees the whole batch), so there it is always one replica.

Choose the backend the usual Keras way, ``KERAS_BACKEND=jax`` (or ``torch``,
``tensorflow``) before importing ``zoo``.
"""

import keras

from zoo.errors import ZooError

NAME = keras.backend.backend()

if NAME == "tensorflow":
    from zoo.backends import tensorflow_step as current
elif NAME == "jax":
    from zoo.backends import jax_step as current
elif NAME == "torch":
    from zoo.backends import torch_step as current
else:
    raise ZooError(
        f"zoo runs on the tensorflow, jax and torch backends of Keras, not {NAME!r}; "
        "set KERAS_BACKEND to one of them before importing zoo."
    )

__all__ = ["NAME", "current"]
