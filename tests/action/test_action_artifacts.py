"""Checkpoints as workflow artifacts, end to end through the action: upload after each category,
reuse by a re-run of the same run and from the base branch's push run, the delta against the base
branch's push run, and forged artifacts ignored (a fork's, and a same-branch pull_request run's)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from readiness import action
from tests import support
from tests.action.test_action_e2e import Runner
from tests.artifacts import helpers
from tests.github.fake_artifacts import FakeArtifactService
from tests.github.fake_github import FakeGitHub, WorkflowRun

WORKFLOW = helpers.WORKFLOW
CHECKPOINT = Path("reports") / "checkpoint" / "adtech-exchange-production-readiness.json"


def start_run(
    fake: FakeGitHub,
    artifacts: FakeArtifactService,
    runner: Runner,
    branch: str,
    event: str,
    run: WorkflowRun | None = None,
) -> WorkflowRun:
    """A new workflow run of the readiness workflow on ``branch`` triggered by ``event`` (or a new
    attempt of ``run``): its runtime token and env."""
    if run is None:
        run = fake.add_workflow_run(head_branch=branch, event=event, path=WORKFLOW)
    else:
        run.run_attempt += 1
    runner.extra_env = {
        **artifacts.runtime(run),
        **helpers.run_env(fake, WORKFLOW),
        "GITHUB_RUN_ID": str(run.id),
        "GITHUB_RUN_ATTEMPT": str(run.run_attempt),
    }
    return run


def on_machine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> None:
    """Each run on a fresh runner: its own checkpoint key, so nothing carries over but artifacts."""
    monkeypatch.setenv("READINESS_STATE_KEY_FILE", str(tmp_path / "runners" / name / "checkpoint.key"))


def forged_all_green(honest: bytes) -> bytes:
    """An honest checkpoint with every result a pass: what a pull request's author would upload."""
    return json.dumps(support.forged_all_green(honest)).encode()


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_HTTP_BACKOFF", "0.001")


@pytest.mark.slow
def test_upload_reuse_delta_and_forgeries(
    tmp_path: Path,
    fake_github: FakeGitHub,
    fake_artifacts: FakeArtifactService,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The base branch's push run: the example without its Dockerfile secret.
    base = Runner(tmp_path / "base", fake_github)
    dockerfile = base.workspace / "bidder" / "Dockerfile"
    dockerfile.write_text(
        "".join(line for line in dockerfile.read_text().splitlines(True) if "REDIS_PASSWORD" not in line)
    )
    base.event_name = "push"
    base.event = {"ref": "refs/heads/master", "after": "b" * 40, "repository": base.event["repository"]}
    on_machine(monkeypatch, tmp_path, "base")
    start_run(fake_github, fake_artifacts, base, "master", "push")
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

    # The pull request's first run: compared with master's push run, uploads its own checkpoint.
    pr = Runner(tmp_path / "pr", fake_github)
    on_machine(monkeypatch, tmp_path, "pr-1")
    pr_run = start_run(fake_github, fake_artifacts, pr, "changes", "pull_request")
    one = pr(fail_on="new-blockers")
    assert "ignoring checkpoint artifact readiness-checkpoint-changes" in one.log
    assert "using checkpoint artifact readiness-checkpoint-master" in one.log
    assert "(a push run of master," in one.log
    assert one.code == action.EXIT_FAIL
    (comment,) = fake_github.comments(2)
    assert "### Compared with `master`" in comment.body
    assert "🆕 blocker **No secret is hardcoded in code, config, .env files or manifests**" in comment.body
    assert "blocker(s) new in this PR" in comment.body

    # The author edits the workflow on the branch: its next run uploads an all-green checkpoint
    # with the right digests, from this repository, under our workflow's path, for this branch.
    forged = fake_github.add_artifact(
        "readiness-checkpoint-changes-c8",
        helpers.pack({CHECKPOINT.name: forged_all_green((one.workspace / CHECKPOINT).read_bytes())}),
        head_branch="changes",
        event="pull_request",
        path=WORKFLOW,
    )
    on_machine(monkeypatch, tmp_path, "pr-2")
    start_run(fake_github, fake_artifacts, pr, "changes", "pull_request")
    two = pr()
    assert (
        f"ignoring checkpoint artifact readiness-checkpoint-changes-c8 (id {forged.id}): it was made by "
        "a pull_request run, and only the same run's earlier attempts are trusted"
    ) in two.log
    assert "using checkpoint artifact readiness-checkpoint-changes" not in two.log
    assert two.code == action.EXIT_FAIL and two.outputs["verdict"] == "no-go"
    assert int(two.outputs["blockers"]) == int(one.outputs["blockers"]) > 0
    (comment,) = fake_github.comments(2)
    assert "## ⛔ Production readiness: NO-GO" in comment.body

    # A re-run of the first run, on another runner: its earlier attempt's checkpoint is reused,
    # every category of it; the later run's uploads (another pull_request run) are not.
    on_machine(monkeypatch, tmp_path, "pr-1-attempt-2")
    start_run(fake_github, fake_artifacts, pr, "changes", "pull_request", run=pr_run)
    three = pr(fail_on="new-blockers")
    assert f"of run {pr_run.id} (an earlier attempt of this run," in three.log
    assert "it was made by a pull_request run, and only the same run's earlier attempts" in three.log
    report = (three.workspace / three.outputs["report-path"]).read_text()
    assert report.count("(reused from checkpoint: inputs unchanged)") == 8
    assert "### Scanners" not in report  # no scanner ran a second time
    assert json.loads((three.workspace / CHECKPOINT).read_text())["project"] == "adtech-exchange"
    assert three.code == action.EXIT_FAIL
