"""The typed record of a preset: one trained weight set's architecture, data, schedule
and provenance, declared beside its model class (``PRESETS`` in each
``zoo/models/<variant>.py``) and checked when that file is imported.

A :class:`Preset` keeps apart what builds the network (``config``: the class's
constructor arguments) from what trains it (``schedule``, ``optimizers``,
``dataset``) and from where its weights and their claims live (``hub``,
``target``, ``recipe``, ``paper``). Settings that follow from the schedule are
derived, never stored: a class whose constructor depends on the run's length
(CycleGAN's constant-then-decay learning rate) derives them in
``cls.schedule_for(steps)``, and a config that states them anyway is refused.

This module imports nothing of the zoo but its errors, so the model files can
declare their presets without importing the registry, the Hub or the trainer.
"""

import dataclasses
import inspect
import json
import re
import types
import typing

from zoo import errors

TARGET_OPS = ("<=", ">=")
_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def _frozen(mapping):
    return types.MappingProxyType(dict(mapping or {}))


@dataclasses.dataclass(frozen=True)
class Schedule:
    """How the preset's recipe trains it: the published length in ``fit`` steps, the
    global batch size, the steps between checkpoints (an "epoch" of the run),
    whether batches carry labels, and the centre crop applied to a ``--data``
    folder of images (DCGAN's 108 px for CelebA)."""

    steps: int
    batch_size: int
    steps_per_epoch: int
    labels: bool = False
    crop: int | None = None

    def __post_init__(self):
        for name in ("steps", "batch_size", "steps_per_epoch"):
            errors.check_positive_int(f"Schedule.{name}", getattr(self, name))
        if self.crop is not None:
            errors.check_positive_int("Schedule.crop", self.crop)


