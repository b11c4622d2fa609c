"""PyTorch: autograd, eager steps (the same code runs under ``torch.no_grad`` for sampling)."""

import torch
from keras import ops, tree


def leaky_relu(x, negative_slope):
    return ops.leaky_relu(x, negative_slope)


def replica_info():
    return 0, 1


def all_gather(x):
    return x


def apply_gradients(optimizer, loss_fn, variables):
    scaled, out = loss_fn()
    # allow_unused: a variable the loss does not reach gets None, as from a tape.
    grads = torch.autograd.grad(scaled, [v.value for v in variables], allow_unused=True)
    with torch.no_grad():
        optimizer.apply(list(grads), variables)
    # Like a closed tape: what the step returns is a value, not part of a graph.
    return tree.map_structure(lambda t: t.detach() if torch.is_tensor(t) else t, out)


def input_gradient(fn, x):
    # evaluate runs test_step under no_grad; the penalty still needs this gradient
    # (differentiable only where the caller's own gradients are on: training).
    differentiable = torch.is_grad_enabled()
    with torch.enable_grad():
        if not x.requires_grad:
            x = x.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(fn(x).sum(), x, create_graph=differentiable)
    return grad


def gradient_norm(loss_fn, variables, restore=()):
    saved = [v.value.detach().clone() for v in restore]
    loss = loss_fn().float().mean()
    grads = torch.autograd.grad(loss, [v.value for v in variables])
    with torch.no_grad():
        for v, value in zip(restore, saved):
            v.assign(value)
    return float(torch.sqrt(sum(torch.sum(g.float() ** 2) for g in grads)))


def make_train_function(model):
    def train_function(data):
        # Keras' torch fit hands over a list with one batch, whose tuples
        # have become lists; the variants take a tuple, as on the other backends.
        batch = data[0]
        if isinstance(batch, list):
            batch = tuple(batch)
        return model.train_step(batch, update_generator=model.generator_turn_on_host())

    return train_function


def inference_function(model, fn):
    def run(*args):
        with torch.no_grad():
            return fn(*args)

    return run
