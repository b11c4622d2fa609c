"""A small in-memory Hugging Face Hub for tests.

It speaks just enough of the Hub's HTTP protocol for ``huggingface_hub``'s
client (with ``HF_HUB_DISABLE_XET=1``) to create repositories and branches,
commit files (regular files inline, large ones through the classic LFS batch
API), and to read repository info, trees and files back. The protocol details
follow the client's source: ``hf_api.py``, ``_commit_api.py``, ``lfs.py``,
``file_download.py``, ``_snapshot_download.py`` and ``utils/_http.py``.

    server = HubServer().start()
    ...  # point huggingface_hub at server.url
    server.stop()

Every repository is a model repository. One token, ``HubServer.token``, is
accepted; any other token gets a 401, a request without a token may only read
public repositories. ``corrupt`` and ``truncate_next_download`` let a test
damage what the server hands out.
"""

import base64
import hashlib
import itertools
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

TOKEN = "hf_test_token"
USER = "user"
LFS_SUFFIXES = (".h5", ".keras", ".bin", ".safetensors", ".npz", ".npy")
GITATTRIBUTES = b"".join(f"*{s} filter=lfs diff=lfs merge=lfs -text\n".encode() for s in LFS_SUFFIXES)
COMMIT_RE = re.compile(r"[0-9a-f]{40}")


def git_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class HubError(Exception):
    """An error reply: status, X-Error-Code and message."""

    def __init__(self, status, message, code=None, headers=None, **fields):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code
        self.headers, self.fields = headers or {}, fields


class Blob:
    def __init__(self, data, lfs):
        self.data, self.lfs = data, lfs

    @property
    def etag(self):  # what the Hub puts in ETag: sha256 for LFS files, the git blob id otherwise
        return hashlib.sha256(self.data).hexdigest() if self.lfs else git_sha1(self.data)

    def tree_entry(self, path):
        entry = {"type": "file", "path": path, "size": len(self.data), "oid": git_sha1(self.data)}
        if self.lfs:
            entry["lfs"] = {"oid": self.etag, "size": len(self.data), "pointerSize": 134}
        return entry


class Repo:
    def __init__(self, private):
        self.private = private
        self.commits = {}  # commit id -> {path: Blob}
        self.branches = {}  # branch name -> commit id

    def resolve(self, revision):
        if revision in self.branches:
            return self.branches[revision]
        if COMMIT_RE.fullmatch(revision) and revision in self.commits:
            return revision
        raise HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")


