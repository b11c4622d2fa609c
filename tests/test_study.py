"""studies/wgan_claims.py: the runs (smoke mode), their resume, and the report's verdicts."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "studies" / "wgan_claims.py"
sys.path.insert(0, str(ROOT / "studies"))
import wgan_report  # noqa: E402  (the report reads files only: written here in-process)
CONFIGS = [(o, g) for o in ("gan", "wgan", "wgan-gp") for g in ("dcgan", "dcgan-nobn", "mlp")]
CONFIGS.append(("gan-minimax", "dcgan"))


def study(*args, cwd, **environ):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2", **environ}
    run = subprocess.run([sys.executable, str(STUDY), *args], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    return run


def write_report(out, runs):
    """``python studies/wgan_claims.py --report --out=<out> --runs=<runs>``, in this process
    (the smoke test below runs the command): the verdicts it prints."""
    real = json.loads((out / "real.json").read_text())
    return wgan_report.report(wgan_report.Study(runs=runs), out, real)


def trace(folder):
    return [json.loads(line) for line in (folder / "trace.jsonl").read_text().splitlines()]


@pytest.mark.slow
def test_smoke_runs_every_configuration_and_resumes_a_killed_one(tmp_path):
    out, runs = tmp_path / "report", tmp_path / "runs"
    study("--smoke", "--seeds=0", f"--out={out}", f"--runs={runs}", cwd=tmp_path)
    for objective, generator in CONFIGS:
        folder = runs / f"{objective}-{generator}-seed0"
        rows = trace(folder)
        # The budget and the measurements count generator updates; a critic makes 5
        # updates per generator update (smoke: a warm-up of 5, not 100).
        assert [r["g_steps"] for r in rows] == [2, 4], folder.name
        per_g = 5 if objective.startswith("wgan") else 1
        assert [r["step"] for r in rows] == [2 * per_g, 4 * per_g], folder.name
        grads = ({"grad_wasserstein"} if objective.startswith("wgan")
                 else {"grad_saturating", "grad_non_saturating", "d_fake"})
        assert grads <= rows[-1].keys() and all(rows[-1][k] > 0 for k in grads), rows[-1]
        assert rows[-1]["fid"] > 0 and 1 <= rows[-1]["modes"] <= 1000
        # A tanh keeps G's output in [-1, 1]; the MLP's linear output need not be.
        assert rows[-1]["outside"] == 0.0 if generator != "mlp" else 0 <= rows[-1]["outside"] <= 1
        # The MLP's output is also scored as the critic sees it, unclipped.
        assert (rows[-1]["fid_unclipped"] > 0) if generator == "mlp" else (
            "fid_unclipped" not in rows[-1])
        assert json.loads((folder / "final.json").read_text())["g_steps"] == 4
    # The generator the configuration names: no batch norm, or the MLP.
    config = json.loads((runs / "wgan-mlp-seed0" / "last" / "config.json").read_text())
    assert config["class_name"] == "zoo_study>StudyWGAN"
    assert config["config"]["generator_kind"] == "mlp"
    report = (out / "REPORT.md").read_text()
    assert "**10 of 10 runs finished**" in report
    # Each run's records and grid are copied beside the report.
    for name in ("trace.jsonl", "final.json", "samples.png"):
        assert (out / "records" / "wgan-mlp-seed0" / name).read_bytes() == (
            runs / "wgan-mlp-seed0" / name).read_bytes()
    for picture in ("curves.png", "loss_vs_fid.png", "gradients.png",
                    "samples/wgan-gp-mlp.png"):
        assert (out / picture).stat().st_size > 1000

    # As if killed after measuring at 6 generator updates and before saving: the row ahead
    # is dropped and the run continues from its saved state; finished runs whose budget is
    # met are not trained again, the others train on to the larger budget.
    folder = runs / "wgan-gp-dcgan-seed0"
    (folder / "final.json").unlink()
    with open(folder / "trace.jsonl", "a") as f:
        f.write(json.dumps({**trace(folder)[-1], "step": 30, "g_steps": 6, "fid": -1.0}) + "\n")
    again = study("--smoke", "--seeds=0", "--g_steps=6", "--objectives=wgan-gp",
                  "--generators=dcgan,mlp", f"--out={out}", f"--runs={runs}", cwd=tmp_path)
    started = [line for line in again.stdout.splitlines() if ": from step" in line]
    assert started == ["wgan-gp-dcgan-seed0: from step 20", "wgan-gp-mlp-seed0: from step 20"]
    rows = trace(folder)
    assert [r["g_steps"] for r in rows] == [2, 4, 6] and rows[-1]["fid"] > 0
    assert json.loads((folder / "final.json").read_text())["g_steps"] == 6


def fake_run(runs, objective, generator, seed, fid, modes, d_fake=0.5, ratio=1.0,
             finished=True):
    """A run's files, its FID falling from 3x ``fid`` to ``fid``."""
    folder = runs / f"{objective}-{generator}-seed{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, step in enumerate((100, 200, 300, 400)):
        f = fid * (4 - i) / 2 + seed
        row = {"step": step, "g_steps": step // 5, "seconds": step / 10, "fid": f,
               "modes": modes, "kl": 1.0, "d_loss": 0.5 + 0.1 * (i % 2), "g_loss": 1.0}
        if objective.startswith("wgan"):
            row.update(wasserstein=f / 100, grad_wasserstein=1.0)
        else:
            row.update(d_fake=d_fake, grad_non_saturating=1.0, grad_saturating=ratio)
        rows.append(row)
    (folder / "trace.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    if finished:
        (folder / "final.json").write_text(json.dumps(
            {"fid": 1.0, "modes": modes + seed, "kl": 1.0, "n": 10000, "step": 400,
             "g_steps": 80, "seconds": 40.0}))


def fake_study(tmp_path):
    """Every run's files, finished at 80 generator updates (see the assertions below)."""
    out, runs = tmp_path / "report", tmp_path / "runs"
    out.mkdir()
    (out / "real.json").write_text(json.dumps(
        {"n": 10000, "eval_n": 2000, "modes": 1000, "kl": 0.01, "fid": 1.5}))
    for seed in (0, 1):
        for generator in ("dcgan", "dcgan-nobn", "mlp"):
            # The Wasserstein runs end at lower FIDs than the GAN's, seeds apart ...
            fake_run(runs, "gan", generator, seed, fid=300, modes=100, d_fake=0.01, ratio=0.01)
            fake_run(runs, "wgan", generator, seed, fid=100, modes=600)
            # ... WGAN-GP covers fewer modes than the GAN with the MLP generator.
            fake_run(runs, "wgan-gp", generator, seed, fid=50,
                     modes=50 if generator == "mlp" else 700)
        fake_run(runs, "gan-minimax", "dcgan", seed, fid=400, modes=20, d_fake=0.01,
                 ratio=0.001)
    return out, runs


def test_the_report_decides_each_claim_from_the_runs_records(tmp_path):
    out, runs = fake_study(tmp_path)

    def decide():
        return write_report(out, runs)

    assert decide() == {"claim 1": "supported", "claim 2": "not supported",
                        "claim 3": "supported", "vanishing gradient": "supported",
                        "still falling": 20}
    report = (out / "REPORT.md").read_text()
    assert "**20 of 20 runs finished**" in report
    # gan, mlp: FIDs 600 ... 150 (seed 0) and 601 ... 151 (seed 1): final 150.5, best the
    # same; modes 100 and 101 (final.json); the FIDs are the trace's, not final.json's.
    # Over the last doubling (40 -> 80 generator updates) the FID fell 450 -> 150 (seed 0)
    # and 451 -> 151 (seed 1).
    assert ("| gan | mlp | 80 | 400 | 150.5 ± 0.5 | 150.5 ± 0.5 | 100.5 ± 0.5 | 1.00 ± 0.00 | "
            "falling (-67%), falling (-67%) |") in report
    assert "**20 of 20 finished runs were still falling**" in report
    # The budget stated is the runs' own (80 generator updates each), not the flag's default.
    assert "width 16, 80 generator updates per finished run" in report
    assert "| wgan-gp mlp seed 0 | W estimate | 4 | 1.00 | n/a | n/a |" in report
    # The records copied beside the report write the same report again.
    assert (out / "records" / "gan-mlp-seed1" / "trace.jsonl").read_text() == (
        runs / "gan-mlp-seed1" / "trace.jsonl").read_text()
    write_report(out, out / "records")
    assert (out / "REPORT.md").read_text() == report

    # The share of G's output outside [-1, 1] is the last measurement's.
    path = runs / "wgan-gp-mlp-seed1" / "trace.jsonl"
    path.write_text("".join(json.dumps({**r, "outside": r["step"] / 1000}) + "\n"
                            for r in trace(path.parent)))
    decide()
    assert "| wgan-gp mlp seed 1 | W estimate | 4 | 1.00 | 40% | n/a |" in (
        out / "REPORT.md").read_text()

    # A finished run training on to a larger budget is tabled at the budget it finished:
    # a row past final.json's step changes nothing.
    before = (out / "REPORT.md").read_text().split("![FID curves]")[0]
    path = runs / "gan-dcgan-seed0" / "trace.jsonl"
    with open(path, "a") as f:
        f.write(json.dumps({**trace(path.parent)[-1], "step": 500, "g_steps": 100,
                            "fid": 1.0}) + "\n")
    decide()
    assert (out / "REPORT.md").read_text().split("![FID curves]")[0] == before

    # A curve whose last quarter is within 5% of its third is flat, one seed at a time.
    path = runs / "gan-mlp-seed1" / "trace.jsonl"
    path.write_text("".join(json.dumps({**r, "fid": 151 - 0.04 * 151 * (r["step"] == 400)})
                            + "\n" for r in trace(path.parent)))
    assert decide()["still falling"] == 19
    report = (out / "REPORT.md").read_text()
    assert "| gan | mlp | 80 | 400 |" in report and "| falling (-67%), flat (-4%) |" in report
    assert "**19 of 20 finished runs were still falling**" in report

    # An unfinished seed leaves its comparisons undecided; an overlapping pair too.
    (runs / "wgan-dcgan-nobn-seed1" / "final.json").unlink()
    for seed in (0, 1):
        fake_run(runs, "wgan", "mlp", seed, fid=300 - 2 * seed, modes=600)
    verdicts = decide()
    assert verdicts["claim 1"] == "undecided"
    assert "**19 of 20 runs finished**" in (out / "REPORT.md").read_text()

    # Runs that stopped at different budgets are not compared: with the GAN's MLP runs
    # trained on (final.json at 160 generator updates), WGAN-GP's MLP row is undecided.
    assert "| mlp | undecided | undecided |" not in (out / "REPORT.md").read_text()
    for seed in (0, 1):
        final = runs / f"gan-mlp-seed{seed}" / "final.json"
        final.write_text(json.dumps({**json.loads(final.read_text()), "g_steps": 160}))
    decide()
    report = (out / "REPORT.md").read_text()
    assert "| gan | mlp | 160 | 400 |" in report and "| mlp | undecided | undecided |" in report

    # The gradient does not vanish in a run where D is confident and the ratio is large.
    fake_run(runs, "gan", "dcgan", 1, fid=300, modes=100, d_fake=0.01, ratio=0.5)
    # A critic estimate that rises as the FID falls: claim 3 is not supported.
    for generator in ("dcgan", "dcgan-nobn", "mlp"):
        for seed in (0, 1):
            path = runs / f"wgan-gp-{generator}-seed{seed}" / "trace.jsonl"
            rows = [json.loads(line) for line in path.read_text().splitlines()]
            path.write_text("".join(json.dumps({**r, "wasserstein": -r["fid"]}) + "\n"
                                    for r in rows))
    verdicts = decide()
    assert verdicts["vanishing gradient"] == "not supported"
    assert verdicts["claim 3"] == "not supported"


def test_the_report_shows_how_each_verdict_moved_with_the_budget(tmp_path, monkeypatch):
    out, runs = fake_study(tmp_path)
    # WGAN's MLP runs start worse than the GAN's (FID 1000 against 600 at 20 generator
    # updates) and end better (50 against 150 at 80); the MLP's unclipped output is scored
    # too, and its FID rises as the critic's estimate falls.
    for seed in (0, 1):
        path = runs / f"wgan-mlp-seed{seed}" / "trace.jsonl"
        path.write_text("".join(json.dumps(
            {**r, "fid": 1000 if r["g_steps"] == 20 else r["fid"],
             "fid_unclipped": r["g_steps"] * 10.0}) + "\n" for r in trace(path.parent)))
    # A shipped checkpoint's curve whose critic estimate rises as its FID falls (the
    # others are the checkout's own).
    shipped = tmp_path / "checkpoints" / "wgan-mnist"
    shipped.mkdir(parents=True)
    curve = [{"train_steps": 5 * g, "generator_steps": g, "wasserstein": g / 100, "fid": 100 - g}
             for g in (20, 40, 80)]
    # Continued against a fresh, wider critic: a new estimate on another scale, not read.
    curve += [{"train_steps": 5 * g, "generator_steps": g, "wasserstein": 9.0, "fid": 10}
              for g in (90, 100)]
    swap = {"train_steps": 400, "fresh_critic": 20, "critic_width": 128}
    # ... and that run continued again, with the critic it had: the swap is further back.
    (shipped / "metadata.json").write_text(json.dumps({"training": {
        "curve": curve, "continued_from": {"train_steps": 450, "earlier": swap}}}))
    monkeypatch.setenv("ZOO_CHECKPOINTS", str(shipped.parent))
    assert write_report(out, runs)["claim 1"] == "supported"
    report = (out / "REPORT.md").read_text()
    assert "| wgan-mnist | 20-80 | 3 | -1.00 |" in report and "| wgan-gp-mnist | " in report
    assert "| claim | 20 G updates | 40 G updates | 80 G updates |" in report
    assert "| claim 1 | not supported | supported | supported |" in report
    assert "| claim 2 | not supported | not supported | not supported |" in report
    assert "| wgan mlp seed 0 | W estimate | 4 | 1.00 | n/a | -1.00 |" in report

    # Runs that did not all finish at one budget have no such section.
    final = runs / "gan-dcgan-seed0" / "final.json"
    final.write_text(json.dumps({**json.loads(final.read_text()), "g_steps": 160}))
    write_report(out, runs)
    assert "How the verdicts moved" not in (out / "REPORT.md").read_text()


def test_the_report_counts_collapsed_runs_over_every_seed_found(tmp_path):
    out, runs = fake_study(tmp_path)
    # An extra seed of the GAN without batch norm that collapsed (7 modes), and one that
    # has not finished: the verdicts read seeds 0 and 1 only, the collapse counts every
    # finished seed.
    fake_run(runs, "gan", "dcgan-nobn", 2, fid=2000, modes=5)
    fake_run(runs, "gan", "dcgan-nobn", 3, fid=2000, modes=5, finished=False)
    assert write_report(out, runs)["claim 1"] == "supported"
    report = (out / "REPORT.md").read_text()
    assert "| gan | dcgan-nobn | 1 of 3 | 0, 1, **2** |" in report
    # 100 and 101 modes have not collapsed (fewer than 100 have), 50 and 51 have.
    assert "| gan | dcgan | 0 of 2 | 0, 1 |" in report
    assert "| wgan-gp | mlp | 2 of 2 | **0**, **1** |" in report
    assert "| gan-minimax | dcgan | 2 of 2 | **0**, **1** |" in report
    # The extra seed's records travel with the others, and write the same report again.
    assert (out / "records" / "gan-dcgan-nobn-seed2" / "final.json").exists()
    write_report(out, out / "records")
    assert (out / "REPORT.md").read_text() == report


@pytest.mark.parametrize("flag, says", [("--eval_every=0", "--eval_every must be a positive"),
                                        ("--seeds=a", "--seeds must be non-negative integers"),
                                        ("--shard=3/2", "--shard must be i/k")])
def test_bad_flags_are_refused_with_what_to_do(tmp_path, flag, says):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    run = subprocess.run([sys.executable, str(STUDY), "--report", f"--out={tmp_path}", flag],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode != 0 and says in run.stderr
    assert not (tmp_path / "REPORT.md").exists()


def test_mlp_generator_is_linear_in_training_and_clipped_only_when_sampling(tmp_path):
    # The WGAN authors' MLP generator: 4 dense layers (3 hidden), a linear output; the
    # zoo's samples stay in [-1, 1] by a clip at sampling time, not by a tanh that
    # saturates in training.
    code = f"""
import sys
sys.path.insert(0, {str(ROOT / "studies")!r})
import numpy as np
import wgan_claims as study
model = study.STUDY_CLASSES["wgan-gp"](image_size=28, channels=3, latent_dim=8, width=4,
                                       generator_kind="mlp", mlp_units=16)
dense = [l for l in model.generator.layers if type(l).__name__ == "Dense"]
for layer in dense:
    layer.kernel.assign(layer.kernel * 4.0)
trained = np.asarray(model.generator(model.latents(64, seed=0), training=True))
sampled = model.sample(64, seed=0)
print(len(dense), [l.units for l in dense], float(np.abs(trained).max()),
      float(sampled.min()), float(sampled.max()),
      float(np.abs(np.clip(trained, -1, 1) - sampled).max()))
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    fields = run.stdout.strip().splitlines()[-1]
    assert fields.startswith("4 [16, 16, 16, 2352] "), fields
    peak, low, high, gap = map(float, fields.split("] ")[1].split())
    assert peak > 1.0  # training sees the linear output, beyond the image range
    assert -1.0 <= low and high <= 1.0 and (low == -1.0 or high == 1.0)
    assert gap < 1e-5  # sampling is the same output, clipped


def test_the_committed_report_is_written_again_from_its_records(tmp_path):
    committed = ROOT / "docs" / "study" / "claims"
    out = tmp_path / "claims"
    out.mkdir()
    (out / "real.json").write_bytes((committed / "real.json").read_bytes())
    verdicts = write_report(out, committed / "records")
    assert (out / "REPORT.md").read_text() == (committed / "REPORT.md").read_text()
    assert f"**Claim 1: {verdicts['claim 1']}**" in (out / "REPORT.md").read_text()
