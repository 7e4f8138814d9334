"""How the fake answers each operation it implements, from and into its state.

A handler takes the fake and a validated ``Call`` and returns a ``Reply``; it raises ``ApiError`` for
an answer GitHub gives to a valid request (404, 410...) and ``Violated`` for a request GitHub refuses
because it breaks a documented rule (a recorded violation).
"""

from __future__ import annotations

import base64
import gzip
import json
import math
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .contract import Operation
from .objects import (
    Artifact,
    CheckRun,
    Comment,
    Pull,
    SarifUpload,
    Status,
    Token,
    actions_app,
    content_json,
    now,
)

if TYPE_CHECKING:
    from .server import FakeGitHub

JSON = "application/json; charset=utf-8"
COMMENT_LIMIT = 65536  # characters in an issue or pull request comment
STATUS_DESCRIPTION_LIMIT = 140
SARIF_LIMIT = 10 * 1024 * 1024  # bytes of gzipped SARIF
BLOB_TTL = timedelta(minutes=1)  # the life of a signed artifact download URL


@dataclass
class Reply:
    status: int
    body: Any = None  # a JSON value, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = JSON


class ApiError(Exception):
    def __init__(self, status: int, message: str, errors: list[dict[str, Any]] | None = None, **extra: Any):
        super().__init__(message)
        self.status, self.message, self.errors, self.extra = status, message, errors, extra


class Violated(Exception):
    """A request that breaks the contract: recorded as a violation, answered like GitHub."""

    def __init__(self, kind: str, message: str, error: ApiError) -> None:
        super().__init__(message)
        self.kind, self.error = kind, error


@dataclass
class Call:
    op: Operation
    params: dict[str, Any]
    query: dict[str, Any]
    query_pairs: list[tuple[str, str]]
    body: Any
    token: Token
    headers: Mapping[str, str]
    link_base: str  # absolute URL of this collection as GitHub writes it in Link headers


Handler = Callable[["FakeGitHub", Call], Reply]
HANDLERS: dict[str, Handler] = {}


def handles(operation_id: str) -> Callable[[Handler], Handler]:
    """Register the function answering an operation of the contract."""

    def register(function: Handler) -> Handler:
        HANDLERS[operation_id] = function
        return function

    return register


def _validation_failed(resource: str, fieldname: str, message: str) -> ApiError:
    return ApiError(
        422,
        "Validation Failed",
        [{"resource": resource, "code": "custom", "field": fieldname, "message": message}],
    )


def _page(call: Call, items: list[Any]) -> tuple[list[Any], dict[str, str]]:
    """One page of ``items`` as ``per_page``/``page`` ask, and the Link header GitHub would send."""
    per_page = max(1, min(int(call.query.get("per_page", 30)), 100))  # GitHub caps per_page at 100
    page = max(1, int(call.query.get("page", 1)))
    last = max(1, math.ceil(len(items) / per_page))
    kept = [(k, v) for k, v in call.query_pairs if k != "page"]

    def link(number: int, rel: str) -> str:
        return f'<{call.link_base}?{urlencode([*kept, ("page", str(number))])}>; rel="{rel}"'

    links = []
    if page > 1:
        links.append(link(min(page - 1, last), "prev"))
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    if page > 1:
        links.append(link(1, "first"))
    chunk = items[(page - 1) * per_page : page * per_page]
    return chunk, ({"Link": ", ".join(links)} if links else {})


@handles("repos/get")
def get_repo(fake: FakeGitHub, call: Call) -> Reply:
    return Reply(200, fake.repo_of(call.params).to_json(fake.site))


def _pull(fake: FakeGitHub, call: Call) -> Pull:
    pull = fake.pulls.get((fake.repo_of(call.params).id, call.params["pull_number"]))
    if pull is None:
        raise ApiError(404, "Not Found")
    return pull


@handles("pulls/get")
def get_pull(fake: FakeGitHub, call: Call) -> Reply:
    return Reply(200, _pull(fake, call).to_json(fake.site))


@handles("pulls/list-files")
def list_pull_files(fake: FakeGitHub, call: Call) -> Reply:
    files, headers = _page(call, _pull(fake, call).files)
    return Reply(200, files, headers)


def _app(fake: FakeGitHub) -> dict[str, Any]:
    return actions_app(fake.site, fake.github_org)


def _comment(fake: FakeGitHub, call: Call) -> Comment:
    comment = fake.comments_by_id.get(call.params["comment_id"])
    if comment is None or comment.repo is not fake.repo_of(call.params):
        raise ApiError(404, "Not Found")
    return comment


def _check_comment_body(body: str) -> None:
    if len(body) > COMMENT_LIMIT:
        message = f"body is too long (maximum is {COMMENT_LIMIT} characters)"
        raise Violated(
            "limit", f"{message}: {len(body)}", _validation_failed("IssueComment", "body", message)
        )


