"""A fake Actions artifact service (v4 protocol) on 127.0.0.1, held to what the real one accepts.

Start: the ``fake_artifacts`` fixture (tests/github/conftest.py) yields a started service wired to
the ``fake_github`` fixture. Outside pytest: ``with FakeArtifactService(github=fake) as service``.

A run: ``service.runtime(run)`` mints a runtime token for a ``WorkflowRun`` of the fake GitHub (or
for no run) and returns the environment the runner gives a container: ACTIONS_RUNTIME_TOKEN (a JWT
whose ``scp`` claim holds ``Actions.Results:<run>:<job>``), ACTIONS_RESULTS_URL,
ACTIONS_RUNTIME_URL and GITHUB_RETENTION_DAYS. Finalized artifacts of a run are published into the
fake GitHub (``github.add_artifact(..., run=run)``), so a later "run" finds them through the REST
API; deleting one removes it there too.

Endpoints: POST /twirp/github.actions.results.api.v1.ArtifactService/{CreateArtifact,
FinalizeArtifact, ListArtifacts, GetSignedArtifactURL, DeleteArtifact} with proto field names,
int64 as strings, Bearer runtime token whose scope must name the ids in the body; errors as Twirp
JSON ``{"code", "msg"}``. Blob storage on another host name (``localhost``): PUT of the signed
upload URL (needs ``x-ms-blob-type: BlockBlob``), GET of a signed download URL.

Faults: ``fail(status, times=N, method="CreateArtifact" | "blob" | None, applied=False)``: the next
N matching requests get ``status`` (429 and 5xx are what the client retries); ``applied`` carries
the request out first (a create that happened though the client heard 502).

Read: ``requests`` (every request with its headers and decoded body), ``calls(method)``,
``artifacts`` (all created, finalized or not, not deleted), ``finalized()``.

Violations: a request the real service or Azure would refuse or that leaks a credential (kinds:
contract, auth, token-leak, limit, protocol) is recorded; the fixture fails the test at teardown
unless the test took them with ``take_violations()``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
import json
import re
import threading
import time
import traceback
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from tests.github.fake_github import Artifact, FakeGitHub, Violation, WorkflowRun

SERVICE_PREFIX = "/twirp/github.actions.results.api.v1.ArtifactService/"
METHODS = ("CreateArtifact", "FinalizeArtifact", "ListArtifacts", "GetSignedArtifactURL", "DeleteArtifact")
VERSIONS = (4, 7)  # 4: toolkits before 2026-02; 7: since
FORBIDDEN_IN_NAMES = set('":<>|*?\r\n\\/')
_TWIRP_CODES = {
    400: "invalid_argument",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    409: "already_exists",
    412: "failed_precondition",
    429: "resource_exhausted",
    500: "internal",
    502: "unavailable",
    503: "unavailable",
    504: "deadline_exceeded",
}
_IDS = {"workflow_run_backend_id": "str", "workflow_job_run_backend_id": "str"}
# Field kinds: str, int (a JSON number), int64 (a decimal string, as Twirp JSON carries int64), time.
_FIELDS: dict[str, tuple[dict[str, str], set[str]]] = {
    "CreateArtifact": (
        {**_IDS, "name": "str", "version": "int", "expires_at": "time", "mime_type": "str"},
        {*_IDS, "name", "version"},
    ),
    "FinalizeArtifact": ({**_IDS, "name": "str", "size": "int64", "hash": "str"}, {*_IDS, "name", "size"}),
    "ListArtifacts": ({**_IDS, "name_filter": "str", "id_filter": "int64"}, set(_IDS)),
    "GetSignedArtifactURL": ({**_IDS, "name": "str"}, {*_IDS, "name"}),
    "DeleteArtifact": ({**_IDS, "name": "str"}, {*_IDS, "name"}),
}
_HASH = re.compile(r"^sha256:[0-9a-f]{64}$")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Runtime:
    """One job's runtime identity: what its token grants."""

    token: str
    run_backend_id: str
    job_backend_id: str
    run: WorkflowRun | None
    retention_days: int | None


