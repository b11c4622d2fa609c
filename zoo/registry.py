"""Preset names -> models: ``zoo.list_models()`` and ``zoo.load(name)``.

A preset is plain data declared beside its model (``PRESETS`` in each
``zoo/models/<variant>.py``): the class, its constructor arguments, the
dataset, the recipe that trains it, the recipe's optimizers when they differ from
the class defaults (``"compile"``) and, optionally, a pinned Hub repository.
Trained weights live in ``checkpoints/<preset>/`` (see ``zoo.checkpoint``).

Resolution for ``load(name)``: a registered name (``"wgan-mnist"`` and
``"wgan_mnist"`` are the same) is read from the shipped ``checkpoints/``
folder, or from its pinned Hub repository; ``"hf://owner/repo[@revision]"``
goes to the Hub (cache first); a path to a preset folder loads that folder.
"""

import difflib
import os
from pathlib import Path

from zoo import checkpoint, errors
from zoo.models import cgan, cyclegan, dcgan, gan, wgan, wgan_gp

PRESETS = {}
for _module in (gan, dcgan, wgan, wgan_gp, cgan, cyclegan):
    PRESETS.update(_module.PRESETS)


def checkpoints_dir():
    """Where shipped checkpoints live: ``$ZOO_CHECKPOINTS`` or the repo's ``checkpoints/``."""
    return Path(os.environ.get("ZOO_CHECKPOINTS", Path(__file__).resolve().parent.parent / "checkpoints"))


def canonical(name):
    """The registered spelling of ``name``; raises UnknownModelError with suggestions."""
    if not isinstance(name, str) or not name.strip():
        raise errors.ZooValueError(f"a model name must be a non-empty string, got {name!r}.")
    key = name.strip().lower().replace("_", "-")
    if key in PRESETS:
        return key
    close = difflib.get_close_matches(key, PRESETS, n=3, cutoff=0.4)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise errors.UnknownModelError(
        f"no model named {name!r}.{hint} Valid names: {', '.join(sorted(PRESETS))}. "
        "Hub repositories load as 'hf://owner/repo'."
    )


def list_models(shipped_only=False):
    """Sorted preset names; ``shipped_only`` keeps those with weights in ``checkpoints/``."""
    names = sorted(PRESETS)
    if shipped_only:
        names = [n for n in names if (checkpoints_dir() / n / checkpoint.METADATA).exists()]
    return names


def build(name, **overrides):
    """A freshly initialised, compiled model with the preset's architecture."""
    preset = PRESETS[canonical(name)]
    model = preset["class"](**{**preset["config"], **overrides})
    model.compile(**preset.get("compile", {}))
    return model


def load(name, pretrained=True, **overrides):
    """A compiled model ready for ``sample`` / ``translate`` and for ``fit``.

    Args:
      name: a preset name (see ``list_models()``), ``"hf://owner/repo[@rev]"``,
        the path of a preset folder, or of a ``.keras`` file (loaded with
        ``safe_mode=True``: a file that would run code is refused).
      pretrained: load trained weights (default); False gives the same
        architecture freshly initialised.
      **overrides: constructor arguments to change, such as ``seed``.
    """
    if isinstance(name, (str, os.PathLike)) and str(name).startswith("hf://"):
        from zoo import hub

        return checkpoint.load_preset(hub.download(str(name)), **overrides)
    if isinstance(name, (str, os.PathLike)) and str(name).endswith(".keras"):
        return checkpoint.load_keras_file(name)
    if isinstance(name, os.PathLike) or (
        isinstance(name, str) and os.sep in name and Path(name).is_dir()
    ):
        return checkpoint.load_preset(name, **overrides)
    key = canonical(name)
    if not pretrained:
        return build(key, **overrides)
    preset = PRESETS[key]
    folder = checkpoints_dir() / key
    if (folder / checkpoint.METADATA).exists():
        return checkpoint.load_preset(folder, expect_class=preset["class"], **overrides)
    if preset.get("hub"):
        from zoo import hub

        return checkpoint.load_preset(
            hub.download(preset["hub"]), expect_class=preset["class"], **overrides
        )
    shipped = ", ".join(list_models(shipped_only=True)) or "none yet"
    raise errors.WeightsNotAvailableError(
        f"no trained weights are shipped for {key!r} (looked in {folder}). Train them with "
        f"`python {preset['recipe']}`, or use zoo.load({key!r}, pretrained=False) for a fresh "
        f"model. Presets with shipped weights: {shipped}."
    )
