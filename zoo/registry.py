"""Preset names -> models: ``zoo.list_models()`` and ``zoo.load(name)``.

A preset is a typed record (:class:`zoo.preset.Preset`) declared beside its
model (``PRESETS`` in each ``zoo/models/<variant>.py``): the class, its
constructor arguments, the dataset, the schedule, the recipe that trains it,
its optimizers when they differ from the class defaults, the paper and,
optionally, a pinned Hub repository. Trained weights live in
``checkpoints/<preset>/`` (see ``zoo.checkpoint``); :func:`where` is the one
answer to "where are this name's weights" for every caller.

Where ``load(name)`` finds a preset's weights (``"wgan-mnist"`` and
``"wgan_mnist"`` are the same name), in this order:

1. ``$ZOO_CHECKPOINTS/<name>/``, when that variable is set;
2. the source checkout's ``checkpoints/<name>/`` (the folder beside the
   ``zoo`` package: present in a git checkout or an editable install, absent
   from a wheel);
3. the Hugging Face cache, for the preset's declared Hub repository (every
   shipped preset declares one in its record, ``hub``, under the
   zoo's organisation ``keras-gan-zoo``; no network);
4. the Hub itself (``HF_ENDPOINT``, ``HF_TOKEN`` as ``huggingface_hub`` reads them).

When none has it, the error names every place it looked and what to do.
``"hf://owner/repo[@revision]"`` goes to the Hub (cache first); a path to a
preset folder loads that folder.
"""

import difflib
import os
from pathlib import Path

from zoo import checkpoint, errors
from zoo.models import cgan, cyclegan, dcgan, gan, pix2pix, wgan, wgan_gp

PRESETS = {}
for _module in (gan, dcgan, wgan, wgan_gp, cgan, cyclegan, pix2pix):
    PRESETS.update(_module.PRESETS)


HUB_ORGANISATION = "keras-gan-zoo"
# The source checkout's shelf (tests point it elsewhere to play a wheel install).
SOURCE_CHECKPOINTS = Path(__file__).resolve().parent.parent / "checkpoints"


def checkpoints_dir():
    """Where recipes ship checkpoints to: ``$ZOO_CHECKPOINTS`` or the checkout's ``checkpoints/``."""
    return Path(os.environ.get("ZOO_CHECKPOINTS", SOURCE_CHECKPOINTS))


def local_folders(name):
    """The local places of checkpoint ``name`` (a preset or a shipped classifier), in
    the order ``load`` tries them."""
    places = [Path(os.environ["ZOO_CHECKPOINTS"]) / name] if os.environ.get("ZOO_CHECKPOINTS") else []
    return places + [Path(SOURCE_CHECKPOINTS) / name]


def local_folder(name):
    """The first of :func:`local_folders` that holds weights, or None."""
    return next((f for f in local_folders(name) if (f / checkpoint.METADATA).exists()), None)


def hub_handle(name):
    """``"hf://owner/repo[@revision]"`` of a preset's declared Hub repository, or None."""
    return PRESETS[canonical(name)].hub_handle


def where(name):
    """Where ``load(name)`` would take the weights from now, without downloading:
    ``("local", folder)``, ``("cache", folder)``, ``("hub", handle)`` or ``(None, None)``."""
    folder = local_folder(canonical(name))
    if folder is not None:
        return "local", folder
    handle = hub_handle(name)
    if handle is None:
        return None, None
    from zoo import hub

    cached = hub.cached(handle)
    return ("cache", cached) if cached else ("hub", handle)


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
    """Sorted preset names; ``shipped_only`` keeps those with weights on this machine
    (``$ZOO_CHECKPOINTS`` or the checkout's ``checkpoints/``). ``where(name)`` tells
    where each one's weights would come from, the Hub included."""
    names = sorted(PRESETS)
    if shipped_only:
        names = [n for n in names if local_folder(n) is not None]
    return names


def get(name):
    """The :class:`zoo.preset.Preset` record of ``name`` (any spelling ``canonical`` takes)."""
    return PRESETS[canonical(name)]


def build(name, **overrides):
    """A freshly initialised, compiled model with the preset's architecture."""
    return get(name).build(**overrides)


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
    folder = local_folder(key)
    if folder is not None:
        return checkpoint.load_preset(folder, expect_class=preset.cls, **overrides)
    looked = [str(f) for f in local_folders(key)]
    handle = hub_handle(key)
    if handle is not None:
        from zoo import hub

        folder = hub.cached(handle)
        looked.append(f"the Hugging Face cache ({hub.cache_dir()}) for {handle}")
        if folder is None:
            try:
                folder = hub.download(handle)
            except hub.HubError as e:
                looked.append(f"{handle} on {hub.endpoint()}: {str(e).rstrip('.')}")
        if folder is not None:
            return checkpoint.load_preset(folder, expect_class=preset.cls, **overrides)
    fixes = [f"train them with `python {preset.recipe} --ship`",
             f"set ZOO_CHECKPOINTS to a folder that holds {key}/"]
    if handle is not None:
        fixes.insert(0, f"connect to the Hub (or set HF_ENDPOINT to a mirror) so {handle} can "
                        f"download, or fetch it once elsewhere with `python -c \"import zoo; "
                        f"zoo.hub.download('{handle}')\"` and copy the cache")
    shipped = ", ".join(list_models(shipped_only=True)) or "none here"
    raise errors.WeightsNotAvailableError(
        f"no trained weights found for {key!r}; looked in: " + "; ".join(looked) + ". To fix: "
        + ", or ".join(fixes) + f"; or use zoo.load({key!r}, pretrained=False) for a fresh "
        f"model. Presets with weights on this machine: {shipped}."
    )
