"""The fake GitHub REST API of the test suite: import it from here, start it with the fixtures.

Start: the ``fake_github`` fixture (tests/github/conftest.py) yields a started ``FakeGitHub``;
``fake_github.url`` is the API base URL (GITHUB_API_URL) and ``fake_github.client()`` a PyGithub
client on it (no retries, no pauses between requests). ``fake_ghes`` serves under ``/api/v3`` like
GitHub Enterprise Server. Outside pytest: ``with FakeGitHub() as fake: ...``.

Seed: ``fake.repo`` is octo-org/hello-world; ``add_repo``, ``add_user``, ``add_token(token,
login=..., read_only=True)`` (a fork's token: every write gets 403), ``add_pull``, ``add_comment``,
``add_workflow_run``, ``add_artifact(name, zip_bytes, head_branch=..., head_repo=..., ...)``,
``add_file``. Any other token is github-actions[bot] with write access (``accept_any_token``).

Faults: ``fail(status, times=N, route="issues/create-comment", retry_after=...)`` answers N times
with 403 (secondary rate limit; ``primary=True`` for the primary one), 422, 429, 500, 502 or 503 and
then lets requests through; ``applied=True`` carries the request out first (a write that happened
though the client saw a 502); ``slow(seconds, ...)`` delays answers, and ``slow(..., applied=True)``
carries the request out before the delay (a write whose answer the client timed out on). A route is
an operationId or "METHOD /template" of the spec, or None for all.

Read: ``fake.requests`` (method, path, query, headers, body, operation_id, status of every request),
``fake.calls(operation_id)``, ``comments(n)``, ``statuses(sha)``, ``check_runs``, ``artifacts``,
``sarif_uploads``, ``blob_downloads`` (with the Authorization header each download carried).

PyGithub: build clients with ``lazy=True`` (or ``fake.client(lazy=True)``): eager ``get_issue`` and
``get_commit`` fetch GET /issues/{n} and GET /commits/{sha}, which are not in the contract, and
``Commit.get_statuses`` lists GET /statuses/{sha} (the contract has /commits/{ref}/statuses).

Contract: the shared openapi-subset.json (without ../shared, tests/data/github's trimmed copy) plus
fake/contract_supplement.json, operations the subset lacks (GET
/repos/{owner}/{repo}/commits/{ref}/check-runs) copied unchanged from the same release of
@octokit/openapi (MIT; its ``_provenance`` key says which file and why).

Violations: ``fake.violations`` lists every request GitHub would refuse (kinds: contract,
unknown-endpoint, auth, limit, token-leak, unimplemented, fake-response); the fixture fails the test
at teardown when any is left. A test that provokes one on purpose calls ``fake.take_violations()``.
"""

from tests.github.fake import (
    BOT_LOGIN,
    Artifact,
    BlobDownload,
    CheckRun,
    Comment,
    Contract,
    FakeGitHub,
    Fault,
    Pull,
    RecordedRequest,
    Repo,
    SarifUpload,
    Status,
    Token,
    User,
    Violation,
    WorkflowRun,
)

__all__ = [
    "BOT_LOGIN",
    "Artifact",
    "BlobDownload",
    "CheckRun",
    "Comment",
    "Contract",
    "FakeGitHub",
    "Fault",
    "Pull",
    "RecordedRequest",
    "Repo",
    "SarifUpload",
    "Status",
    "Token",
    "User",
    "Violation",
    "WorkflowRun",
]
