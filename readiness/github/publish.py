"""Publishing a scan to GitHub: the sticky PR comment, the check run, the commit status.

Each publisher returns what it did or raises PublishError with a one-line reason; the caller
logs it and falls back to the job summary and annotations. A publishing failure never changes
the verdict and never loses the report.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from github import GithubException
from github.GithubObject import NotSet
from github.Repository import Repository

from readiness.github.client import API_ERRORS, with_retries
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
    pass


def explain(error: Exception, what: str, permission: str) -> PublishError:
    """A GitHub error as one line a user can act on."""
    if not isinstance(error, GithubException):
        return PublishError(
            f"cannot {what}: GitHub could not be reached ({type(error).__name__}: {error})"[:500]
        )
    message = error.data.get("message") if isinstance(error.data, dict) else str(error.data)
    if error.status == 403 and "not accessible by integration" in str(message):
        return PublishError(
            f"cannot {what}: the token lacks '{permission}' (pull requests from forks always get a "
            "read-only token; see the README's workflow_run pattern)"
        )
    if error.status in (401, 403, 404):
        return PublishError(f"cannot {what}: GitHub answered {error.status} {message} (needs '{permission}')")
    return PublishError(f"cannot {what}: GitHub answered {error.status} {message}")


MARKER_PREFIX = "<!-- readiness:scorecard "
LEGACY_MARKER = MARKER_PREFIX + "project="  # earlier versions keyed it on the config's project name


def marker(path: str) -> str:
    """The hidden tag our comment is found by. Keyed on the Action's ``path`` input (the scanned
    directory relative to the workspace, normalised lexically, "." by default), which the workflow
    sets, and never on anything in the scanned tree: a pull request that renames its project or
    replaces the directory with a symlink still finds, and edits, the comment it is judged by."""
    normal = posixpath.normpath(path.strip().replace("\\", "/") or ".")  # "./svc/" -> "svc"
    return f"{MARKER_PREFIX}path={quote(normal, safe='/._~')} -->"


def upsert_comment(repo: Repository, pr_number: int, body: str, path: str, mode: str) -> str:
    """Edit our earlier comment (found by its marker across all pages) or create one; return its URL.

    Only comments written by a bot are ours. One with this ``path``'s marker is edited; failing
    that, the newest with an old-style marker (keyed on the project name, from earlier versions)
    is taken over, so upgrading, or renaming the project, leaves no stale verdict behind."""
    tag = marker(path)
    if tag not in body:
        body = f"{tag}\n{body}"
    if len(body) > COMMENT_LIMIT:
        raise ValueError("comment body over GitHub's limit: render it with a budget")

    def attempt() -> str:
        # Looked up on every attempt: a create that failed with a 5xx may have been applied.
        issue = repo.get_issue(pr_number)
        if mode == "update":
            bots = [c for c in issue.get_comments() if c.user.type == "Bot"]
            # Ours start with the marker; another bot's comment merely quoting it is not ours.
            ours = [c for c in bots if (c.body or "").startswith(tag)]
            ours = ours or [c for c in bots if (c.body or "").startswith(LEGACY_MARKER)]
            if ours:
                ours[-1].edit(body)
                return str(ours[-1].html_url)
        return str(issue.create_comment(body).html_url)

    try:
        return with_retries(attempt)
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
) -> str:
    """Create the completed check run; annotations go 50 per request (later PATCHes append)."""

    def payload(batch: list[dict[str, str | int]]) -> dict[str, str | list[dict[str, str | int]]]:
        return {
            "title": output.title[:255],
            # Cut at a line, never inside a code span or an escape (readiness.render.inert.cut_lines).
            "summary": inert.cut_lines(output.summary, CHECK_TEXT_LIMIT, _CUT),
            "text": inert.cut_lines(output.text, CHECK_TEXT_LIMIT, _CUT),
            "annotations": batch,
        }

    batches = [
        notes[i : i + ANNOTATIONS_PER_REQUEST] for i in range(0, len(notes), ANNOTATIONS_PER_REQUEST)
    ] or [[]]
    try:
        run = with_retries(
            lambda: repo.create_check_run(
                name=CHECK_NAME,
                head_sha=sha,
                status="completed",
                conclusion=output.conclusion,
                output=payload(batches[0]),
                details_url=details_url or NotSet,
            )
        )
        for batch in batches[1:]:
            run.edit(output=payload(batch))
        return str(run.html_url)
    except API_ERRORS as error:
        raise explain(error, "create the check run", "checks: write") from None


def commit_status(repo: Repository, sha: str, state: str, description: str, target_url: str | None) -> None:
    if len(description) > STATUS_DESCRIPTION_LIMIT:
        description = description[: STATUS_DESCRIPTION_LIMIT - 1] + "…"
    try:
        with_retries(
            lambda: repo.get_commit(sha).create_status(
                state=state, description=description, context=CHECK_NAME, target_url=target_url or NotSet
            )
        )
    except API_ERRORS as error:
        raise explain(error, "set the commit status", "statuses: write") from None
