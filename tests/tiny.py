"""Tiny configurations of every variant, so each test runs in about a second."""


from zoo import registry
from zoo.models import DCGAN, GAN, WGAN, CycleGAN, WGANGP

BASE = {"image_size": 8, "width": 4, "latent_dim": 8}
TINY = {
    DCGAN: BASE,
    GAN: {"image_size": 8, "width": 16, "latent_dim": 8, "d_units": 8, "pieces": 2},
    # 16 px: at 8 px the PatchGAN's last map is 1x1 and instance norm zeroes it.
    CycleGAN: {"image_size": 16, "width": 4, "n_blocks": 1, "pool_size": 3},
    # One critic update per generator update, so two fit steps move both players.
    # critic_width None: as wide as the generator, whatever the preset's critic.
    WGAN: {**BASE, "n_critic": 1, "warmup_critic": 0, "critic_width": None},
    WGANGP: {**BASE, "n_critic": 1},
}


def overrides(cls):
    for klass in cls.__mro__:
        if klass in TINY:
            return dict(TINY[klass])
    return dict(BASE)


def build(name, **extra):
    cls = registry.PRESETS[name].cls
    return registry.build(name, **{**overrides(cls), **extra})


def batch(model, n=8, seed=0):
    """A batch of training data in the form the model's train_step takes."""
    return model.example_batch(n, seed)


def distinct(names):
    """``names`` less the presets whose tiny build is another's (same class, same
    constructor arguments at tiny size; what the schedule derives aside): they would run
    the same code twice (dcgan-emoji's is dcgan-celeba's, and so on)."""
    seen, out = set(), []
    for name in names:
        preset = registry.PRESETS[name]
        key = (preset.cls, repr(sorted({**preset.config, **overrides(preset.cls)}.items())))
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out
