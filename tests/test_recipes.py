"""Every recipe's smoke mode: a tiny model, a few steps on mock data, resume, artefacts."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import TEST_ENV
from zoo import data

ROOT = Path(__file__).resolve().parent.parent
# recipes/ holds the reproduction cards and nothing else (the study is in studies/, the
# campaign and card tools in tools/); classifier.py trains the feature extractors.
RECIPES = sorted(p.stem for p in (ROOT / "recipes").glob("*.py") if p.stem != "classifier")


MEASURED = {"cyclegan_horse2zebra", "dcgan_celeba"}  # no domain classifier: nothing measures


def run(args, cwd, **env):
    env = {**TEST_ENV, "TF_CPP_MIN_LOG_LEVEL": "2", "PATH": "/usr/bin:/bin",
           "PYTHONPATH": str(ROOT), "HOME": str(cwd), **env}  # this checkout's zoo
    result = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                            timeout=600, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


# A recipe whose smoke run is another's code (the same class on made-up arrays of the same
# shape, measured by the same kind of classifier) runs in bfloat16 instead, as long runs do.
BFLOAT16 = {"wgan_gp_fashion_mnist", "dcgan_fashion_mnist"}
_SMOKE_RUNS = {}


def smoke_run(recipe, tmp_path_factory):
    """``recipes/<recipe>.py --smoke`` run once for this module: (its folder, the result).
    Tests that go on from it copy the folder first."""
    if recipe not in _SMOKE_RUNS:
        out = tmp_path_factory.mktemp(recipe) / "run"
        precision = ["--precision=mixed_bfloat16"] if recipe in BFLOAT16 else []
        done = run([str(ROOT / "recipes" / f"{recipe}.py"), "--smoke", f"--outdir={out}",
                    *precision], out.parent)
        _SMOKE_RUNS[recipe] = out, done
    return _SMOKE_RUNS[recipe]


@pytest.mark.parametrize("recipe", RECIPES)
def test_recipe_smoke_mode(recipe, tmp_path_factory):
    out, done = smoke_run(recipe, tmp_path_factory)
    # No error line from TensorFlow's C++ log, which a user reads as an error: Grappler's
    # "remapper failed" came from the LeakyReLU gradient (zoo.backends' leaky_relu), tf.data's
    # "use_unbounded_threadpool" from a parallel map under op determinism (zoo.tf_data).
    assert not re.search(r"^E\d{4} ", done.stderr, re.M), done.stderr[-3000:]
    record = json.loads((out / "record.json").read_text())
    assert record["smoke"] and record["train_steps"] == 4
    assert record["precision"] == ("mixed_bfloat16" if recipe in BFLOAT16 else "float32")
    assert sorted(p.name for p in (out / "samples").iterdir()) == ["epoch_001.png", "epoch_002.png"]
    assert list((out / "tb").rglob("*tfevents*"))
    if recipe in MEASURED:
        assert not (out / "quality.jsonl").exists() and record["curve"] == []
        return
    rows = [json.loads(line) for line in (out / "quality.jsonl").read_text().splitlines()]
    assert [r["train_steps"] for r in rows] == [2, 4] and record["curve"] == rows
    # Training time leaves out the time spent measuring: the first measurement's.
    assert 0 < rows[0]["train_time_s"] <= rows[0]["wall_time_s"]
    assert rows[1]["train_time_s"] < rows[1]["wall_time_s"] and record["measure_time_s"] > 0
    from zoo import registry

    preset = next(p for p in registry.PRESETS.values() if p.recipe == f"recipes/{recipe}.py")
    translator = preset.task == "image-to-image"
    key = ("a2b_target_style_rate" if translator and preset.dataset.startswith(("emoji", "hanzi"))
           else "a2b_target_class_rate" if translator else "fid")
    assert all(r[key] >= 0 for r in rows)
    if recipe in BFLOAT16:  # bfloat16 trains to a real score, not NaN or zero
        assert all(r["fid"] > 0 for r in rows)
    if key == "fid":  # both weight sets are measured
        assert all(r["fid_average"] >= 0 and 0 <= r["recall_average"] <= 1 for r in rows)
    best = json.loads((out / "best" / "metadata.json").read_text())["selected_by"]
    assert best in rows and record["shipped_snapshot"]["train_steps"] == best["train_steps"]
    assert (out / "curve.png").stat().st_size > 1000
    weights = record["shipped_snapshot"]["weights"]
    if translator:
        assert weights == ("both generators' own" if len(preset.cls.directions) == 2
                           else "the generator's own")
        # The new style presets choose on validation, the older pairs on test.
        assert {r.get("eval_split", "test") for r in rows} == {
            "validation" if preset.dataset in data.PAIRED or preset.dataset in data.CARVED
            else "test"}
    else:
        assert weights == ("averaged generator" if best["fid_average"] < best["fid"]
                           else "generator's own")


def test_a_run_ends_at_exactly_its_steps_with_a_shorter_last_epoch(tmp_path):
    from zoo import checkpoint

    recipe = str(ROOT / "recipes" / "wgan_mnist.py")
    run([recipe, "--smoke", f"--outdir={tmp_path / 'a'}", "--steps=5", "--steps_per_epoch=2"],
        tmp_path)
    record = json.loads((tmp_path / "a" / "record.json").read_text())
    assert record["train_steps"] == 5 and [r["train_steps"] for r in record["curve"]] == [2, 4, 5]
    assert len(list((tmp_path / "a" / "samples").iterdir())) == 3
    again = run([recipe, "--smoke", f"--outdir={tmp_path / 'a'}", "--steps=5",
                 "--steps_per_epoch=2"], tmp_path)  # finished: nothing more to train
    assert json.loads((tmp_path / "a" / "record.json").read_text())["train_steps"] == 5
    assert "Resuming wgan-mnist" in again.stdout and "Epoch" not in again.stdout
    # The same weights as one epoch of 5 steps: the last epoch took the batches after the others.
    run([recipe, "--smoke", f"--outdir={tmp_path / 'b'}", "--steps=5", "--steps_per_epoch=5"],
        tmp_path)
    a, b = (checkpoint.load_preset(tmp_path / x / "last") for x in "ab")
    assert all(np.array_equal(np.array(u), np.array(v)) for u, v in zip(a.weights, b.weights))


def test_a_run_stops_at_the_first_measurement_that_reaches_the_asked_fid(tmp_path,
                                                                        tmp_path_factory):
    out = tmp_path / "run"
    recipe = str(ROOT / "recipes" / "dcgan_mnist.py")
    probe = smoke_run("dcgan_mnist", tmp_path_factory)[0]  # the same seed, the same steps
    first = json.loads((probe / "quality.jsonl").read_text().splitlines()[0])
    reached = min(first["fid"], first["fid_average"])  # what step 2 scores, from this seed
    stopped = run([recipe, "--smoke", f"--outdir={out}", "--steps=6",
                   f"--stop_at_fid={reached}"], tmp_path)
    assert f"FID {reached} reached --stop_at_fid" in stopped.stdout
    assert json.loads((out / "record.json").read_text())["train_steps"] == 2
    again = run([recipe, "--smoke", f"--outdir={out}", "--steps=6", f"--stop_at_fid={reached}"],
                tmp_path)  # the same bar again: nothing to train
    assert "already reached" in again.stdout
    assert json.loads((out / "record.json").read_text())["train_steps"] == 2
    run([recipe, "--smoke", f"--outdir={out}", "--steps=6", f"--stop_at_fid={reached / 2}"],
        tmp_path)  # resumed with a lower bar, it trains on
    assert json.loads((out / "record.json").read_text())["train_steps"] == 6


def test_resume_drops_quality_rows_written_after_the_saved_state(tmp_path, tmp_path_factory):
    out = tmp_path / "run"
    shutil.copytree(smoke_run("dcgan_mnist", tmp_path_factory)[0], out)
    recipe = str(ROOT / "recipes" / "dcgan_mnist.py")
    log = out / "quality.jsonl"
    rows = log.read_text().splitlines()
    # As if killed after measuring step 6 but before saving it: a row ahead of `last`,
    # and a row written twice.
    ahead = dict(json.loads(rows[-1]), train_steps=6, fid=0.5)
    log.write_text("\n".join(rows + [rows[-1], json.dumps(ahead)]) + "\n")
    run([recipe, "--smoke", "--steps=6", f"--outdir={out}"], tmp_path)
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["train_steps"] for r in rows] == [2, 4, 6]
    # The time spent measuring before the restart is still left out after it.
    assert rows[2]["wall_time_s"] - rows[2]["train_time_s"] > rows[1]["wall_time_s"] - rows[1]["train_time_s"]
    assert json.loads(log.read_text().splitlines()[-1])["fid"] != 0.5


_SHIPPED = {}


def ship_smoke(name, tmp_path_factory):
    """A 6-step smoke run of ``recipes/<name>.py`` shipped to a shelf of its own (with the
    MNIST classifier, so it measures), once for this module: the recipe's path, the run's
    folder and the shelf. Tests that change the shelf copy it first."""
    if name not in _SHIPPED:
        root = tmp_path_factory.mktemp(f"shipped-{name}")
        shelf = root / "checkpoints"
        shutil.copytree(ROOT / "checkpoints" / "classifier-mnist", shelf / "classifier-mnist")
        recipe = str(ROOT / "recipes" / f"{name}.py")
        # A learning rate of the run's own (--lr_d), which the shipped folder leaves behind.
        run([recipe, "--smoke", "--steps=6", "--ship", "--lr_d=3e-4", f"--outdir={root / 'run'}"],
            root, ZOO_CHECKPOINTS=str(shelf))
        _SHIPPED[name] = recipe, root / "run", shelf
    return _SHIPPED[name]


def shelf_copy(name, tmp_path, tmp_path_factory):
    recipe, _, shipped = ship_smoke(name, tmp_path_factory)
    shutil.copytree(shipped, tmp_path / "checkpoints")
    return recipe, tmp_path / "checkpoints"


def test_ship_writes_the_best_snapshot_with_its_curve(tmp_path_factory):
    import zoo

    _, out, shelf = ship_smoke("wgan_gp_mnist", tmp_path_factory)
    shipped = shelf / "wgan-gp-mnist"
    meta = json.loads((shipped / "metadata.json").read_text())
    chosen = meta["training"]["shipped_snapshot"]
    best = json.loads((out / "best" / "metadata.json").read_text())["selected_by"]
    assert chosen["train_steps"] == best["train_steps"]
    assert "evaluation" not in meta and (shipped / "curve.png").exists()
    # The ship writes the whole folder: samples (the scores are not of a smoke run's mock
    # data), the card as its README.md, and MODEL_CARD.md beside the checkpoints.
    assert (shipped / "samples.png").exists()
    card = (shipped / "README.md").read_text()
    assert card.startswith("---\n") and "model-index:" not in card  # nothing measured
    assert "recipes/wgan_gp_mnist.py" in card.split("\n- Reproduce: ")[1].splitlines()[0]
    assert "](curve.png)" in card
    assert "\n## wgan-gp-mnist\n" in (shelf.parent / "MODEL_CARD.md").read_text()
    # The shipped weights are the best snapshot's, and sample from the set it chose.
    config = json.loads((shipped / "config.json").read_text())["config"]
    assert config["sample_average"] == (best["fid_average"] < best["fid"])
    np.testing.assert_array_equal(zoo.load(shipped).sample(4, seed=0),
                                  zoo.load(out / "best").sample(4, seed=0))
    # The run trained its critic at --lr_d 3e-4; the checkpoint ships with the preset's
    # optimizers (Adam 1e-4), so a fine-tune of it starts from those.
    def d_rate(folder):
        spec = json.loads((folder / "config.json").read_text())["compile_config"]
        return spec["d_optimizer"]["config"]["learning_rate"]

    assert d_rate(out / "last") == pytest.approx(3e-4) and d_rate(shipped) == pytest.approx(1e-4)


def test_fine_tuning_a_shipped_preset_continues_its_run(tmp_path, tmp_path_factory):
    recipe, shelf = shelf_copy("wgan_gp_mnist", tmp_path, tmp_path_factory)
    shipped = json.loads((shelf / "wgan-gp-mnist" / "metadata.json").read_text())["training"]
    step = shipped["shipped_snapshot"]["train_steps"]
    out = tmp_path / "more"
    # With the literature's rows: a decay over the last 3 of its 4 steps, another learning
    # rate for G, and a setting of the model's (--config) that the fine-tune takes over.
    result = run([recipe, "--smoke", "--steps=4", "--finetune", "--lr_decay=3", "--lr_g=3e-5",
                  "--config=average_decay=0.9", f"--outdir={out}"], tmp_path,
                 ZOO_CHECKPOINTS=str(shelf))
    assert f"Continuing the shipped run of wgan-gp-mnist from step {step}" in result.stdout
    spec = json.loads((out / "last" / "config.json").read_text())
    rate = spec["compile_config"]["d_optimizer"]["config"]["learning_rate"]
    assert rate["class_name"] == "LinearDecay" and rate["config"]["constant_steps"] == 1
    assert rate["config"]["decay_steps"] == 3 and spec["config"]["average_decay"] == 0.9
    g_rate = spec["compile_config"]["g_optimizer"]["config"]["learning_rate"]["config"]
    assert g_rate["initial"] == 3e-5 and rate["config"]["initial"] == pytest.approx(1e-4)
    record = json.loads((out / "record.json").read_text())
    assert record["continued_from"]["train_steps"] == step and record["train_steps"] == step + 4
    assert record["continued_from"]["command"] == shipped["command"]
    assert record["continued_from"]["optimizers"].endswith(
        "at the generator's learning rate 3e-05 and both rates falling linearly to 0 over its "
        "last 3 steps")
    old = [r for r in shipped["curve"] if r["train_steps"] <= step]
    new = record["curve"][len(old):]
    assert record["curve"][:len(old)] == old and [r["train_steps"] for r in new] == [
        step + 2, step + 4]
    # The clocks go on from the shipped state's: training time and measuring time both.
    assert new[0]["wall_time_s"] > old[-1]["wall_time_s"]
    assert new[0]["train_time_s"] > old[-1]["train_time_s"]
    # --steps counts from where the fine-tune began, on resume too: done is done.
    again = run([recipe, "--smoke", "--steps=4", "--finetune", f"--outdir={out}"], tmp_path,
                ZOO_CHECKPOINTS=str(shelf))
    assert "Resuming" in again.stdout
    assert json.loads((out / "record.json").read_text())["train_steps"] == step + 4
    # A continuation that never beats the shipped best leaves the shipped weights alone.
    meta_path = shelf / "wgan-gp-mnist" / "metadata.json"
    meta = json.loads(meta_path.read_text())
    for row in meta["training"]["curve"]:
        row["fid"] = row["fid_average"] = 0.0
    meta_path.write_text(json.dumps(meta))
    before = {p.name: p.read_bytes() for p in (shelf / "wgan-gp-mnist").iterdir()}
    result = run([recipe, "--smoke", "--steps=2", "--finetune", "--ship",
                  f"--outdir={tmp_path / 'worse'}"], tmp_path, ZOO_CHECKPOINTS=str(shelf))
    assert "Not shipping wgan-gp-mnist" in result.stdout
    assert {p.name: p.read_bytes() for p in (shelf / "wgan-gp-mnist").iterdir()} == before


def test_fine_tuning_against_a_fresh_critic_says_so_in_its_record(tmp_path, tmp_path_factory):
    recipe, shelf = shelf_copy("wgan_mnist", tmp_path, tmp_path_factory)
    config = json.loads((shelf / "wgan-mnist" / "config.json").read_text())["config"]
    # smoke: the preset's critic (its two extra layers), tiny too
    assert (config["critic_width"] or config["width"]) == 4 and config["critic_extra_layers"] == 2
    out = tmp_path / "fresh"
    result = run([recipe, "--smoke", "--steps=4", "--finetune", "--fresh_critic=3", "--lr_d=2e-5",
                  "--eval_every=0", f"--outdir={out}"], tmp_path, ZOO_CHECKPOINTS=str(shelf))
    assert "A fresh critic, 3 updates before G moves." in result.stdout
    swap = json.loads((out / "continued_from.json").read_text())
    assert swap["fresh_critic"] == 3 and "fresh critic" in swap["optimizers"]
    assert swap["critic_extra_layers"] == 2 and "with 2 extra layers" in swap["optimizers"]
    assert "at the critic's learning rate 2e-05 and a fresh critic" in swap["optimizers"]
    shipped = json.loads((shelf / "wgan-mnist" / "metadata.json").read_text())["training"]
    record = json.loads((out / "record.json").read_text())
    step = shipped["shipped_snapshot"]["train_steps"]
    assert record["continued_from"]["train_steps"] == step and record["train_steps"] == step + 4
    # Without --finetune there is nothing to keep: the run refuses, naming the fix.
    refused = subprocess.run([sys.executable, recipe, "--smoke", "--fresh_critic=3"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=600,
                             env={**TEST_ENV, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
                                  "HOME": str(tmp_path)})
    assert refused.returncode != 0 and "add --finetune" in refused.stderr + refused.stdout


def test_classifier_recipe_smoke_mode(tmp_path):
    out = tmp_path / "clf"
    run([str(ROOT / "recipes" / "classifier.py"), "--smoke", f"--outdir={out}"], tmp_path)
    meta = json.loads((out / "metadata.json").read_text())
    assert 0.0 <= meta["test_accuracy"] <= 1.0 and (out / "model.keras").exists()


def recipe_steps(recipe):
    from zoo import registry

    text = (ROOT / "recipes" / f"{recipe}.py").read_text()
    preset = re.search(r'train\.main\("([\w-]+)"\)', text).group(1)
    return registry.PRESETS[preset].schedule.steps


def test_recipe_defaults_are_the_published_schedules():
    from zoo import registry
    from zoo.models import WGAN, WGANGP

    # Every recipe is its preset's record and nothing else, and names it.
    for name in RECIPES:
        assert recipe_steps(name) > 0
    assert {p.recipe for p in registry.PRESETS.values()} <= {f"recipes/{r}.py" for r in RECIPES}

    # WGAN: the authors' 10^5 generator updates with their critic schedule.
    assert recipe_steps("wgan_mnist") == WGAN().critic_updates_for(100_000) == 521_280
    # WGAN-GP: the authors' MNIST script, 200,000 generator updates of 5 critic updates.
    assert recipe_steps("wgan_gp_mnist") == WGANGP().critic_updates_for(200_000)
    # DCGAN's code: 25 epochs of 60,000 images at batch 128 (remainder dropped).
    assert recipe_steps("dcgan_mnist") == 25 * (60_000 // 128)
    # CycleGAN: 200 epochs of the larger domain (6,000 images of each class) at batch 1.
    assert recipe_steps("cyclegan_sneaker2boot") == 200 * 6_000


def test_dcgan_celeba_trains_on_the_manual_download_zip(tmp_path):
    sys.path.insert(0, str(ROOT / "tests"))
    from test_data import celeba_layout

    _, archive = celeba_layout(tmp_path, n=8)
    out = tmp_path / "run"
    run([str(ROOT / "recipes" / "dcgan_celeba.py"), "--smoke", f"--data={archive}",
         f"--outdir={out}"], tmp_path)
    record = json.loads((out / "record.json").read_text())
    assert record["train_steps"] == 4 and record["dataset"] == str(archive)
