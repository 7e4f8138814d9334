"""The fake GitHub itself, driven by PyGithub 2.x as the action drives it, and by plain HTTP."""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import github
import pytest
from github.GithubRetry import GithubRetry

from tests.github.fake.handlers import HANDLERS
from tests.github.fake_github import BOT_LOGIN, FakeGitHub

ROOT = Path(__file__).resolve().parents[2]
SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"


def call(
    fake: FakeGitHub,
    method: str,
    path: str,
    body: Any = None,
    token: str | None = "t",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    """A raw request to the fake: (status, headers, decoded JSON body or bytes)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(fake.url + path, data=data, method=method, headers=headers or {})
    if token is not None:
        request.add_unredirected_header("Authorization", f"token {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, answer, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, answer, raw = error.code, dict(error.headers), error.read()
    is_json = answer.get("Content-Type", "").startswith("application/json")
    return status, answer, json.loads(raw) if is_json and raw else raw


def zipped(**files: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


# -- issue comments ---------------------------------------------------------------------------------


def test_comments_are_created_listed_across_pages_edited_and_deleted(fake_github: FakeGitHub) -> None:
    fake_github.add_pull(7, head_sha=SHA)
    fake_github.add_comment(7, "LGTM", user="octocat")
    fake_github.add_comment(7, "<!-- other-bot --> report", user="other[bot]")
    repo = fake_github.client(per_page=2).get_repo("octo-org/hello-world")
    pull = repo.get_pull(7)

    created = [pull.create_issue_comment(f"<!-- readiness:{i} --> report {i}") for i in range(3)]
    listed = list(pull.get_issue_comments())
    assert [c.body for c in listed] == ["LGTM", "<!-- other-bot --> report", *(c.body for c in created)]
    ours = [c for c in listed if c.user.login == BOT_LOGIN and "<!-- readiness:1 -->" in c.body]
    ours[0].edit("<!-- readiness:1 --> updated")
    created[2].delete()

    assert [c.body for c in fake_github.comments(7)] == [
        "LGTM",
        "<!-- other-bot --> report",
        "<!-- readiness:0 --> report 0",
        "<!-- readiness:1 --> updated",
    ]
    assert created[0].user.type == "Bot"
    assert created[0].html_url.startswith("https://github.com/octo-org/hello-world/pull/7#issuecomment-")
    pages = fake_github.calls("issues/list-comments")
    assert [(r.path, r.query) for r in pages] == [
        ("/repos/octo-org/hello-world/issues/7/comments", {"per_page": "2"}),
        ("/repositories/1296269/issues/7/comments", {"per_page": "2", "page": "2"}),
        ("/repositories/1296269/issues/7/comments", {"per_page": "2", "page": "3"}),
    ]


def test_link_headers_are_written_like_githubs(fake_github: FakeGitHub) -> None:
    for i in range(7):
        fake_github.add_comment(3, f"comment {i}")
    base = f"{fake_github.url}/repositories/{fake_github.repo.id}/issues/3/comments?per_page=3"
    links = {}
    for page in (1, 2, 3):
        status, headers, body = call(
            fake_github, "GET", f"/repos/octo-org/hello-world/issues/3/comments?per_page=3&page={page}"
        )
        assert status == 200
        links[page] = headers["Link"]
        assert len(body) == (3 if page < 3 else 1)
    # The order of the relations in the recorded paginate-issues exchange with api.github.com.
    assert links[1] == f'<{base}&page=2>; rel="next", <{base}&page=3>; rel="last"'
    assert links[2] == (
        f'<{base}&page=1>; rel="prev", <{base}&page=3>; rel="next", '
        f'<{base}&page=3>; rel="last", <{base}&page=1>; rel="first"'
    )
    assert links[3] == f'<{base}&page=2>; rel="prev", <{base}&page=1>; rel="first"'
    _, headers, _ = call(fake_github, "GET", "/repos/octo-org/hello-world/issues/3/comments")
    assert "Link" not in headers


def test_a_comment_over_65536_characters_is_refused(fake_github: FakeGitHub) -> None:
    issue = fake_github.client(lazy=True).get_repo("octo-org/hello-world").get_issue(5)
    with pytest.raises(github.GithubException) as refused:
        issue.create_comment("x" * 65537)
    assert refused.value.status == 422
    assert refused.value.data["errors"] == [
        {
            "resource": "IssueComment",
            "code": "custom",
            "field": "body",
            "message": "body is too long (maximum is 65536 characters)",
        }
    ]
    assert [v.kind for v in fake_github.take_violations()] == ["limit"]
    issue.create_comment("x" * 65536)
    assert len(fake_github.comments(5)) == 1


# -- contract violations ----------------------------------------------------------------------------


def test_non_lazy_get_issue_is_outside_the_contract(fake_github: FakeGitHub) -> None:
    """PyGithub 2 fetches the issue (GET /issues/{n}), an endpoint the action must not need."""
    with pytest.raises(github.UnknownObjectException):
        fake_github.client().get_repo("octo-org/hello-world").get_issue(7)
    [violation] = fake_github.take_violations()
    assert violation.kind == "unknown-endpoint"
    assert violation.path == "/repos/octo-org/hello-world/issues/7"


def test_invalid_requests_are_answered_like_github_and_recorded(fake_github: FakeGitHub) -> None:
    status, _, body = call(fake_github, "POST", "/repos/octo-org/hello-world/issues/1/comments", {"body": 5})
    assert status == 422
    assert body["message"].startswith("Invalid request.")
    assert body["documentation_url"] == "https://docs.github.com/rest/issues/comments#create-an-issue-comment"
    assert call(fake_github, "GET", "/repos/octo-org/hello-world/issues/x/comments")[0] == 422
    assert call(fake_github, "GET", "/repos/octo-org/hello-world/issues/1/comments?perpage=5")[0] == 422
    assert call(fake_github, "GET", "/user")[0] == 404
    assert call(fake_github, "PUT", "/repos/octo-org/hello-world/issues/comments/1", {"body": "x"})[0] == 404
    assert call(fake_github, "GET", "/rate_limit", token=None)[0] == 401
    commit = fake_github.client(lazy=True).get_repo("octo-org/hello-world").get_commit(SHA)
    with pytest.raises(github.GithubException) as refused:
        commit.create_status(state="passed")
    assert refused.value.status == 422

    violations = fake_github.take_violations()
    assert [v.kind for v in violations] == [
        "contract",
        "contract",
        "contract",
        "unknown-endpoint",
        "unknown-endpoint",
        "auth",
        "contract",
    ]
    assert "body/body: 5 is not of type 'string'" in violations[0].message
    assert "'perpage' is not defined" in violations[2].message
    assert "'passed' is not one of" in violations[-1].message


def test_the_fixture_fails_a_test_whose_violations_were_swallowed(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text("from tests.github.conftest import fake_github  # noqa: F401\n")
    (tmp_path / "test_swallow.py").write_text(
        "import urllib.error, urllib.request\n\n"
        "def test_swallows(fake_github):\n"
        "    try:\n"
        "        urllib.request.urlopen(fake_github.url + '/nowhere')\n"
        "    except urllib.error.HTTPError:\n"
        "        pass\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert "1 passed, 1 error" in result.stdout, result.stdout + result.stderr
    assert "[unknown-endpoint] GET /nowhere" in result.stdout


# -- commit statuses --------------------------------------------------------------------------------


def test_statuses_and_the_combined_status(fake_github: FakeGitHub) -> None:
    commit = fake_github.client(lazy=True).get_repo("octo-org/hello-world").get_commit(SHA)
    commit.create_status("pending", description="Assessing", context="readiness")
    commit.create_status("failure", "https://example.com/run/1", "No-Go: 2 blockers", "readiness")
    commit.create_status("success", description="ok", context="ci/tests")

    combined = commit.get_combined_status()
    assert combined.state == "failure"
    assert {s.context: s.state for s in combined.statuses} == {"readiness": "failure", "ci/tests": "success"}
    _, _, listed = call(fake_github, "GET", f"/repos/octo-org/hello-world/commits/{SHA}/statuses")
    assert [s["state"] for s in listed] == ["success", "failure", "pending"]
    with pytest.raises(
        github.UnknownObjectException
    ):  # PyGithub lists GET /statuses/{sha}: not in the contract
        list(commit.get_statuses())
    assert [v.kind for v in fake_github.take_violations()] == ["unknown-endpoint"]
    assert [s.creator.login for s in fake_github.statuses(SHA)] == [BOT_LOGIN] * 3

    with pytest.raises(github.GithubException) as refused:
        commit.create_status("failure", description="x" * 141, context="readiness")
    assert refused.value.data["errors"][0]["message"] == "description is too long (maximum is 140 characters)"
    assert [v.kind for v in fake_github.take_violations()] == ["limit"]


# -- check runs -------------------------------------------------------------------------------------


def findings(count: int, start: int = 1) -> list[dict[str, Any]]:
    return [
        {
            "path": "app.py",
            "start_line": n,
            "end_line": n,
            "annotation_level": "failure",
            "message": f"finding {n}",
        }
        for n in range(start, start + count)
    ]


def test_check_runs_are_created_and_edited_and_annotations_append(fake_github: FakeGitHub) -> None:
    fake_github.add_pull(9, head_sha=SHA)
    repo = fake_github.client().get_repo("octo-org/hello-world")
    output: dict[str, Any] = {"title": "Assessing", "summary": "...", "annotations": findings(50)}
    run = repo.create_check_run("readiness", SHA, status="in_progress", output=output)
    run.edit(output={"title": "No-Go", "summary": "2 blockers", "annotations": findings(30, 51)})
    run.edit(conclusion="failure")

    again = repo.get_check_run(run.id)
    assert (again.status, again.conclusion) == ("completed", "failure")
    assert again.output.title == "No-Go" and again.output.annotations_count == 80
    assert again.completed_at is not None and again.started_at is not None
    assert [p.number for p in again.pull_requests] == [9]
    listed = list(again.get_annotations())
    assert [a.start_line for a in listed] == list(range(1, 81))
    assert listed[0].blob_href == f"https://github.com/octo-org/hello-world/blob/{SHA}/app.py"
    assert fake_github.check_runs[run.id].annotations[-1]["message"] == "finding 80"


def test_check_runs_are_listed_for_a_ref_by_name_newest_first(fake_github: FakeGitHub) -> None:
    """GET /commits/{ref}/check-runs comes from contract_supplement.json, not the shared subset."""
    repo = fake_github.client(lazy=True).get_repo("octo-org/hello-world")
    first = repo.create_check_run("readiness", SHA, external_id="job-1", status="in_progress")
    second = repo.create_check_run("readiness", SHA, external_id="job-2", conclusion="success")
    repo.create_check_run("lint", SHA, conclusion="success")
    repo.create_check_run("readiness", "f" * 40, conclusion="failure")

    runs = list(repo.get_commit(SHA).get_check_runs(check_name="readiness", filter="all"))
    assert [(r.id, r.external_id) for r in runs] == [(second.id, "job-2"), (first.id, "job-1")]
    completed = repo.get_commit(SHA).get_check_runs(check_name="readiness", status="completed")
    assert [r.id for r in completed] == [second.id]
    assert repo.get_commit(SHA).get_check_runs().totalCount == 3
    (listed,) = fake_github.calls("checks/list-for-ref")[:1]
    assert listed.query == {"check_name": "readiness", "filter": "all"}
    assert fake_github.contract.operation("checks/list-for-ref").template == (
        "/repos/{owner}/{repo}/commits/{ref}/check-runs"
    )


def test_the_contract_supplement_only_adds_operations_of_the_same_release(tmp_path: Path) -> None:
    from tests.github.fake.contract import SPEC_PATH, SUPPLEMENT_PATH, Contract

    supplement = json.loads(SUPPLEMENT_PATH.read_text())
    assert supplement["_provenance"]["package"] == "@octokit/openapi"
    assert supplement["_provenance"]["version"] == json.loads(SPEC_PATH.read_text())["info"]["version"]
    older = tmp_path / "older.json"
    older.write_text(json.dumps({**supplement, "_provenance": {"version": "22.0.0"}}))
    with pytest.raises(ValueError, match="another release"):
        Contract(supplements=[older])
    clash = tmp_path / "clash.json"
    shared = json.loads(SPEC_PATH.read_text())["paths"]["/repos/{owner}/{repo}/check-runs"]
    clash.write_text(json.dumps({**supplement, "paths": {"/repos/{owner}/{repo}/check-runs": shared}}))
    with pytest.raises(ValueError, match=r"redefines \['/repos/\{owner\}/\{repo\}/check-runs'\]"):
        Contract(supplements=[clash])


def test_check_run_limits_are_the_contracts(fake_github: FakeGitHub) -> None:
    repo = fake_github.client().get_repo("octo-org/hello-world")
    with pytest.raises(github.GithubException) as too_many:
        repo.create_check_run(
            "readiness", SHA, output={"title": "t", "summary": "s", "annotations": findings(51)}
        )
    with pytest.raises(github.GithubException) as too_long:
        repo.create_check_run("readiness", SHA, output={"title": "t", "summary": "s" * 65536})
    with pytest.raises(github.GithubException) as unconcluded:
        repo.create_check_run("readiness", SHA, status="completed")
    assert {too_many.value.status, too_long.value.status, unconcluded.value.status} == {422}
    messages = [v.message for v in fake_github.take_violations()]
    assert messages[0] == "body/output/annotations: a list of 51 is too long"
    assert messages[1] == "body/output/summary: a str of 65536 is too long"
    assert "conclusion" in messages[2]
    assert fake_github.check_runs == {}


# -- artifacts --------------------------------------------------------------------------------------


def test_artifacts_are_listed_newest_first_and_downloaded_through_a_redirect(fake_github: FakeGitHub) -> None:
    fork = fake_github.add_repo("contributor/hello-world", fork=True)
    day = datetime(2026, 8, 1, tzinfo=UTC)
    older = fake_github.add_artifact(
        "readiness-report",
        zipped(**{"report.json": "{}"}),
        created_at=day,
        head_branch="main",
        workflow_id=11,
    )
    newer = fake_github.add_artifact(
        "readiness-report",
        zipped(**{"report.json": '{"go": false}'}),
        created_at=day + timedelta(hours=1),
        head_branch="patch-1",
        head_repo=fork,
        workflow_id=11,
    )
    fake_github.add_artifact("coverage", b"PK\x05\x06" + b"\0" * 18, created_at=day + timedelta(hours=2))
    repo = fake_github.client(per_page=1).get_repo("octo-org/hello-world")

    found = list(repo.get_artifacts(name="readiness-report"))
    assert [a.id for a in found] == [newer.id, older.id]
    assert found[0].workflow_run.head_branch == "patch-1"
    assert found[0].workflow_run.head_repository_id == fork.id != found[0].workflow_run.repository_id
    assert [a.name for a in repo.get_workflow_run(newer.run.id).get_artifacts()] == ["readiness-report"]
    assert repo.get_workflow_run(newer.run.id).head_repository.full_name == "contributor/hello-world"

    # Plain urllib follows the 302; the token goes as an unredirected header, so not to the blob.
    request = urllib.request.Request(found[0].archive_download_url)
    request.add_unredirected_header("Authorization", "Bearer t")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.geturl().startswith(f"http://localhost:{fake_github.port}/_blob/")
        data = response.read()
    assert zipfile.ZipFile(io.BytesIO(data)).read("report.json") == b'{"go": false}'
    assert [(d.artifact_id, d.authorization) for d in fake_github.blob_downloads] == [(newer.id, None)]
    assert fake_github.calls("actions/download-artifact")[0].status == 302


def test_a_token_sent_to_blob_storage_is_a_violation(fake_github: FakeGitHub) -> None:
    artifact = fake_github.add_artifact("readiness-report", zipped(a="b"))
    request = urllib.request.Request(
        f"{fake_github.url}/repos/octo-org/hello-world/actions/artifacts/{artifact.id}/zip",
        headers={"Authorization": "token t"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # urllib re-sends ordinary headers
        response.read()
    assert fake_github.blob_downloads[0].authorization == "token t"
    assert [v.kind for v in fake_github.take_violations()] == ["token-leak"]


def test_expired_and_unknown_artifacts(fake_github: FakeGitHub) -> None:
    artifact = fake_github.add_artifact("old", zipped(a="b"), expired=True)
    status, _, body = call(
        fake_github, "GET", f"/repos/octo-org/hello-world/actions/artifacts/{artifact.id}/zip"
    )
    assert (status, body["message"]) == (410, "Artifact has expired")
    assert call(fake_github, "GET", "/repos/octo-org/hello-world/actions/artifacts/1")[0] == 404
    assert call(fake_github, "GET", "/repos/octo-org/elsewhere/actions/artifacts")[0] == 404


# -- tokens, faults, rate limits ----------------------------------------------------------------------


def test_a_read_only_token_cannot_write(fake_github: FakeGitHub) -> None:
    fake_github.add_token("fork-token", read_only=True)
    client = fake_github.client("fork-token", lazy=True)
    repo = client.get_repo("octo-org/hello-world")
    with pytest.raises(github.GithubException) as refused:
        repo.get_issue(4).create_comment("hello")
    assert refused.value.status == 403
    assert refused.value.data["message"] == "Resource not accessible by integration"
    assert (refused.value.headers or {})[
        "x-accepted-github-permissions"
    ] == "issues=write; pull_requests=write"
    with pytest.raises(github.GithubException):
        repo.get_commit(SHA).create_status("success", context="readiness")
    assert list(repo.get_issue(4).get_comments()) == []  # reads still work
    assert fake_github.comments(4) == [] and fake_github.statuses(SHA) == []


def test_faults_answer_n_times_then_let_requests_through(fake_github: FakeGitHub) -> None:
    fault = fake_github.fail(502, times=2, route="issues/create-comment")
    retry = GithubRetry(total=3, backoff_factor=0.01)
    issue = fake_github.client(retry=retry, lazy=True).get_repo("octo-org/hello-world").get_issue(2)
    issue.create_comment("after two 502s")
    assert fault.hits == 2
    assert [r.status for r in fake_github.calls("issues/create-comment")] == [502, 502, 201]

    fake_github.fail(502, route="issues/create-comment", applied=True)  # the write happened all the same
    with pytest.raises(github.GithubException):
        fake_github.client(lazy=True).get_repo("octo-org/hello-world").get_issue(2).create_comment("once")
    assert [c.body for c in fake_github.comments(2)] == ["after two 502s", "once"]

    fake_github.fail(429, retry_after=7)
    status, headers, body = call(fake_github, "GET", "/repos/octo-org/hello-world")
    assert (status, headers["Retry-After"]) == (429, "7")
    assert body["message"].startswith("You have exceeded a secondary rate limit")

    fake_github.fail(403, route="GET /repos/{owner}/{repo}/commits/{ref}/status")
    commit = fake_github.client(lazy=True).get_repo("octo-org/hello-world").get_commit(SHA)
    with pytest.raises(github.RateLimitExceededException):
        commit.get_combined_status()
    fake_github.fail(403, primary=True, retry_after=30)
    with pytest.raises(github.RateLimitExceededException) as primary:
        commit.get_combined_status()
    assert (primary.value.headers or {})["x-ratelimit-remaining"] == "0"
    assert commit.get_combined_status().state == "pending"

    fake_github.slow(0.3, route="rate-limit/get")
    started = time.monotonic()
    assert fake_github.client().get_rate_limit().resources.core.limit == 5000
    assert time.monotonic() - started >= 0.3
    with pytest.raises(ValueError, match="unknown route"):
        fake_github.fail(500, route="issues/create-commnet")


def test_answers_carry_githubs_headers(fake_github: FakeGitHub) -> None:
    call(fake_github, "GET", "/repos/octo-org/hello-world")
    _, headers, body = call(fake_github, "GET", "/rate_limit")
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["X-RateLimit-Limit"] == "5000" and headers["X-RateLimit-Used"] == "1"
    assert headers["X-RateLimit-Remaining"] == "4999" and headers["X-RateLimit-Resource"] == "core"
    assert int(headers["X-RateLimit-Reset"]) > time.time()
    assert len(headers["X-GitHub-Request-Id"].split(":")) == 5
    assert body["rate"]["remaining"] == 4999


# -- other endpoints ----------------------------------------------------------------------------------


def test_sarif_uploads_are_accepted_and_recorded(fake_github: FakeGitHub) -> None:
    sarif = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "readiness"}}, "results": []}]}
    packed = base64.b64encode(gzip.compress(json.dumps(sarif).encode())).decode()
    client = fake_github.client()
    _, answer = client.requester.requestJsonAndCheck(
        "POST",
        "/repos/octo-org/hello-world/code-scanning/sarifs",
        input={"commit_sha": SHA, "ref": "refs/pull/7/merge", "sarif": packed, "tool_name": "readiness"},
    )
    [upload] = fake_github.sarif_uploads
    assert answer["id"] == upload.id and upload.sarif == sarif and upload.ref == "refs/pull/7/merge"

    status, _, _ = call(
        fake_github,
        "POST",
        "/repos/octo-org/hello-world/code-scanning/sarifs",
        {"commit_sha": SHA, "ref": "main", "sarif": packed},
    )
    assert status == 422  # ref must be a full reference
    status, _, _ = call(
        fake_github,
        "POST",
        "/repos/octo-org/hello-world/code-scanning/sarifs",
        {"commit_sha": SHA, "ref": "refs/heads/main", "sarif": "not gzip"},
    )
    assert status == 400
    assert [v.kind for v in fake_github.take_violations()] == ["contract", "contract"]


def test_contents_pulls_and_repositories(fake_github: FakeGitHub) -> None:
    fake_github.add_file(".readiness.yml", "fail_on: blocker\n")
    fake_github.add_file("docs/runbook.md", "# Runbook\n")
    fork = fake_github.add_repo("contributor/hello-world", fork=True)
    fake_github.add_pull(
        12,
        head_sha=SHA,
        head_repo=fork,
        head_ref="patch-1",
        user="contributor",
        files=[
            {
                "filename": "app.py",
                "status": "modified",
                "additions": 3,
                "deletions": 1,
                "changes": 4,
                "sha": SHA,
            }
        ],
    )
    repo = fake_github.client().get_repo("octo-org/hello-world")

    config = repo.get_contents(".readiness.yml")
    assert not isinstance(config, list) and config.decoded_content == b"fail_on: blocker\n"
    listing = repo.get_contents("")
    assert isinstance(listing, list) and sorted(c.path for c in listing) == [".readiness.yml", "docs"]
    _, _, raw = call(
        fake_github,
        "GET",
        "/repos/octo-org/hello-world/contents/docs/runbook.md",
        headers={"Accept": "application/vnd.github.raw+json"},
    )
    assert raw == b"# Runbook\n"
    pull = repo.get_pull(12)
    assert (pull.head.repo.full_name, pull.head.ref, pull.base.ref) == (
        "contributor/hello-world",
        "patch-1",
        "main",
    )
    assert [f.filename for f in pull.get_files()] == ["app.py"]
    with pytest.raises(github.UnknownObjectException):
        repo.get_pull(13)
    with pytest.raises(github.UnknownObjectException):
        repo.get_contents("missing.txt")


@pytest.mark.parametrize("fake_github", [{"prefix": "/api/v3"}], indirect=True)
def test_enterprise_server_prefix(fake_github: FakeGitHub) -> None:
    assert fake_github.url.endswith("/api/v3")
    for i in range(3):
        fake_github.add_comment(1, f"comment {i}")
    repo = fake_github.client(per_page=2).get_repo("octo-org/hello-world")
    assert repo.html_url == f"http://127.0.0.1:{fake_github.port}/octo-org/hello-world"
    issue = fake_github.client(per_page=2, lazy=True).get_repo("octo-org/hello-world").get_issue(1)
    assert [c.body for c in issue.get_comments()] == ["comment 0", "comment 1", "comment 2"]
    assert [r.path for r in fake_github.calls("issues/list-comments")] == [
        "/api/v3/repos/octo-org/hello-world/issues/1/comments",
        f"/api/v3/repositories/{repo.id}/issues/1/comments",
    ]
    outside = f"http://127.0.0.1:{fake_github.port}/repos/octo-org/hello-world"
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(urllib.request.Request(outside, headers={"Authorization": "token t"}))
    assert missing.value.code == 404
    assert [v.kind for v in fake_github.take_violations()] == ["unknown-endpoint"]


def test_every_answer_is_checked_against_the_contract(fake_github: FakeGitHub) -> None:
    """Each operation the fake implements answers within its response schema (else fake-response)."""
    fake_github.add_pull(1, head_sha=SHA)
    artifact = fake_github.add_artifact("report", zipped(a="b"))
    fake_github.add_file("README.md", "hello")
    comment = fake_github.add_comment(1, "hi")
    base = "/repos/octo-org/hello-world"
    _, _, run = call(
        fake_github, "POST", f"{base}/check-runs", {"name": "r", "head_sha": SHA, "conclusion": "success"}
    )
    run_id, comment_id, run_path = run["id"], comment.id, f"{base}/actions/runs/{artifact.run.id}"
    requests = [
        ("GET", base),
        ("GET", f"{base}/pulls/1"),
        ("GET", f"{base}/pulls/1/files"),
        ("GET", f"{base}/issues/1/comments"),
        ("GET", f"{base}/issues/comments/{comment_id}"),
        ("PATCH", f"{base}/issues/comments/{comment_id}"),
        ("POST", f"{base}/statuses/{SHA}"),
        ("GET", f"{base}/commits/{SHA}/statuses"),
        ("GET", f"{base}/commits/{SHA}/status"),
        ("GET", f"{base}/check-runs/{run_id}"),
        ("PATCH", f"{base}/check-runs/{run_id}"),
        ("GET", f"{base}/check-runs/{run_id}/annotations"),
        ("GET", f"{base}/commits/{SHA}/check-runs"),
        ("GET", f"{base}/actions/artifacts"),
        ("GET", f"{run_path}/artifacts"),
        ("GET", run_path),
        ("GET", f"{base}/actions/artifacts/{artifact.id}"),
        ("GET", "/rate_limit"),
        ("GET", f"{base}/contents/README.md"),
        ("GET", f"{base}/contents/"),
        ("DELETE", f"{base}/issues/comments/{comment_id}"),
        ("DELETE", f"{base}/actions/artifacts/{artifact.id}"),
    ]
    bodies = {"PATCH": {"body": "edited", "name": "r2"}, "POST": {"state": "success"}}
    for method, path in requests:
        status, headers, body = call(fake_github, method, path, bodies.get(method))
        assert status < 300, (method, path, body)
        op = fake_github.contract.route(method, path).operation
        assert fake_github.contract.check_response(op, status, body or None, headers) == []
    assert fake_github.violations == []
    known = {op.operation_id for op in fake_github.contract.operations}
    # The full contract in ../shared has these too; tests/data's trimmed copy only what the fake serves.
    assert known - set(HANDLERS) == known & {
        "repos/update",
        "repos/delete",
        "pulls/update",
        "actions/delete-workflow-run",
        "repos/create-or-update-file-contents",
        "repos/delete-file",
        "repos/compare-commits-with-basehead",
    }
