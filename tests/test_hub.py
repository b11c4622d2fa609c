"""zoo.hub against a local Hub (tests/hub_server.py): push, load, pins, errors, cache, offline.

huggingface_hub reads HF_ENDPOINT, HF_HUB_CACHE, HF_HUB_OFFLINE, HF_HUB_DISABLE_XET ...
once, at import, and Keras imports it, so by the time this module runs those
environment variables are no longer consulted. The session fixture sets them (for
subprocesses and code that reads them late) and also patches the copies in
``huggingface_hub.constants``; one test runs a fresh interpreter to check that the
plain environment variables work as users set them.
"""

import json
import os
import re
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from huggingface_hub import HfApi, constants, hf_hub_download

import zoo
from zoo import hub
from zoo.errors import CheckpointError, ZooError, ZooValueError

sys.path.insert(0, str(Path(__file__).parent))
from hub_server import HubServer  # noqa: E402


def hub_settings(url, home):
    """The environment variables, and the huggingface_hub.constants they become at import."""
    env = {
        "HF_ENDPOINT": url, "HF_HOME": str(home), "HF_HUB_CACHE": str(home / "hub"),
        "HF_HUB_DISABLE_XET": "1", "HF_HUB_OFFLINE": "0", "HF_HUB_DISABLE_TELEMETRY": "1",
    }
    consts = {
        "ENDPOINT": url,
        "HUGGINGFACE_CO_URL_TEMPLATE": url + "/{repo_id}/resolve/{revision}/{filename}",
        "HF_HOME": str(home), "HF_HUB_CACHE": str(home / "hub"), "HUGGINGFACE_HUB_CACHE": str(home / "hub"),
        "HF_XET_CACHE": str(home / "xet"), "HF_ASSETS_CACHE": str(home / "assets"),
        "HF_TOKEN_PATH": str(home / "token"), "HF_STORED_TOKENS_PATH": str(home / "stored_tokens"),
        "HF_HUB_DISABLE_XET": True, "HF_HUB_OFFLINE": False, "HF_HUB_DISABLE_TELEMETRY": True,
    }
    return env, consts


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    server = HubServer().start()
    env, consts = hub_settings(server.url, tmp_path_factory.mktemp("hf_home"))
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        mp.setenv("HF_TOKEN", server.token)  # pushes authenticate like a logged-in user
        mp.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
        for key, value in consts.items():
            mp.setattr(constants, key, value)
        yield server
    server.stop()


def random_images(seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (8, 8, 8, 1)).astype("float32")


@pytest.fixture(scope="session")
def model():
    model = zoo.DCGAN(image_size=8, channels=1, width=4, latent_dim=8)
    model.compile()
    model.fit(random_images(), batch_size=8, epochs=1, verbose=0)
    return model


@pytest.fixture(scope="session")
def samples(model):
    return model.sample(4, seed=0)


@pytest.fixture(scope="session")
def pushed(server, model):
    """``user/tiny``: the trained model, pushed once through the model's own method."""
    return model.push_to_hub("user/tiny", metadata={"dataset": "mnist", "metrics": {"fid": 12.5}})


def same(model, samples):
    return np.array_equal(model.sample(4, seed=0), samples)


def test_push_then_load_latest_and_pinned(server, pushed, samples):
    assert re.fullmatch(r"[0-9a-f]{40}", pushed)
    assert server.head("user/tiny") == pushed
    assert same(zoo.load("hf://user/tiny"), samples)
    assert same(zoo.load(f"hf://user/tiny@{pushed}"), samples)
    before = len(server.requests)
    assert same(zoo.load(f"hf://user/tiny@{pushed}"), samples)
    assert len(server.requests) == before, "a cached pinned commit must not touch the network"

    card = Path(hf_hub_download("user/tiny", "README.md", revision=pushed)).read_text()
    front = card.split("---")[1]
    for line in ("library_name: keras", "- zoo", "- gan", "- DCGAN", "- mnist", "model-index:",
                 "value: 12.5"):
        assert line in front
    meta = json.loads(Path(hub.download("hf://user/tiny")).joinpath("metadata.json").read_text())
    assert meta["dataset"] == "mnist" and set(meta["sha256"]) == {"config.json", "model.weights.h5"}


def test_second_revision_and_branch_keep_the_first(server, model, samples):
    first = hub.push_to_hub(model, "user/history")
    changed = zoo.load(f"hf://user/history@{first}")
    changed.fit(random_images(1), batch_size=8, epochs=1, verbose=0)
    new = changed.sample(4, seed=0)
    assert not np.array_equal(new, samples)

    branch = hub.push_to_hub(changed, "user/history", revision="experiment", commit_message="try")
    assert server.head("user/history", "experiment") == branch != first
    assert server.head("user/history") == first
    assert same(zoo.load("hf://user/history@experiment"), new)
    assert same(zoo.load("hf://user/history"), samples)

    second = hub.push_to_hub(changed, "hf://user/history")
    assert second not in (first, branch)
    assert same(zoo.load("hf://user/history"), new)
    assert same(zoo.load(f"hf://user/history@{first}"), samples)


def test_wrong_token_is_refused_and_never_printed(server, model, monkeypatch):
    with pytest.raises(hub.HubAuthError) as push_error:
        hub.push_to_hub(model, "user/auth", token="hf_wrong_secret")
    hub.push_to_hub(model, "user/secret", private=True)
    with pytest.raises(hub.HubAuthError) as download_error:
        hub.download("hf://user/secret", token="hf_wrong_secret")
    for error in (push_error.value, download_error.value):
        assert isinstance(error, PermissionError) and isinstance(error, ZooError)
        assert "HF_TOKEN" in str(error) and "hf auth login" in str(error)
        assert "hf_wrong_secret" not in str(error)
    monkeypatch.delenv("HF_TOKEN")
    with pytest.raises(hub.HubRepositoryNotFound):  # a private repository is invisible without a token
        hub.download("hf://user/secret")
    assert (hub.download("hf://user/secret", token=server.token) / "model.weights.h5").is_file()


