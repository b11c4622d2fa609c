"""Input pipelines on mock arrays, and offline preparation on files the test writes."""

import gzip
import pickle
import struct

import numpy as np
import pytest
import tensorflow_datasets as tfds

from zoo import data, errors


@pytest.mark.parametrize("name,shape", [("mnist", (28, 28, 1)), ("fashion_mnist", (28, 28, 1)),
                                        ("cifar10", (32, 32, 3)), ("stacked_mnist", (28, 28, 3))])
def test_pipelines_on_mock_arrays(name, shape):
    with data.mock_arrays(num_examples=20):
        x = data.load(name, batch_size=8)[0]
        xs, ys = data.load(name, batch_size=8, labels=True)[0]
    assert x.shape == (8,) + shape and x.dtype == np.float32
    assert x.min() >= -1 and x.max() <= 1
    assert xs.shape == (8,) + shape and ys.shape == (8,)
    if name == "stacked_mnist":
        assert ys.max() < 1000


def test_resizing_drop_remainder_and_celeba_crop():
    with data.mock_arrays(num_examples=10):
        batches = list(data.load("mnist", batch_size=4, image_size=32, channels=3))
        assert [b.shape for b in batches] == [(4, 32, 32, 3)] * 2
        ragged = list(data.load("mnist", batch_size=4, drop_remainder=False, shuffle=False))
        assert [len(b) for b in ragged] == [4, 4, 2]
        raw, _ = data.read_arrays("mnist")
        np.testing.assert_allclose(np.concatenate(ragged), raw / 127.5 - 1, atol=1e-6)
    with tfds.testing.mock_data(num_examples=10):  # celeb_a stays a tf.data pipeline
        face = next(iter(data.load("celeb_a", batch_size=2)))
        assert face.shape == (2, 64, 64, 3)


def test_every_epoch_is_a_permutation_and_a_resume_continues_the_same_batches():
    with data.mock_arrays(num_examples=20):
        raw, labels = data.read_arrays("mnist")
        ds = data.load("mnist", batch_size=6, labels=True, seed=3, repeat=True)
        epochs = [np.concatenate([ds[e * 3 + k][1] for k in range(3)]) for e in range(3)]
        for seen in epochs:  # 18 of the 20 examples, none twice (labels are index % 10)
            assert len(seen) == 18 and max(np.bincount(seen)) == 2
        orders = [np.concatenate([ds.indices(0, e * 3 + k) for k in range(3)]) for e in range(3)]
        assert len({tuple(o) for o in orders}) == 3  # reshuffled every epoch
        for e, order in enumerate(orders):
            np.testing.assert_array_equal(order, data.order(20, 3, 0, e)[:18])
        # A run resumed at batch 7 (past an epoch boundary) sees what an unbroken one saw.
        resumed = data.load("mnist", batch_size=6, labels=True, seed=3, repeat=True, start=7)
        for i in range(5):
            np.testing.assert_array_equal(resumed[i][0], ds[7 + i][0])
        np.testing.assert_allclose(ds[0][0], raw[ds.indices(0, 0)] / 127.5 - 1, atol=1e-6)
        other = data.load("mnist", batch_size=6, seed=4)
        assert not np.array_equal(other[0], ds[0][0])


def test_pairs_for_cyclegan_are_jittered_the_same_way_on_resume():
    with data.mock_arrays(num_examples=40):
        pairs = data.load("fashion_mnist_pair/sneaker2boot", batch_size=2, seed=5, repeat=True)
        a, b = pairs[3]
        again = data.load("fashion_mnist_pair/sneaker2boot", batch_size=2, seed=5, repeat=True,
                          start=3)[0]
    assert a.shape == b.shape == (2, 28, 28, 1)
    np.testing.assert_array_equal(a, again[0])
    np.testing.assert_array_equal(b, again[1])
    assert a.min() >= -1 and a.max() <= 1


def test_folder_of_images(tmp_path):
    from PIL import Image

    for i in range(3):
        Image.fromarray(np.full((10, 12, 3), 40 * i, np.uint8)).save(tmp_path / f"{i}.png")
    batches = list(data.load(str(tmp_path), batch_size=2, image_size=16, drop_remainder=False,
                             shuffle=False))
    assert [b.shape for b in batches] == [(2, 16, 16, 3), (1, 16, 16, 3)]
    np.testing.assert_allclose(batches[0][0], -1.0, atol=1e-6)


