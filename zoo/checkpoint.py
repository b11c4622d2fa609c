"""Preset folders on disk: the one format shipped in ``checkpoints/``, cached
from the Hub and pushed to it.

A preset folder holds

* ``config.json``: the model class and constructor arguments, and its compile
  config (both players' optimizers);
* ``model.weights.h5``: every network's weights, the step counters and
  CycleGAN's pools, and, unless saved with ``training_state=False``, both
  optimizers' state (so ``fit`` continues exactly where training stopped).
  Shipped checkpoints leave the optimizer state out: it would triple their size,
  and fine-tuning starts fresh optimizers anyway;
* ``metadata.json``: sha256 of the two files above plus free-form training
  and evaluation records.

Folders are written to a temporary sibling and renamed into place, so an
interrupted save never replaces the last good one (a save killed between its two
renames leaves the previous folder as ``.<name>.old``, which :func:`recover`
puts back). Loading checks every hash first and names the bad file.

A preset folder may come from anyone (``hf://someone/anything``), so loading
trusts none of it: the JSON files are size-capped and parsed as plain data, the
class must be a zoo model, the constructor arguments must be ones that class
takes, with plain values, and the optimizers must be Keras optimizers from a
fixed list whose settings are plain values (or a zoo/Keras learning-rate
schedule of plain values). Nothing in a folder is ever run as code: no
Lambda layers, custom objects or pickles.
"""

import inspect
import json
import os
import shutil
import tempfile
from pathlib import Path

import h5py
import keras
import numpy as np

from zoo import files
from zoo.errors import CheckpointError

CONFIG, WEIGHTS, METADATA = "config.json", "model.weights.h5", "metadata.json"
HASHED = (CONFIG, WEIGHTS)
MAX_JSON_BYTES = {CONFIG: 1 << 20, METADATA: 16 << 20}
OPTIMIZERS = ("Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "SGD", "Adagrad", "Adadelta",
              "Lion", "Ftrl")
SCHEDULES = ("zoo>LinearDecay", "ExponentialDecay", "PiecewiseConstantDecay",
             "PolynomialDecay", "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts")
PLAIN = (str, int, float, bool, type(None))


def _backup(folder):
    return folder.with_name(f".{folder.name}.old")


def recover(folder):
    """Put back the previous version of ``folder`` if a save died mid-swap."""
    folder = Path(folder)
    if not folder.exists() and _backup(folder).is_dir():
        _backup(folder).rename(folder)


def save_preset(model, folder, metadata=None, training_state=True):
    """Write ``model`` as a preset folder at ``folder``, atomically.

    ``metadata`` (a JSON-able dict) is stored beside the hashes; an existing
    folder's metadata is kept unless overridden key by key. With
    ``training_state=False`` the optimizers' slots are not written.
    """
    folder = Path(folder)
    variables = model.variables + (model.d_optimizer.variables + model.g_optimizer.variables
                                   if training_state and hasattr(model, "d_optimizer") else [])
    need = 2 * sum(int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize for v in variables) + 2**20

    def refuse(why):
        return CheckpointError(
            f"could not save {folder}: {why}. Saving needs write permission in {folder.parent} "
            f"and about {need / 2**20:,.0f} MB free there (the new copy is written beside the "
            f"old one); what was in {folder} is as it was.")

    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(folder.parent).free
    except OSError as e:
        raise refuse(e.strerror or e) from e
    if free < need:  # checked first: HDF5 does not fail cleanly on a full disk
        raise refuse(f"only {free / 2**20:,.1f} MB free")
    recover(folder)
    old = {}
    if (folder / METADATA).exists():
        old = json.loads((folder / METADATA).read_text())
    try:
        _write_preset(model, folder, old, metadata, training_state)
    except (OSError, RuntimeError) as e:  # HDF5 reports write errors as RuntimeError
        if isinstance(e, CheckpointError):
            raise
        raise refuse(getattr(e, "strerror", None) or e) from e
    return folder


