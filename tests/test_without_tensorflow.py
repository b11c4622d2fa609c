"""Training, resume, evaluation and the GPU campaign script on JAX and PyTorch with
TensorFlow absent (an import of it fails, as on the borrowed GPU machine)."""

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import h5py
import numpy as np
import pytest

from conftest import TEST_ENV

pytestmark = pytest.mark.slow  # pytest -m 'not slow' skips this module

ROOT = Path(__file__).resolve().parent.parent


def no_tensorflow(tmp_path, backend):
    blocker = tmp_path / "no_tf"
    for name in ("tensorflow", "tensorflow_datasets"):
        (blocker / name).mkdir(parents=True, exist_ok=True)
        (blocker / name / "__init__.py").write_text(
            'raise ImportError("no TensorFlow on this machine")\n')
    return {**TEST_ENV, "PATH": os.environ["PATH"], "HOME": str(tmp_path), "KERAS_BACKEND": backend,
            "PYTHONPATH": f"{blocker}{os.pathsep}{ROOT}", "PYTHON": sys.executable}


def run(args, env, cwd):
    result = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return result


def weights(path):
    out = {}
    with h5py.File(path) as f:
        f.visititems(lambda k, v: out.setdefault(k, v[()]) if isinstance(v, h5py.Dataset) else None)
    return out


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_a_recipe_trains_and_resumes_exactly_without_tensorflow(tmp_path, backend):
    env = no_tensorflow(tmp_path, backend)
    recipe = [sys.executable, str(ROOT / "recipes" / "wgan_gp_mnist.py"), "--smoke",
              "--steps=6", "--steps_per_epoch=2"]
    straight, broken = tmp_path / "straight", tmp_path / "broken"
    run(recipe + [f"--outdir={straight}"], env, tmp_path)
    # The same run stopped after its first epoch, then restarted: it resumes.
    first = run(recipe + [f"--outdir={broken}", "--minutes=1e-9"], env, tmp_path)
    assert "--minutes budget is spent" in first.stdout
    assert json.loads((broken / "record.json").read_text())["train_steps"] == 2
    again = run(recipe + [f"--outdir={broken}"], env, tmp_path)
    assert "Resuming wgan-gp-mnist" in again.stdout
    record = json.loads((broken / "record.json").read_text())
    assert record["train_steps"] == 6 and record["backend"] == backend
    assert [r["train_steps"] for r in record["curve"]] == [2, 4, 6]  # measured by the probe
    a, b = weights(straight / "last" / "model.weights.h5"), weights(broken / "last" / "model.weights.h5")
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_gpu_campaign_script_dry_run(tmp_path):
    """tools/gpu_campaign.sh as the GPU machine runs it, on JAX with a tiny budget."""
    out = tmp_path / "out"
    env = {**no_tensorflow(tmp_path, "jax"), "OUT": str(out),
           "ZOO_WHEELS": str(tmp_path / "none"), "ZOO_CARRIED": str(tmp_path / "none")}
    env["PYTHONPATH"] = env["PYTHONPATH"].split(os.pathsep)[0]  # the script adds the checkout
    result = run(["bash", str(ROOT / "tools" / "gpu_campaign.sh"), "--smoke", "--minutes=0",
                  "--presets=wgan-mnist,cyclegan-sneaker2boot", "--parallel=2"], env, tmp_path)
    assert "2 presets" in result.stdout and "0 failed" in result.stdout
    rows = {r["preset"]: r for r in json.loads((out / "campaign.json").read_text())}
    assert rows["wgan-mnist"]["backend"] == "jax" and rows["wgan-mnist"]["train_steps"] == 4
    assert rows["wgan-mnist"]["fid"] > 0 and "a2b_target_class_rate" in rows["cyclegan-sneaker2boot"]
    assert (out / "campaign.log").read_text().strip()
    unpacked = tmp_path / "unpacked"
    for preset in rows:
        with tarfile.open(out / f"{preset}.tar.gz") as tar:
            tar.extractall(unpacked, filter="data")
        assert (unpacked / "runs" / preset / "last" / "model.weights.h5").exists()
    # What came back loads here (on TensorFlow) and samples.
    import zoo

    model = zoo.load(str(unpacked / "checkpoints" / "wgan-mnist"))
    assert model.sample(2, seed=0).shape == (2, 28, 28, 1)
    meta = json.loads((unpacked / "checkpoints" / "wgan-mnist" / "metadata.json").read_text())
    assert meta["training"]["backend"] == "jax" and "CPU only" in meta["training"]["hardware"]


