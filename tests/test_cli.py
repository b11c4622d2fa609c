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
    assert "cgan-mnist" in listing and "shipped" in listing.split("cgan-mnist")[1].splitlines()[0]
    out = tmp_path / "grid.png"
    assert main(["sample", "cgan_mnist", "-n", "4", "-o", str(out), "--seed", "1", "--labels", "3",
                 "--scale", "1"]) == 0
    picture = np.asarray(Image.open(out))
    assert picture.shape == (2 * 8 + 3 * 2, 2 * 8 + 3 * 2)  # 2x2 tiles of 8 px, 2 px padding


def test_errors_are_one_line_with_exit_code_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ZOO_CHECKPOINTS", str(tmp_path))
    assert main(["sample", "wgan-mnst", "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no model named 'wgan-mnst'") and "wgan-mnist" in err
    assert main(["sample", "dcgan-mnist", "-o", str(tmp_path / "x.png")]) == 2
    assert "recipes/dcgan_mnist.py" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_module_entry_point_runs():
    result = subprocess.run([sys.executable, "-m", "zoo", "list"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and "wgan-mnist" in result.stdout
