"""Every recipe's smoke mode: a tiny model, a few steps on tfds mock data, resume, artefacts."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECIPES = sorted(p.stem for p in (ROOT / "recipes").glob("*.py")
                 if p.stem not in ("classifier", "evaluate_checkpoints", "study_wgan_claims"))


def run(args, cwd):
    result = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                            timeout=600, env={"TF_CPP_MIN_LOG_LEVEL": "2", "PATH": "/usr/bin:/bin",
                                              "HOME": str(cwd)})
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.mark.parametrize("recipe", RECIPES)
def test_recipe_smoke_mode(recipe, tmp_path):
    out = tmp_path / "run"
    run([str(ROOT / "recipes" / f"{recipe}.py"), "--smoke", f"--outdir={out}"], tmp_path)
    record = json.loads((out / "record.json").read_text())
    assert record["smoke"] and record["train_steps"] == 4
    assert sorted(p.name for p in (out / "samples").iterdir()) == ["epoch_001.png", "epoch_002.png"]
    assert list((out / "tb").rglob("*tfevents*"))


def test_recipe_resumes_from_its_last_epoch(tmp_path):
    out = tmp_path / "run"
    recipe = str(ROOT / "recipes" / "wgan_mnist.py")
    run([recipe, "--smoke", f"--outdir={out}"], tmp_path)
    # Restarted, it resumes from the saved state instead of starting over.
    again = run([recipe, "--smoke", f"--outdir={out}"], tmp_path)
    assert "Resuming wgan-mnist" in again.stdout
    assert json.loads((out / "record.json").read_text())["train_steps"] == 4


def test_classifier_recipe_smoke_mode(tmp_path):
    out = tmp_path / "clf"
    run([str(ROOT / "recipes" / "classifier.py"), "--smoke", f"--outdir={out}"], tmp_path)
    meta = json.loads((out / "metadata.json").read_text())
    assert 0.0 <= meta["test_accuracy"] <= 1.0 and (out / "model.keras").exists()
