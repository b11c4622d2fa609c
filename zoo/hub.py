"""The Hugging Face Hub: push a model as a preset folder, download one back.

    commit = zoo.hub.push_to_hub(model, "owner/repo", metadata={"dataset": "mnist"})
    model = zoo.load("hf://owner/repo")             # latest on main
    model = zoo.load(f"hf://owner/repo@{commit}")   # pinned: never changes

A Hub repository holds one preset folder (see ``zoo.checkpoint``) plus a model
card. Downloads go through ``huggingface_hub``'s cache, so ``HF_HUB_OFFLINE=1``
loads what was downloaded before and a pinned commit is never fetched twice.
Every download is checked against the sha256 recorded in ``metadata.json``.

``huggingface_hub`` reads ``HF_ENDPOINT``, ``HF_HUB_OFFLINE``, ``HF_HUB_CACHE``
and ``HF_HUB_DISABLE_XET`` when it is imported (Keras imports it), so set them
before ``import zoo``. Tokens come from ``token=``, ``HF_TOKEN`` or
``hf auth login``.
"""

import contextlib
import re
import tempfile
from pathlib import Path

from huggingface_hub import (
    CommitOperationAdd,
    EvalResult,
    HfApi,
    ModelCardData,
    constants,
    snapshot_download,
)
from huggingface_hub import errors as hf_errors
from huggingface_hub.utils import validate_repo_id

from zoo import checkpoint, files
from zoo.metrics import flat_metrics
from zoo.errors import CheckpointError, ZooError, ZooValueError

try:  # the HTTP client huggingface_hub uses: httpx2 from 2.x, httpx before
    from httpx2 import TransportError as _TransportError
except ImportError:  # pragma: no cover
    from httpx import TransportError as _TransportError

README = "README.md"
FILES = (checkpoint.CONFIG, checkpoint.WEIGHTS, checkpoint.METADATA)
HANDLE = re.compile(r"hf://(?P<repo>[^/@\s]+/[^/@\s]+)(?:@(?P<revision>[^@\s]+))?")
COMMIT = re.compile(r"[0-9a-f]{40}")
HANDLE_FORMAT = "'hf://owner/repo' or 'hf://owner/repo@revision' (a branch, tag or 40-hex commit id)"


class HubError(ZooError):
    """Base class of the Hub errors below."""


class HubRepositoryNotFound(HubError, FileNotFoundError):
    """No such repository, or it is private and the token cannot see it."""


class HubRevisionNotFound(HubError, LookupError):
    """The repository has no such branch, tag or commit."""


class HubFileNotFound(HubError, FileNotFoundError):
    """The repository exists but lacks a file of a preset folder."""


class HubOfflineError(HubError, ConnectionError):
    """The Hub cannot be reached (or HF_HUB_OFFLINE is set) and nothing usable is cached."""


class HubAuthError(HubError, PermissionError):
    """The Hub refused the token, or a write was tried without one."""


class HubDownloadError(HubError, OSError):
    """A transfer broke off; nothing partial was kept in the cache."""


def parse_handle(handle):
    """``"hf://owner/repo[@revision]"`` -> ``(repo_id, revision or None)``."""
    match = HANDLE.fullmatch(handle) if isinstance(handle, str) else None
    if match is None:
        raise ZooValueError(f"a Hub model is named {HANDLE_FORMAT}, got {handle!r}.")
    try:
        validate_repo_id(match["repo"])
    except hf_errors.HFValidationError as e:
        raise ZooValueError(
            f"{handle!r} does not name a valid Hub repository ({e}). Use {HANDLE_FORMAT}."
        ) from e
    return match["repo"], match["revision"]


# ------------------------------------------------------------------ upload
def card_yaml(name, task, dataset, metrics, tags=()):
    """A model card's YAML front matter (Hub metadata: library, tags, dataset, and a
    model-index of ``metrics``, a flat ``{name: number}``): the one writer of card
    metadata, for the Hub's README.md and for MODEL_CARD.md alike."""
    return ModelCardData(
        library_name="keras",
        pipeline_tag=task,
        tags=["zoo", "gan", "keras", *tags],
        datasets=[dataset.split("/")[0]] if dataset else None,
        model_name=name if metrics else None,
        eval_results=[
            EvalResult(
                task_type=task, dataset_type=dataset or "unspecified", dataset_name=dataset or "unspecified",
                metric_type=str(key), metric_name=str(key), metric_value=value,
            )
            for key, value in metrics.items()
        ] or None,
    ).to_yaml()


def card_metrics(metadata):
    """The numbers a checkpoint's ``metadata.json`` measured, flat (``a2b_...``)."""
    measured = metadata.get("metrics") or (metadata.get("evaluation") or {}).get("metrics") or {}
    return {k: v for k, v in flat_metrics(measured).items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)}


