"""Publishing a scan to GitHub: the sticky PR comment, the check run, the commit status.

Each publisher returns what it did or raises PublishError with a one-line reason; the caller
logs it and falls back to the job summary and annotations. A publishing failure never changes
the verdict and never loses the report.

Each write is made at most once however GitHub fails: a retry after an answer that may hide an
applied write (a 5xx, a timeout) first looks for what that write made. The comment is found by
its marker, the check run by name, head SHA and an external id naming this one creation, and
annotations already appended by their count (readiness.github.client.create_once).
"""

from __future__ import annotations

import posixpath
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from github import GithubException
from github.CheckRun import CheckRun
from github.GithubObject import NotSet
from github.IssueComment import IssueComment
from github.Repository import Repository

from readiness.github.client import (
    API_ERRORS,
    RUN_WAIT,
    RetriesExhausted,
    WaitBudget,
    create_once,
    with_retries,
)
from readiness.model import Finding, Severity
from readiness.render import inert

COMMENT_LIMIT = 65_536
CHECK_TEXT_LIMIT = 65_535
STATUS_DESCRIPTION_LIMIT = 140
ANNOTATIONS_PER_REQUEST = 50
CHECK_NAME = "production-readiness"

_CUT = "… (cut to GitHub's size limit; the job summary and the report have everything)"
_ANNOTATION_LEVEL = {Severity.BLOCKER: "failure", Severity.RISK: "warning", Severity.RECOMMENDATION: "notice"}


class PublishError(Exception):
    """A write GitHub did not take. ``attempts`` is how many times it was tried when retries ran
    out (None when the first answer was final); ``cause`` says why in a few words."""

    def __init__(self, message: str, *, attempts: int | None = None, cause: str = "") -> None:
        super().__init__(message)
        self.attempts = attempts
        self.cause = cause or message


def explain(error: Exception, what: str, permission: str) -> PublishError:
    """A GitHub error as one line a user can act on."""
    if isinstance(error, RetriesExhausted):
        last = explain(error.last, what, permission)
        cause = "rate limited" if error.rate_limited else last.cause
        if error.budget_spent:
            cause += f"; the run's {RUN_WAIT / 60:.0f} minutes of waiting for GitHub are spent"
        return PublishError(
            f"{last} (gave up after {error.attempts} attempts)", attempts=error.attempts, cause=cause
        )
    if not isinstance(error, GithubException):
        return PublishError(
            f"cannot {what}: GitHub could not be reached ({type(error).__name__}: {error})"[:500],
            cause="GitHub could not be reached",
        )
    message = error.data.get("message") if isinstance(error.data, dict) else str(error.data)
    if error.status == 403 and "not accessible by integration" in str(message):
        return PublishError(
            f"cannot {what}: the token lacks '{permission}' (pull requests from forks always get a "
            "read-only token; see the README's workflow_run pattern)",
            cause=f"the token lacks '{permission}'",
        )
    cause = f"GitHub answered {error.status}"
    if error.status in (401, 403, 404):
        return PublishError(f"cannot {what}: {cause} {message} (needs '{permission}')", cause=cause)
    return PublishError(f"cannot {what}: {cause} {message}", cause=cause)


MARKER_PREFIX = "<!-- readiness:scorecard "
LEGACY_MARKER = MARKER_PREFIX + "project="  # earlier versions keyed it on the config's project name


def marker(path: str) -> str:
    """The hidden tag our comment is found by. Keyed on the Action's ``path`` input (the scanned
    directory relative to the workspace, normalised lexically, "." by default), which the workflow
    sets, and never on anything in the scanned tree: a pull request that renames its project or
    replaces the directory with a symlink still finds, and edits, the comment it is judged by."""
    normal = posixpath.normpath(path.strip().replace("\\", "/") or ".")  # "./svc/" -> "svc"
    return f"{MARKER_PREFIX}path={quote(normal, safe='/._~')} -->"


def upsert_comment(
    repo: Repository, pr_number: int, body: str, path: str, mode: str, *, budget: WaitBudget | None = None
) -> str:
    """Edit our earlier comment (found by its marker across all pages) or create one; return its URL.

    Only comments written by a bot are ours. One with this ``path``'s marker is edited; failing
    that, the newest with an old-style marker (keyed on the project name, from earlier versions)
    is taken over, so upgrading, or renaming the project, leaves no stale verdict behind.

    ``mode`` "new" posts a comment of its own each run; a retry after a create that may have been
    applied adopts the comment with this very body that was not there before, instead of posting
    it twice."""
    tag = marker(path)
    if tag not in body:
        body = f"{tag}\n{body}"
    if len(body) > COMMENT_LIMIT:
        raise ValueError("comment body over GitHub's limit: render it with a budget")

    def bots() -> list[IssueComment]:
        return [c for c in repo.get_issue(pr_number).get_comments() if c.user.type == "Bot"]

    def create() -> str:
        return str(repo.get_issue(pr_number).create_comment(body).html_url)

    def update() -> str:
        # Looked up on every attempt: a create that failed with a 5xx may have been applied.
        listed = bots()
        # Ours start with the marker; another bot's comment merely quoting it is not ours.
        ours = [c for c in listed if (c.body or "").startswith(tag)]
        ours = ours or [c for c in listed if (c.body or "").startswith(LEGACY_MARKER)]
        if ours:
            ours[-1].edit(body)
            return str(ours[-1].html_url)
        return create()

    def posted(before: set[int]) -> str | None:
        found = [c for c in bots() if c.id not in before and c.body == body]
        return str(found[-1].html_url) if found else None

    try:
        if mode == "update":
            return with_retries(update, budget=budget)
        before = with_retries(lambda: {c.id for c in bots() if (c.body or "").startswith(tag)}, budget=budget)
        return create_once(create, lambda: posted(before), budget=budget)
    except API_ERRORS as error:
        raise explain(error, "post the PR comment", "pull-requests: write") from None


