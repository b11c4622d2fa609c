"""The calligraphy style pair: Chinese characters in two brush traditions, from two fonts.

``python -m zoo prepare-data hanzi`` (:func:`prepare`) builds it; ``zoo.data.load`` reads
it as ``"hanzi/ming"``, ``"hanzi/kai"``, ``"hanzi/both"``, the paired
``"hanzi_paired/ming2kai"`` (pix2pix, the zi2zi setting: Tian 2017) and the unpaired
``"hanzi_pair/ming2kai"`` (CycleGAN). :func:`render` draws any characters both fonts
have, exactly as the data set is drawn (``zoo.data.render_hanzi``).

Sources (fetched with ``apt-get download`` where apt is installed; ``--source`` takes the
two ``.deb`` packages, or the two font files, that you already have):

* Debian's ``fonts-arphic-uming``: **AR PL UMing**, a Ming (Song) face, the printed style;
* Debian's ``fonts-arphic-ukai``: **AR PL UKai**, a Kai face, the brush (regular script)
  style.

Both are Copyright 1994-1999 Arphic Technology Co., Ltd., under the **Arphic Public
License** (its text is in each package's ``usr/share/doc/<package>/copyright``, which
:func:`prepare` checks and copies beside the arrays). The licence allows redistributing
and modifying the fonts; the glyph images drawn from them are not the fonts themselves.

Convention: each character is drawn in the faces' CN variant (the collection's first
font) at 56 px on a white 64x64 grey square, black ink, centred by its ink's bounding
box, the same way in both styles (Kai glyphs sit smaller in the em box than Ming's and
keep that difference). Stored as uint8 ``(N, 64, 64, 1)``.

Characters and split, fixed so that anyone can repeat it: the 6,763 hanzi of GB2312
(byte pairs 0xB0-0xF7 x 0xA1-0xFE), all of which both faces have, in code-point order;
every 10th (index % 10 == 0) is test (677), the rest train (6,086); ``zoo.data``
carves validation from train. A third split, ``extra``, holds characters outside GB2312
that both faces have (every 4th of Big5's level-1 characters that GB2312 lacks: mostly
traditional forms), never trained on: how the models do on characters they never saw.
Labels are the code points; ``files`` the characters themselves.

Written: ``<data_dir>/zoo/hanzi/ming.npz`` and ``kai.npz``, each with
``{train,test,extra}_{images,labels,files}``, and the two font files with their licence
texts in ``<data_dir>/zoo/hanzi/fonts/``, each written whole or not at all.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from zoo import errors, files

# style -> (Debian package, font file inside it)
STYLES = {"ming": ("fonts-arphic-uming", "uming.ttc"), "kai": ("fonts-arphic-ukai", "ukai.ttc")}
FONT_DIR = "usr/share/fonts/truetype/arphic"
LICENCE = "Arphic Public License"
SIZE, FONT_SIZE = 64, 56


def gb2312():
    """The 6,763 hanzi of GB2312, in code-point order."""
    chars = set()
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass  # 0xD7FA-0xD7FE are unassigned
    return sorted(chars)


def big5_level1():
    """Big5's level-1 hanzi (0xA440-0xC67E), in code-point order."""
    chars = set()
    for hi in range(0xA4, 0xC7):
        for lo in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            try:
                ch = bytes([hi, lo]).decode("big5")
            except UnicodeDecodeError:
                continue
            if "\u4e00" <= ch <= "\u9fff":
                chars.add(ch)
    return sorted(chars)


def coverage(font_file):
    """The characters the face (the collection's first font) has a glyph for."""
    from fontTools.ttLib import TTCollection, TTFont

    path = str(font_file)
    font = TTCollection(path).fonts[0] if path.endswith(".ttc") else TTFont(path)
    return {chr(c) for c in font.getBestCmap()}


def split(covered):
    """``{"train": chars, "test": chars, "extra": chars}`` (see the module docstring);
    ``covered``: the characters both faces have."""
    common = gb2312()
    missing = [c for c in common if c not in covered]
    if missing:
        raise errors.DataNotFoundError(
            f"the fonts lack {len(missing)} GB2312 characters ({''.join(missing[:10])}...); the "
            "hanzi pair is drawn from Debian's fonts-arphic-uming and fonts-arphic-ukai.")
    in_gb = set(common)
    beyond = [c for c in big5_level1() if c not in in_gb and c in covered][::4]
    return {"train": [c for i, c in enumerate(common) if i % 10],
            "test": common[::10], "extra": beyond}