class HubServer:
    token = TOKEN

    def __init__(self):
        self.repos = {}
        self.lfs_objects = {}  # sha256 -> bytes uploaded through the LFS PUT
        self.truncated = set()  # (repo_id, path) whose next GET is cut short
        self.requests = []  # (method, path) of every request, for tests that want silence
        self.lock = threading.RLock()
        self._ids = itertools.count()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.hub = self
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    # ------------------------------------------------------------ test hooks
    def corrupt(self, repo_id, path, revision="main"):
        """Flip bytes of a stored file in place, as bit rot on the server would."""
        with self.lock:
            repo = self.repos[repo_id]
            files = repo.commits[repo.resolve(revision)]
            data = bytearray(files[path].data)
            middle = len(data) // 2
            data[middle : middle + 8] = bytes(b ^ 0xFF for b in data[middle : middle + 8])
            files[path] = Blob(bytes(data), files[path].lfs)

    def truncate_next_download(self, repo_id, path):
        """The next GET of ``path`` sends only half the file (with a matching Content-Length)."""
        with self.lock:
            self.truncated.add((repo_id, path))

    def head(self, repo_id, revision="main"):
        with self.lock:
            return self.repos[repo_id].resolve(revision)

    # -------------------------------------------------------------- the model
    def repo(self, repo_id, authorized):
        repo = self.repos.get(repo_id)
        if repo is None or (repo.private and not authorized):
            raise HubError(404, "Repository not found", "RepoNotFound")
        return repo

    def new_commit(self, repo, files, parent):
        seed = f"{next(self._ids)}:{parent}:" + ",".join(f"{p}={b.etag}" for p, b in sorted(files.items()))
        commit = hashlib.sha1(seed.encode()).hexdigest()
        repo.commits[commit] = files
        return commit

    def create_repo(self, repo_id, private):
        if repo_id in self.repos:
            raise HubError(409, "You already created this model repo", url=f"{self.url}/{repo_id}")
        repo = self.repos[repo_id] = Repo(private)
        repo.branches["main"] = self.new_commit(repo, {".gitattributes": Blob(GITATTRIBUTES, False)}, None)
        return {"url": f"{self.url}/{repo_id}", "name": repo_id, "id": repo_id}

    def commit(self, repo, branch, lines):
        if branch not in repo.branches:
            raise HubError(404, f"Invalid rev id: {branch}", "RevisionNotFound")
        parent = repo.branches[branch]
        files = dict(repo.commits[parent])
        for line in lines:
            key, value = line["key"], line["value"]
            if key == "file":
                files[value["path"]] = Blob(base64.b64decode(value["content"]), False)
            elif key == "lfsFile":
                data = self.lfs_objects.get(value["oid"])
                if data is None:
                    raise HubError(400, f"LFS object {value['oid']} was never uploaded")
                files[value["path"]] = Blob(data, True)
            elif key == "deletedFile":
                files.pop(value["path"], None)
            elif key != "header":
                raise HubError(400, f"unsupported commit operation {key!r}")
        commit = repo.branches[branch] = self.new_commit(repo, files, parent)
        return commit


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        self.dispatch("GET")

    def do_HEAD(self):
        self.dispatch("HEAD")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    # -------------------------------------------------------------- plumbing
    @property
    def hub(self):
        return self.server.hub

    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                chunk = self.rfile.read(size)
                self.rfile.readline()
                if size == 0:
                    return b"".join(chunks)
                chunks.append(chunk)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def json_body(self):
        return json.loads(self.body() or b"{}")

    def reply(self, status=200, payload=None, headers=None, data=None):
        if data is None:
            data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        kind = "application/json" if payload is not None else "application/octet-stream"
        self.send_header("Content-Type", kind)
        for key, value in (headers or {}).items():
            self.send_header(key, str(value))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def authorized(self, write=False):
        """True with the valid token; a wrong token is refused outright."""
        auth = self.headers.get("Authorization")
        if auth is None:
            if write:
                raise HubError(401, "You must be authenticated to access this resource")
            return False
        if auth != f"Bearer {self.hub.token}":
            raise HubError(401, "Invalid credentials in Authorization header")
        return True

    def dispatch(self, method):
        url = urlsplit(self.path)
        parts = [unquote(p) for p in url.path.strip("/").split("/")]
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        with self.hub.lock:
            self.hub.requests.append((method, url.path))
        try:
            with self.hub.lock:
                status, payload, headers, data = self.route(method, parts, query)
        except HubError as e:
            headers = {"X-Error-Message": e.message, **e.headers}
            if e.code:
                headers["X-Error-Code"] = e.code
            payload = {"error": e.message, **e.fields}
            self.reply(e.status, payload, headers)
            return
        self.reply(status, payload, headers, data)

    # ---------------------------------------------------------------- routes
    def route(self, method, parts, query):
        hub = self.hub
        if method == "PUT" and parts[0] == "lfs-upload":  # the LFS href: sent without the token
            data = self.body()
            if hashlib.sha256(data).hexdigest() != parts[1]:
                raise HubError(400, "uploaded content does not match its sha256")
            hub.lfs_objects[parts[1]] = data
            return 200, {}, None, None
        if method == "POST" and parts[:3] == ["api", "repos", "create"]:
            self.authorized(write=True)
            body = self.json_body()
            repo_id = f"{body.get('organization') or USER}/{body['name']}"
            private = body.get("visibility") == "private" or bool(body.get("private"))
            return 200, hub.create_repo(repo_id, private), None, None
        if method == "POST" and parts[:2] == ["api", "validate-yaml"]:
            self.authorized()
            return 200, {"errors": [], "warnings": []}, None, None
        if method == "GET" and parts == ["api", "agent-harnesses"]:  # the client's agent detection
            return 200, {"standardEnvVars": [], "harnesses": {}}, None, None
        if len(parts) >= 4 and parts[:2] == ["api", "models"]:
            return self.api_models(method, f"{parts[2]}/{parts[3]}", parts[4:], query)
        lfs_batch = ["info", "lfs", "objects", "batch"]
        if method == "POST" and len(parts) == 6 and parts[1].endswith(".git") and parts[2:] == lfs_batch:
            return self.lfs_batch(f"{parts[0]}/{parts[1][:-4]}")
        if method in ("GET", "HEAD") and len(parts) >= 5 and parts[2] == "resolve":
            return self.resolve(f"{parts[0]}/{parts[1]}", parts[3], "/".join(parts[4:]))
        raise HubError(404, f"no route for {method} {self.path}")

    def api_models(self, method, repo_id, rest, query):
        hub = self.hub
        write = method == "POST"
        repo = hub.repo(repo_id, self.authorized(write=write))
        if method == "GET" and (not rest or (len(rest) == 2 and rest[0] == "revision")):
            commit = repo.resolve(rest[1] if rest else "main")
            files = repo.commits[commit]
            return 200, {
                "id": repo_id, "modelId": repo_id, "author": repo_id.split("/")[0], "sha": commit,
                "private": repo.private, "siblings": [{"rfilename": p} for p in sorted(files)],
                "tags": [], "library_name": "keras",
            }, None, None
        if method == "GET" and len(rest) >= 2 and rest[0] == "tree":
            files = repo.commits[repo.resolve(rest[1])]
            prefix = "/".join(rest[2:])
            recursive = query.get("recursive", "false").lower() == "true"
            entries, folders = [], set()
            for path in sorted(files):
                if prefix and not path.startswith(prefix + "/"):
                    continue
                inner = path[len(prefix) + 1 :] if prefix else path
                if "/" in inner and not recursive:
                    folders.add(f"{prefix}/{inner.split('/')[0]}".lstrip("/"))
                else:
                    entries.append(files[path].tree_entry(path))
            if prefix and not entries and not folders:
                raise HubError(404, f"{prefix} does not exist", "EntryNotFound")
            folders = [{"type": "directory", "path": f, "oid": git_sha1(f.encode())} for f in sorted(folders)]
            return 200, folders + entries, None, None
        if method == "POST" and len(rest) == 2 and rest[0] == "preupload":
            files = repo.commits[repo.resolve(rest[1])]
            answer = []
            for f in self.json_body()["files"]:
                sample = base64.b64decode(f["sample"])
                lfs = f["path"].endswith(LFS_SUFFIXES) or b"\0" in sample or f["size"] > 10_000_000
                existing = files.get(f["path"])
                answer.append({
                    "path": f["path"], "uploadMode": "lfs" if lfs else "regular", "shouldIgnore": False,
                    "oid": existing.etag if existing is not None else None,
                })
            return 200, {"files": answer, "commitOid": repo.resolve(rest[1])}, None, None
        if method == "POST" and len(rest) == 2 and rest[0] == "commit":
            lines = [json.loads(line) for line in self.body().splitlines() if line.strip()]
            commit = hub.commit(repo, rest[1], lines)
            return 200, {
                "commitUrl": f"{hub.url}/{repo_id}/commit/{commit}", "commitOid": commit,
                "pullRequestUrl": None, "success": True,
            }, None, None
        if method == "POST" and len(rest) == 2 and rest[0] == "branch":
            if rest[1] in repo.branches:
                raise HubError(409, f"Reference refs/heads/{rest[1]} already exists")
            start = self.json_body().get("startingPoint") or "main"
            repo.branches[rest[1]] = repo.resolve(start)
            return 200, {}, None, None
        raise HubError(404, f"no route for {method} {self.path}")

    def lfs_batch(self, repo_id):
        hub = self.hub
        hub.repo(repo_id, self.authorized(write=True))
        objects = []
        for obj in self.json_body()["objects"]:
            entry = {"oid": obj["oid"], "size": obj["size"], "authenticated": True}
            if obj["oid"] not in hub.lfs_objects:
                entry["actions"] = {"upload": {"href": f"{hub.url}/lfs-upload/{obj['oid']}"}}
            objects.append(entry)
        return 200, {"transfer": "basic", "objects": objects}, None, None

    def resolve(self, repo_id, revision, path):
        hub = self.hub
        repo = hub.repo(repo_id, self.authorized())
        commit = repo.resolve(revision)
        blob = repo.commits[commit].get(path)
        if blob is None:
            raise HubError(404, "Entry not found", "EntryNotFound", {"X-Repo-Commit": commit})
        data = blob.data
        if self.command == "GET" and (repo_id, path) in hub.truncated:
            hub.truncated.discard((repo_id, path))
            data = data[: len(data) // 2]
        # reply() sends Content-Length, and no body for HEAD
        return 200, None, {"X-Repo-Commit": commit, "ETag": f'"{blob.etag}"'}, data
