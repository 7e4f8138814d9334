"""Checkpoints as workflow artifacts, end to end through the action: upload after each category,
reuse by a later run of the same branch, the delta against the base branch's run, and forged
artifacts ignored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from readiness import action
from tests.action.test_action_e2e import Runner
from tests.artifacts import helpers
from tests.github.fake_artifacts import FakeArtifactService
from tests.github.fake_github import FakeGitHub

WORKFLOW = helpers.WORKFLOW


def start_run(fake: FakeGitHub, artifacts: FakeArtifactService, runner: Runner, branch: str) -> None:
    """A new workflow run of the readiness workflow on ``branch``: its runtime token and env."""
    run = fake.add_workflow_run(head_branch=branch, path=WORKFLOW)
    runner.extra_env = {
        **artifacts.runtime(run),
        **helpers.run_env(fake, WORKFLOW),
        "GITHUB_RUN_ID": str(run.id),
    }


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_HTTP_BACKOFF", "0.001")


@pytest.mark.slow
def test_upload_reuse_delta_and_forgeries(
    tmp_path: Path, fake_github: FakeGitHub, fake_artifacts: FakeArtifactService
) -> None:
    # The base branch's run: the example without its Dockerfile secret.
    base = Runner(tmp_path / "base", fake_github)
    dockerfile = base.workspace / "bidder" / "Dockerfile"
    dockerfile.write_text(
        "".join(line for line in dockerfile.read_text().splitlines(True) if "REDIS_PASSWORD" not in line)
    )
    base.event_name = "push"
    base.event = {"ref": "refs/heads/master", "after": "b" * 40, "repository": base.event["repository"]}
    start_run(fake_github, fake_artifacts, base, "master")
    first = base()
    assert "checkpoint uploaded as artifact readiness-checkpoint-master" in first.log
    assert fake_artifacts.finalized()

    # A forged all-green checkpoint from a fork, newer than everything: must be ignored.
    fake_github.add_artifact(
        "readiness-checkpoint-changes",
        helpers.checkpoint_zip(tmp_path, "adtech-exchange", failing=False),
        head_branch="changes",
        head_repo="attacker/hello-world",
        path=WORKFLOW,
    )

    # The pull request's first run: compared with master, uploads its own checkpoint.
    pr = Runner(tmp_path / "pr", fake_github)
    start_run(fake_github, fake_artifacts, pr, "changes")
    one = pr(fail_on="new-blockers")
    assert "ignoring checkpoint artifact readiness-checkpoint-changes" in one.log
    assert "using checkpoint artifact readiness-checkpoint-master" in one.log
    assert one.code == action.EXIT_FAIL
    (comment,) = fake_github.comments(2)
    assert "### Compared with `master`" in comment.body
    assert "🆕 blocker **No secret is hardcoded in code, config, .env files or manifests**" in comment.body
    assert "blocker(s) new in this PR" in comment.body

    # The same commit again: every category comes from the PR's own checkpoint.
    start_run(fake_github, fake_artifacts, pr, "changes")
    two = pr(fail_on="new-blockers")
    assert "using checkpoint artifact readiness-checkpoint-changes" in two.log
    report = (two.workspace / two.outputs["report-path"]).read_text()
    assert report.count("(reused from checkpoint: inputs unchanged)") == 8
    assert "### Scanners" not in report  # no scanner ran a second time
    assert (
        json.loads(
            (
                two.workspace / "reports" / "checkpoint" / "adtech-exchange-production-readiness.json"
            ).read_text()
        )["project"]
        == "adtech-exchange"
    )