def render(chars, font_file):
    """``chars`` drawn from ``font_file`` as uint8 ``(N, 64, 64, 1)`` (see the module
    docstring: 56 px, black on white, centred by the ink's bounding box)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(font_file), FONT_SIZE, index=0)
    out = np.empty((len(chars), SIZE, SIZE, 1), np.uint8)
    for i, ch in enumerate(chars):
        left, top, right, bottom = font.getbbox(ch)
        image = Image.new("L", (SIZE, SIZE), 255)
        x = (SIZE - (right - left)) / 2 - left
        y = (SIZE - (bottom - top)) / 2 - top
        ImageDraw.Draw(image).text((x, y), ch, font=font, fill=0)
        out[i, ..., 0] = np.asarray(image)
    return out


def fetch(workdir):
    """``apt-get download`` both packages into ``workdir``; returns the two ``.deb`` files."""
    if shutil.which("apt-get") is None:
        raise errors.DataNotFoundError(
            "preparing the hanzi pair needs Debian's fonts-arphic-uming and fonts-arphic-ukai, "
            "and apt-get is not here. Fetch them on a Debian machine (`apt-get download "
            "fonts-arphic-uming fonts-arphic-ukai`) and pass both: `python -m zoo prepare-data "
            "hanzi --source <uming.deb> <ukai.deb>` (or the two .ttc font files).")
    packages = [p for p, _ in STYLES.values()]
    try:
        subprocess.run(["apt-get", "download", *packages], cwd=workdir, check=True, timeout=900,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        detail = (getattr(e, "stderr", b"") or b"").decode(errors="replace").strip()[-300:]
        raise errors.DataNotFoundError(
            f"`apt-get download {' '.join(packages)}` failed ({detail}); run `apt-get update` "
            "first, or pass the two packages or font files with --source.") from None
    return [next(Path(workdir).glob(f"{p}_*.deb")) for p in packages]


def _fonts(sources, workdir):
    """``{style: (font file, licence text or None)}`` from two ``.deb`` packages or font files."""
    out = {}
    for source in map(Path, sources):
        if not source.exists():
            raise errors.DataNotFoundError(f"{source} does not exist.")
        if source.suffix == ".deb":
            if shutil.which("dpkg-deb") is None:
                raise errors.DataNotFoundError(
                    f"{source} is a Debian package, and dpkg-deb (which unpacks it) is not "
                    "here; pass the .ttc font file inside it instead.")
            target = Path(workdir) / source.stem
            subprocess.run(["dpkg-deb", "-x", str(source), str(target)], check=True,
                           timeout=300)
            for style, (package, font) in STYLES.items():
                if (target / FONT_DIR / font).exists():
                    copyright_ = target / "usr/share/doc" / package / "copyright"
                    text = copyright_.read_text(errors="replace") if copyright_.exists() else None
                    out[style] = (target / FONT_DIR / font, text)
        else:
            for style, (_, font) in STYLES.items():
                if source.name == font:
                    out[style] = (source, None)
    if sorted(out) != sorted(STYLES):
        raise errors.ZooValueError(
            "the hanzi pair needs both faces, fonts-arphic-uming (uming.ttc) and "
            f"fonts-arphic-ukai (ukai.ttc); found {', '.join(sorted(out)) or 'neither'} in "
            f"{', '.join(map(str, sources))}.")
    for style, (_, text) in out.items():
        if text is not None and LICENCE.upper() not in text.upper():
            raise errors.DataNotFoundError(
                f"the {STYLES[style][0]} package's copyright file does not name the {LICENCE}; "
                "this is not the package the zoo was built from.")
    return out


def prepare(folder, source=None):
    """Write both styles' arrays and the fonts into ``folder`` (``<data_dir>/zoo/hanzi``);
    ``source``: the two ``.deb`` packages or ``.ttc`` files, or None to ``apt-get
    download`` them. Returns the written array files."""
    folder = Path(folder)
    with tempfile.TemporaryDirectory(prefix=".zoo-hanzi-") as tmp:
        fonts = _fonts(source or fetch(tmp), tmp)
        covered = coverage(fonts["ming"][0]) & coverage(fonts["kai"][0])
        chars = split(covered)
        written = []
        for style, (font, licence) in fonts.items():
            kept = folder / "fonts" / STYLES[style][1]
            files.write_atomically(kept, lambda f, font=font: f.write(Path(font).read_bytes()))
            if licence is not None:
                files.write_text(folder / "fonts" / f"{STYLES[style][0]}.copyright", licence)
            arrays = {}
            for part, members in chars.items():
                arrays[f"{part}_images"] = render(members, font)
                arrays[f"{part}_labels"] = np.array([ord(c) for c in members], np.int64)
                arrays[f"{part}_files"] = np.array(members)
            path = folder / f"{style}.npz"
            files.write_atomically(path, lambda f, arrays=arrays: np.savez_compressed(f, **arrays))
            written.append(path)
    return written


def font_file(style, folder):
    """The prepared face of ``style`` (``folder``: ``<data_dir>/zoo/hanzi``), or a clear error."""
    if style not in STYLES:
        raise errors.ZooValueError(f"style must be one of {', '.join(STYLES)}, got {style!r}.")
    path = Path(folder) / "fonts" / STYLES[style][1]
    if not path.exists():
        raise errors.DataNotFoundError(
            f"the {style} face is not prepared here ({path}): run `python -m zoo prepare-data "
            "hanzi` once.")
    return path
