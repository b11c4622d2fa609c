"""zoo.cards: MODEL_CARD.md and each checkpoint's README.md written from the checkpoints'
metadata (tools/evaluate_checkpoints.py --cards_only), each preset's training record stated
as it was; a ship's finish measuring a checkpoint into its card."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_card_states_precision_and_the_run_against_the_published_schedule(tmp_path):
    shelf = tmp_path / "checkpoints"
    for meta in (ROOT / "checkpoints").glob("*/metadata.json"):  # metadata only, no weights
        (shelf / meta.parent.name).mkdir(parents=True)
        shutil.copy(meta, shelf / meta.parent.name / "metadata.json")
    for refs in (ROOT / "checkpoints").glob("references-*.json"):
        shutil.copy(refs, shelf / refs.name)
    path = shelf / "dcgan-mnist" / "metadata.json"
    meta = json.loads(path.read_text())
    meta["training"].update(train_steps=23_400, precision="mixed_bfloat16")
    meta["evaluation"]["metrics"].update(fid=14.2, recall=0.61)  # inside the target
    path.write_text(json.dumps(meta))
    path = shelf / "gan-mnist" / "metadata.json"
    meta = json.loads(path.read_text())
    meta["training"].update(train_steps=6_000)
    meta["evaluation"]["metrics"].update(fid=55.0)  # outside it, with a flat curve
    meta["training"]["curve"] = [{"train_steps": s, "fid": 60.0 - s / 1000, "eval_n": 2000}
                                 for s in range(1000, 9000, 1000)]
    meta["training"].pop("precision", None)  # records from before --precision: float32
    # Stopped by its time budget: the same run is the steps it ran.
    meta["training"]["command"] = "python recipes/gan_mnist.py --steps 37000 --minutes 75 --ship"
    path.write_text(json.dumps(meta))
    path = shelf / "wgan-gp-mnist" / "metadata.json"  # outside the target, still improving
    meta = json.loads(path.read_text())
    meta["evaluation"]["metrics"].update(fid=30.0)
    meta["training"]["curve"] = [{"train_steps": s, "fid": 100.0 - s / 200, "eval_n": 2000}
                                 for s in range(1000, 9000, 1000)]
    meta["training"].pop("continued_from", None)  # a run from scratch
    path.write_text(json.dumps(meta))
    path = shelf / "wgan-gp-fashion-mnist" / "metadata.json"
    meta = json.loads(path.read_text())
    meta["training"]["continued_from"] = {
        "train_steps": 102_000, "generator_steps": 20_400, "command": "python first.py",
        "optimizers": "fresh optimizers (a shipped checkpoint keeps no optimizer state)"}
    path.write_text(json.dumps(meta))
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "evaluate_checkpoints.py"), "--cards_only"],
        env={**os.environ, "ZOO_CHECKPOINTS": str(shelf), "PYTHONPATH": str(ROOT),
             "TF_CPP_MIN_LOG_LEVEL": "2"}, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    card = (tmp_path / "MODEL_CARD.md").read_text()
    dcgan = card.split("\n## dcgan-mnist\n")[1].split("\n## ")[0]
    assert "mixed_bfloat16." in dcgan
    assert "trained the published schedule (11,700 steps) and 11,700 beyond" in dcgan
    gan = card.split("\n## gan-mnist\n")[1].split("\n## ")[0]
    assert "float32." in gan
    # A checkpoint made by a chain of runs lists them; one run, its command.
    assert ("- Reproduce: a chain of 3 runs, each after the first a fine-tune of the one before (`python "
            "recipes/dcgan_mnist.py --replay` runs them in order): 1. `python recipes/dcgan_mnist.py "
            "--outdir runs/dcgan-mnist ") in dcgan and "--finetune --steps 32760 --ship` 3. " in dcgan
    assert "--finetune --steps 11232 --lr_d 4e-4 --lr_g 1e-4 --ship`" in dcgan
    assert "- Reproduce: `python recipes/gan_mnist.py --steps=6000 --ship`" in gan
    # The card's verdict on issue 14's target, and what the curve says where it is missed.
    assert "- Target (issue 14): fid <= 15, recall >= 0.6. **Met**: fid 14.2, recall 0.61." in dcgan
    assert ("**Not met**: fid 55.0 (missed), recall " in gan
            and "the best was 54 over the third quarter of the measurements and 52 over the "
            "last quarter (4% better). Flat or worse at the end" in gan)
    # A preset whose runs have a history points there: why it misses, or how it met.
    history = "as measured, run by run: [`docs/history/{0}.md`](docs/history/{0}.md)."
    styles = card.split("\n## cyclegan-noto2twemoji\n")[1].split("\n## ")[0]
    assert "**Not met**" in styles and "- Why, " + history.format("cyclegan-noto2twemoji") in styles
    clipped = card.split("\n## wgan-mnist\n")[1].split("\n## ")[0]  # met: how, not why
    assert "**Met**" in clipped and "- How, " + history.format("wgan-mnist") in clipped
    assert "run by run" not in gan and "run by run" not in dcgan  # no history written
    still = card.split("\n## wgan-gp-mnist\n")[1].split("\n## ")[0]
    assert "**Not met**: fid" in still and "Still improving when the run stopped" in still
    assert "trained 6,000 of the published schedule's 93,700 steps, on a CPU" in gan
    translator = card.split("\n## cyclegan-sneaker2boot\n")[1].split("\n## ")[0]
    # The card's metadata is the Hub README's (zoo.hub.card_yaml), read back as YAML.
    import yaml

    def index(section):
        block = yaml.safe_load(section.split("```yaml\n")[1].split("\n```")[0])
        result = block["model-index"][0]["results"][0]
        return result["task"]["type"], {m["type"]: m["value"] for m in result["metrics"]}

    assert index(translator)[0] == "image-to-image" and index(gan)[0] == "unconditional-image-generation"
    assert index(dcgan)[1]["fid"] == 14.2 and index(gan)[1]["fid"] == 55.0
    continued = card.split("\n## wgan-gp-fashion-mnist\n")[1].split("\n## ")[0]
    assert ("- Continued: from the shipped checkpoint at 102,000 steps (trained by "
            "`python first.py`), with fresh optimizers (a shipped checkpoint keeps no optimizer state)"
            in continued) and "Continued" not in still
    cgan = card.split("\n## cgan-mnist\n")[1].split("\n## ")[0]  # shipped at exactly 11,700
    assert "trained the published schedule (11,700 steps); " in cgan


def test_a_ship_s_finish_measures_draws_and_cards_the_checkpoint(tmp_path, monkeypatch):
    """zoo.cards.finish on a tiny checkpoint, mock MNIST and a small classifier: the scores
    in metadata.json are zoo.evaluate's, the samples are drawn, the reference rows written
    beside the checkpoints, the README.md and MODEL_CARD.md state the scores."""
    import numpy as np

    import zoo
    from zoo import cards, checkpoint, data, evaluation

    from tiny import build

    shelf = tmp_path / "checkpoints"
    monkeypatch.setenv("ZOO_CHECKPOINTS", str(shelf))
    evaluation.save_classifier(evaluation.build_classifier(), shelf / "classifier-mnist",
                               {"test_accuracy": 0.0, "epochs": 1, "wall_time_s": 6.0,
                                "hardware": "a CPU", "command": "python -m x", "dataset": "mnist"})
    model = build("dcgan-mnist", image_size=28)
    folder = checkpoint.save_preset(model, shelf / "dcgan-mnist")
    with data.mock_arrays(num_examples=200):
        cards.finish("dcgan-mnist", folder, n=120)
        expected = zoo.evaluate(model, "mnist", n=120)["metrics"]
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["evaluation"]["metrics"] == expected
    # The spread over three sampling seeds: seed 1's scores are inside it, seed 0's too.
    spread = meta["evaluation"]["spread"]
    with data.mock_arrays(num_examples=200):
        other = zoo.evaluate(model, "mnist", n=120, seed=1)["metrics"]
    assert all(spread[k][0] <= v <= spread[k][1] for k, v in {**expected, **other}.items()
               if isinstance(v, float))
    assert spread["fid"][0] < spread["fid"][1]
    assert (folder / "samples.png").exists()
    assert "real test images (floor)" in json.loads((shelf / "references-mnist.json").read_text())
    readme, card = (folder / "README.md").read_text(), (tmp_path / "MODEL_CARD.md").read_text()
    row = "| dcgan-mnist | " + " | ".join(str(v) for v in meta["evaluation"]["metrics"].values()) + " |"
    assert row in readme and row in card.split("\n## dcgan-mnist\n")[1]
    fid = spread["fid"]
    assert ("Protocol: 120 samples of seed 0 against 120 real images of the train split" in readme
            and f"fid {fid[0]:g}-{fid[1]:g}" in readme)
    np.testing.assert_array_equal(zoo.load(folder).sample(2, seed=0), model.sample(2, seed=0))


def test_a_preset_the_zoo_cannot_score_still_gets_its_samples_and_card(tmp_path, monkeypatch):
    """dcgan-celeba has no domain classifier: its ship draws the samples and writes the
    card, with no scores, rather than failing after the weights are written."""
    from zoo import cards, checkpoint

    from tiny import build

    monkeypatch.setenv("ZOO_CHECKPOINTS", str(tmp_path / "checkpoints"))
    folder = checkpoint.save_preset(build("dcgan-celeba"), tmp_path / "checkpoints" / "dcgan-celeba")
    cards.finish("dcgan-celeba", folder)
    assert (folder / "samples.png").exists() and (folder / "README.md").exists()
    assert "evaluation" not in json.loads((folder / "metadata.json").read_text())
    assert "\n## dcgan-celeba\n" in (tmp_path / "MODEL_CARD.md").read_text()


def test_every_link_in_a_shipped_checkpoint_s_card_resolves_from_its_folder():
    """The folder's README.md (also its Hub card) names its pictures as the files beside it
    and the checkout's documents relative to the folder: each link opens a file."""
    import re

    from zoo import cards, registry

    checked = 0
    for folder in sorted((ROOT / "checkpoints").glob("*/metadata.json")):
        name = folder.parent.name
        if name not in registry.PRESETS:
            continue  # the classifiers
        card = cards.readme(name, folder.parent)
        for target in re.findall(r"\]\(([^)\s]+)\)", card):
            if not target.startswith(("http://", "https://", "#")):
                assert (folder.parent / target).is_file(), (name, target)
                checked += 1
    assert checked > 0
