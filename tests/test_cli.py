"""python -m zoo: list, sample, errors; run in-process on a tiny checkpoint."""

import subprocess
import sys

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
    out = tmp_path / "grid.png"
    assert main(["sample", "cgan_mnist", "-n", "4", "-o", str(out), "--seed", "1", "--labels", "3",
                 "--scale", "1"]) == 0
    picture = np.asarray(Image.open(out))
    assert picture.shape == (2 * 8 + 3 * 2, 2 * 8 + 3 * 2)  # 2x2 tiles of 8 px, 2 px padding


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


def test_module_entry_point_runs():
    result = subprocess.run([sys.executable, "-m", "zoo", "list"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and "wgan-mnist" in result.stdout


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
    for result in (loud, chosen):
        assert result.returncode == 0 and "oneDNN custom operations" in result.stderr


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
