"""A fake GitHub REST API on 127.0.0.1 that holds every request to GitHub's published contract.

Every request is logged, matched to an operation of ../shared/github/openapi-subset.json (or of its
trimmed copy in tests/data) and validated (path, query, JSON body, authentication). A request that
breaks the contract gets the error GitHub would give (404, 422, 400, 401) and is recorded as a
violation, which the ``fake_github`` fixture turns into a test failure: a test fails even when the
code under test swallows the error.
The answers are stateful where the action needs it and are themselves checked against the
operation's response schema (a mismatch is a violation too, of kind ``fake-response``).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
import traceback
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from .contract import Contract, Operation, RouteError
from .handlers import HANDLERS, ApiError, Call, Reply, Violated
from .objects import (
    BOT_ID,
    BOT_LOGIN,
    Artifact,
    BlobDownload,
    CheckRun,
    Comment,
    Pull,
    Repo,
    SarifUpload,
    Site,
    Status,
    Token,
    User,
    WorkflowRun,
    complete,
    now,
)

if TYPE_CHECKING:
    import github

WRITES = ("POST", "PATCH", "PUT", "DELETE")
SECONDARY_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID {request_id}."
)
_PERMISSIONS = {
    "issues": "issues=write; pull_requests=write",
    "repos/create-commit-status": "statuses=write",
    "checks": "checks=write",
    "code-scanning": "security_events=write",
    "actions": "actions=write",
    "repos": "contents=write",
    "pulls": "pull_requests=write",
}


@dataclass
class RecordedRequest:
    method: str
    path: str  # as sent, without the query string
    query: dict[str, str]
    headers: dict[str, str]  # names in lower case
    body: Any  # the decoded JSON body, or None
    raw_body: bytes
    operation_id: str | None = None  # "blob" for downloads from the fake blob store
    status: int = 0


@dataclass(frozen=True)
class Violation:
    """A request GitHub would refuse, or a fake answer that breaks the contract.

    kind: contract (invalid against the spec), unknown-endpoint, auth, limit (a documented size limit),
    token-leak (credentials sent to blob storage), unimplemented (in the spec, not in the fake),
    fake-response (the fake's own answer breaks the spec: a bug in the fake).
    """

    kind: str
    method: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.method} {self.path}: {self.message}"


@dataclass
class Fault:
    """Answer the next ``times`` matching requests with ``status`` (after sleeping ``delay`` seconds).

    ``status`` None only delays. ``route`` is an operationId ("issues/create-comment"), a
    "METHOD /template" or None for every operation.
    """

    status: int | None
    times: int = 1
    route: str | None = None
    delay: float = 0.0
    retry_after: int | None = None
    message: str | None = None
    primary: bool = False  # a 403 for the primary rate limit instead of the secondary one
    applied: bool = False  # carry the request out, then delay and answer (a 502, or a late answer)
    hits: int = 0

    def matches(self, op: Operation) -> bool:
        return self.hits < self.times and self.route in (None, op.operation_id, f"{op.method} {op.template}")


class FakeGitHub:
    """The fake server and its state. Use as a context manager or with start()/stop()."""

    def __init__(self, *, prefix: str = "", blob_host: str = "localhost", contract: Contract | None = None):
        self.prefix = prefix.rstrip("/")  # "/api/v3" to look like GitHub Enterprise Server
        self.blob_host = blob_host  # another host name than the API's, as on github.com
        self.contract = contract or _default_contract()
        self.requests: list[RecordedRequest] = []
        self.violations: list[Violation] = []
        self.faults: list[Fault] = []
        self.tokens: dict[str, Token] = {}
        self.accept_any_token = True  # unknown tokens act as github-actions[bot] with write access
        self.users: dict[str, User] = {}
        self.repos: dict[str, Repo] = {}
        self.comments_by_id: dict[int, Comment] = {}
        self.statuses_by_id: dict[int, Status] = {}
        self.check_runs: dict[int, CheckRun] = {}
        self.pulls: dict[tuple[int, int], Pull] = {}
        self.workflow_runs: dict[int, WorkflowRun] = {}
        self.artifacts: dict[int, Artifact] = {}
        self.sarif_uploads: list[SarifUpload] = []
        self.blob_downloads: list[BlobDownload] = []
        self.blobs: dict[str, tuple[int, datetime]] = {}
        self._ids = itertools.count(1_000_001)
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.github_org = self.add_user("github", type="Organization", id=9919)
        self.bot = self.add_user(BOT_LOGIN, type="Bot", id=BOT_ID)
        self.repo = self.add_repo("octo-org/hello-world", id=1296269)

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-github", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "the fake is not started"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The API base URL to give the client (GITHUB_API_URL)."""
        return f"http://127.0.0.1:{self.port}{self.prefix}"

    @property
    def server_url(self) -> str:
        """The web base URL (GITHUB_SERVER_URL)."""
        return f"http://127.0.0.1:{self.port}" if self.prefix else "https://github.com"

    @property
    def site(self) -> Site:
        return Site(self.url, self.server_url)

    def client(self, token: str = "t", **options: Any) -> github.Github:
        """A PyGithub client on the fake: no retries and no pauses between requests unless asked."""
        import github as pygithub

        options = {"retry": None, "seconds_between_requests": 0, "seconds_between_writes": 0, **options}
        return pygithub.Github(base_url=self.url, auth=pygithub.Auth.Token(token), **options)

    # -- seeding -----------------------------------------------------------------------------------

    def next_id(self) -> int:
        return next(self._ids)

    def add_user(self, login: str, *, type: str = "User", id: int | None = None) -> User:
        with self._lock:
            if login not in self.users:
                self.users[login] = User(login, id or self.next_id(), type)
            return self.users[login]

    def add_token(
        self, token: str, *, login: str = BOT_LOGIN, read_only: bool = False, limit: int = 5000
    ) -> Token:
        """A token of ``login``; read_only as on a pull request from a fork (every write gets 403)."""
        user = self.users.get(login) or self.add_user(
            login, type="Bot" if login.endswith("[bot]") else "User"
        )
        self.tokens[token] = Token(user, read_only, limit)
        return self.tokens[token]

    def add_repo(self, full_name: str, *, id: int | None = None, **options: Any) -> Repo:
        owner, name = full_name.split("/")
        with self._lock:
            repo = Repo(self.add_user(owner, type="Organization"), name, id or self.next_id(), **options)
            self.repos[full_name.lower()] = repo
            return repo

    def _repo(self, repo: Repo | str | None) -> Repo:
        if isinstance(repo, Repo):
            return repo
        return self.repo if repo is None else self.repos.get(repo.lower()) or self.add_repo(repo)

    def add_comment(
        self,
        issue_number: int,
        body: str,
        *,
        user: str = "octocat",
        repo: Repo | str | None = None,
        on_pull: bool = True,
        author_association: str = "NONE",
    ) -> Comment:
        with self._lock:
            author = self.users.get(user) or self.add_user(
                user, type="Bot" if user.endswith("[bot]") else "User"
            )
            when = now()
            comment = Comment(
                self.next_id(),
                self._repo(repo),
                issue_number,
                body,
                author,
                when,
                when,
                on_pull,
                author_association,
            )
            self.comments_by_id[comment.id] = comment
            return comment

    def add_pull(
        self,
        number: int,
        *,
        head_sha: str,
        head_ref: str = "feature",
        base_ref: str = "main",
        base_sha: str = "b" * 40,
        user: str = "octocat",
        head_repo: Repo | str | None = None,
        repo: Repo | str | None = None,
        files: list[dict[str, Any]] | None = None,
        **options: Any,
    ) -> Pull:
        """A pull request; ``head_repo`` another repository's name for one from a fork."""
        with self._lock:
            base = self._repo(repo)
            pull = Pull(
                number,
                base,
                head_sha,
                head_ref,
                base_ref,
                base_sha,
                self.add_user(user),
                self._repo(head_repo) if head_repo else base,
                files=files or [],
                id=self.next_id(),
                **options,
            )
            self.pulls[(base.id, number)] = pull
            return pull

    def add_workflow_run(
        self,
        *,
        head_branch: str = "feature",
        head_sha: str = "a" * 40,
        workflow_id: int = 161335,
        event: str = "pull_request",
        head_repo: Repo | str | None = None,
        repo: Repo | str | None = None,
        id: int | None = None,
        **options: Any,
    ) -> WorkflowRun:
        with self._lock:
            base = self._repo(repo)
            run = WorkflowRun(
                id or self.next_id(),
                base,
                self._repo(head_repo) if head_repo else base,
                workflow_id,
                head_branch,
                head_sha,
                event,
                **options,
            )
            self.workflow_runs[run.id] = run
            return run

    def add_artifact(
        self,
        name: str,
        content: bytes,
        *,
        run: WorkflowRun | None = None,
        created_at: datetime | None = None,
        expired: bool = False,
        repo: Repo | str | None = None,
        **run_fields: Any,
    ) -> Artifact:
        """An artifact (``content``: its zip bytes) of ``run``, or of a new run made from ``run_fields``."""
        with self._lock:
            run = run or self.add_workflow_run(repo=repo, **run_fields)
            when = created_at or now() + timedelta(seconds=len(self.artifacts))
            artifact = Artifact(self.next_id(), run.repo, name, content, run, when, expired)
            self.artifacts[artifact.id] = artifact
            return artifact

    def add_file(self, path: str, content: bytes | str, *, repo: Repo | str | None = None) -> None:
        data = content.encode() if isinstance(content, str) else content
        self._repo(repo).files[path.strip("/")] = data

    # -- faults ------------------------------------------------------------------------------------

    def _check_route(self, route: str | None) -> None:
        known = {op.operation_id for op in self.contract.operations}
        known |= {f"{op.method} {op.template}" for op in self.contract.operations}
        if route is not None and route not in known:
            raise ValueError(f"unknown route {route!r}: use an operationId or 'METHOD /template' of the spec")

    def fail(
        self,
        status: int,
        *,
        times: int = 1,
        route: str | None = None,
        retry_after: int | None = None,
        message: str | None = None,
        primary: bool = False,
        applied: bool = False,
    ) -> Fault:
        """Answer ``status`` ``times`` times, then succeed. 429 and 403 are rate limits (secondary unless
        ``primary``) with Retry-After when given; 422 is "Validation Failed"; 5xx are server errors.
        ``applied`` carries the request out before answering the fault (a write that did happen)."""
        self._check_route(route)
        fault = Fault(
            status, times, route, retry_after=retry_after, message=message, primary=primary, applied=applied
        )
        self.faults.append(fault)
        return fault

    def slow(
        self, seconds: float, *, times: int = 1, route: str | None = None, applied: bool = False
    ) -> Fault:
        """Delay ``times`` answers by ``seconds``; ``applied`` carries the request out first, so a
        client that times out has made the write all the same."""
        self._check_route(route)
        fault = Fault(None, times, route, delay=seconds, applied=applied)
        self.faults.append(fault)
        return fault

    def _fault_reply(self, fault: Fault, op: Operation, token: Token, request_id: str) -> Reply:
        status = fault.status or 500
        headers: dict[str, str] = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        if status == 403 and fault.primary:
            message = fault.message or f"API rate limit exceeded for installation ID {token.user.id}."
            reset = int(time.time()) + (fault.retry_after or 60)
            headers.update({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})
            headers.pop("Retry-After", None)
        elif status in (403, 429):
            message = fault.message or SECONDARY_LIMIT.format(request_id=request_id)
        else:
            message = fault.message or {
                422: "Validation Failed",
                502: "Bad Gateway",
                503: "Service Unavailable",
            }.get(status, "Server Error")
        body: dict[str, Any] = {"message": message, "documentation_url": op.doc_url, "status": str(status)}
        if status == 422:
            body["errors"] = []
        return Reply(status, body, headers)

    # -- state accessors ---------------------------------------------------------------------------

    def comments(self, issue_number: int, repo: Repo | str | None = None) -> list[Comment]:
        target = self._repo(repo)
        return sorted(
            (c for c in self.comments_by_id.values() if c.repo is target and c.issue_number == issue_number),
            key=lambda c: c.id,
        )

    def statuses(self, sha: str, repo: Repo | str | None = None) -> list[Status]:
        target = self._repo(repo)
        return [s for s in self.statuses_by_id.values() if s.repo is target and s.sha == sha]

    def calls(self, operation_id: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.operation_id == operation_id]

    def take_violations(self) -> list[Violation]:
        """The violations so far, forgotten: a test that provokes violations on purpose takes them."""
        with self._lock:
            taken, self.violations = self.violations, []
            return taken

    def _violate(self, kind: str, method: str, path: str, message: str) -> None:
        self.violations.append(Violation(kind, method, path, message))

    # -- request handling --------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Mapping[str, str], raw_body: bytes) -> Reply:
        parts = urlsplit(target)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        noise = uuid.uuid4().hex.upper()
        request_id = f"{noise[:4]}:{noise[4:9]}:{noise[9:16]}:{noise[16:23]}:{noise[23:31]}"
        record = RecordedRequest(method, parts.path, dict(pairs), dict(headers), None, raw_body)
        with self._lock:
            self.requests.append(record)
        try:
            if parts.path.startswith("/_blob/"):
                record.operation_id = "blob"
                with self._lock:
                    reply = self._blob(parts.path.removeprefix("/_blob/"), headers)
            else:
                reply = self._api(method, parts.path, pairs, headers, raw_body, record, request_id)
                reply.headers["X-GitHub-Request-Id"] = request_id
        except Exception:  # a bug in the fake: make it loud in the test instead of a dropped connection
            self._violate("fake-response", method, parts.path, "the fake crashed:\n" + traceback.format_exc())
            reply = Reply(500, {"message": "The fake GitHub crashed: see the violations"})
        record.status = reply.status
        return reply

    def _api(
        self,
        method: str,
        path: str,
        pairs: list[tuple[str, str]],
        headers: Mapping[str, str],
        raw_body: bytes,
        record: RecordedRequest,
        request_id: str,
    ) -> Reply:
        op: Operation | None = None
        try:
            with self._lock:
                call, token = self._prepare(method, path, pairs, headers, raw_body, record)
            op = call.op
            with self._lock:
                if op.operation_id != "rate-limit/get":  # asking for the rate limit costs nothing
                    token.used += 1
                fault = next((f for f in self.faults if f.matches(op)), None)
                if fault is not None:
                    fault.hits += 1
            if fault is not None and not fault.applied:
                time.sleep(fault.delay)
                if fault.status is not None:
                    return self._finish(self._fault_reply(fault, op, token, request_id), token)
            with self._lock:
                if method in WRITES and token.read_only:
                    permission = _PERMISSIONS.get(op.operation_id) or _PERMISSIONS.get(
                        op.operation_id.split("/")[0]
                    )
                    reply = self._error(ApiError(403, "Resource not accessible by integration"), op)
                    reply.headers["X-Accepted-GitHub-Permissions"] = permission or ""
                    return self._finish(reply, token)
                handler = HANDLERS.get(op.operation_id)
                if handler is None:
                    raise Violated(
                        "unimplemented",
                        f"{op.operation_id} is in the contract but not in the fake",
                        ApiError(501, "Not implemented by the fake"),
                    )
                try:
                    reply = handler(self, call)
                except ApiError as error:
                    reply = self._error(error, op)
                self._finish(reply, token)
                self._check_reply(method, path, op, reply)
            if fault is not None and fault.applied:  # done, but the client hears of it late or as a failure
                time.sleep(fault.delay)
                if fault.status is not None:
                    return self._finish(self._fault_reply(fault, op, token, request_id), token)
            return reply
        except Violated as problem:
            if op is None and record.operation_id is not None:
                op = self.contract.operation(record.operation_id)
            with self._lock:
                self._violate(problem.kind, method, path, str(problem))
                return self._error(problem.error, op)

    def _prepare(
        self,
        method: str,
        path: str,
        pairs: list[tuple[str, str]],
        headers: Mapping[str, str],
        raw_body: bytes,
        record: RecordedRequest,
    ) -> tuple[Call, Token]:
        not_found = ApiError(404, "Not Found")
        if self.prefix:
            if not path.startswith(self.prefix + "/"):
                raise Violated("unknown-endpoint", f"outside the API prefix {self.prefix}", not_found)
            path = path.removeprefix(self.prefix)
        path = self._canonical(path)
        try:
            route = self.contract.route(method, path)
        except RouteError as error:
            raise Violated("unknown-endpoint", str(error), not_found) from None
        op = route.operation
        record.operation_id = op.operation_id
        params, query, errors = self.contract.check_parameters(route, pairs)
        if errors:
            raise Violated(
                "contract", "; ".join(errors), ApiError(422, "Invalid request.\n\n" + "\n".join(errors))
            )
        body: Any = None
        if raw_body:
            try:
                body = record.body = json.loads(raw_body)
            except ValueError:
                raise Violated(
                    "contract", "the body is not JSON", ApiError(400, "Problems parsing JSON")
                ) from None
        errors = self.contract.check_body(op, body, bool(raw_body))
        if errors:
            raise Violated(
                "contract", "; ".join(errors), ApiError(422, "Invalid request.\n\n" + "\n".join(errors))
            )
        token = self._authenticate(headers)
        link_base = self.url + path
        repo = self.repos.get(f"{params.get('owner')}/{params.get('repo')}".lower())
        if repo is not None:
            rest = path.split("/", 4)[4] if path.count("/") >= 4 else ""
            link_base = f"{self.url}/repositories/{repo.id}" + (f"/{rest}" if rest else "")
        return Call(op, params, query, pairs, body, token, headers, link_base), token

    def _canonical(self, path: str) -> str:
        """Link headers name repositories by id (/repositories/ID/...): serve those as /repos/O/R/..."""
        if not path.startswith("/repositories/"):
            return path
        head, _, rest = path.removeprefix("/repositories/").partition("/")
        repo = next((r for r in self.repos.values() if str(r.id) == head), None)
        if repo is None:
            raise Violated("unknown-endpoint", f"no repository has id {head}", ApiError(404, "Not Found"))
        return f"/repos/{repo.full_name}" + (f"/{rest}" if rest else "")

    def _authenticate(self, headers: Mapping[str, str]) -> Token:
        scheme, _, secret = headers.get("authorization", "").partition(" ")
        if scheme.lower() not in ("token", "bearer") or not secret.strip():
            raise Violated(
                "auth",
                "no 'Authorization: token ...' or 'Bearer ...' header",
                ApiError(401, "Requires authentication"),
            )
        token = self.tokens.get(secret.strip())
        if token is None:
            if not self.accept_any_token:
                raise Violated("auth", "unknown token", ApiError(401, "Bad credentials"))
            token = self.add_token(secret.strip())
        return token

    def repo_of(self, params: Mapping[str, Any]) -> Repo:
        repo = self.repos.get(f"{params['owner']}/{params['repo']}".lower())
        if repo is None:
            raise ApiError(404, "Not Found")
        return repo

    def _error(self, error: ApiError, op: Operation | None) -> Reply:
        body: dict[str, Any] = {
            "message": error.message,
            "documentation_url": op.doc_url if op else "https://docs.github.com/rest",
        }
        if error.errors is not None:
            body["errors"] = error.errors
        body["status"] = str(error.status)
        body.update(error.extra)
        return Reply(error.status, body)

    def _check_reply(self, method: str, path: str, op: Operation, reply: Reply) -> None:
        if isinstance(reply.body, bytes) or (reply.status >= 400 and str(reply.status) not in op.responses):
            return
        if reply.body is not None:
            reply.body = complete(op.response_schema(reply.status), reply.body)
        for problem in self.contract.check_response(op, reply.status, reply.body, reply.headers):
            self._violate("fake-response", method, path, problem)

    def _finish(self, reply: Reply, token: Token) -> Reply:
        reply.headers.setdefault("X-RateLimit-Limit", str(token.limit))
        reply.headers.setdefault("X-RateLimit-Remaining", str(max(token.limit - token.used, 0)))
        reply.headers.setdefault("X-RateLimit-Reset", str(int(time.time()) // 3600 * 3600 + 3600))
        reply.headers.setdefault("X-RateLimit-Used", str(token.used))
        reply.headers.setdefault("X-RateLimit-Resource", "core")
        reply.headers.setdefault("X-GitHub-Media-Type", "github.v3; format=json")
        reply.headers.setdefault("X-GitHub-Api-Version-Selected", "2022-11-28")
        return reply

    def _blob(self, key: str, headers: Mapping[str, str]) -> Reply:
        entry = self.blobs.get(key)
        if entry is None:
            return Reply(404, b"BlobNotFound: The specified blob does not exist.", content_type="text/plain")
        artifact_id, expires = entry
        authorization = headers.get("authorization")
        self.blob_downloads.append(BlobDownload(artifact_id, authorization, headers.get("host", "")))
        if authorization is not None:
            self._violate(
                "token-leak", "GET", f"/_blob/{key}", "the Authorization header was sent to blob storage"
            )
        if datetime.now(expires.tzinfo) > expires:
            return Reply(
                403, b"AuthenticationFailed: Signed expiry time has passed.", content_type="text/plain"
            )
        return Reply(200, self.artifacts[artifact_id].content, content_type="application/zip")


class _Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # keep-alive requests otherwise stall ~40 ms on delayed ACKs
    fake: ClassVar[FakeGitHub]
    protocol_version = "HTTP/1.1"
    server_version = "GitHub.com"
    sys_version = ""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self.fake.handle(self.command, self.path, headers, raw_body)
        if isinstance(reply.body, bytes):
            payload = reply.body
        elif reply.body is None:
            payload = b""
        else:
            payload = json.dumps(reply.body).encode()
        self.send_response(reply.status)
        if payload:
            self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        # A client that gave up waiting (a test of timeouts) has left nobody to answer.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the fake's own request log is ``FakeGitHub.requests``."""


_CONTRACT: list[Contract] = []


def _default_contract() -> Contract:
    """The spec is parsed once per test session."""
    if not _CONTRACT:
        _CONTRACT.append(Contract())
    return _CONTRACT[0]