def test_bad_names_and_missing_data(tmp_path):
    with pytest.raises(errors.ZooValueError, match="unknown dataset"):
        data.load("imagenet64")
    with pytest.raises(errors.ZooValueError):
        data.load("mnist", batch_size=0)
    with pytest.raises(errors.DataNotFoundError, match="prepare-data mnist"):
        data.load("mnist", data_dir=str(tmp_path))
    with pytest.raises(errors.DataNotFoundError, match="cifar10"):
        data.load("cifar10", data_dir=str(tmp_path))
    with pytest.raises(errors.ZooValueError, match="start"):
        data.load("mnist", start=-1)
    with data.mock_arrays(num_examples=5), pytest.raises(errors.ZooValueError, match="fewer than"):
        data.load("mnist", batch_size=8)
    (tmp_path / "zoo").mkdir()
    (tmp_path / "zoo" / "mnist.npz").write_bytes(b"half a file")
    with pytest.raises(errors.DataNotFoundError, match="prepare-data mnist"):
        data.load("mnist", data_dir=str(tmp_path))


def _write_mnist_pickle(path, rng):
    def part(n):
        k = rng.integers(0, 256, (n, 784))
        return (k / 256.0).astype(np.float32), rng.integers(0, 10, n)

    parts = (part(6), part(2), part(3))
    with gzip.open(path, "wb") as f:
        pickle.dump(parts, f)
    return parts


