"""The gate can't be switched off by the pull request it gates: bypasses through Git (ignore
files, a deleted configuration, inline suppressions) and a central policy the repository can't
loosen, end to end through the Action with real event payloads and the fake GitHub."""

from __future__ import annotations

from pathlib import Path

import pytest

from readiness import action
from tests.action.test_action_e2e import Runner
from tests.github.fake_github import FakeGitHub
from tests.support import commit_all, git


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_HTTP_BACKOFF", "0.001")


@pytest.fixture
def runner(tmp_path: Path, fake_github: FakeGitHub) -> Runner:
    return Runner(tmp_path, fake_github)


def the_comment(fake: FakeGitHub) -> str:
    (ours,) = [c for c in fake.comments(2) if "<!-- readiness:scorecard" in c.body]
    return ours.body


@pytest.mark.slow
def test_ignore_files_a_deleted_config_and_nosemgrep_change_nothing(
    runner: Runner, fake_github: FakeGitHub
) -> None:
    """A checkout (as actions/checkout leaves it) whose head commit deletes the configuration,
    ignores everything and the service folders, and puts a nosemgrep comment on a blocker's line."""
    workspace = runner.workspace
    git(workspace, "init", "-q", "-b", "main")
    commit_all(workspace, "base")
    baseline = runner()
    assert baseline.code == action.EXIT_FAIL

    (workspace / ".readiness.yml").unlink()
    (workspace / ".gitignore").write_text("*\nbidder/\nidr/\ndeploy/\n")
    main_go = workspace / "bidder" / "main.go"
    lines = main_go.read_text().splitlines()
    assert lines[43].strip() == 'log.Fatal(http.ListenAndServe(":8080", mux))'  # the shutdown blocker
    lines[43] += " // nosemgrep"
    main_go.write_text("\n".join(lines) + "\n")
    commit_all(workspace, "the pull request")

    run = runner()
    assert run.code == action.EXIT_FAIL
    assert (run.outputs["verdict"], run.outputs["blockers"]) == ("no-go", baseline.outputs["blockers"])
    body = the_comment(fake_github)
    assert "(`reliability/graceful-shutdown`)" in body
    assert "bidder/main.go:44: a nosemgrep comment, an unapproved waiver: it suppresses nothing" in body
    assert "the nosemgrep comment at bidder/main.go:44 suppresses nothing" in body


CENTRAL = """\
required_checks: [security/no-hardcoded-secrets]
max_waiver_days: 400
"""
WAIVES_SECRETS = """\
project: adtech-exchange
waivers:
  - check: security/no-hardcoded-secrets
    reason: the compose file's password is for local development
    owner: "@adtech-platform"
    expires: 2027-06-30
"""


@pytest.mark.slow
def test_a_central_policy_beats_a_repository_that_waives_a_required_check(
    runner: Runner, fake_github: FakeGitHub
) -> None:
    # The waiver is in the base commit too: the repository's own policy, not the PR's change.
    fake_github.add_file(".readiness.yml", WAIVES_SECRETS)
    (runner.workspace / ".readiness.yml").write_text(WAIVES_SECRETS)
    fake_github.add_file("platform/readiness-policy.yml", CENTRAL, repo="acme/platform-policies")

    waived = runner()
    blockers_waived = int(waived.outputs["blockers"])

    run = runner(policy="acme/platform-policies/platform/readiness-policy.yml@main")
    assert run.code == action.EXIT_FAIL
    assert int(run.outputs["blockers"]) == blockers_waived + 1  # the secrets blocker is back
    assert "central policy acme/platform-policies/platform/readiness-policy.yml@main applies" in run.log
    body = the_comment(fake_github)
    assert (
        "- .readiness.yml waives `security/no-hardcoded-secrets` until 2027-06-30: not applied "
        # "@main" is text from a policy file: a zero-width joiner keeps it from mentioning a user "main"
        "(central policy acme/platform-policies/platform/readiness-policy.yml@\u200dmain, `required_checks`)"
    ) in body


@pytest.mark.slow
def test_a_central_policy_in_the_repository_is_read_at_the_base_commit(
    runner: Runner, fake_github: FakeGitHub
) -> None:
    """The pull request edits the policy file in its checkout: the base commit's copy applies."""
    fake_github.add_file(".readiness.yml", WAIVES_SECRETS)
    (runner.workspace / ".readiness.yml").write_text(WAIVES_SECRETS)
    fake_github.add_file(".github/readiness-policy.yml", CENTRAL)
    (runner.workspace / ".github").mkdir(exist_ok=True)
    (runner.workspace / ".github" / "readiness-policy.yml").write_text("allow_waivers: true\n")
    run = runner(policy=".github/readiness-policy.yml")
    assert run.code == action.EXIT_FAIL
    assert "`required_checks`)" in the_comment(fake_github)


def test_a_central_policy_that_cannot_be_read_fails_the_run(runner: Runner) -> None:
    run = runner(policy="acme/platform-policies/missing.yml@main")
    assert run.code == action.EXIT_USAGE
    assert "input 'policy': missing.yml does not exist in acme/platform-policies at main" in run.log
