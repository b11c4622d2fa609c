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
import shutil
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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A local Hub, and the environment that points huggingface_hub at it for this
    module only (it is undone after the module, so later tests see no Hub)."""
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


@pytest.fixture(scope="module")
def model():
    model = zoo.DCGAN(image_size=8, channels=1, width=4, latent_dim=8)
    model.compile()
    model.fit(random_images(), batch_size=8, epochs=1, verbose=0)
    return model


@pytest.fixture(scope="module")
def samples(model):
    return model.sample(4, seed=0)


@pytest.fixture(scope="module")
def pushed(server, model):
    """``user/tiny``: the trained model, pushed once through the package's function."""
    return zoo.push_to_hub(model, "user/tiny", metadata={"dataset": "mnist", "metrics": {"fid": 12.5}})


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
    with socket.socket() as s:  # a port held, never listened on: connections are refused
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


# ------------------------------------------- shipped presets through the Hub
ROOT = Path(__file__).resolve().parent.parent


def preset_outputs(model):
    if model.task == "image-to-image":
        shape = (4, model.image_size, model.image_size, model.channels)
        return model.translate(np.linspace(-1, 1, np.prod(shape)).reshape(shape).astype("float32"))
    return model.sample(4, seed=0)


@pytest.mark.slow
def test_a_wheel_install_loads_every_preset_from_the_hub(server, tmp_path):
    from zoo import cards, registry

    names = registry.list_models(shipped_only=True)
    # Every shipped preset names its Hub repository (a declared one may not have shipped yet).
    assert names and all(registry.PRESETS[n].hub for n in names)
    published = {name: cards.publish(name) for name in names}
    for name, commit in published.items():
        assert server.head(registry.PRESETS[name].hub) == commit
    card = Path(hf_hub_download("keras-gan-zoo/wgan-mnist", "README.md")).read_text()
    assert "model-index:" in card.split("---")[1] and "Reproduce:" in card
    # The Hub's card is the checkpoint's own README.md, made from its record; its pictures
    # are the files beside it.
    assert card == cards.readme("wgan-mnist", registry.local_folder("wgan-mnist"))
    assert "](curve.png)" in card and "checkpoints/wgan-mnist/curve.png" not in card
    # The wheel, built from a copy of the sources (the build writes build/ and *.egg-info
    # beside them, not in the checkout other tests run from), installed on its own into a
    # folder, run from a folder that is not the checkout.
    source, wheels, site, elsewhere = (tmp_path / d for d in ("source", "wheels", "site", "elsewhere"))
    elsewhere.mkdir()
    shutil.copytree(ROOT / "zoo", source / "zoo", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for cmd in ([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                 "-q", "-w", str(wheels), str(source)],
                [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site)]):
        if "install" in cmd:
            cmd += [str(w) for w in wheels.glob("zoo-*.whl")]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=elsewhere)
        assert done.returncode == 0, done.stderr[-2000:]
    assert not (site / "checkpoints").exists()
    script = textwrap.dedent("""
        import sys, numpy as np, zoo
        from zoo import registry
        assert zoo.__file__.startswith(sys.argv[1]), zoo.__file__
        out = {}
        for name in sys.argv[2:]:
            assert registry.where(name)[0] == "hub", registry.where(name)
            model = zoo.load(name)
            shape = (4, model.image_size, model.image_size, model.channels)
            out[name] = (model.translate(np.linspace(-1, 1, np.prod(shape)).reshape(shape)
                         .astype("float32")) if model.task == "image-to-image"
                         else model.sample(4, seed=0))
            assert registry.where(name)[0] == "cache"
        np.savez("out.npz", **out)
    """)
    env, _ = hub_settings(server.url, tmp_path / "fresh_hf_home")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("HF_", "ZOO_"))}, **env,
           "PYTHONPATH": str(site), "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run([sys.executable, "-c", script, str(site), *names], capture_output=True,
                          text=True, timeout=600, cwd=elsewhere, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    got = np.load(elsewhere / "out.npz")
    for name in names:
        np.testing.assert_array_equal(got[name], preset_outputs(zoo.load(name)), err_msg=name)


def test_publish_refuses_what_it_cannot_publish(server, monkeypatch, tmp_path):
    from zoo import cards, registry

    with pytest.raises(ZooValueError, match="declares no Hub repository"):
        cards.publish("dcgan-celeba")
    monkeypatch.setattr(registry, "SOURCE_CHECKPOINTS", tmp_path / "none")
    monkeypatch.delenv("ZOO_CHECKPOINTS", raising=False)
    with pytest.raises(ZooValueError, match="recipes/wgan_mnist.py --ship"):
        cards.publish("wgan-mnist")


# ------------------------------------------------------- hostile repositories
def _good_folder(tmp_path):
    model = zoo.DCGAN(image_size=8, channels=1, width=4, latent_dim=8)
    model.compile()
    return checkpoint_module().save_preset(model, tmp_path / "good")


def checkpoint_module():
    from zoo import checkpoint

    return checkpoint


def plant(server, repo_id, files):
    """A repository whose files are exactly ``files`` ({path: bytes}), put in place on the
    server directly, as anyone could publish them."""
    from hub_server import Blob

    with server.lock:
        repo = server.repos.get(repo_id) or server.repos.setdefault(
            repo_id, __import__("hub_server").Repo(False))
        files = {p: Blob(data, len(data) > 1000) for p, data in files.items()}
        repo.branches["main"] = server.new_commit(repo, files, repo.branches.get("main"))