def test_missing_repository_revision_and_file(server, pushed):
    with pytest.raises(hub.HubRepositoryNotFound, match="user/does-not-exist") as e:
        zoo.load("hf://user/does-not-exist")
    assert isinstance(e.value, FileNotFoundError)
    with pytest.raises(hub.HubRevisionNotFound, match="no-such-branch") as e:
        zoo.load("hf://user/tiny@no-such-branch")
    assert isinstance(e.value, LookupError)
    with pytest.raises(hub.HubRevisionNotFound):
        hub.download("hf://user/tiny@" + "0" * 40)

    api = HfApi()
    api.create_repo("user/partial")
    api.upload_file(
        path_or_fileobj=b'{"class_name": "zoo>DCGAN"}', path_in_repo="config.json", repo_id="user/partial"
    )
    with pytest.raises(hub.HubFileNotFound, match="model.weights.h5, metadata.json"):
        zoo.load("hf://user/partial")


@pytest.mark.parametrize("handle", [
    "hf://", "hf://tiny", "hf://user/tiny/extra", "hf://user/tiny@", "hf://user/ti ny", "hf://user/--bad",
    "user/tiny", 42,
])
def test_bad_handles_name_the_format(handle):
    with pytest.raises(ZooValueError, match="hf://owner/repo"):
        hub.download(handle)


def test_corrupted_file_on_the_hub_is_detected(server, model, samples):
    hub.push_to_hub(model, "user/rotten")
    server.corrupt("user/rotten", "model.weights.h5")
    for _ in range(2):  # the second load must not trust what the first one cached
        with pytest.raises(CheckpointError, match="model.weights.h5"):
            zoo.load("hf://user/rotten")
    hub.push_to_hub(model, "user/rotten")  # the remedy the message names
    assert same(zoo.load("hf://user/rotten"), samples)


def test_corrupted_cache_is_detected_then_refetched(server, model, samples):
    hub.push_to_hub(model, "user/bitrot")
    weights = hub.download("hf://user/bitrot") / "model.weights.h5"
    blob = weights.resolve()
    blob.chmod(0o644)
    blob.write_bytes(blob.read_bytes()[:-16] + bytes(16))
    with pytest.raises(CheckpointError, match="model.weights.h5"):
        hub.download("hf://user/bitrot")
    assert not weights.exists() and not blob.exists(), "the bad cached copy must be deleted"
    assert same(zoo.load("hf://user/bitrot"), samples)


def test_interrupted_download_leaves_nothing_partial(server, model, samples):
    hub.push_to_hub(model, "user/flaky")
    server.truncate_next_download("user/flaky", "model.weights.h5")
    with pytest.raises(hub.HubDownloadError) as e:
        hub.download("hf://user/flaky")
    assert isinstance(e.value, OSError)
    cached = Path(constants.HF_HUB_CACHE) / "models--user--flaky"
    commit = server.head("user/flaky")
    assert not (cached / "snapshots" / commit / "model.weights.h5").exists()
    assert not any(p.name.endswith(".incomplete") for p in cached.rglob("*"))
    tree = json.loads((cached / "trees" / f"{commit}.json").read_text())
    assert not (cached / "blobs" / tree["files"]["model.weights.h5"]["lfs_sha256"]).exists()
    assert same(zoo.load("hf://user/flaky"), samples)


def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)


def test_offline_mode_loads_from_the_cache(server, pushed, samples, monkeypatch):
    hub.download("hf://user/tiny")
    offline(monkeypatch)
    before = len(server.requests)
    assert same(zoo.load("hf://user/tiny"), samples)
    assert same(zoo.load(f"hf://user/tiny@{pushed}"), samples)
    assert len(server.requests) == before
    with pytest.raises(hub.HubOfflineError, match="HF_HUB_OFFLINE") as e:
        zoo.load("hf://user/never-downloaded")
    assert isinstance(e.value, ConnectionError) and "pre-download" in str(e.value)


def test_unreachable_hub_falls_back_to_the_cache(server, pushed, samples, monkeypatch):
    hub.download("hf://user/tiny")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    _, consts = hub_settings(dead, Path(constants.HF_HOME))
    for key in ("ENDPOINT", "HUGGINGFACE_CO_URL_TEMPLATE"):
        monkeypatch.setattr(constants, key, consts[key])
    assert same(zoo.load("hf://user/tiny"), samples)
    with pytest.raises(hub.HubOfflineError, match="cannot reach the Hub"):
        zoo.load("hf://user/never-downloaded")


def test_hf_hub_offline_environment_variable_in_a_fresh_process(server, pushed, samples, tmp_path):
    hub.download("hf://user/tiny")
    env, _ = hub_settings(server.url, Path(constants.HF_HOME))
    env = {**os.environ, **env, "HF_HUB_OFFLINE": "1"}
    out = tmp_path / "samples.npy"
    script = textwrap.dedent(f"""
        import numpy as np, zoo
        np.save({str(out)!r}, zoo.load("hf://user/tiny").sample(4, seed=0))
    """)
    before = len(server.requests)
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=120, capture_output=True)
    assert np.array_equal(np.load(out), samples)
    assert len(server.requests) == before
