"""The Action end to end while GitHub fails: one check run and one comment however often a write
is answered 502 after it was applied, and a comment GitHub keeps refusing is kept, not dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from readiness import action
from readiness.github import client
from tests.action.test_action_e2e import Runner
from tests.github.fake_github import FakeGitHub


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_HTTP_BACKOFF", "0.001")


@pytest.fixture
def runner(tmp_path: Path, fake_github: FakeGitHub) -> Runner:
    return Runner(tmp_path, fake_github)


@pytest.mark.slow
def test_writes_answered_502_after_they_were_applied_land_once(
    runner: Runner, fake_github: FakeGitHub
) -> None:
    comment_fault = fake_github.fail(502, route="issues/create-comment", applied=True)
    check_fault = fake_github.fail(502, route="checks/create", applied=True)

    run = runner()

    assert run.code == action.EXIT_FAIL
    assert comment_fault.hits == 1 and check_fault.hits == 1
    (comment,) = fake_github.comments(2)
    assert comment.body == (run.workspace / "reports" / "comment.md").read_text()
    (check,) = fake_github.check_runs.values()
    assert (check.name, check.head_sha, check.status, check.conclusion) == (
        "production-readiness",
        runner.event["pull_request"]["head"]["sha"],
        "completed",
        "failure",
    )
    (create,) = fake_github.calls("checks/create")
    recovery, *appends = fake_github.calls("checks/update")
    assert "annotations" not in recovery.body["output"]  # the run found is brought up to date only
    batches = [r.body["output"]["annotations"] for r in (create, *appends)]
    assert len(batches) >= 2 and all(a != b for i, a in enumerate(batches) for b in batches[i + 1 :])
    assert check.annotations == [a for batch in batches for a in batch]  # each batch once, in order
    assert run.outputs["comment-url"].endswith(f"#issuecomment-{comment.id}")
    assert "cannot" not in run.log and "could not be posted" not in run.log


@pytest.mark.slow
@pytest.mark.parametrize(
    ("release_branches", "code", "conclusion"),
    [("", action.EXIT_FAIL, "failure"), ("main, release/**", action.EXIT_PASS, "neutral")],
    ids=["gating", "not-a-release-branch"],
)
def test_seven_429s_in_a_row_leave_the_comment_in_the_summary_and_the_exit_code_alone(
    runner: Runner, fake_github: FakeGitHub, release_branches: str, code: int, conclusion: str
) -> None:
    fault = fake_github.fail(429, times=7, route="issues/create-comment")

    run = runner(release_branches=release_branches)

    assert (run.code, run.outputs["verdict"]) == (code, "no-go")  # the verdict's and the branch's alone
    assert fault.hits == 7 and fake_github.comments(2) == []
    body = (run.workspace / "reports" / "comment.md").read_text()
    assert body.startswith("<!-- readiness:scorecard path=. -->\n## ")
    assert body in run.summary
    assert run.summary.index("## 1. Traffic-light scorecard") < run.summary.index(body)  # the report first
    assert (
        "> The PR comment could not be posted after 7 attempts (rate limited). This is its body."
        in run.summary
    )
    assert (
        "::warning::the PR comment could not be posted after 7 attempts (rate limited); "
        "its body is in the job summary and reports/comment.md\n"
    ) in run.log
    assert run.outputs["comment-url"] == ""
    (check,) = fake_github.check_runs.values()  # the rest is published as usual
    assert check.conclusion == conclusion
    assert client.run_budget().waits == [60.0] * 6  # each 429 waited a minute (scaled), six times
