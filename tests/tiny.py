"""Tiny configurations of every variant, so each test runs in about a second."""


from zoo import registry
from zoo.models import DCGAN, GAN, WGAN, CycleGAN, Pix2Pix, WGANGP

BASE = {"image_size": 8, "width": 4, "latent_dim": 8}
TINY = {
    DCGAN: BASE,
    GAN: {"image_size": 8, "width": 16, "latent_dim": 8, "d_units": 8, "pieces": 2},
    # 16 px: at 8 px the PatchGAN's last map is 1x1 and instance norm zeroes it.
    # cycle_weight 10, the paper's, whatever the preset's (sneaker2boot ships 2.5): the
    # golden numbers and the backend tolerances were set on it.
    CycleGAN: {"image_size": 16, "width": 4, "n_blocks": 1, "pool_size": 3, "cycle_weight": 10.0},
    # One critic update per generator update, so two fit steps move both players.
    # critic_width None, no extra layers: the DCGAN critic as wide as the generator,
    # whatever the preset's critic (the golden numbers were set on it).
    WGAN: {**BASE, "n_critic": 1, "warmup_critic": 0, "critic_width": None,
           "critic_extra_layers": 0},
    WGANGP: {**BASE, "n_critic": 1},
    # 16 px: a U-Net of four levels; the PatchGAN's last maps are 2x2.
    Pix2Pix: {"image_size": 16, "width": 4},
}


def one_per_variant():
    """One preset of each registered model class, so that a variant is tested the day it
    is registered: the first of its presets with a quality target (one that ships
    weights), else its first, in the registry's order."""
    chosen = {}
    for name, preset in registry.PRESETS.items():
        if preset.cls not in chosen or (preset.target and not registry.PRESETS[chosen[preset.cls]].target):
            chosen[preset.cls] = name
    return list(chosen.values())


def translator(model):
    """Whether ``model`` translates images (CycleGAN, pix2pix) rather than sampling noise."""
    return model.task == "image-to-image"


def networks(model):
    """The model's networks (its players), in the order it builds them."""
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.Model)]


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
    """``names`` less the presets whose tiny build runs another's code (same class, same
    constructor arguments at tiny size, the number of channels and what the schedule
    derives aside): they would run the same code twice (dcgan-emoji's is dcgan-celeba's,
    dcgan-mnist's too, but in grey). The first of each kind is kept: in alphabetical order
    a colour preset where there is one (cyclegan-horse2zebra, dcgan-celeba)."""
    seen, out = set(), []
    for name in names:
        preset = registry.PRESETS[name]
        config = {**preset.config, **overrides(preset.cls)}
        config.pop("channels", None)
        key = (preset.cls, repr(sorted(config.items())))
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out
