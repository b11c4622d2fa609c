"""Writing images: a grid of samples as one picture (PNG unless its name says
otherwise), or frames as a GIF."""

import math
import os

import numpy as np

from zoo import files
from zoo.errors import ZooValueError


def to_uint8(images):
    """float images in [-1, 1] -> uint8 in [0, 255]."""
    images = np.asarray(images, np.float32)
    return np.clip(np.round((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def grid(images, cols=None, pad=2):
    """Tile ``(N, H, W, C)`` images in [-1, 1] into one uint8 ``(rows*H, cols*W, C)`` array."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or len(images) == 0:
        raise ZooValueError(
            f"a grid needs images of shape (N, H, W, 1 or 3) with N >= 1, got {images.shape}."
        )
    n, h, w, c = images.shape
    cols = cols or math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    out = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad, c), 255, np.uint8)
    for i, image in enumerate(to_uint8(images)):
        r, k = divmod(i, cols)
        out[pad + r * (h + pad) : pad + r * (h + pad) + h, pad + k * (w + pad) : pad + k * (w + pad) + w] = image
    return out


# A grid's file format, from the end of its name.
FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".bmp": "BMP", ".webp": "WEBP",
           ".tif": "TIFF", ".tiff": "TIFF"}


def grid_format(path):
    """The format a grid saved at ``path`` is written in (from its name's ending), or a
    clear error, before anything is sampled or written."""
    ending = os.path.splitext(os.fspath(path))[1].lower()
    if ending not in FORMATS:
        raise ZooValueError(
            f"cannot tell which image format {os.fspath(path)!r} should be from its name; end it "
            f"in .png (lossless; the usual choice), {', '.join(sorted(set(FORMATS) - {'.png'}))}"
            " (or .gif, for an animation of `interpolate`)."
        )
    return FORMATS[ending]


def save_grid(images, path, cols=None, scale=1):
    """Save a grid of images in [-1, 1] at ``path`` (written atomically), in the format
    its name ends in: ``.png`` (lossless), ``.jpg``, ``.bmp``, ``.webp`` or ``.tiff``."""
    kind = grid_format(path)
    tiles = grid(images, cols)
    picture = _picture(tiles, scale)
    return files.write_atomically(path, lambda f: picture.save(f, format=kind))


def save_animation(images, path, scale=2, frame_ms=150):
    """Save images in [-1, 1] as the frames of a looping GIF at ``path`` (atomically)."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or len(images) == 0:
        raise ZooValueError(
            f"an animation needs images of shape (N, H, W, 1 or 3) with N >= 1, got {images.shape}."
        )
    frames = [_picture(frame, scale) for frame in to_uint8(images)]
    return files.write_atomically(path, lambda f: frames[0].save(
        f, format="GIF", save_all=True, append_images=frames[1:], duration=frame_ms, loop=0))


def _picture(pixels, scale):
    from PIL import Image

    picture = Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels)
    if scale != 1:
        picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
    return picture