@handles("issues/list-comments")
def list_comments(fake: FakeGitHub, call: Call) -> Reply:
    repo = fake.repo_of(call.params)
    comments = fake.comments(call.params["issue_number"], repo)
    if "since" in call.query:
        since = datetime.fromisoformat(call.query["since"].replace("Z", "+00:00"))
        comments = [c for c in comments if c.updated_at >= since]
    chunk, headers = _page(call, comments)
    return Reply(200, [c.to_json(fake.site, _app(fake)) for c in chunk], headers)


@handles("issues/create-comment")
def create_comment(fake: FakeGitHub, call: Call) -> Reply:
    repo = fake.repo_of(call.params)
    _check_comment_body(call.body["body"])
    number = call.params["issue_number"]
    comment = fake.add_comment(number, call.body["body"], user=call.token.user.login, repo=repo)
    data = comment.to_json(fake.site, _app(fake))
    return Reply(201, data, {"Location": data["url"]})


@handles("issues/get-comment")
def get_comment(fake: FakeGitHub, call: Call) -> Reply:
    return Reply(200, _comment(fake, call).to_json(fake.site, _app(fake)))


@handles("issues/update-comment")
def update_comment(fake: FakeGitHub, call: Call) -> Reply:
    comment = _comment(fake, call)
    _check_comment_body(call.body["body"])
    comment.body, comment.updated_at = call.body["body"], now()
    return Reply(200, comment.to_json(fake.site, _app(fake)))


@handles("issues/delete-comment")
def delete_comment(fake: FakeGitHub, call: Call) -> Reply:
    del fake.comments_by_id[_comment(fake, call).id]
    return Reply(204)


@handles("repos/create-commit-status")
def create_status(fake: FakeGitHub, call: Call) -> Reply:
    repo, body = fake.repo_of(call.params), call.body
    description = body.get("description")
    if description is not None and len(description) > STATUS_DESCRIPTION_LIMIT:
        message = f"description is too long (maximum is {STATUS_DESCRIPTION_LIMIT} characters)"
        raise Violated(
            "limit",
            f"{message}: {len(description)}",
            _validation_failed("Status", "description", message),
        )
    status = Status(
        fake.next_id(),
        repo,
        call.params["sha"],
        body["state"],
        body.get("context", "default"),
        description,
        body.get("target_url"),
        call.token.user,
        now(),
    )
    fake.statuses_by_id[status.id] = status
    return Reply(201, status.to_json(fake.site), {"Location": status.to_json(fake.site)["url"]})


def _statuses_newest_first(fake: FakeGitHub, call: Call) -> list[Status]:
    return sorted(fake.statuses(call.params["ref"], fake.repo_of(call.params)), key=lambda s: -s.id)


@handles("repos/list-commit-statuses-for-ref")
def list_statuses(fake: FakeGitHub, call: Call) -> Reply:
    chunk, headers = _page(call, _statuses_newest_first(fake, call))
    return Reply(200, [s.to_json(fake.site) for s in chunk], headers)


@handles("repos/get-combined-status-for-ref")
def combined_status(fake: FakeGitHub, call: Call) -> Reply:
    repo, ref = fake.repo_of(call.params), call.params["ref"]
    latest: dict[str, Status] = {}
    for status in _statuses_newest_first(fake, call):
        latest.setdefault(status.context.lower(), status)
    states = {s.state for s in latest.values()}
    state = (
        "failure"
        if states & {"failure", "error"}
        else "pending"
        if not states or "pending" in states
        else "success"
    )
    chunk, headers = _page(call, list(latest.values()))
    api = repo.api_url(fake.site)
    return Reply(
        200,
        {
            "state": state,
            "statuses": [s.to_json(fake.site, with_creator=False) for s in chunk],
            "sha": ref,
            "total_count": len(latest),
            "repository": repo.to_json(fake.site),
            "commit_url": f"{api}/commits/{ref}",
            "url": f"{api}/commits/{ref}/status",
        },
        headers,
    )


def _check_run(fake: FakeGitHub, call: Call) -> CheckRun:
    run = fake.check_runs.get(call.params["check_run_id"])
    if run is None or run.repo is not fake.repo_of(call.params):
        raise ApiError(404, "Not Found")
    return run


def _check_run_json(fake: FakeGitHub, run: CheckRun) -> dict[str, Any]:
    pulls = [
        p.minimal_json(fake.site)
        for p in fake.pulls.values()
        if p.repo is run.repo and p.head_sha == run.head_sha and p.state == "open"
    ]
    return run.to_json(fake.site, _app(fake), pulls)