@dataclasses.dataclass(frozen=True)
class Preset:
    """One preset. ``name`` is its registered spelling (lower case, hyphens)."""

    name: str
    cls: type
    config: typing.Mapping
    dataset: str
    schedule: Schedule
    recipe: str
    paper: str
    description: str
    optimizers: typing.Mapping = dataclasses.field(default_factory=dict)  # compile() kwargs
    hub: str | None = None  # "owner/name" on the Hugging Face Hub
    hub_revision: str | None = None  # pins the Hub weights once published
    target: typing.Mapping = dataclasses.field(default_factory=dict)  # metric -> (op, value)
    # The runs that made the shipped checkpoint, in order, where it took more than one (a
    # fine-tune of an earlier run): each a command of the recipe. The card lists them and
    # ``python <recipe> --replay`` runs them one after another.
    chain: tuple = ()

    def __post_init__(self):
        where = f"preset {self.name!r}"
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            raise errors.ZooValueError(f"{where}: a name is lower case words joined by hyphens.")
        object.__setattr__(self, "config", _frozen(self.config))
        object.__setattr__(self, "optimizers", _frozen(self.optimizers))
        object.__setattr__(self, "target", _frozen(self.target))
        accepted = constructor_arguments(self.cls)
        unknown = sorted(k for k in self.config if k not in accepted)
        if unknown:
            raise errors.ZooValueError(
                f"{where}: {self.cls.__name__} takes no argument {', '.join(unknown)}.")
        derived = sorted(set(self.config) & set(self.cls.schedule_for(self.schedule.steps)))
        if derived:
            raise errors.ZooValueError(
                f"{where}: {', '.join(derived)} follow from the schedule "
                f"({self.cls.__name__}.schedule_for); drop them from the config.")
        if not isinstance(self.schedule, Schedule):
            raise errors.ZooValueError(f"{where}: schedule must be a zoo.preset.Schedule.")
        if not re.fullmatch(r"recipes/\w+\.py", self.recipe):
            raise errors.ZooValueError(f"{where}: recipe must be 'recipes/<name>.py'.")
        if self.hub is not None and not re.fullmatch(r"[\w.-]+/[\w.-]+", self.hub):
            raise errors.ZooValueError(f"{where}: hub must be 'owner/name', got {self.hub!r}.")
        if self.hub_revision is not None and self.hub is None:
            raise errors.ZooValueError(f"{where}: a hub_revision needs a hub repository.")
        if not isinstance(self.chain, tuple) or len(self.chain) == 1:
            raise errors.ZooValueError(
                f"{where}: chain is a tuple of two or more commands (one run needs none: the "
                "card's Reproduce line is its command).")
        for command in self.chain:
            if not isinstance(command, str) or not command.startswith(f"python {self.recipe} "):
                raise errors.ZooValueError(
                    f"{where}: each command of its chain runs its recipe, 'python "
                    f"{self.recipe} ...'; got {command!r}.")
        for metric, rule in self.target.items():
            if (not isinstance(rule, tuple) or len(rule) != 2 or rule[0] not in TARGET_OPS
                    or not isinstance(rule[1], (int, float))):
                raise errors.ZooValueError(
                    f"{where}: target {metric!r} must be ('<=' or '>=', number), got {rule!r}.")

    @property
    def task(self):
        return self.cls.task

    @property
    def hub_handle(self):
        """``"hf://owner/repo[@revision]"`` of the declared Hub repository, or None."""
        if not self.hub:
            return None
        return f"hf://{self.hub}" + (f"@{self.hub_revision}" if self.hub_revision else "")

    def arguments(self, steps=None, **overrides):
        """The constructor arguments: the config, with the settings a run of ``steps``
        (default: the published schedule) derives, and ``overrides`` last."""
        derived = self.cls.schedule_for(steps or self.schedule.steps)
        return {**self.config, **derived, **overrides}

    def parse_overrides(self, text):
        """``"key=value,key=value"`` (a run's ``--config``) as constructor overrides,
        each value read as JSON where it parses (numbers, true/false) and as a string
        otherwise; a key the class does not take, or one the schedule derives, is refused."""
        out = {}
        for item in filter(None, (part.strip() for part in (text or "").split(","))):
            key, sep, value = item.partition("=")
            key = key.strip()
            if not sep or not key:
                raise errors.ZooValueError(
                    f"--config takes key=value pairs separated by commas (e.g. "
                    f"identity_weight=0,width=64); got {item!r}.")
            accepted = constructor_arguments(self.cls) - {"seed"}
            if key not in accepted:
                raise errors.ZooValueError(
                    f"--config: {self.cls.__name__} takes no argument {key!r}; it takes "
                    f"{', '.join(sorted(accepted))}.")
            if key in self.cls.schedule_for(self.schedule.steps):
                raise errors.ZooValueError(
                    f"--config: {key} follows from the run's --steps "
                    f"({self.cls.__name__}.schedule_for); change --steps instead.")
            try:
                out[key] = json.loads(value)
            except json.JSONDecodeError:
                out[key] = value.strip()
        return out

    def build(self, steps=None, **overrides):
        """A freshly initialised model of this preset, compiled with its optimizers."""
        model = self.cls(**self.arguments(steps, **overrides))
        model.compile(**self.optimizers)
        return model


def constructor_arguments(cls):
    """The keyword arguments ``cls(...)`` takes, through the ``**kwargs`` its
    ``__init__`` passes on to the base classes' (up to ``keras.Model``'s)."""
    names = set()
    for klass in cls.__mro__:
        if "__init__" not in vars(klass) or klass.__module__.startswith("keras"):
            continue
        params = inspect.signature(klass.__init__).parameters.values()
        names |= {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            break
    return names - {"self"}


def collect(*presets):
    """``{name: preset}`` of a variant file's presets, refusing a name given twice."""
    out = {}
    for preset in presets:
        if preset.name in out:
            raise errors.ZooValueError(f"preset {preset.name!r} is declared twice.")
        out[preset.name] = preset
    return out