def model_card(variant, task, repo_id, metadata, body=None):
    """README.md text: Hub YAML front matter (with model-index when there are
    metrics), then how to load the model, then ``body`` (the preset's section of
    MODEL_CARD.md when publishing a shipped checkpoint)."""
    dataset = metadata.get("dataset") or metadata.get("training", {}).get("dataset")
    metrics = card_metrics(metadata)
    lines = [
        "---", card_yaml(repo_id, task, dataset, metrics, tags=[variant]), "---", "",
        f"# {repo_id}", "",
        f"A {variant} from the `zoo` GAN model zoo (Keras 3)"
        + (f", trained on {dataset}." if dataset else "."), "",
        "```python", "import zoo", "", f'model = zoo.load("hf://{repo_id}")',
        ("images = model.translate(images, 'a2b')  # float32 in [-1, 1]" if task == "image-to-image"
         else "images = model.sample(16, seed=0)  # float32 in [-1, 1]"), "```", "",
    ]
    if metrics:
        lines += ["| metric | value |", "| --- | --- |"]
        lines += [f"| {name} | {value} |" for name, value in metrics.items()] + [""]
    if body:
        lines += [body.strip(), ""]
    lines += [f"`{checkpoint.METADATA}` records the sha256 of every file; `zoo.load` checks them.", ""]
    return "\n".join(lines)


def push_folder(folder, repo_id, card, *, revision=None, private=False, token=None,
                commit_message="Upload zoo model", extra_files=()):
    """Upload a preset folder, its model card and ``extra_files`` (names in
    ``folder``, such as ``samples.png``) in one commit. Returns the commit id.

    Every push goes through here: ``push_to_hub``, ``publish`` and the recipes'
    ``--push_to_hub``. Creates the repository (and the branch ``revision``)
    when missing; ``HF_ENDPOINT`` and ``HF_TOKEN`` apply as in huggingface_hub.
    """
    if not isinstance(repo_id, str):
        raise ZooValueError(f"repo_id must be a string 'owner/repo', got {repo_id!r}.")
    repo_id, pinned = parse_handle(repo_id if repo_id.startswith("hf://") else f"hf://{repo_id}")
    if pinned and revision and pinned != revision:
        raise ZooValueError(f"two revisions given: {pinned!r} in the name and revision={revision!r}.")
    revision = revision or pinned
    if revision is not None and COMMIT.fullmatch(revision):
        raise ZooValueError(f"cannot push to commit {revision}; pass a branch name as revision.")
    folder = Path(folder)
    checkpoint.verify(folder)  # never publish a folder whose files do not match their hashes
    api = HfApi(token=token)
    with tempfile.TemporaryDirectory(prefix="zoo-card-") as tmp:
        (Path(tmp) / README).write_text(card, encoding="utf-8")
        operations = [CommitOperationAdd(README, str(Path(tmp) / README))]
        operations += [CommitOperationAdd(name, str(folder / name))
                       for name in (*FILES, *extra_files)]
        where = f"hf://{repo_id}" + (f"@{revision}" if revision else "")
        with _typed_errors(where, writing=True):
            api.create_repo(repo_id, private=private, exist_ok=True)
            if revision is not None:
                api.create_branch(repo_id, branch=revision, exist_ok=True)
            info = api.create_commit(
                repo_id, operations=operations, commit_message=commit_message, revision=revision
            )
    return info.oid


def push_to_hub(
    model, repo_id, *, revision=None, private=False, token=None,
    commit_message="Upload zoo model", metadata=None,
):
    """Upload ``model`` as a preset folder and model card, in one commit.

    Creates the repository (and the branch ``revision``) when missing.
    ``metadata`` is stored in ``metadata.json``; its ``"dataset"`` and
    ``"metrics"`` (``{name: value}``) also go into the model card.
    Returns the commit id, which ``"hf://repo_id@<commit>"`` loads forever.
    """
    if not isinstance(repo_id, str):
        raise ZooValueError(f"repo_id must be a string 'owner/repo', got {repo_id!r}.")
    with tempfile.TemporaryDirectory(prefix="zoo-push-") as tmp:
        folder = checkpoint.save_preset(model, Path(tmp) / "preset", metadata)
        card = model_card(type(model).__name__, model.task, repo_id.removeprefix("hf://"),
                          checkpoint.read_metadata(folder))
        return push_folder(folder, repo_id, card, revision=revision, private=private,
                           token=token, commit_message=commit_message)


# ---------------------------------------------------------------- download
def download(handle, *, token=None, force=False):
    """The local preset folder for ``handle``, from the cache or the Hub.

    Checks every file's sha256 against ``metadata.json``. A mismatching cached
    file is deleted before CheckpointError is raised, so the next call fetches
    it again instead of trusting it; ``force=True`` re-fetches every file.
    """
    repo_id, revision = parse_handle(handle)
    with _typed_errors(handle):
        folder = Path(snapshot_download(
            repo_id, revision=revision, allow_patterns=list(FILES), token=token, force_download=force
        ))
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise HubFileNotFound(
            f"{handle} (commit {folder.name}) has no {', '.join(missing)}, so it is not a zoo preset. "
            "Push one with zoo.hub.push_to_hub(model, repo_id)."
        )
    try:
        checkpoint.verify(folder)
    except CheckpointError as e:
        removed = _evict(folder)
        problem = str(e).replace(" Delete the folder and download or save it again.", "")
        raise CheckpointError(
            f"{handle}: {problem} The bad cached copy ({', '.join(removed)}) was deleted, so the next load "
            "downloads it again; if this error comes back, the file on the Hub itself does not match "
            f"its {checkpoint.METADATA}, and the model must be pushed again."
        ) from e
    return folder