def _apply_check_run(run: CheckRun, body: Mapping[str, Any]) -> None:
    """Create or update a check run; a conclusion completes it, and completing it needs one."""
    conclusion = body.get("conclusion", run.conclusion)
    status = "completed" if "conclusion" in body else body.get("status", run.status)
    if conclusion is None and (status == "completed" or "completed_at" in body):
        raise Violated(
            "contract",
            "a completed check run needs a conclusion",
            ApiError(422, 'Invalid request.\n\n"conclusion" wasn\'t supplied.'),
        )
    for name in ("name", "details_url", "external_id"):
        if name in body:
            setattr(run, name, body[name])
    for name in ("started_at", "completed_at"):
        if name in body:
            setattr(run, name, datetime.fromisoformat(body[name].replace("Z", "+00:00")))
    run.status, run.conclusion = status, conclusion
    if status == "completed" and run.completed_at is None:
        run.completed_at = now()
    if status != "queued" and run.started_at is None:
        run.started_at = now()
    output = body.get("output") or {}
    for name in ("title", "summary", "text"):
        if name in output:
            setattr(run, name, output[name])
    run.annotations += output.get("annotations", [])  # further calls append, as on GitHub


@handles("checks/create")
def create_check_run(fake: FakeGitHub, call: Call) -> Reply:
    run = CheckRun(
        fake.next_id(),
        fake.repo_of(call.params),
        call.body["name"],
        call.body["head_sha"],
        check_suite_id=fake.next_id(),
    )
    _apply_check_run(run, call.body)
    fake.check_runs[run.id] = run
    return Reply(201, _check_run_json(fake, run))


@handles("checks/get")
def get_check_run(fake: FakeGitHub, call: Call) -> Reply:
    return Reply(200, _check_run_json(fake, _check_run(fake, call)))


@handles("checks/update")
def update_check_run(fake: FakeGitHub, call: Call) -> Reply:
    run = _check_run(fake, call)
    _apply_check_run(run, call.body)
    return Reply(200, _check_run_json(fake, run))


@handles("checks/list-for-ref")
def list_check_runs_for_ref(fake: FakeGitHub, call: Call) -> Reply:
    """Newest first. ``ref`` is matched against head SHAs only (the fake has no branches or tags);
    ``filter=latest`` (the default) keeps the newest run of each name in each check suite."""
    repo = fake.repo_of(call.params)
    runs = sorted(
        (r for r in fake.check_runs.values() if r.repo is repo and r.head_sha == call.params["ref"]),
        key=lambda r: -r.id,
    )
    if "check_name" in call.query:
        runs = [r for r in runs if r.name == call.query["check_name"]]
    if "status" in call.query:
        runs = [r for r in runs if r.status == call.query["status"]]
    if "app_id" in call.query and call.query["app_id"] != _app(fake)["id"]:
        runs = []  # every check run of the fake is the Actions app's
    if call.query.get("filter", "latest") == "latest":
        newest: dict[tuple[int, str], CheckRun] = {}
        for run in runs:
            newest.setdefault((run.check_suite_id, run.name), run)
        runs = [r for r in runs if newest[(r.check_suite_id, r.name)] is r]
    chunk, headers = _page(call, runs)
    return Reply(
        200, {"total_count": len(runs), "check_runs": [_check_run_json(fake, r) for r in chunk]}, headers
    )


@handles("checks/list-annotations")
def list_annotations(fake: FakeGitHub, call: Call) -> Reply:
    run = _check_run(fake, call)
    chunk, headers = _page(call, run.annotations)
    return Reply(200, [run.annotation_json(fake.site, a) for a in chunk], headers)


def _artifact_page(fake: FakeGitHub, call: Call, artifacts: list[Artifact]) -> Reply:
    if "name" in call.query:
        artifacts = [a for a in artifacts if a.name == call.query["name"]]
    artifacts.sort(key=lambda a: (a.created_at, a.id), reverse=call.query.get("direction", "desc") == "desc")
    chunk, headers = _page(call, artifacts)
    return Reply(
        200, {"total_count": len(artifacts), "artifacts": [a.to_json(fake.site) for a in chunk]}, headers
    )


@handles("actions/list-artifacts-for-repo")
def list_artifacts(fake: FakeGitHub, call: Call) -> Reply:
    repo = fake.repo_of(call.params)
    return _artifact_page(fake, call, [a for a in fake.artifacts.values() if a.repo is repo])


@handles("actions/list-workflow-run-artifacts")
def list_run_artifacts(fake: FakeGitHub, call: Call) -> Reply:
    repo, run_id = fake.repo_of(call.params), call.params["run_id"]
    return _artifact_page(
        fake, call, [a for a in fake.artifacts.values() if a.repo is repo and a.run.id == run_id]
    )


