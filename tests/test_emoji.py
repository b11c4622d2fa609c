"""The emoji style pair end to end on fake npm packages (nothing is downloaded): the
tarballs and folders ``prepare-data emoji`` reads, the fixed split, compositing onto
white, the paired order, the pipelines, and issue 33's scores of a translator and a
generator (a tiny classifier under ``ZOO_CHECKPOINTS``)."""

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zoo import data, emoji_data, errors, evaluation, registry
from zoo.probe import QualityProbe
from zoo.models import CycleGAN, DCGAN

ROOT = Path(__file__).resolve().parent.parent
STYLES = {"noto": ("emoji-datasource-google", "google"),
          "twemoji": ("emoji-datasource-twitter", "twitter")}
N_BASE = 23  # base emoji: indices 0, 10, 20 (sorted by code) are test


def fake_entries():
    """emoji.json entries: base emoji with codes in a shuffled order, every third one
    with two skin variations, categories cycling through all ten."""
    codes = [f"1F{600 + (i * 7) % N_BASE:03X}" for i in range(N_BASE)]  # not sorted
    entries = []
    for i, code in enumerate(codes):
        entry = {"unified": code, "image": f"{code.lower()}.png",
                 "category": emoji_data.CATEGORIES[i % 10]}
        if i % 3 == 0:
            entry["skin_variations"] = {
                tone: {"unified": f"{code}-{tone}", "image": f"{code.lower()}-{tone.lower()}.png"}
                for tone in ("1F3FC", "1F3FB")}
        entries.append(entry)
    return entries


def fake_png(file, style):
    """A 64x64 RGBA emoji: a disc whose colour encodes the file and the style, on a
    transparent background (half-transparent rim, to check the compositing)."""
    seed = sum(map(ord, file))
    colour = [(seed * 37) % 200, (seed * 91) % 200, 100 if style == "noto" else 200]
    yy, xx = np.mgrid[:64, :64]
    r = np.hypot(yy - 32, xx - 32)
    rgba = np.zeros((64, 64, 4), np.uint8)
    rgba[..., :3] = colour
    rgba[..., 3] = np.where(r < 20, 255, np.where(r < 24, 128, 0))
    out = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(out, format="PNG")
    return out.getvalue()


def write_package(root, style, entries, tarball):
    """The npm package's layout (``package/...``) as a folder or a .tgz."""
    package, vendor = STYLES[style]
    members = {"package/package.json": json.dumps({"name": package, "version": "16.0.0"}).encode(),
               "package/emoji.json": json.dumps(entries).encode()}
    for entry in entries:
        for e in [entry] + list((entry.get("skin_variations") or {}).values()):
            members[f"package/img/{vendor}/64/{e['image']}"] = fake_png(e["image"], style)
    if tarball:
        path = root / f"{package}-16.0.0.tgz"
        with tarfile.open(path, "w:gz") as tar:
            for name, blob in members.items():
                info = tarfile.TarInfo(name)
                info.size = len(blob)
                tar.addfile(info, io.BytesIO(blob))
        return path
    for name, blob in members.items():
        (root / style / name).parent.mkdir(parents=True, exist_ok=True)
        (root / style / name).write_bytes(blob)
    return root / style


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    root = tmp_path_factory.mktemp("npm")
    entries = fake_entries()
    tgz = [write_package(root, s, entries, tarball=True) for s in STYLES]
    folders = [write_package(root, s, entries, tarball=False) for s in STYLES]
    return tgz, folders, entries


