"""python -m zoo: list, sample, errors; run in-process on a tiny checkpoint."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from zoo import checkpoint
from zoo.__main__ import main

from tiny import build


def test_list_and_sample(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ZOO_CHECKPOINTS", str(tmp_path / "ckpt"))
    checkpoint.save_preset(build("cgan-mnist"), tmp_path / "ckpt" / "cgan-mnist")
    assert main(["list"]) == 0
    listing = capsys.readouterr().out
    assert "cgan-mnist" in listing and "local" in listing.split("cgan-mnist")[1].splitlines()[0]
    assert "wgan-mnist" in listing
    out = tmp_path / "grid.png"
    assert main(["sample", "cgan_mnist", "-n", "4", "-o", str(out), "--seed", "1", "--labels", "3",
                 "--scale", "1"]) == 0
    picture = np.asarray(Image.open(out))
    assert picture.shape == (2 * 8 + 3 * 2, 2 * 8 + 3 * 2)  # 2x2 tiles of 8 px, 2 px padding


def test_a_grid_is_written_in_the_format_its_name_asks_for(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ZOO_CHECKPOINTS", str(tmp_path / "ckpt"))
    checkpoint.save_preset(build("dcgan-mnist"), tmp_path / "ckpt" / "dcgan-mnist")
    for name, kind in [("grid.JPG", "JPEG"), ("grid.webp", "WEBP"), ("grid.png", "PNG")]:
        assert main(["sample", "dcgan-mnist", "-n", "4", "-o", str(tmp_path / name)]) == 0
        assert Image.open(tmp_path / name).format == kind
    # A name that says no format fails in one line, before sampling, and writes nothing.
    for name in ("grid.jpg2", "grid"):
        assert main(["sample", "dcgan-mnist", "-o", str(tmp_path / name)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: cannot tell which image format") and ".png" in err
        assert not (tmp_path / name).exists()
    assert main(["interpolate", "dcgan-mnist", "--seeds", "1", "2", "-o",
                 str(tmp_path / "walk.mp4")]) == 2
    assert "cannot tell which image format" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt", "grid.JPG", "grid.png",
                                                            "grid.webp"]


def test_errors_are_one_line_with_exit_code_2(tmp_path, monkeypatch, capsys):
    from zoo import registry

    monkeypatch.setenv("ZOO_CHECKPOINTS", str(tmp_path))
    monkeypatch.setattr(registry, "SOURCE_CHECKPOINTS", tmp_path / "no-checkout")
    assert main(["sample", "wgan-mnst", "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no model named 'wgan-mnst'") and "wgan-mnist" in err
    assert main(["sample", "dcgan-mnist", "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "recipes/dcgan_mnist.py" in err and len(err.strip().splitlines()) == 1
    # It names every place it looked.
    assert str(tmp_path / "dcgan-mnist") in err and "hf://keras-gan-zoo/dcgan-mnist" in err
    assert not (tmp_path / "x.png").exists()


def _clean_env(tmp_path, **extra):
    import os

    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return {**env, "HOME": str(tmp_path), **extra}


STARTUP = ("oneDNN custom operations", "Could not find cuda drivers", "cuInit", "E0000")


def test_first_command_prints_no_tensorflow_startup_lines(tmp_path):
    ckpt = tmp_path / "ckpt"
    checkpoint.save_preset(build("dcgan-mnist"), ckpt / "dcgan-mnist")
    cmd = [sys.executable, "-m", "zoo", "sample", "dcgan-mnist", "-n", "4", "-o",
           str(tmp_path / "g.png")]
    quiet = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                           env=_clean_env(tmp_path, ZOO_CHECKPOINTS=str(ckpt)))
    assert quiet.returncode == 0, quiet.stderr
    assert not any(s in quiet.stderr for s in STARTUP), quiet.stderr
    assert "wrote 4 samples" in quiet.stdout
    # --verbose shows what was held back; a log level the user chose is respected.
    loud = subprocess.run(cmd[:3] + ["--verbose"] + cmd[3:], capture_output=True, text=True,
                          timeout=120, env=_clean_env(tmp_path, ZOO_CHECKPOINTS=str(ckpt)))
    chosen = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                            env=_clean_env(tmp_path, ZOO_CHECKPOINTS=str(ckpt),
                                           TF_CPP_MIN_LOG_LEVEL="0"))
    # Which startup lines TensorFlow prints depends on the host (oneDNN's on some CPUs,
    # CUDA's where the wheel looks for a GPU): any one of them shows the gate is open.
    for result in (loud, chosen):
        assert result.returncode == 0, result.stderr
        assert any(s in result.stderr for s in STARTUP), result.stderr
    # TF_CPP_MIN_LOG_LEVEL=3, set to be quiet, is quiet too (its level does not reach them).
    habit = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                           env=_clean_env(tmp_path, ZOO_CHECKPOINTS=str(ckpt),
                                          TF_CPP_MIN_LOG_LEVEL="3"))
    assert habit.returncode == 0, habit.stderr
    assert not any(s in habit.stderr for s in STARTUP), habit.stderr


def test_an_unknown_startup_line_still_shows(tmp_path):
    # TensorFlow stands in for itself only as the writer of lines on file
    # descriptor 2; the code under test is the capture and the filter.
    script = (
        "import os, sys, types\n"
        "tf = types.ModuleType('tensorflow')\n"
        "def devices():\n"
        "    os.write(2, b'I0000 port.cc:153] oneDNN custom operations are on.\\n')\n"
        "    os.write(2, b'F0000 something real broke\\n')\n"
        "tf.config = types.SimpleNamespace(list_physical_devices=devices)\n"
        "sys.modules['tensorflow'] = tf\n"
        "from zoo import _quiet\n"
        "_quiet.start_tensorflow()\n"
        "print(len(_quiet.HELD_BACK))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, env=_clean_env(tmp_path, KERAS_BACKEND="jax"))
    assert result.returncode == 0, result.stderr
    assert "something real broke" in result.stderr and "oneDNN" not in result.stderr
    assert result.stdout.strip() == "1"


def test_interpolate_writes_a_strip_and_an_animation(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ZOO_CHECKPOINTS", str(tmp_path / "ckpt"))
    checkpoint.save_preset(build("dcgan-mnist"), tmp_path / "ckpt" / "dcgan-mnist")
    strip, gif = tmp_path / "walk.png", tmp_path / "walk.gif"
    assert main(["interpolate", "dcgan-mnist", "--seeds", "1", "2", "--steps", "5", "-o",
                 str(strip), "--scale", "1"]) == 0
    assert np.asarray(Image.open(strip)).shape == (8 + 2 * 2, 5 * 8 + 6 * 2)  # one row of 5
    assert main(["interpolate", "dcgan-mnist", "--seeds", "1", "2", "--steps", "4", "-o",
                 str(gif)]) == 0
    animation = Image.open(gif)
    assert animation.n_frames == 4 and animation.size == (16, 16)
    assert "from seed 1 to seed 2" in capsys.readouterr().out
    assert main(["interpolate", "dcgan-mnist", "--seeds", "1", "2", "--steps", "1"]) == 2


def test_train_on_your_own_images_from_scratch_and_fine_tuned(tmp_path):
    from PIL import Image

    import zoo

    folder = tmp_path / "mine"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(8):  # RGB, another size: converted to 28x28 grey
        Image.fromarray(rng.integers(0, 255, (40, 30, 3), dtype=np.uint8)).save(
            folder / f"{i}.png")
    env = _clean_env(tmp_path, TF_CPP_MIN_LOG_LEVEL="2")

    def train(*extra, out):
        return subprocess.run([sys.executable, "-m", "zoo", "train", "dcgan-mnist", "--data",
                               str(folder), "--steps", "4", "--batch_size", "2",
                               "--steps_per_epoch", "2", "--outdir", str(out), *extra],
                              capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)

    fresh = train(out=tmp_path / "fresh")
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    model = zoo.load(tmp_path / "fresh" / "last")
    assert int(model.d_steps.numpy()) == 4 and model.sample(2, seed=0).shape == (2, 28, 28, 1)
    tuned = train("--finetune", out=tmp_path / "tuned")
    assert tuned.returncode == 0 and "Fine-tuning dcgan-mnist" in tuned.stdout, tuned.stderr[-3000:]
    shipped = zoo.load("dcgan-mnist").generator.get_weights()[0]
    start = zoo.load(tmp_path / "tuned" / "last").generator.get_weights()[0]
    scratch = model.generator.get_weights()[0]
    # Four small Adam steps from the shipped weights stay near them; a fresh start does not.
    assert np.abs(start - shipped).mean() < 0.1 * np.abs(scratch - shipped).mean()
    refused = subprocess.run([sys.executable, "-m", "zoo", "train", "cgan-mnist", "--data",
                              str(folder)], capture_output=True, text=True, timeout=300,
                             cwd=tmp_path, env=env)
    assert refused.returncode == 2 and "labelled" in refused.stderr


def test_a_progress_bar_on_a_terminal_and_none_in_a_log(tmp_path):
    import os
    import pty

    ckpt = tmp_path / "ckpt"
    checkpoint.save_preset(build("dcgan-mnist"), ckpt / "dcgan-mnist")
    cmd = [sys.executable, "-m", "zoo", "sample", "dcgan-mnist", "-n", "1500", "-o",
           str(tmp_path / "g.png")]
    env = _clean_env(tmp_path, ZOO_CHECKPOINTS=str(ckpt))
    logged = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert logged.returncode == 0 and "sampling 1,500 images" not in logged.stderr
    import fcntl
    import struct
    import termios

    leader, follower = pty.openpty()  # standard error is a terminal of 24 x 80
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=follower, env=env)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the program ended
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait(timeout=300) == 0
    assert b"sampling 1,500 images" in seen and b"batch" in seen, seen[-2000:]


def test_prepare_data_prints_no_progress_bars_into_a_log(tmp_path):
    import gzip
    import pickle

    rng = np.random.default_rng(0)
    parts = [((rng.integers(0, 256, (n, 784)) / 256.0).astype(np.float32),
              rng.integers(0, 10, n)) for n in (6, 2, 3)]
    with gzip.open(tmp_path / "mnist.pkl.gz", "wb") as f:
        pickle.dump(parts, f)
    result = subprocess.run([sys.executable, "-m", "zoo", "prepare-data", "mnist", "--source",
                             str(tmp_path / "mnist.pkl.gz"), "--data_dir", str(tmp_path / "tfds")],
                            capture_output=True, text=True, timeout=300,
                            env=_clean_env(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Generating" not in result.stderr and "%|" not in result.stderr, result.stderr[-2000:]


def test_train_a_preset_from_its_record_as_its_recipe_does(tmp_path):
    """``python -m zoo train NAME`` and ``recipes/<name>.py`` are the same run."""
    env = _clean_env(tmp_path, TF_CPP_MIN_LOG_LEVEL="2")
    root = Path(__file__).resolve().parent.parent
    runs = {"cli": [sys.executable, "-m", "zoo", "train", "cgan-mnist", "--smoke"],
            "recipe": [sys.executable, str(root / "recipes" / "cgan_mnist.py"), "--smoke"]}
    for name, command in runs.items():
        done = subprocess.run(command + ["--outdir", str(tmp_path / name)], capture_output=True,
                              text=True, timeout=300, cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stderr[-3000:]
    records = [json.loads((tmp_path / n / "record.json").read_text()) for n in runs]
    assert [r["dataset"] for r in records] == ["mnist", "mnist"]
    assert [r["train_steps"] for r in records] == [4, 4]
    import zoo

    trained = [zoo.load(str(tmp_path / name / "last")).variables for name in runs]
    assert len(trained[0]) == len(trained[1]) > 10
    for a, b in zip(*trained):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)


def test_every_shipped_card_s_commands_take_the_same_options_in_both_command_lines():
    """Each run that made a shipped checkpoint (its chain, or its one recorded command)
    means the same :class:`zoo.train.Options` as ``python recipes/<recipe>.py ...`` (absl)
    and as ``python -m zoo train <preset> ...`` (argparse)."""
    import shlex

    from absl import flags

    from zoo import registry, train
    from zoo.__main__ import build_parser

    commands = {}
    for name in registry.list_models(shipped_only=True):
        preset = registry.PRESETS[name]
        meta = checkpoint.read_metadata(registry.local_folder(name))
        commands[name] = list(preset.chain) or [meta["training"]["command"]]
    assert len(commands) >= 10 and any(len(c) > 1 for c in commands.values())
    for name, chain in commands.items():
        for command in chain:
            args = shlex.split(command)[2:]  # after "python recipes/<recipe>.py"
            recipe_flags = flags.FlagValues()
            train._define_flags(recipe_flags)
            recipe_flags(["recipe", *args])
            cli = build_parser().parse_args(["train", name, *args])
            assert train.options_from(cli) == train.options_from(recipe_flags), command
    # A boolean turned off the absl way works on both.
    assert build_parser().parse_args(["train", "gan-mnist", "--nodeterministic"]).deterministic is False


def test_project_finds_a_sample_s_latents_and_saves_them(tmp_path, monkeypatch, capsys):
    """python -m zoo project: your image on top, the generator's nearest below it, the
    latents in a .npy file whose samples are those below; refused for a translator."""
    monkeypatch.setenv("ZOO_CHECKPOINTS", str(tmp_path / "ckpt"))
    model = build("dcgan-mnist")
    # A fresh generator's samples are all about 0 (std ~0.01), below the 1/255 steps of a
    # PNG; a larger output kernel spreads them over the range, so samples differ visibly.
    last = [layer for layer in model.generator.layers if layer.weights][-1]
    last.kernel.assign(last.kernel * 100.0)
    assert model.sample(4, seed=5).std() > 0.2
    checkpoint.save_preset(model, tmp_path / "ckpt" / "dcgan-mnist")
    target = np.round((model.sample(1, seed=5)[0, ..., 0] + 1) * 127.5).astype(np.uint8)
    Image.fromarray(target).save(tmp_path / "digit.png")
    out, z_path = tmp_path / "nearest.png", tmp_path / "z.npy"
    assert main(["project", "dcgan-mnist", str(tmp_path / "digit.png"), "-o", str(out),
                 "--latents", str(z_path), "--steps", "60", "--restarts", "2", "--scale", "1"]) == 0
    grid = np.asarray(Image.open(out))
    assert grid.shape == (2 * 8 + 3 * 2, 8 + 2 * 2)  # the image over its projection
    z = np.load(z_path)
    assert z.shape == (1, model.latent_dim)
    made = model._draw(z, None, None, 500)[0, ..., 0]
    np.testing.assert_array_equal(grid[12:20, 2:10],
                                  np.clip(np.round((made + 1) * 127.5), 0, 255).astype(np.uint8))
    real = target / 127.5 - 1
    other = model.sample(1, seed=6)[0, ..., 0]
    assert ((made - real) ** 2).mean() < 0.3 * ((other - real) ** 2).mean()
    assert "pixel MSE" in capsys.readouterr().out
    # What it cannot do is one line, before anything is written.
    assert main(["project", "dcgan-mnist", str(tmp_path / "missing.png")]) == 2
    assert "no such image file" in capsys.readouterr().err
    assert main(["project", "dcgan-mnist", str(tmp_path / "digit.png"), "--latents",
                 str(tmp_path / "z.txt")]) == 2
    assert ".npy" in capsys.readouterr().err
    checkpoint.save_preset(build("cyclegan-sneaker2boot"), tmp_path / "ckpt" / "cyclegan-sneaker2boot")
    assert main(["project", "cyclegan-sneaker2boot", str(tmp_path / "digit.png"), "-o",
                 str(tmp_path / "no.png")]) == 2
    assert "python -m zoo translate" in capsys.readouterr().err
    assert not (tmp_path / "no.png").exists() and not (tmp_path / "z.txt").exists()
