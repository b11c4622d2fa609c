"""The calligraphy pair, prepared for real from the two Arphic fonts (Debian's
fonts-arphic-uming and -ukai, which .ci/run installs): the GB2312 split, the rendering
that ``render_hanzi`` repeats exactly, the pipelines, and the glyph scores against a
translator that knows the answer."""

import os
from pathlib import Path

import numpy as np
import pytest

from zoo import data, errors, evaluation, hanzi_data, registry
from zoo.models import Pix2Pix

FONTS = Path("/usr/share/fonts/truetype/arphic")
pytestmark = pytest.mark.skipif(
    not (FONTS / "uming.ttc").exists() and not os.environ.get("CI"),
    reason="Debian's fonts-arphic-uming and fonts-arphic-ukai are not installed (.ci/run installs them)")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    sources = [FONTS / "ukai.ttc", FONTS / "uming.ttc"]  # any order
    paths = data.prepare("hanzi", source=[str(s) for s in sources], data_dir=data_dir)
    return data_dir, paths


def test_gb2312_is_its_6763_hanzi_and_every_tenth_is_test():
    chars = hanzi_data.gb2312()
    assert len(chars) == 6763 and chars == sorted(chars) and {"啊", "一", "永"} <= set(chars)
    assert all("\u4e00" <= c <= "\u9fff" for c in chars)
    parts = hanzi_data.split(set(chars))
    assert parts["test"] == chars[::10] and len(parts["test"]) == 677
    assert len(parts["train"]) == 6086 and not set(parts["train"]) & set(parts["test"])
    assert parts["extra"] == []  # nothing beyond GB2312 was covered here
    with pytest.raises(errors.DataNotFoundError, match="lack"):
        hanzi_data.split(set(chars[1:]))


def test_prepared_from_the_fonts_with_their_licence(prepared):
    data_dir, paths = prepared
    assert sorted(p.name for p in paths) == ["kai.npz", "ming.npz"]
    fonts = data.hanzi_folder(data_dir) / "fonts"
    assert {p.name for p in fonts.iterdir()} == {"uming.ttc", "ukai.ttc"}  # .ttc sources: no licence file
    with np.load(paths[0]) as ming, np.load(paths[1]) as kai:
        for z in (ming, kai):
            assert z["train_images"].shape == (6086, 64, 64, 1) and z["test_images"].shape[0] == 677
            assert z["train_images"].dtype == np.uint8
        np.testing.assert_array_equal(ming["test_labels"], kai["test_labels"])  # paired by code point
        assert [chr(c) for c in ming["test_labels"]] == list(ming["test_files"])
        assert len(ming["extra_files"]) > 200 and not set(ming["extra_files"]) & set(hanzi_data.gb2312())
        # Ink on white, centred: the background is white and the ink's centre near the middle.
        ink = 255 - ming["test_images"][..., 0].astype(float)
        assert np.median(ming["test_images"]) == 255
        yy, xx = np.mgrid[:64, :64]
        centre = [(ink * g).sum() / ink.sum() for g in (yy, xx)]
        assert all(abs(c - 31.5) < 2 for c in centre)
        assert not np.array_equal(ming["test_images"], kai["test_images"])


def test_render_hanzi_draws_exactly_what_the_data_holds(prepared):
    data_dir, _ = prepared
    with np.load(data.hanzi_folder(data_dir) / "kai.npz") as kai:
        chars = "".join(kai["test_files"][:5])
        np.testing.assert_array_equal(data.render_hanzi(chars, "kai", data_dir=data_dir),
                                      kai["test_images"][:5])
    traditional = data.render_hanzi("永和 九年 臺灣", "ming", data_dir=data_dir)
    assert traditional.shape == (6, 64, 64, 1) and traditional.dtype == np.uint8
    for bad, match in [("永😀", "do not both have"), ("", "string"), (None, "string")]:
        with pytest.raises(errors.ZooValueError, match=match):
            data.render_hanzi(bad, data_dir=data_dir)
    with pytest.raises(errors.ZooValueError, match="style"):
        data.render_hanzi("永", "song", data_dir=data_dir)
    with pytest.raises(errors.DataNotFoundError, match="prepare-data hanzi"):
        data.render_hanzi("永", data_dir=data_dir / "nowhere")


def test_the_pipelines_pair_by_character_and_never_mirror(prepared, monkeypatch):
    data_dir, _ = prepared
    monkeypatch.setenv("TFDS_DATA_DIR", str(data_dir))
    a, b, labels = data.paired_split("hanzi_paired/ming2kai", "validation")
    assert len(a) == 609 and (labels % 1 == 0).all()
    train = data.paired_split("hanzi_paired/ming2kai", "train")
    assert len(train[0]) == 5477 and not set(train[2]) & set(labels)
    (xa, _), (xb, _) = data.pair_domains("hanzi_pair/ming2kai", "train")
    assert len(xa) == len(xb) == 5477  # the unpaired pair is carved the same way
    batches = data.load("hanzi_paired/ming2kai", batch_size=64, seed=0)
    assert batches[0][0].shape == (64, 64, 64, 1)


def test_the_jitter_never_mirrors_a_character():
    with data.mock_arrays(num_examples=32):
        for style in ("ming", "kai"):  # ink on the left half only: a mirror would show
            x = np.full((32, 64, 64, 1), 255, np.uint8)
            x[:, :, :24] = 0
            data._MOCK[f"hanzi/{style}"] = {s: (x, np.arange(32)) for s in ("train", "test")}
        for name in ("hanzi_paired/ming2kai", "hanzi_pair/ming2kai"):
            for g in range(4):
                for images in data.load(name, batch_size=8, seed=g)[g % 2]:
                    assert (images[:, :, :8].mean((1, 2, 3)) < images[:, :, -8:].mean((1, 2, 3))).all()


class Oracle(Pix2Pix):
    """Returns the true Kai glyph of each test source: the scores' upper bound."""

    def translate(self, images, direction=None, batch_size=16, *, seed=0):
        (a, _), (b, _) = data.pair_domains("hanzi_paired/ming2kai", "test")
        return b[[int(np.flatnonzero((a == x).all(axis=(1, 2, 3)))[0]) for x in images]]


class Identity(Pix2Pix):
    def translate(self, images, direction=None, batch_size=16, *, seed=0):
        return np.asarray(images)


def test_glyph_scores_bound_a_translator(prepared, monkeypatch):
    data_dir, _ = prepared
    monkeypatch.setenv("TFDS_DATA_DIR", str(data_dir))
    tiny = dict(image_size=64, channels=1, width=2)
    best = evaluation.evaluate_glyph_transfer(Oracle(**tiny), n=100)["a2b"]
    same = evaluation.evaluate_glyph_transfer(Identity(**tiny), n=100)["a2b"]
    assert best["l1"] == 0 and best["nearest_own"] == 1.0 and best["checkerboard"] == 1.0
    assert best["target_style_rate"] == best["target_style_rate_real"] > 0.9
    assert same["l1_ratio"] == 1.0 and same["nearest_own"] == same["nearest_own_identity"]
    assert same["target_style_rate"] < 0.1  # the shipped classifier reads Ming glyphs as Ming
    assert best["gap_closed"] > same["gap_closed"]


def test_both_hanzi_presets_are_registered():
    p2p, cyc = registry.get("pix2pix-ming2kai"), registry.get("cyclegan-ming2kai")
    assert p2p.dataset == "hanzi_paired/ming2kai" and cyc.dataset == "hanzi_pair/ming2kai"
    assert p2p.config["channels"] == cyc.config["channels"] == 1
    assert p2p.target["a2b_nearest_own"] == (">=", 0.8)