def preset_files(config, weights, metadata=None):
    """Files of a preset folder with a metadata.json whose hashes match (so the hash check
    passes and the deeper checks are what is tested)."""
    import hashlib

    config_bytes = config if isinstance(config, bytes) else json.dumps(config).encode()
    meta = metadata if metadata is not None else {"sha256": {
        "config.json": hashlib.sha256(config_bytes).hexdigest(),
        "model.weights.h5": hashlib.sha256(weights).hexdigest()}}
    meta_bytes = meta if isinstance(meta, bytes) else json.dumps(meta).encode()
    return {"config.json": config_bytes, "model.weights.h5": weights, "metadata.json": meta_bytes}


def hostile_cases(good):
    config = json.loads((good / "config.json").read_text())
    weights = (good / "model.weights.h5").read_bytes()
    gan = zoo.GAN(image_size=8, channels=1, width=16, latent_dim=8, d_units=8, pieces=2)
    other = checkpoint_module().save_preset(gan, good.parent / "other")
    lam = {"module": "keras.layers", "class_name": "Lambda",
           "config": {"function": {"class_name": "__lambda__", "config": {"code": "print(1)"}}}}
    deep = b"[" * 100_000 + b"]" * 100_000
    return {
        "not a zoo class": (preset_files({**config, "class_name": "Sequential"}, weights),
                            "not a zoo model"),
        "a Lambda in the compile config": (
            preset_files({**config, "compile_config": {"d_optimizer": lam,
                                                       "g_optimizer": lam}}, weights),
            "optimizer must be one of"),
        "an optimizer from outside Keras": (
            preset_files({**config, "compile_config": {
                "d_optimizer": {**config["compile_config"]["d_optimizer"], "module": "evil.mod"},
                "g_optimizer": config["compile_config"]["g_optimizer"]}}, weights),
            "one of Keras' own"),
        "code as a learning rate": (
            preset_files({**config, "compile_config": {
                "d_optimizer": {**config["compile_config"]["d_optimizer"],
                                "config": {"learning_rate": lam}},
                "g_optimizer": config["compile_config"]["g_optimizer"]}}, weights),
            "learning rate must be"),
        "an unknown constructor key": (
            preset_files({**config, "config": {**config["config"], "run_me": "rm -rf /"}},
                         weights), "takes no argument 'run_me'"),
        "an object as a constructor value": (
            preset_files({**config, "config": {**config["config"], "width": lam}}, weights),
            "plain value"),
        "garbage JSON": (preset_files(b"{this is not json", weights), "not valid JSON"),
        "huge JSON": (preset_files(b'{"pad": "' + b"x" * (2 << 20) + b'"}', weights),
                      "more than"),
        "deeply nested JSON": (preset_files(deep, weights), "not valid JSON"),
        "a JSON list": (preset_files(b"[1, 2]", weights), "JSON object"),
        "weights of another architecture": (
            preset_files(config, (other / "model.weights.h5").read_bytes()), "do not fit"),
        "a missing metadata.json": (
            {k: v for k, v in preset_files(config, weights).items() if k != "metadata.json"},
            "metadata.json"),
        "hashes that are not strings": (preset_files(config, weights, {"sha256": [1, 2]}),
                                        "sha256"),
        "a path that climbs out": (
            {**preset_files(config, weights), "../../escaped.txt": b"x",
             "sub/../../escaped2.txt": b"y"}, None),
    }


def test_hostile_repositories_build_nothing_but_a_zoo_model(server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    good = _good_folder(tmp_path)
    cache = Path(constants.HF_HUB_CACHE)
    for i, (case, (files, message)) in enumerate(hostile_cases(good).items()):
        repo = f"someone/hostile-{i}"
        plant(server, repo, files)
        if message is None:  # nothing outside the cache, and the preset itself loads
            model = zoo.load(f"hf://{repo}")
            assert isinstance(model, zoo.DCGAN)
            assert not list(tmp_path.rglob("escaped*")) and not list(cache.parent.rglob("escaped*"))
            continue
        with pytest.raises(ZooError, match=message) as raised:
            zoo.load(f"hf://{repo}")
        assert "Traceback" not in str(raised.value), case
        # Nothing half-written in the cache: no temporary or incomplete files.
        assert not [p for p in cache.rglob("*") if p.name.endswith((".incomplete", ".tmp"))]


def test_a_translator_goes_to_the_hub_and_back(server):
    """pix2pix through the Hub: pushed, pulled, the same translations (its test-time
    dropout drawn from the same seed); the card names the image-to-image task."""
    model = zoo.Pix2Pix(image_size=16, channels=3, width=4)
    model.compile()
    source = np.random.default_rng(1).uniform(-1, 1, (3, 16, 16, 3)).astype("float32")
    model.fit(source, source[::-1], batch_size=1, epochs=1, verbose=0)
    commit = zoo.push_to_hub(model, "user/p2p", metadata={"dataset": "emoji_paired/noto2twemoji"})
    pulled = zoo.load(f"hf://user/p2p@{commit}")
    assert type(pulled) is zoo.Pix2Pix and pulled.directions == ("a2b",)
    for seed in (0, 5):
        np.testing.assert_array_equal(pulled.translate(source, seed=seed),
                                      model.translate(source, seed=seed))
    card = Path(hf_hub_download("user/p2p", "README.md", revision=commit)).read_text()
    assert "image-to-image" in card.split("---")[1] and "translate" in card