def _write_idx(path, array):
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(">" + "I" * array.ndim, *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_prepare_mnist_recovers_the_original_bytes_in_order(tmp_path):
    rng = np.random.default_rng(0)
    parts = _write_mnist_pickle(tmp_path / "mnist.pkl.gz", rng)
    npz = data.prepare("mnist", source=tmp_path / "mnist.pkl.gz", data_dir=tmp_path / "tfds")
    assert npz == data.arrays_path("mnist", tmp_path / "tfds") and npz.exists()
    assert (tmp_path / "tfds" / "mnist" / "3.0.1" / "dataset_info.json").exists()
    assert not [p for p in (tmp_path / "tfds").iterdir() if p.name.startswith(".zoo-")]
    train = tfds.load("mnist", split="train", data_dir=str(tmp_path / "tfds"), batch_size=-1)
    expected = np.rint(np.concatenate([parts[0][0], parts[1][0]]) * 256).astype(np.uint8)
    np.testing.assert_array_equal(train["image"].numpy().reshape(8, 784), expected)
    np.testing.assert_array_equal(train["label"].numpy(), np.concatenate([parts[0][1], parts[1][1]]))
    test = tfds.load("mnist", split="test", data_dir=str(tmp_path / "tfds"), batch_size=-1)
    assert test["image"].shape == (3, 28, 28, 1)
    # Preparing again is a no-op, and the zoo pipeline reads the result.
    assert data.prepare("mnist", source=tmp_path / "mnist.pkl.gz", data_dir=tmp_path / "tfds") == npz
    x = data.load("mnist", batch_size=8, data_dir=str(tmp_path / "tfds"), shuffle=False)[0]
    np.testing.assert_allclose(x.reshape(8, 784), expected / 127.5 - 1, atol=1e-6)
    with pytest.raises(errors.ZooValueError, match="no split 'tarin'"):
        data.load("mnist", split="tarin", data_dir=str(tmp_path / "tfds"))


def test_the_array_file_and_the_tfds_copy_give_the_same_batches(tmp_path):
    """The two data paths: the .npz read without TensorFlow, and the tfds copy."""
    _write_mnist_pickle(tmp_path / "mnist.pkl.gz", np.random.default_rng(2))
    root = tmp_path / "tfds"
    npz = data.prepare("mnist", source=tmp_path / "mnist.pkl.gz", data_dir=root)
    for split in ("train", "test", "train[2:7]", "test[:50%]"):
        for a, b in zip(data.read_arrays("mnist", split, root, source="npz"),
                        data.read_arrays("mnist", split, root, source="tfds")):
            np.testing.assert_array_equal(a, b)
    kw = dict(batch_size=3, labels=True, seed=1, data_dir=str(root), repeat=True)
    from_npz = [data.load("mnist", **kw)[i] for i in range(6)]
    npz.unlink()
    from_tfds = [data.load("mnist", **kw)[i] for i in range(6)]
    for (x1, y1), (x2, y2) in zip(from_npz, from_tfds):
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(y1, y2)
    # prepare-data on a machine that has the tfds copy writes the array file from it.
    assert data.prepare("mnist", data_dir=root) == npz and npz.exists()
    np.testing.assert_array_equal(data.read_arrays("mnist", "train", root, source="npz")[0],
                                  data.read_arrays("mnist", "train", root, source="tfds")[0])


def test_prepare_fashion_mnist_from_idx_files(tmp_path):
    rng = np.random.default_rng(1)
    src = tmp_path / "src"
    src.mkdir()
    arrays = {}
    for prefix, n in (("train", 5), ("t10k", 2)):
        arrays[prefix] = (rng.integers(0, 256, (n, 28, 28)), rng.integers(0, 10, n))
        _write_idx(src / f"{prefix}-images-idx3-ubyte.gz", arrays[prefix][0])
        _write_idx(src / f"{prefix}-labels-idx1-ubyte.gz", arrays[prefix][1])
    data.prepare("fashion_mnist", source=src, data_dir=tmp_path / "tfds")
    train = tfds.load("fashion_mnist", split="train", data_dir=str(tmp_path / "tfds"), batch_size=-1)
    np.testing.assert_array_equal(train["image"].numpy()[..., 0], arrays["train"][0])
    np.testing.assert_array_equal(train["label"].numpy(), arrays["train"][1])


def test_prepare_rejects_bad_sources(tmp_path):
    (tmp_path / "bad.pkl.gz").write_bytes(gzip.compress(pickle.dumps(
        ((np.full((2, 784), 3.0), np.zeros(2)),) * 3)))
    with pytest.raises(errors.ZooValueError, match="k/256"):
        data.prepare("mnist", source=tmp_path / "bad.pkl.gz", data_dir=tmp_path / "tfds")
    assert not (tmp_path / "tfds" / "mnist").exists()  # nothing half-written
    assert not data.arrays_path("mnist", tmp_path / "tfds").exists()
    with pytest.raises(errors.ZooValueError, match="mnist, fashion_mnist, emoji"):
        data.prepare("cifar10")


def celeba_layout(root, n=6):
    """A small ``img_align_celeba/`` folder and ``img_align_celeba.zip`` in the layout of
    CelebA's manual download (178x218 JPEGs named 000001.jpg ...), with a bright 108x108
    centre on a dark border so the crop can be seen."""
    import zipfile

    from PIL import Image

    folder = root / "img_align_celeba"
    folder.mkdir()
    for i in range(n):
        pixels = np.full((218, 178, 3), 10, np.uint8)
        pixels[55:163, 35:143] = 200 + 5 * i  # the DCGAN crop: rows 55.., columns 35..
        Image.fromarray(pixels).save(folder / f"{i + 1:06d}.jpg", quality=95)
    archive = root / "img_align_celeba.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f"img_align_celeba/{f.name}")
    return folder, archive


def test_a_zip_and_a_folder_of_celeba_give_the_same_cropped_batches(tmp_path):
    folder, archive = celeba_layout(tmp_path)
    kw = dict(batch_size=3, image_size=64, channels=3, crop=108, seed=1)
    a = list(data.load(str(folder), **kw))
    b = list(data.load(str(archive), **kw))
    assert [x.shape for x in a] == [(3, 64, 64, 3)] * 2
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    # The crop keeps only the bright centre (JPEG ringing aside): no dark border survives.
    assert min(x.min() for x in a) > 0.4
    uncropped = data.load(str(archive), batch_size=3, image_size=64, channels=3)[0]
    assert uncropped.min() < -0.8
    grey = data.load(str(archive), batch_size=2, image_size=28, channels=1)[0]
    assert grey.shape == (2, 28, 28, 1)


def test_bad_folders_and_zips_say_what_is_wrong(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(errors.DataNotFoundError, match="no png/jpg"):
        data.load(str(tmp_path / "empty"))
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    with pytest.raises(errors.DataNotFoundError, match="not a readable zip"):
        data.load(str(tmp_path / "broken.zip"))
    with pytest.raises(errors.ZooValueError, match="crop"):
        data.load(str(tmp_path / "empty"), crop=0)
