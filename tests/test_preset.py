"""The typed preset record: every registered preset is valid and buildable, a bad
record is refused when its file is imported (naming what to fix), and settings that
follow from the schedule are derived, never stored."""

import dataclasses
from pathlib import Path

import pytest

from zoo import errors, registry
from zoo.models import CycleGAN, DCGAN, WGAN
from zoo.preset import Preset, Schedule, collect

ROOT = Path(__file__).resolve().parent.parent


def record(**changes):
    base = dict(name="dcgan-test", cls=DCGAN, config={"image_size": 8, "width": 4},
                dataset="mnist", schedule=Schedule(steps=10, batch_size=4, steps_per_epoch=5),
                recipe="recipes/dcgan_mnist.py", paper="Radford et al. 2015",
                description="A test preset.")
    return Preset(**{**base, **changes})


@pytest.mark.parametrize("name", sorted(registry.PRESETS))
def test_every_preset_names_its_recipe_paper_and_a_class_that_builds(name):
    preset = registry.get(name)
    assert preset.name == name and (ROOT / preset.recipe).is_file()
    assert preset.paper and preset.description
    model = preset.build(**{k: 4 for k in preset.config if k.endswith("width")})
    assert isinstance(model, preset.cls) and model.image_size == preset.config["image_size"]
    with pytest.raises(TypeError):
        preset.config["width"] = 1  # read-only: a record cannot drift at run time
    with pytest.raises(dataclasses.FrozenInstanceError):
        preset.dataset = "elsewhere"


@pytest.mark.parametrize("changes,match", [
    ({"config": {"image_size": 8, "widht": 4}}, "takes no argument widht"),
    ({"cls": CycleGAN, "config": {"image_size": 16, "constant_steps": 5}},
     "constant_steps follow from the schedule"),
    ({"name": "DCGAN_Test"}, "lower case words joined by hyphens"),
    ({"recipe": "dcgan.py"}, "recipes/<name>.py"),
    ({"hub": "no-owner"}, "owner/name"),
    ({"hub_revision": "abc"}, "needs a hub repository"),
    ({"target": {"fid": ("<", 3)}}, "'<=' or '>='"),
    ({"target": {"fid": 3}}, "'<=' or '>='"),
])
def test_a_bad_record_is_refused_saying_what_to_fix(changes, match):
    with pytest.raises(errors.ZooValueError, match=match):
        record(**changes)


def test_bad_schedules_and_duplicate_names_are_refused():
    with pytest.raises(errors.ZooValueError, match="Schedule.steps"):
        Schedule(steps=0, batch_size=4, steps_per_epoch=5)
    with pytest.raises(errors.ZooValueError, match="Schedule.crop"):
        Schedule(steps=10, batch_size=4, steps_per_epoch=5, crop=-1)
    with pytest.raises(errors.ZooValueError, match="declared twice"):
        collect(record(), record())


def test_settings_that_follow_from_the_schedule_are_derived():
    cyc = record(cls=CycleGAN, config={"image_size": 16, "width": 2, "n_blocks": 1},
                 schedule=Schedule(steps=101, batch_size=1, steps_per_epoch=10))
    # The published schedule: constant for the first half, then decaying.
    assert cyc.arguments()["constant_steps"] == 50 and cyc.arguments()["decay_steps"] == 51
    model = cyc.build(steps=8)  # a run's own budget keeps the shape
    assert (model.constant_steps, model.decay_steps) == (4, 4)
    # The shipped CycleGAN presets store no schedule of their own any more.
    for name in ("cyclegan-sneaker2boot", "cyclegan-horse2zebra", "cyclegan-noto2twemoji"):
        assert "constant_steps" not in registry.get(name).config
    assert registry.get("cyclegan-horse2zebra").arguments()["constant_steps"] == 106_700
    assert WGAN.schedule_for(100) == {}


def test_one_resolver_answers_where_the_weights_are(tmp_path, monkeypatch):
    assert registry.local_folder("wgan-mnist") == ROOT / "checkpoints" / "wgan-mnist"
    assert registry.where("wgan_mnist") == ("local", ROOT / "checkpoints" / "wgan-mnist")
    shelf = tmp_path / "wgan-mnist"
    shelf.mkdir()
    monkeypatch.setenv("ZOO_CHECKPOINTS", str(tmp_path))
    assert registry.local_folder("wgan-mnist") == ROOT / "checkpoints" / "wgan-mnist"  # empty
    (shelf / "metadata.json").write_text("{}")
    assert registry.local_folder("wgan-mnist") == shelf
    assert registry.local_folder("classifier-mnist") == ROOT / "checkpoints" / "classifier-mnist"
    assert registry.local_folder("no-such-thing") is None


def test_a_run_changes_model_settings_by_name_and_refuses_unknown_ones():
    preset = registry.get("cyclegan-noto2twemoji")
    overrides = preset.parse_overrides("identity_weight=0, width=8,pool_size=3")
    assert overrides == {"identity_weight": 0, "width": 8, "pool_size": 3}
    model = preset.build(100, **overrides)
    assert (model.identity_weight, model.width, model.pool_size) == (0, 8, 3)
    assert model.constant_steps == 50  # the schedule still follows the steps
    assert preset.parse_overrides(None) == {} and preset.parse_overrides("") == {}
    with pytest.raises(errors.ZooValueError, match="takes no argument 'widht'"):
        preset.parse_overrides("widht=8")
    with pytest.raises(errors.ZooValueError, match="key=value"):
        preset.parse_overrides("width")
    with pytest.raises(errors.ZooValueError, match="change --steps instead"):
        preset.parse_overrides("constant_steps=5")


def test_a_chain_of_runs_is_checked_listed_and_replayed_in_order():
    import sys

    from zoo import train

    with pytest.raises(errors.ZooValueError, match="two or more commands"):
        record(chain=("python recipes/dcgan_mnist.py --steps 5",))
    with pytest.raises(errors.ZooValueError, match="runs its recipe, 'python recipes/dcgan_mnist"):
        record(chain=("python recipes/dcgan_mnist.py --steps 5", "python other.py --finetune"))
    chained = [n for n in registry.PRESETS if registry.get(n).chain]
    assert set(chained) >= {"wgan-mnist", "dcgan-mnist"}
    for name in chained:
        commands = train.replay_commands(name)
        assert all(c[:2] == [sys.executable, registry.get(name).recipe] for c in commands)
        assert all("--finetune" in c for c in commands[1:]) and "--finetune" not in commands[0]
        outdirs = [c[c.index("--outdir") + 1] for c in commands]
        assert len(set(outdirs)) == len(outdirs)  # a later run must not resume an earlier one
    assert train.replay_commands("wgan-mnist")[0][2:4] == ["--config", "critic_extra_layers=0"]
    with pytest.raises(errors.ZooValueError, match="came from one run"):
        train.replay_commands("gan-mnist")