def _write_preset(model, folder, old, metadata, training_state):
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    os.chmod(tmp, 0o777 & ~files.current_umask())  # mkdtemp makes it private (0700)
    try:
        config = {
            "class_name": keras.saving.get_registered_name(type(model)),
            "config": model.get_config(),
            "compile_config": model.get_compile_config(),
            "keras_version": keras.__version__,
        }
        (tmp / CONFIG).write_text(json.dumps(config, indent=2) + "\n")
        if training_state:
            model.save_weights(tmp / WEIGHTS)
        else:  # an uncompiled twin holds the same weights and no optimizer
            twin = type(model).from_config(model.get_config())
            twin.set_weights(model.get_weights())
            twin.save_weights(tmp / WEIGHTS)
        meta = {**old, **(metadata or {})}
        meta["sha256"] = {name: files.sha256(tmp / name) for name in HASHED}
        (tmp / METADATA).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
        for name in os.listdir(tmp):
            with open(tmp / name, "rb") as f:
                os.fsync(f.fileno())
        if folder.exists():
            backup = _backup(folder)
            shutil.rmtree(backup, ignore_errors=True)
            folder.rename(backup)
            tmp.rename(folder)
            shutil.rmtree(backup)
        else:
            tmp.rename(folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_json(path):
    """A preset's JSON file as plain data: size-capped, parsed without any object hooks."""
    path = Path(path)
    limit = MAX_JSON_BYTES.get(path.name, 1 << 20)
    try:
        size = path.stat().st_size
        if size > limit:
            raise CheckpointError(
                f"{path} is {size:,} bytes, more than the {limit:,} a zoo preset's {path.name} "
                "can need; it is not a zoo preset file."
            )
        value = json.loads(path.read_text(encoding="utf-8"))
    except CheckpointError:
        raise
    except FileNotFoundError:
        raise CheckpointError(f"{path} is missing; this is not a complete zoo preset folder.") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as e:
        raise CheckpointError(
            f"{path} is not valid JSON ({type(e).__name__}: {str(e)[:200]}); re-download or "
            "re-save the preset."
        ) from None
    if not isinstance(value, dict):
        raise CheckpointError(f"{path} must hold a JSON object, not {type(value).__name__}.")
    return value


def read_metadata(folder):
    path = Path(folder) / METADATA
    if not path.exists():
        raise CheckpointError(f"{path} is missing; this is not a zoo preset folder.")
    return read_json(path)


def verify(folder):
    """Check every file's sha256 against ``metadata.json``; return the metadata."""
    folder = Path(folder)
    meta = read_metadata(folder)
    expected = meta.get("sha256", {})
    if not isinstance(expected, dict) or not all(isinstance(v, str) for v in expected.values()):
        raise CheckpointError(f"{folder / METADATA}: 'sha256' must map file names to hex digests.")
    for name in HASHED:
        path = folder / name
        if name not in expected:
            raise CheckpointError(f"{folder / METADATA} lists no sha256 for {name}.")
        if not path.exists():
            raise CheckpointError(f"{path} is missing; re-download or re-save the preset.")
        actual = files.sha256(path)
        if actual != expected[name]:
            raise CheckpointError(
                f"{path} is corrupted or was changed: sha256 {actual[:12]}... does not match "
                f"{expected[name][:12]}... recorded in {METADATA}. Delete the folder and "
                "download or save it again."
            )
    return meta


def read_config(folder):
    return read_json(Path(folder) / CONFIG)


def model_class(spec, where):
    """The zoo model class a config names; anything else is refused."""
    from zoo.models.base import Adversarial

    name = spec.get("class_name")
    cls = keras.saving.get_registered_object(name) if isinstance(name, str) else None
    if not (isinstance(cls, type) and issubclass(cls, Adversarial)):
        raise CheckpointError(
            f"{where} names the class {name!r}, which is not a zoo model; zoo.load builds only "
            "zoo models (zoo.list_models() names them)."
        )
    return cls


def constructor_arguments(cls, config, where):
    """``config`` checked against what ``cls`` takes: known names, plain values."""
    if not isinstance(config, dict):
        raise CheckpointError(f"{where}: 'config' must be a JSON object of constructor arguments.")
    if hasattr(cls, "as_saved_now"):  # a translator's config saved by an earlier version
        config = cls.as_saved_now(config)
    takes = {"name", "trainable", "dtype"}
    for klass in cls.__mro__:
        if "__init__" in vars(klass):
            takes |= {p.name for p in inspect.signature(klass.__init__).parameters.values()
                      if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        if klass.__name__ == "Adversarial":
            break
    unknown = sorted(set(config) - takes - {"self"})
    if unknown:
        raise CheckpointError(
            f"{where}: a {cls.__name__} takes no argument {', '.join(map(repr, unknown))}; "
            "the file was not written by this version of the zoo, or was tampered with."
        )
    for key, value in config.items():
        if not isinstance(value, PLAIN):
            raise CheckpointError(
                f"{where}: constructor argument {key!r} must be a plain value (number, string, "
                f"true/false or null), got {type(value).__name__}."
            )
    return config


def optimizer_spec(spec, where):
    """A Keras optimizer's config, allowed only if it is data and nothing else."""
    if isinstance(spec, dict) and spec.get("class_name") == "LossScaleOptimizer":
        config = spec.get("config")
        if not isinstance(config, dict) or spec.get("module", "keras.optimizers") != \
                "keras.optimizers" or set(config) - {"name", "inner_optimizer",
                                                     "initial_scale", "dynamic_growth_steps"}:
            raise CheckpointError(f"{where}: a malformed LossScaleOptimizer.")
        for key in ("initial_scale", "dynamic_growth_steps"):
            if not isinstance(config.get(key), PLAIN):
                raise CheckpointError(f"{where}: LossScaleOptimizer {key} must be a number.")
        optimizer_spec(config.get("inner_optimizer"), where)
        return spec
    if not isinstance(spec, dict) or spec.get("class_name") not in OPTIMIZERS:
        found = spec.get("class_name") if isinstance(spec, dict) else type(spec).__name__
        raise CheckpointError(
            f"{where}: an optimizer must be one of {', '.join(OPTIMIZERS)}, got {found!r}."
        )
    # PyTorch's Keras saves its optimizers as keras.src.backend.torch.optimizers.*; a class
    # from the list above is looked up only inside Keras, so any Keras module is harmless.
    module = spec.get("module", "keras.optimizers")
    registered = spec.get("registered_name")
    if not (isinstance(module, str) and (module == "keras" or module.startswith("keras."))) or \
            registered not in (None, spec["class_name"]):
        raise CheckpointError(f"{where}: the optimizer must be one of Keras' own.")
    config = spec.get("config")
    if not isinstance(config, dict):
        raise CheckpointError(f"{where}: the optimizer's config must be a JSON object.")
    for key, value in config.items():
        if key == "learning_rate" and isinstance(value, dict):
            kind = value.get("registered_name") or value.get("class_name")
            inner = value.get("config")
            if kind not in SCHEDULES or not isinstance(inner, dict) or not all(
                isinstance(v, PLAIN) or (isinstance(v, list) and all(isinstance(x, PLAIN) for x in v))
                for v in inner.values()
            ):
                raise CheckpointError(
                    f"{where}: the learning rate must be a number or one of the schedules "
                    f"{', '.join(SCHEDULES)} with plain settings, got {kind!r}."
                )
        elif not isinstance(value, PLAIN):
            raise CheckpointError(
                f"{where}: optimizer setting {key!r} must be a plain value, got "
                f"{type(value).__name__}."
            )
    return spec


def load_preset(folder, expect_class=None, **overrides):
    """Build, compile and load the model stored in a preset folder.

    ``overrides`` replace constructor arguments (for example a new ``seed``);
    ones that change the architecture make the weights fail to load, with an
    error that says so.
    """
    folder = Path(folder)
    recover(folder)
    verify(folder)
    spec = read_config(folder)
    where = folder / CONFIG
    cls = model_class(spec, where)
    if expect_class is not None and not issubclass(cls, expect_class):
        raise CheckpointError(
            f"{folder} holds a {cls.__name__}, but this preset is a {expect_class.__name__}."
        )
    config = constructor_arguments(cls, spec.get("config"), where)
    compile_config = spec.get("compile_config")
    if compile_config is not None:
        if not isinstance(compile_config, dict) or set(compile_config) != {"d_optimizer",
                                                                           "g_optimizer"}:
            raise CheckpointError(
                f"{where}: 'compile_config' must name exactly d_optimizer and g_optimizer."
            )
        for player, opt in compile_config.items():
            optimizer_spec(opt, f"{where} ({player})")
    try:
        model = cls(**{**config, **overrides})
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"{where}: a {cls.__name__} cannot be built from it: {e}") from e

    def compile_():
        if compile_config:
            model.compile_from_config(compile_config)
        else:
            model.compile()

    with h5py.File(folder / WEIGHTS, "r") as f:
        has_optimizers = "d_optimizer" in f
    try:
        if has_optimizers:  # the optimizers must exist to receive their state
            compile_()
            model.load_weights(folder / WEIGHTS)
        else:
            model.load_weights(folder / WEIGHTS)
            compile_()
    except Exception as e:  # Keras raises ValueError or KeyError for mismatches
        raise CheckpointError(
            f"the weights in {folder / WEIGHTS} do not fit a {cls.__name__} built with "
            f"{ {**spec['config'], **overrides} }: {e}"
        ) from e
    return model


def load_keras_file(path):
    """A zoo model saved with ``model.save("x.keras")``, loaded with ``safe_mode=True``."""
    from zoo.models.base import Adversarial

    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path} does not exist or is not a file.")
    try:
        model = keras.saving.load_model(path, safe_mode=True)
    except Exception as e:  # zipfile, h5py, JSON and Keras errors alike
        raise CheckpointError(
            f"cannot load {path}: {type(e).__name__}: {e}. The file is damaged, from an "
            "incompatible version, or needs unsafe code; save it again with model.save()."
        ) from e
    if not isinstance(model, Adversarial):
        raise CheckpointError(f"{path} holds a {type(model).__name__}, not a zoo model.")
    return model