@pytest.fixture(scope="module")
def prepared(packages, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    paths = data.prepare("emoji", source=list(reversed(packages[0])), data_dir=data_dir)
    return data_dir, paths


def test_the_split_is_every_tenth_base_emoji_by_code_with_its_variations(packages):
    _, _, entries = packages
    rows = emoji_data.split(entries)
    ordered = sorted(entries, key=lambda e: e["unified"])
    test_bases = {ordered[i]["image"] for i in (0, 10, 20)}
    test = [f for f, _, s in rows if s == "test"]
    # Each test base emoji is followed by its variations, sorted by code.
    expected = []
    for base in (ordered[i] for i in (0, 10, 20)):
        variations = sorted((base.get("skin_variations") or {}).values(), key=lambda v: v["unified"])
        expected += [base["image"]] + [v["image"] for v in variations]
    assert test == expected
    assert test_bases <= set(test)
    assert len(rows) == N_BASE + 2 * len([e for e in entries if e.get("skin_variations")])
    assert {c for f, c, _ in rows if f in test_bases} == {
        emoji_data.CATEGORIES.index(b["category"]) for b in ordered if b["image"] in test_bases}


def test_tarballs_and_folders_give_the_same_arrays_paired_and_composited(packages, prepared,
                                                                         tmp_path):
    data_dir, paths = prepared
    assert sorted(p.name for p in paths) == ["noto.npz", "twemoji.npz"]
    again = data.prepare("emoji", source=packages[1], data_dir=tmp_path)
    assert sorted(p.name for p in again) == ["noto.npz", "twemoji.npz"]
    for style in STYLES:
        a, b = np.load(data_dir / "zoo/emoji" / f"{style}.npz"), np.load(tmp_path / "zoo/emoji" / f"{style}.npz")
        for key in a.files:
            np.testing.assert_array_equal(a[key], b[key])
    noto, twemoji = (np.load(data_dir / "zoo/emoji" / f"{s}.npz") for s in STYLES)
    rows = emoji_data.split(packages[2])
    for part in ("train", "test"):
        # Index i is the same emoji in both styles, in the split's order.
        assert list(noto[f"{part}_files"]) == [f for f, _, s in rows if s == part]
        np.testing.assert_array_equal(noto[f"{part}_files"], twemoji[f"{part}_files"])
        np.testing.assert_array_equal(noto[f"{part}_labels"], twemoji[f"{part}_labels"])
    x = noto["train_images"]
    assert x.dtype == np.uint8 and x.shape[1:] == (64, 64, 3)
    assert (x[:, 0, 0] == 255).all()  # transparent corners are white
    first = fake_png(str(noto["train_files"][0]), "noto")
    disc = np.asarray(Image.open(io.BytesIO(first)))[32, 32, :3]
    np.testing.assert_array_equal(x[0, 32, 32], disc)  # opaque pixels unchanged
    rim = x[0, 32, 32 + 22].astype(int)  # half transparent: halfway to white
    np.testing.assert_allclose(rim, (disc.astype(int) + 255) / 2, atol=1)


def test_loads_labels_both_styles_and_the_unpaired_pair(prepared, monkeypatch):
    data_dir, _ = prepared
    monkeypatch.setenv("TFDS_DATA_DIR", str(data_dir))
    x, y = data.images("emoji/noto", "test", labels=True)
    assert x.shape[1:] == (64, 64, 3) and -1 <= x.min() and x.max() <= 1
    xb, yb = data.images("emoji/both", "test", labels=True)
    assert len(xb) == 2 * len(x)
    np.testing.assert_array_equal(yb, np.concatenate([y, 10 + y]))
    (a, ya), (b, _) = data.pair_domains("emoji_pair/noto2twemoji")
    np.testing.assert_array_equal(a, x)
    np.testing.assert_array_equal(ya, y)
    assert not np.array_equal(a, b)
    pairs = data.load("emoji_pair/noto2twemoji", batch_size=2, seed=3, repeat=True)
    first, again = pairs[4], data.load("emoji_pair/noto2twemoji", batch_size=2, seed=3,
                                       repeat=True, start=4)[0]
    for u, v in zip(first, again):  # resumable: batch 4 is batch 4
        np.testing.assert_array_equal(u, v)
    assert first[0].shape == (2, 64, 64, 3)


def test_bad_sources_say_what_to_do(packages, tmp_path, monkeypatch):
    tgz, folders, _ = packages
    with pytest.raises(errors.ZooValueError, match="one package of each style"):
        data.prepare("emoji", source=[tgz[0], folders[0]], data_dir=tmp_path)
    junk = tmp_path / "junk.tgz"
    junk.write_bytes(b"not a tarball")
    with pytest.raises(errors.DataNotFoundError, match="not a readable tarball"):
        data.prepare("emoji", source=[junk, tgz[1]], data_dir=tmp_path)
    with pytest.raises(errors.DataNotFoundError, match="does not exist"):
        data.prepare("emoji", source=[tmp_path / "nowhere", tgz[1]], data_dir=tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm
    with pytest.raises(errors.DataNotFoundError, match="npm pack emoji-datasource-google") as e:
        data.prepare("emoji", data_dir=tmp_path)
    assert "--source" in str(e.value)
    assert not (tmp_path / "zoo" / "emoji").exists()  # nothing half-written
    with pytest.raises(errors.DataNotFoundError, match="prepare-data emoji"):
        data.read_arrays("emoji/noto", data_dir=tmp_path)


def test_the_command_line_prepares_from_sources(packages, tmp_path):
    out = subprocess.run([sys.executable, "-m", "zoo", "prepare-data", "emoji", "--source",
                          *map(str, packages[0]), "--data_dir", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "zoo/emoji/noto.npz").exists() and "twemoji.npz" in out.stdout


@pytest.fixture()
def classifier(prepared, tmp_path, monkeypatch):
    """Data prepared, and an (untrained) emoji classifier where ``zoo`` looks for it."""
    import keras

    data_dir, _ = prepared
    monkeypatch.setenv("TFDS_DATA_DIR", str(data_dir))
    monkeypatch.setenv("ZOO_CHECKPOINTS", str(tmp_path))
    keras.utils.set_random_seed(0)
    net = evaluation.build_classifier(64, 3, 20)
    net.compile("adam", "sparse_categorical_crossentropy")
    net.fit(*data.images("emoji/both", "train", labels=True), epochs=3, verbose=0)
    evaluation.save_classifier(net, tmp_path / "classifier-emoji", {"dataset": "emoji/both"})
    return net


class Oracle(CycleGAN):
    """A translator that returns the true counterpart: the scores' upper bound."""

    def translate(self, images, direction="a2b", batch_size=16):
        splits = [data.pair_domains("emoji_pair/noto2twemoji", s) for s in ("test", "validation")]
        a, b = (np.concatenate([split[k][0] for split in splits]) for k in (0, 1))
        src, dst = (a, b) if direction == "a2b" else (b, a)
        return dst[[int(np.flatnonzero((src == x).all(axis=(1, 2, 3)))[0]) for x in images]]


def test_style_transfer_scores_bound_a_translator(classifier):
    tiny = dict(image_size=64, channels=3, width=2, n_blocks=1)
    real = evaluation.evaluate_style_transfer(CycleGAN(**tiny))
    best = evaluation.evaluate_style_transfer(Oracle(**tiny))
    n = len(data.pair_domains("emoji_pair/noto2twemoji")[0][0])
    for direction in ("a2b", "b2a"):
        row, top = real[direction], best[direction]
        # The references do not depend on the translator.
        for key in ("kid_identity", "kid_floor", "l1_identity", "target_style_rate_real",
                    "category_kept_real"):
            assert row[key] == top[key]
        assert top["l1"] == 0 and top["l1_ratio"] == 0
        assert top["target_style_rate"] == top["target_style_rate_real"]
        assert top["category_kept"] == top["category_kept_real"]
        assert top["category_kept_ratio"] in (1, None)  # None: the real ones kept none
        assert top["kid"] < top["kid_identity"] and top["gap_closed"] > 0
        assert row["l1"] > 0 and row["l1_ratio"] == pytest.approx(row["l1"] / row["l1_identity"],
                                                                  rel=1e-3)
        for key in ("target_style_rate", "category_kept"):
            assert 0 <= row[key] <= 1 and (row[key] * n) == pytest.approx(round(row[key] * n), abs=0.01)
    # The quality probe scores the preset's pair the same way, keys flattened, on the
    # validation split carved from train (never on test).
    probe = QualityProbe("emoji_pair/noto2twemoji", n=2000)
    assert probe.split == "validation"
    assert probe.n == len(data.pair_domains("emoji_pair/noto2twemoji", "validation")[0][0])
    row = probe(Oracle(**tiny))
    on_validation = evaluation.evaluate_style_transfer(Oracle(**tiny), split="validation")
    assert row["a2b_gap_closed"] == on_validation["a2b"]["gap_closed"]
    assert QualityProbe.badness(row) == pytest.approx(
        1 - (row["a2b_gap_closed"] + row["b2a_gap_closed"]) / 2)


def test_generator_scores_put_the_real_train_emoji_at_the_floor(classifier):
    tiny = DCGAN(image_size=64, channels=3, width=2, latent_dim=8)
    result = evaluation.evaluate(tiny, "emoji/both", n=40, references=True)
    metrics, floor = result["metrics"], result["references"]["real train images (floor)"]
    assert floor["kid_floor_ratio"] == 1.0 and floor["categories_missed"] == 0
    assert metrics["kid_floor"] == floor["kid"]
    assert metrics["kid_floor_ratio"] == pytest.approx(metrics["kid"] / metrics["kid_floor"], rel=1e-2)
    assert metrics["kid"] > metrics["kid_floor"]  # an untrained generator is further away
    assert 0 <= metrics["noto_share"] <= 1
    # The train emoji themselves are the perfect copies; an untrained generator copies nothing.
    assert floor["nearest_train_ratio"] == 0 and floor["near_copies"] == 1
    assert metrics["nearest_train_ratio"] > 1 and metrics["near_copies"] == 0
    # The fake data has every category at >= 1%, so a missed one is named.
    assert metrics["categories_missed"] == len(metrics["categories_missing"])
    assert result["protocol"]["n_real"] == len(data.images("emoji/both", "test"))


def test_both_presets_are_registered_with_the_paper_s_networks():
    cyc = registry.get("cyclegan-noto2twemoji")
    assert cyc.config["image_size"] == 64 and cyc.config["channels"] == 3
    assert cyc.config["n_blocks"] == 6 and cyc.dataset == "emoji_pair/noto2twemoji"
    dc = registry.get("dcgan-emoji")
    assert dc.config == registry.get("dcgan-celeba").config  # the same 64 px networks
    g = dc.build(width=4).generator
    strided = [l for l in g.layers if getattr(l, "strides", (1, 1)) == (2, 2)]
    assert len(strided) == 4  # four fractionally-strided convolutions to 64 px
