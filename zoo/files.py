"""Files written whole or not at all, and their hashes: the one place the zoo
writes a file a user keeps (checkpoints, grids, records, prepared data)."""

import hashlib
import json
import os
import shutil
import tempfile


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path, write):
    """``write(file)`` into a temporary sibling of ``path``, then rename it into
    place: a reader (or a kill) never sees a half-written file."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes it private (0600)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


def replace_atomically(path, write):
    """``write(tmp)`` writes a file or a folder at ``tmp``, a fresh path beside
    ``path`` with the same name; it then takes ``path``'s place whole (a folder
    by two renames, the old one kept until the new one is in place), so a failed or
    killed write leaves what was at ``path`` as it was. Files ``write`` puts beside
    ``tmp`` (an ONNX file's external weights, ``<name>.data``) move first."""
    path = os.path.abspath(os.fspath(path))
    folder, name = os.path.split(path)
    os.makedirs(folder, exist_ok=True)
    work = tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        tmp = os.path.join(work, name)
        write(tmp)
        for extra in sorted(set(os.listdir(work)) - {name}):
            os.replace(os.path.join(work, extra), os.path.join(folder, extra))
        if os.path.isdir(tmp) and os.path.isdir(path):
            old = os.path.join(work, ".old")
            os.rename(path, old)
            os.rename(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return path


def write_text(path, text):
    write_atomically(path, lambda f: f.write(text.encode("utf-8")))


def write_json(path, value):
    write_text(path, json.dumps(value, indent=2, sort_keys=True) + "\n")


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
