"""The emoji style pair: the same emoji drawn by two artists, from two npm packages.

``python -m zoo prepare-data emoji`` (:func:`prepare`) builds it; ``zoo.data.load``
reads it as ``"emoji/noto"``, ``"emoji/twemoji"``, ``"emoji/both"`` and the
unpaired ``"emoji_pair/noto2twemoji"``.

Sources (fetched with ``npm pack`` when npm is installed; ``--source`` takes the
two tarballs, or the folders they unpack to, that you already have):

* ``emoji-datasource-google@16.0.0``: Google's **Noto Emoji** images,
  Apache License 2.0 (https://github.com/googlefonts/noto-emoji).
* ``emoji-datasource-twitter@16.0.0``: Twitter's **Twemoji** images, Copyright
  2020 Twitter, Inc and other contributors, CC-BY 4.0
  (https://github.com/twitter/twemoji). A model trained on them, and any image
  made from them, must credit Twemoji under CC-BY 4.0.

Both packages come from iamcal's emoji-data project (MIT), whose ``emoji.json``
lists each emoji's code point sequence (``unified``), image file, category and
skin-tone variations. The Apple and Facebook sets in sister packages are not freely
licensed and are not used.

Convention: each 64x64 RGBA PNG (``img/<vendor>/64/<code>.png``) is composited onto
white (the alpha channel carries the shape) and stored as RGB uint8, 64x64.

Split, fixed so that anyone can reproduce it: the 1,911 base emoji sorted by
``unified``; every 10th (index % 10 == 0) is test, together with all of its skin-tone
variations; the rest is train. That gives 3,409 train and 377 test images per
style. Within a split, emoji are in that order (each base emoji, then its variations
sorted by ``unified``), and index ``i`` is the same emoji in both styles.
Labels are the category's index in :data:`CATEGORIES`.

Written: ``<data_dir>/zoo/emoji/noto.npz`` and ``.../twemoji.npz``, each with
``{train,test}_{images,labels,files}``, written whole or not at all.
"""

import io
import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import numpy as np

from zoo import errors, files

VERSION = "16.0.0"
# style name -> (npm package, vendor folder under img/)
STYLES = {"noto": ("emoji-datasource-google", "google"),
          "twemoji": ("emoji-datasource-twitter", "twitter")}
CATEGORIES = ("Activities", "Animals & Nature", "Component", "Flags", "Food & Drink",
              "Objects", "People & Body", "Smileys & Emotion", "Symbols", "Travel & Places")
SIZE = 64


def split(entries):
    """``[(image file, category index, "train" | "test")]`` from ``emoji.json``'s
    entries, in the dataset's order (see the module docstring)."""
    out = []
    for i, entry in enumerate(sorted(entries, key=lambda e: e["unified"])):
        if entry["category"] not in CATEGORIES:
            raise errors.DataNotFoundError(
                f"emoji.json has an unknown category {entry['category']!r}; this zoo reads "
                f"version {VERSION} of the packages.")
        part, category = ("test" if i % 10 == 0 else "train"), CATEGORIES.index(entry["category"])
        variations = sorted((entry.get("skin_variations") or {}).values(),
                            key=lambda v: v["unified"])
        out += [(e["image"], category, part) for e in [entry] + variations]
    return out