def test_gpu_script_runs_the_study_on_jax(tmp_path):
    """tools/gpu_campaign.sh --study: shards of the WGAN-claims study on JAX, no TensorFlow;
    the report is written afterwards from the fetched files (here, under TensorFlow)."""
    out = tmp_path / "out"
    env = {**no_tensorflow(tmp_path, "jax"), "OUT": str(out), "SHARDS": "2",
           "ZOO_WHEELS": str(tmp_path / "none"), "ZOO_CARRIED": str(tmp_path / "none")}
    env["PYTHONPATH"] = env["PYTHONPATH"].split(os.pathsep)[0]
    result = run(["bash", str(ROOT / "tools" / "gpu_campaign.sh"), "--study", "--smoke",
                  "--seeds=0", "--objectives=gan,wgan", "--generators=mlp"], env, tmp_path)
    assert "study: 2 shards, 0 failed" in result.stdout
    for name in ("gan-mlp-seed0", "wgan-mlp-seed0"):
        folder = out / "study" / name
        rows = [json.loads(line) for line in (folder / "trace.jsonl").read_text().splitlines()]
        assert [r["g_steps"] for r in rows] == [2, 4] and (folder / "final.json").exists()
        assert all(r["fid"] > 0 for r in rows)
    assert rows[-1]["grad_wasserstein"] > 0  # the JAX gradient norm, measured
    report = run([sys.executable, str(ROOT / "studies" / "wgan_claims.py"), "--smoke",
                  "--report", f"--runs={out / 'study'}", f"--out={tmp_path / 'report'}",
                  "--seeds=0"], {**os.environ, "PYTHONPATH": str(ROOT)}, tmp_path)
    assert "2 of 10 runs finished" in report.stdout


def test_the_carry_leaves_untrained_weights_behind_and_restores_them(tmp_path):
    """``tools/campaign.py --prepare_carry``'s sparse checkout, on a repository of its own:
    what a campaign of wgan-mnist never reads leaves the working tree, stays tracked and in
    every commit, and comes back byte for byte."""
    repo = tmp_path / "repo"
    files = {"README.md": b"zoo\n", "checkpoints/wgan-mnist/model.weights.h5": b"w" * 100,
             "checkpoints/wgan-mnist/config.json": b"{}", "checkpoints/gan-mnist/model.weights.h5":
             b"g" * 100, "checkpoints/classifier-mnist/model.keras": b"m" * 10,
             "checkpoints/classifier-emoji/model.keras": b"e" * 10}
    for name, content in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(content)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]

    def sh(*args):
        return subprocess.run(args, cwd=repo, capture_output=True, text=True, check=True).stdout

    sh("git", "init", "-q")
    sh("git", "add", ".")
    sh(*git, "commit", "-qm", "all")
    env = {**no_tensorflow(tmp_path, "jax"), "PYTHONPATH": str(ROOT)}
    def campaign(code):  # in a process of its own: the tool's absl flags stay out of pytest's
        setup = f"import sys; sys.path.insert(0, 'tools'); import campaign; repo = {str(repo)!r}; "
        return run([sys.executable, "-c", setup + code], env, ROOT).stdout

    behind = campaign("print(sorted(campaign.leave_behind(['wgan-mnist'], repo)))")
    gone = {"checkpoints/wgan-mnist/model.weights.h5", "checkpoints/gan-mnist/model.weights.h5",
            "checkpoints/classifier-emoji/model.keras"}
    assert behind.strip() == str(sorted(gone))
    assert {n for n in files if (repo / n).exists()} == set(files) - gone
    assert sh("git", "status", "--porcelain") == ""  # nothing staged, nothing deleted
    (repo / "README.md").write_bytes(b"zoo, edited\n")
    sh(*git, "commit", "-qam", "an edit while the weights are behind")
    assert set(sh("git", "ls-tree", "-r", "--name-only", "HEAD").split()) == set(files)
    campaign("campaign.restore_carry(repo)")
    assert all((repo / n).read_bytes() == c for n, c in files.items() if n != "README.md")