@dataclass
class StoredArtifact:
    id: int
    runtime: Runtime
    name: str
    version: int
    created_at: dt.datetime
    expires_at: dt.datetime | None
    mime_type: str | None
    upload_key: str
    content: bytes | None = None  # after the PUT
    finalized: bool = False
    digest: str | None = None  # from FinalizeArtifact's hash
    rest: Artifact | None = None  # the copy published into the fake GitHub


@dataclass
class ServiceRequest:
    method: str  # HTTP method
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names in lower case
    body: Any  # decoded JSON for Twirp calls, else None
    raw_body: bytes
    call: str  # the Twirp method, "blob-put" or "blob-get"
    status: int = 0


@dataclass
class ServiceFault:
    status: int
    times: int = 1
    method: str | None = None  # a Twirp method, "blob", or None for everything
    applied: bool = False
    hits: int = 0

    def matches(self, call: str) -> bool:
        if self.hits >= self.times:
            return False
        return self.method is None or self.method == call or (self.method == "blob" and call == "blob-put")


@dataclass
class _Reply:
    status: int
    body: Any = None  # dict → JSON; bytes as is
    headers: dict[str, str] = field(default_factory=dict)


class _Refused(Exception):
    def __init__(self, status: int, message: str, violation: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.violation = violation  # the Violation kind when the real service would call it a client bug


class FakeArtifactService:
    def __init__(self, *, github: FakeGitHub | None = None, blob_host: str = "localhost") -> None:
        self.github = github
        self.blob_host = blob_host  # another host name than the service's, as with real blob storage
        self.runtimes: dict[str, Runtime] = {}  # by token
        self.artifacts: list[StoredArtifact] = []
        self.requests: list[ServiceRequest] = []
        self.violations: list[Violation] = []
        self.faults: list[ServiceFault] = []
        self._ids = itertools.count(7_000_001)
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> FakeArtifactService:
        handler = type("Handler", (_Handler,), {"service": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-artifacts", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeArtifactService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "the fake is not started"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """ACTIONS_RESULTS_URL (with a path: clients must use its origin)."""
        return f"http://127.0.0.1:{self.port}/results/"

    # -- seeding -----------------------------------------------------------------------------------

    def runtime(
        self, run: WorkflowRun | None = None, *, retention_days: int | None = 90, scopes: str | None = None
    ) -> dict[str, str]:
        """A new job of ``run``: the environment its container gets. ``scopes`` replaces the token's
        ``scp`` claim (to test a token without the Results scope)."""
        run_id, job_id = str(uuid.uuid4()), str(uuid.uuid4())
        scp = (
            scopes
            if scopes is not None
            else f"Actions.GenericRead:{uuid.uuid4()} Actions.Results:{run_id}:{job_id}"
        )
        header = _b64(json.dumps({"typ": "JWT", "alg": "RS256", "x5t": "fake"}).encode())
        payload = _b64(
            json.dumps(
                {"scp": scp, "iss": "vstoken.actions.githubusercontent.com", "exp": int(time.time()) + 3600}
            ).encode()
        )
        token = f"{header}.{payload}.{_b64(b'not-a-real-signature')}"
        with self._lock:
            self.runtimes[token] = Runtime(token, run_id, job_id, run, retention_days)
        env = {
            "ACTIONS_RUNTIME_TOKEN": token,
            "ACTIONS_RESULTS_URL": self.url,
            "ACTIONS_RUNTIME_URL": f"http://127.0.0.1:{self.port}/runtime/",
        }
        if retention_days is not None:
            env["GITHUB_RETENTION_DAYS"] = str(retention_days)
        return env

    def fail(
        self, status: int, *, times: int = 1, method: str | None = None, applied: bool = False
    ) -> ServiceFault:
        if method is not None and method not in (*METHODS, "blob"):
            raise ValueError(f"unknown method {method!r}")
        fault = ServiceFault(status, times, method, applied)
        self.faults.append(fault)
        return fault

    # -- reading -----------------------------------------------------------------------------------

    def calls(self, call: str) -> list[ServiceRequest]:
        return [r for r in self.requests if r.call == call]

    def finalized(self, run: WorkflowRun | None = None) -> list[StoredArtifact]:
        return [a for a in self.artifacts if a.finalized and (run is None or a.runtime.run is run)]

    def take_violations(self) -> list[Violation]:
        with self._lock:
            taken, self.violations = self.violations, []
            return taken

    # -- request handling --------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Mapping[str, str], raw_body: bytes) -> _Reply:
        parts = urlsplit(target)
        path = parts.path
        if path.startswith(SERVICE_PREFIX):
            call = path.removeprefix(SERVICE_PREFIX)
        elif path.startswith("/_blob/upload/"):
            call = "blob-put"
        elif path.startswith("/_blob/download/"):
            call = "blob-get"
        else:
            call = "unknown"
        record = ServiceRequest(
            method, path, dict(parse_qsl(parts.query)), dict(headers), None, raw_body, call
        )
        with self._lock:
            self.requests.append(record)
        try:
            with self._lock:
                fault = next((f for f in self.faults if f.matches(call)), None)
                if fault is not None:
                    fault.hits += 1
                    if not fault.applied:
                        reply = self._fault(fault, call)
                        record.status = reply.status
                        return reply
                reply = self._route(method, path, call, parts.query, headers, raw_body, record)
                if fault is not None:
                    reply = self._fault(fault, call)
        except _Refused as refused:
            if refused.violation is not None:
                self._violate(refused.violation, method, path, refused.message)
            reply = self._error(refused.status, refused.message, call)
        except Exception:  # a bug in the fake: make it loud instead of a dropped connection
            self._violate("protocol", method, path, "the fake crashed:\n" + traceback.format_exc())
            reply = _Reply(500, {"code": "internal", "msg": "the fake artifact service crashed"})
        record.status = reply.status
        return reply

    def _violate(self, kind: str, method: str, path: str, message: str) -> None:
        self.violations.append(Violation(kind, method, path, message))

    def _fault(self, fault: ServiceFault, call: str) -> _Reply:
        return self._error(fault.status, "injected fault", call)

    def _error(self, status: int, message: str, call: str) -> _Reply:
        if call.startswith("blob"):
            code = {400: "InvalidHeaderValue", 403: "AuthenticationFailed", 404: "BlobNotFound"}.get(
                status, "ServerBusy"
            )
            return _Reply(status, f"{code}: {message}".encode())
        return _Reply(status, {"code": _TWIRP_CODES.get(status, "unknown"), "msg": message})

    def _route(
        self,
        method: str,
        path: str,
        call: str,
        query: str,
        headers: Mapping[str, str],
        raw_body: bytes,
        record: ServiceRequest,
    ) -> _Reply:
        if call == "blob-put":
            if method != "PUT":
                raise _Refused(405, "blob uploads are PUT", "protocol")
            return self._blob_put(path.removeprefix("/_blob/upload/"), query, headers, raw_body)
        if call == "blob-get":
            if method != "GET":
                raise _Refused(405, "blob downloads are GET", "protocol")
            return self._blob_get(path.removeprefix("/_blob/download/"), headers)
        if call not in METHODS:
            raise _Refused(404, f"no such route {path}", "contract")
        if method != "POST":
            raise _Refused(404, "Twirp calls are POST", "contract")
        if headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise _Refused(404, "Content-Type must be application/json", "contract")
        runtime = self._authenticate(headers)
        try:
            body = json.loads(raw_body or b"null")
        except ValueError:
            raise _Refused(400, "the body is not JSON", "contract") from None
        record.body = body
        self._validate(call, body)
        if (body["workflow_run_backend_id"], body["workflow_job_run_backend_id"]) != (
            runtime.run_backend_id,
            runtime.job_backend_id,
        ):
            raise _Refused(403, "the backend ids are not the ones the token was issued for", "auth")
        handler = getattr(self, f"_{call}")
        reply: _Reply = handler(runtime, body)
        return reply

    def _authenticate(self, headers: Mapping[str, str]) -> Runtime:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or not token:
            raise _Refused(401, "no 'Authorization: Bearer <runtime token>'", "auth")
        runtime = self.runtimes.get(token.strip())
        if runtime is None:
            raise _Refused(401, "unknown runtime token", "auth")
        if f"Actions.Results:{runtime.run_backend_id}:{runtime.job_backend_id}" not in _scopes(token):
            raise _Refused(403, "the token has no Actions.Results scope", "auth")
        return runtime

    def _validate(self, call: str, body: Any) -> None:
        kinds, required = _FIELDS[call]
        if not isinstance(body, dict):
            raise _Refused(400, "the body is not a JSON object", "contract")
        problems = [f"unknown field {k!r} (proto field names are snake_case)" for k in body if k not in kinds]
        problems += [f"missing {k!r}" for k in sorted(required) if k not in body]
        for key, value in body.items():
            kind = kinds.get(key)
            if kind in ("str", "time") and not isinstance(value, str):
                problems.append(f"{key} must be a string")
            elif kind == "int" and (not isinstance(value, int) or isinstance(value, bool)):
                problems.append(f"{key} must be a number")
            elif kind == "int64" and not (isinstance(value, str) and value.isdigit()):
                problems.append(f"{key} is an int64: a decimal string in Twirp JSON")
            if kind == "time" and isinstance(value, str):
                try:
                    dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
                except ValueError:
                    problems.append(f"{key} is not an RFC 3339 timestamp")
        if problems:
            raise _Refused(400, "; ".join(problems), "contract")

    def _find(self, runtime: Runtime, name: str, *, finalized: bool | None = None) -> StoredArtifact | None:
        for artifact in reversed(self.artifacts):
            same = artifact.runtime.run_backend_id == runtime.run_backend_id and artifact.name == name
            if same and (finalized is None or artifact.finalized == finalized):
                return artifact
        return None

    # -- Twirp methods -----------------------------------------------------------------------------

    def _CreateArtifact(self, runtime: Runtime, body: dict[str, Any]) -> _Reply:
        name = body["name"]
        if not name or FORBIDDEN_IN_NAMES & set(name):
            raise _Refused(400, f"invalid artifact name {name!r}", "contract")
        if body["version"] not in VERSIONS:
            raise _Refused(400, f"version {body['version']} is not one of {VERSIONS}", "contract")
        expires = None
        if "expires_at" in body:
            expires = dt.datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
            if runtime.retention_days is not None and expires > _now() + dt.timedelta(
                days=runtime.retention_days, hours=1
            ):
                self._violate(
                    "limit",
                    "POST",
                    SERVICE_PREFIX + "CreateArtifact",
                    f"expires_at {body['expires_at']} is beyond "
                    f"GITHUB_RETENTION_DAYS={runtime.retention_days}",
                )
        if self._find(runtime, name, finalized=True) is not None:
            # Names are unique within a workflow run (across its jobs and attempts): not a client bug.
            raise _Refused(409, f"an artifact with this name already exists on the workflow run: {name}")
        pending = self._find(runtime, name, finalized=False)
        if pending is not None:  # never finalized (the client gave up on it): a new create replaces it
            self.artifacts.remove(pending)
        key = uuid.uuid4().hex
        self.artifacts.append(
            StoredArtifact(
                id=0,
                runtime=runtime,
                name=name,
                version=body["version"],
                created_at=_now(),
                expires_at=expires,
                mime_type=body.get("mime_type"),
                upload_key=key,
            )
        )
        url = (
            f"http://{self.blob_host}:{self.port}/_blob/upload/{key}?sv=2024-08-04&sr=b&sp=cw&sig={key[:20]}"
        )
        return _Reply(200, {"ok": True, "signed_upload_url": url})

    def _FinalizeArtifact(self, runtime: Runtime, body: dict[str, Any]) -> _Reply:
        artifact = self._find(runtime, body["name"], finalized=False)
        if artifact is None:
            raise _Refused(404, f"no artifact {body['name']!r} awaits finalizing", "protocol")
        if artifact.content is None:
            raise _Refused(412, "finalized before its content was uploaded", "protocol")
        if int(body["size"]) != len(artifact.content):
            raise _Refused(
                400, f"size {body['size']} is not the {len(artifact.content)} bytes uploaded", "contract"
            )
        digest = body.get("hash")
        if digest is not None:
            actual = "sha256:" + hashlib.sha256(artifact.content).hexdigest()
            if not _HASH.match(digest) or digest != actual:
                raise _Refused(400, f"hash {digest} is not the uploaded content's {actual}", "contract")
        artifact.finalized = True
        artifact.digest = digest
        if self.github is not None and runtime.run is not None:
            artifact.rest = self.github.add_artifact(artifact.name, artifact.content, run=runtime.run)
            artifact.id = artifact.rest.id
        else:
            artifact.id = next(self._ids)
        return _Reply(200, {"ok": True, "artifact_id": str(artifact.id)})

    def _ListArtifacts(self, runtime: Runtime, body: dict[str, Any]) -> _Reply:
        found = [
            a
            for a in self.artifacts
            if a.finalized
            and a.runtime.run_backend_id == runtime.run_backend_id
            and ("name_filter" not in body or a.name == body["name_filter"])
            and ("id_filter" not in body or str(a.id) == body["id_filter"])
        ]
        items = []
        for a in found:
            item = {
                "workflow_run_backend_id": a.runtime.run_backend_id,
                "workflow_job_run_backend_id": a.runtime.job_backend_id,
                "database_id": str(a.id),
                "name": a.name,
                "size": str(len(a.content or b"")),
                "created_at": _stamp(a.created_at),
            }
            if a.digest:
                item["digest"] = a.digest
            items.append(item)
        return _Reply(200, {"artifacts": items})

    def _GetSignedArtifactURL(self, runtime: Runtime, body: dict[str, Any]) -> _Reply:
        artifact = self._find(runtime, body["name"], finalized=True)
        if artifact is None:
            raise _Refused(404, f"no artifact {body['name']!r}")
        key = artifact.upload_key
        return _Reply(
            200, {"signed_url": f"http://{self.blob_host}:{self.port}/_blob/download/{key}?sig={key[:20]}"}
        )

    def _DeleteArtifact(self, runtime: Runtime, body: dict[str, Any]) -> _Reply:
        artifact = self._find(runtime, body["name"], finalized=True)
        if artifact is None:
            raise _Refused(404, f"no artifact {body['name']!r}")
        self.artifacts.remove(artifact)
        if artifact.rest is not None and self.github is not None:
            self.github.artifacts.pop(artifact.rest.id, None)
        return _Reply(200, {"ok": True, "artifact_id": str(artifact.id)})

    # -- blob storage ------------------------------------------------------------------------------

    def _blob_put(self, key: str, query: str, headers: Mapping[str, str], raw_body: bytes) -> _Reply:
        if "authorization" in headers:
            raise _Refused(403, "an Authorization header was sent to blob storage", "token-leak")
        artifact = next((a for a in self.artifacts if a.upload_key == key), None)
        if artifact is None or "sig=" not in query:
            raise _Refused(404, "no blob is expected at this URL", "protocol")
        if headers.get("x-ms-blob-type") != "BlockBlob":
            raise _Refused(400, "the x-ms-blob-type header must be BlockBlob", "contract")
        if artifact.finalized:
            raise _Refused(409, "the artifact is already finalized", "protocol")
        artifact.content = raw_body
        return _Reply(201, b"", {"ETag": f'"0x{key[:16].upper()}"', "x-ms-request-server-encrypted": "true"})

    def _blob_get(self, key: str, headers: Mapping[str, str]) -> _Reply:
        if "authorization" in headers:
            raise _Refused(403, "an Authorization header was sent to blob storage", "token-leak")
        artifact = next((a for a in self.artifacts if a.upload_key == key and a.finalized), None)
        if artifact is None or artifact.content is None:
            raise _Refused(404, "The specified blob does not exist.")
        return _Reply(200, artifact.content, {"Content-Type": "application/zip"})


def _scopes(token: str) -> list[str]:
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims.get("scp", "")).split()


class _Handler(BaseHTTPRequestHandler):
    service: ClassVar[FakeArtifactService]
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out separately: no 40 ms delayed-ACK stall

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self.service.handle(self.command, self.path, headers, raw_body)
        if isinstance(reply.body, bytes):
            payload, kind = reply.body, "application/octet-stream"
        elif reply.body is None:
            payload, kind = b"", "application/json"
        else:
            payload, kind = json.dumps(reply.body).encode(), "application/json"
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.headers.pop("Content-Type", kind))
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the fake's own log is ``FakeArtifactService.requests``."""