class Package:
    """One unpacked view of an emoji-datasource package: a ``.tgz`` (read in place,
    nothing extracted) or a folder (``package/`` or the folder inside it)."""

    def __init__(self, path):
        path = Path(path)
        self.path = path
        if path.is_dir():
            root = path / "package" if (path / "package" / "package.json").exists() else path
            if not (root / "package.json").exists():
                raise errors.DataNotFoundError(
                    f"{path} is not an unpacked emoji-datasource package (no package.json).")
            self._files = {str(p.relative_to(root)): p for p in root.rglob("*") if p.is_file()
                           and (p.suffix == ".json" or p.parent.name == str(SIZE))}
            self.read = lambda name: self._files[name].read_bytes()
        elif path.is_file():
            self._members = {}
            try:
                with tarfile.open(path, "r:*") as tar:
                    for member in tar:  # read every member we need once, in place
                        name = member.name.split("/", 1)[-1]
                        if member.isfile() and (name.endswith(".json") or f"/{SIZE}/" in name):
                            self._members[name] = tar.extractfile(member).read()
            except (tarfile.TarError, OSError, EOFError) as e:
                raise errors.DataNotFoundError(f"{path} is not a readable tarball ({e}).") from None
            self._files = self._members
            self.read = self._members.__getitem__
        else:
            raise errors.DataNotFoundError(f"{path} does not exist.")
        try:
            self.meta = json.loads(self.read("package.json"))
            self.entries = json.loads(self.read("emoji.json"))
        except (KeyError, ValueError) as e:
            raise errors.DataNotFoundError(
                f"{path} lacks a readable package.json / emoji.json ({e}).") from None
        self.style = next((s for s, (package, _) in STYLES.items()
                           if self.meta.get("name") == package), None)
        if self.style is None:
            raise errors.DataNotFoundError(
                f"{path} is the package {self.meta.get('name')!r}; the emoji pair reads "
                f"{' and '.join(p for p, _ in STYLES.values())}.")

    def image(self, file):
        """One emoji as RGB uint8 (SIZE, SIZE, 3), composited onto white."""
        from PIL import Image, UnidentifiedImageError

        vendor = STYLES[self.style][1]
        name = f"img/{vendor}/{SIZE}/{file}"
        if name not in self._files:
            raise errors.DataNotFoundError(f"{self.path} has no {name}.")
        try:
            with Image.open(io.BytesIO(self.read(name))) as im:
                rgba = im.convert("RGBA")
        except (UnidentifiedImageError, OSError) as e:
            raise errors.DataNotFoundError(f"{name} in {self.path} is not a readable PNG ({e}).") from None
        if rgba.size != (SIZE, SIZE):
            raise errors.DataNotFoundError(f"{name} in {self.path} is {rgba.size}, not {SIZE}x{SIZE}.")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))


def fetch(workdir):
    """``npm pack`` both packages into ``workdir``; returns their tarballs."""
    if shutil.which("npm") is None:
        raise errors.DataNotFoundError(
            "preparing the emoji pair needs its two npm packages, and npm is not installed. "
            "Either install npm (it fetches them itself), or fetch them on any machine with "
            + " and ".join(f"`npm pack {p}@{VERSION}`" for p, _ in STYLES.values())
            + " and pass both: `python -m zoo prepare-data emoji --source <google.tgz> "
            "<twitter.tgz>` (tarballs or the folders they unpack to).")
    out = []
    for package, _ in STYLES.values():
        try:
            subprocess.run(["npm", "pack", f"{package}@{VERSION}"], cwd=workdir, check=True,
                           timeout=900, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
            detail = getattr(e, "stderr", b"") or b""
            raise errors.DataNotFoundError(
                f"`npm pack {package}@{VERSION}` failed ({detail.decode(errors='replace').strip()[-300:]}). "
                "Fetch both packages where the npm registry answers and pass them with "
                "`--source <google.tgz> <twitter.tgz>` (tarballs or unpacked folders).") from None
        out.append(next(Path(workdir).glob(f"{package}-*.tgz")))
    return out


def read(sources):
    """``{style: {split: (images, labels, files)}}`` from the two packages."""
    packages = [Package(s) for s in sources]
    styles = sorted(p.style for p in packages)
    if styles != sorted(STYLES):
        raise errors.ZooValueError(
            f"the emoji pair needs one package of each style ({', '.join(p for p, _ in STYLES.values())}); "
            f"got {', '.join(str(p.path) + ' (' + p.style + ')' for p in packages)}.")
    order = split(next(p for p in packages if p.style == "noto").entries)
    out = {}
    for package in packages:
        out[package.style] = {}
        for part in ("train", "test"):
            rows = [(f, c) for f, c, s in order if s == part]
            images = np.stack([package.image(f) for f, _ in rows])
            labels = np.array([c for _, c in rows], np.int64)
            out[package.style][part] = (images, labels, np.array([f for f, _ in rows]))
    return out


def prepare(path_of, source=None):
    """Write both styles' arrays (``path_of(style)`` is where each goes); ``source``:
    the two packages (tarballs or folders), or None to ``npm pack`` them."""
    with tempfile.TemporaryDirectory(prefix=".zoo-emoji-") as tmp:
        arrays = read(source or fetch(tmp))
    for style, splits in arrays.items():
        files.write_atomically(path_of(style), lambda f, splits=splits: np.savez_compressed(f, **{
            f"{part}_{kind}": value for part, (x, y, names) in splits.items()
            for kind, value in (("images", x), ("labels", y), ("files", names))}))
    return [path_of(style) for style in arrays]