def _artifact(fake: FakeGitHub, call: Call) -> Artifact:
    artifact = fake.artifacts.get(call.params["artifact_id"])
    if artifact is None or artifact.repo is not fake.repo_of(call.params):
        raise ApiError(404, "Not Found")
    return artifact


@handles("actions/get-artifact")
def get_artifact(fake: FakeGitHub, call: Call) -> Reply:
    return Reply(200, _artifact(fake, call).to_json(fake.site))


@handles("actions/delete-artifact")
def delete_artifact(fake: FakeGitHub, call: Call) -> Reply:
    del fake.artifacts[_artifact(fake, call).id]
    return Reply(204)


@handles("actions/download-artifact")
def download_artifact(fake: FakeGitHub, call: Call) -> Reply:
    artifact = _artifact(fake, call)
    if call.params["archive_format"] != "zip":
        raise Violated("contract", "archive_format must be zip", ApiError(404, "Not Found"))
    if artifact.expired:
        raise ApiError(410, "Artifact has expired")
    key = uuid.uuid4().hex
    fake.blobs[key] = (artifact.id, now() + BLOB_TTL)
    location = f"http://{fake.blob_host}:{fake.port}/_blob/{key}?sv=2024-08-04&se=1m&sig={key[:16]}"
    return Reply(302, None, {"Location": location})


@handles("actions/get-workflow-run")
def get_workflow_run(fake: FakeGitHub, call: Call) -> Reply:
    run = fake.workflow_runs.get(call.params["run_id"])
    if run is None or run.repo is not fake.repo_of(call.params):
        raise ApiError(404, "Not Found")
    pulls = [
        p.minimal_json(fake.site)
        for p in fake.pulls.values()
        if p.repo is run.repo and p.head_sha == run.head_sha
    ]
    return Reply(200, run.to_json(fake.site, pulls))


@handles("rate-limit/get")
def rate_limit(fake: FakeGitHub, call: Call) -> Reply:
    token = call.token
    reset = int(time.time()) // 3600 * 3600 + 3600
    core = {
        "limit": token.limit,
        "remaining": max(token.limit - token.used, 0),
        "reset": reset,
        "used": token.used,
        "resource": "core",
    }
    fresh = {"limit": 30, "remaining": 30, "reset": reset, "used": 0}
    return Reply(
        200,
        {
            "resources": {
                "core": core,
                "search": {**fresh, "resource": "search"},
                "graphql": {**fresh, "limit": 5000, "remaining": 5000},
            },
            "rate": core,
        },
    )


@handles("code-scanning/upload-sarif")
def upload_sarif(fake: FakeGitHub, call: Call) -> Reply:
    repo, body = fake.repo_of(call.params), call.body
    try:
        packed = base64.b64decode(body["sarif"], validate=True)
        sarif = json.loads(gzip.decompress(packed))
    except ValueError as error:  # binascii.Error, gzip.BadGzipFile and JSON errors are ValueErrors
        raise Violated(
            "contract",
            f"sarif is not base64 of gzipped JSON: {error}",
            ApiError(400, "Invalid SARIF: " + str(error)),
        ) from None
    except EOFError as error:
        raise Violated(
            "contract", "sarif is truncated gzip", ApiError(400, f"Invalid SARIF: {error}")
        ) from None
    if len(packed) > SARIF_LIMIT:
        raise Violated(
            "limit",
            f"the gzipped SARIF is {len(packed)} bytes, over 10 MB",
            ApiError(413, "Payload Too Large"),
        )
    upload = SarifUpload(
        uuid.uuid4().hex,
        repo,
        body["commit_sha"],
        body["ref"],
        sarif,
        body.get("tool_name"),
        body.get("checkout_uri"),
    )
    fake.sarif_uploads.append(upload)
    return Reply(202, {"id": upload.id, "url": f"{repo.api_url(fake.site)}/code-scanning/sarifs/{upload.id}"})


@handles("repos/get-content")
def get_content(fake: FakeGitHub, call: Call) -> Reply:
    repo, path = fake.repo_of(call.params), call.params["path"].strip("/")
    ref = call.query.get("ref", repo.default_branch)
    if path in repo.files:
        if ".raw" in call.headers.get("accept", ""):
            return Reply(200, repo.files[path], content_type="application/vnd.github.raw; charset=utf-8")
        return Reply(200, content_json(fake.site, repo, path, ref, repo.files[path]))
    prefix = f"{path}/" if path else ""
    children = sorted(
        {name.removeprefix(prefix).split("/")[0] for name in repo.files if name.startswith(prefix)}
    )
    if not children:
        raise ApiError(404, "Not Found")
    entries = [
        content_json(fake.site, repo, prefix + child, ref, repo.files.get(prefix + child))
        for child in children
    ]
    for entry in entries:  # listings name the files without their content
        entry.pop("content", None)
        entry.pop("encoding", None)
    return Reply(200, entries)