@dataclass(frozen=True)
class CheckOutput:
    conclusion: str  # success | failure | neutral
    title: str
    summary: str
    text: str


def annotations_for(findings: Sequence[Finding], prefix: str) -> list[dict[str, str | int]]:
    """Check-run annotations, one per located piece of evidence. GitHub shows the message and title
    as plain text; the message is the repository's, so it is one line with no control characters
    and bounded (readiness.render.inert.plain). The path stays exact: it must name the file."""
    items: list[dict[str, str | int]] = []
    for finding in sorted(findings, key=lambda f: -f.severity.rank):
        if finding.waived:
            continue
        for evidence in finding.evidence:
            if evidence.path is None:
                continue
            line = evidence.line or 1
            items.append(
                {
                    "path": prefix + evidence.path,
                    "start_line": line,
                    "end_line": line,
                    "annotation_level": _ANNOTATION_LEVEL[finding.severity],
                    "title": inert.plain(f"{finding.title} ({finding.check_id})", 255),
                    "message": inert.plain(finding.message),
                }
            )
    return items


def check_run(
    repo: Repository,
    sha: str,
    output: CheckOutput,
    notes: list[dict[str, str | int]],
    details_url: str | None,
    *,
    budget: WaitBudget | None = None,
) -> str:
    """Create the completed check run; annotations go 50 per request (later PATCHes append).

    Exactly one check run comes of it. The POST carries an external id made for this call alone:
    a retry after an answer that may hide an applied POST lists the commit's check runs by name
    and takes the one with that id (another job's run of the same name on the same commit is
    never touched), bringing it to the final state, instead of creating a second. An appending
    PATCH that may have been applied is checked against the run's annotation count before it is
    sent again."""

    def payload(batch: list[dict[str, str | int]] | None) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "title": output.title[:255],
            # Cut at a line, never inside a code span or an escape (readiness.render.inert.cut_lines).
            "summary": inert.cut_lines(output.summary, CHECK_TEXT_LIMIT, _CUT),
            "text": inert.cut_lines(output.text, CHECK_TEXT_LIMIT, _CUT),
        }
        if batch is not None:
            fields["annotations"] = batch
        return fields

    batches = [
        notes[i : i + ANNOTATIONS_PER_REQUEST] for i in range(0, len(notes), ANNOTATIONS_PER_REQUEST)
    ] or [[]]
    external_id = f"readiness-{uuid.uuid4().hex}"
    details = details_url or NotSet

    def create() -> CheckRun:
        return repo.create_check_run(
            name=CHECK_NAME,
            head_sha=sha,
            external_id=external_id,
            status="completed",
            conclusion=output.conclusion,
            output=payload(batches[0]),
            details_url=details,
        )

    def find() -> CheckRun | None:
        runs = repo.get_commit(sha).get_check_runs(check_name=CHECK_NAME, filter="all")
        run = next((r for r in runs if r.external_id == external_id), None)
        if run is not None:  # our POST went through: make sure it says what it should, annotations aside
            run.edit(
                status="completed", conclusion=output.conclusion, output=payload(None), details_url=details
            )
        return run

    try:
        run = create_once(create, find, budget=budget)
        sent = len(batches[0])
        for batch in batches[1:]:
            _append(repo, run, payload(batch), sent + len(batch), budget)
            sent += len(batch)
        return str(run.html_url)
    except API_ERRORS as error:
        raise explain(error, "create the check run", "checks: write") from None


def _append(
    repo: Repository, run: CheckRun, fields: dict[str, Any], total: int, budget: WaitBudget | None
) -> None:
    """PATCH a batch of annotations onto ``run``, which then holds ``total``: GitHub appends them, so
    after a failure that may have been applied the count says whether to send them again."""

    def send() -> CheckRun:
        run.edit(output=fields)
        return run

    def landed() -> CheckRun | None:
        return run if repo.get_check_run(run.id).output.annotations_count >= total else None

    create_once(send, landed, budget=budget)


def commit_status(
    repo: Repository,
    sha: str,
    state: str,
    description: str,
    target_url: str | None,
    *,
    budget: WaitBudget | None = None,
) -> None:
    """Set our commit status. Repeating it is harmless: GitHub shows the newest status of each
    context, and a repeated one says the same."""
    if len(description) > STATUS_DESCRIPTION_LIMIT:
        description = description[: STATUS_DESCRIPTION_LIMIT - 1] + "…"
    try:
        with_retries(
            lambda: repo.get_commit(sha).create_status(
                state=state, description=description, context=CHECK_NAME, target_url=target_url or NotSet
            ),
            budget=budget,
        )
    except API_ERRORS as error:
        raise explain(error, "set the commit status", "statuses: write") from None