def cached(handle):
    """The verified preset folder of ``handle`` in the local cache, or None. No network."""
    repo_id, revision = parse_handle(handle)
    try:
        folder = Path(snapshot_download(repo_id, revision=revision, allow_patterns=list(FILES),
                                        local_files_only=True))
    except Exception:  # not cached (huggingface_hub raises several kinds here)
        return None
    if any(not (folder / name).is_file() for name in FILES):
        return None
    try:
        checkpoint.verify(folder)
    except CheckpointError:
        return None  # download() fetches it again and says what was wrong
    return folder


def cache_dir():
    return constants.HF_HUB_CACHE


def endpoint():
    return constants.ENDPOINT


def _evict(folder):
    """Delete the cached files that fail the hash check (the snapshot link and its blob)."""
    try:
        expected = checkpoint.read_metadata(folder)["sha256"]
        bad = [n for n in checkpoint.HASHED if files.sha256(folder / n) != expected[n]]
    except (CheckpointError, KeyError, TypeError, OSError):
        bad = []
    bad = bad or [checkpoint.METADATA]  # a broken metadata.json is the bad file
    for name in bad:
        link = folder / name
        blob = link.resolve()
        link.unlink(missing_ok=True)
        if blob != link:
            blob.unlink(missing_ok=True)
    return bad


@contextlib.contextmanager
def _typed_errors(where, writing=False):
    """Re-raise huggingface_hub's and the network's exceptions as the zoo's typed errors."""
    try:
        yield
    except ZooError:
        raise
    except Exception as e:
        typed = _translate(e, where, writing)
        if typed is None:
            raise
        raise typed from e


def _translate(error, where, writing):
    login = "set HF_TOKEN to a valid token or run `hf auth login`"
    if isinstance(error, hf_errors.HFValidationError):
        return ZooValueError(f"{where}: {error}")
    if isinstance(error, hf_errors.RevisionNotFoundError):
        return HubRevisionNotFound(
            f"{where}: the repository has no branch, tag or commit by that name. "
            "List them with huggingface_hub.HfApi().list_repo_refs(repo_id)."
        )
    if isinstance(error, hf_errors.RepositoryNotFoundError):  # also gated repositories
        return HubRepositoryNotFound(
            f"{where}: no such repository on {constants.ENDPOINT}, or it is private and "
            f"the token cannot see it. Check the name; for a private repository, {login}."
        )
    status = getattr(getattr(error, "response", None), "status_code", None)
    if isinstance(error, hf_errors.HfHubHTTPError) and status in (401, 403):
        need = " (pushing needs a token with write access)" if writing else ""
        # The message never quotes the token.
        return HubAuthError(
            f"{where}: the Hub refused access (HTTP {status}): the token is missing, invalid or lacks "
            f"permission. To fix it, {login}{need}."
        )
    if isinstance(error, hf_errors.EntryNotFoundError) and not isinstance(
        error, hf_errors.LocalEntryNotFoundError
    ):
        return HubFileNotFound(f"{where}: a file of the preset is missing from the repository ({error}).")
    cause = error.__cause__ or error.__context__
    network = (_TransportError, ConnectionError)  # OfflineModeIsEnabled is a ConnectionError
    if isinstance(error, (hf_errors.LocalEntryNotFoundError, *network)) or (
        isinstance(error, ValueError) and isinstance(cause, network)  # force=True without network
    ):
        if constants.is_offline_mode():
            action = "pushed" if writing else "downloaded"
            return HubOfflineError(
                f"{where} cannot be {action}: HF_HUB_OFFLINE=1 forbids network access"
                + ("." if writing else f" and it is not in the local cache ({constants.HF_HUB_CACHE}).")
                + " Unset HF_HUB_OFFLINE and connect"
                + ("." if writing else f", or pre-download it while online with zoo.hub.download({where!r}).")
            )
        if writing:
            return HubOfflineError(f"cannot reach the Hub at {constants.ENDPOINT} to push {where}: {error}. "
                                   "Connect to the network and try again.")
        return HubOfflineError(
            f"cannot reach the Hub at {constants.ENDPOINT} and {where} is not fully in the local cache "
            f"({constants.HF_HUB_CACHE}). Connect to the network, or pre-download it while online with "
            f"zoo.hub.download({where!r}); with HF_HUB_OFFLINE=1 only the cache is used."
        )
    if not writing and isinstance(error, OSError) and not isinstance(error, hf_errors.HfHubHTTPError):
        # e.g. a transfer cut short: huggingface_hub writes to a temporary file and renames
        # it into the cache only when complete, so nothing partial is left behind.
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return HubDownloadError(f"downloading {where} failed: {reason} Nothing partial was kept; try again.")
    return None
