"""The Action end to end: readiness.action.main with the environment the runner gives a container
action, event payloads (../shared's real ones, else tests/data's), the bundled examples, and the
fake GitHub validating every request."""

from __future__ import annotations

import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from readiness import action
from tests import shared_data
from tests.github.fake_github import FakeGitHub

REPO_ROOT = Path(__file__).resolve().parents[2]
EVENTS = shared_data.data("github/events")
EXAMPLES = REPO_ROOT / "examples"


@dataclass
class Run:
    code: int
    log: str
    outputs: dict[str, str]
    summary: str
    workspace: Path


class Runner:
    """Lays out a workspace and the runner's files, then runs the action's main."""

    def __init__(self, tmp_path: Path, fake: FakeGitHub, example: str = "adtech-exchange") -> None:
        self.tmp = tmp_path
        self.fake = fake
        self.workspace = tmp_path / "workspace"
        shutil.copytree(EXAMPLES / example, self.workspace)
        # The base commit holds the same configuration as the checkout unless a test says otherwise.
        if (self.workspace / ".readiness.yml").is_file():
            fake.add_file(".readiness.yml", (self.workspace / ".readiness.yml").read_text())
        self.event = json.loads((EVENTS / "pull_request.opened.1.json").read_text())
        self.event_name = "pull_request"
        self.extra_env: dict[str, str] = {}

    def __call__(self, **inputs: str) -> Run:
        files = self.tmp / "file_commands"
        files.mkdir(exist_ok=True)
        (files / "output").write_text("")
        (files / "summary").write_text("")
        (self.tmp / "event.json").write_text(json.dumps(self.event))
        env = {
            "GITHUB_ACTIONS": "true",
            "CI": "true",
            "GITHUB_REPOSITORY": self.fake.repo.full_name,
            "GITHUB_EVENT_NAME": self.event_name,
            "GITHUB_EVENT_PATH": str(self.tmp / "event.json"),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_API_URL": self.fake.url,
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_SHA": "f" * 40,
            "GITHUB_REF": "refs/pull/2/merge",
            "GITHUB_RUN_ID": "1234",
            "GITHUB_OUTPUT": str(files / "output"),
            "GITHUB_STEP_SUMMARY": str(files / "summary"),
            "INPUT_GITHUB-TOKEN": "ghs_fake_installation_token",
            **self.extra_env,
            **{f"INPUT_{name.upper().replace('_', '-')}": value for name, value in inputs.items()},
        }
        log = io.StringIO()
        code = action.main(env, log)
        text = (files / "output").read_text()
        parsed = {
            name: value for name, _, value in re.findall(r"^(\S+)<<(\S+)\n(.*?)\n\2$", text, re.M | re.S)
        }
        return Run(code, log.getvalue(), parsed, (files / "summary").read_text(), self.workspace)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_HTTP_BACKOFF", "0.001")


@pytest.fixture
def runner(tmp_path: Path, fake_github: FakeGitHub) -> Runner:
    return Runner(tmp_path, fake_github)


@pytest.mark.slow
def test_first_run_comments_second_run_edits_the_same_comment(
    runner: Runner, fake_github: FakeGitHub
) -> None:
    fake_github.add_comment(2, "LGTM", user="octocat")
    first = runner()
    assert first.code == action.EXIT_FAIL
    second = runner()
    assert second.code == action.EXIT_FAIL
    ours = [c for c in fake_github.comments(2) if "<!-- readiness:scorecard" in c.body]
    assert len(ours) == 1 and len(fake_github.comments(2)) == 2
    assert len(fake_github.calls("issues/create-comment")) == 1
    assert len(fake_github.calls("issues/update-comment")) == 1
    body = ours[0].body
    assert "## ⛔ Production readiness: NO-GO" in body
    assert "| Reliability | 🔴 Red |" in body
    assert first.outputs["comment-url"] == second.outputs["comment-url"] != ""


@pytest.mark.slow
def test_outputs_summary_sarif_check_run_and_annotations(runner: Runner, fake_github: FakeGitHub) -> None:
    run = runner()
    assert run.outputs["verdict"] == "no-go"
    assert int(run.outputs["blockers"]) >= 5
    assert (
        run.outputs["report-path"].startswith("reports/")
        and (run.workspace / run.outputs["report-path"]).exists()
    )
    assert run.outputs["sarif-path"] == "readiness.sarif"
    sarif = json.loads((run.workspace / "readiness.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert "## 1. Traffic-light scorecard" in run.summary
    (check,) = fake_github.check_runs.values()
    assert (check.name, check.conclusion, check.head_sha) == (
        "production-readiness",
        "failure",
        runner.event["pull_request"]["head"]["sha"],
    )
    assert check.title.startswith("No-Go: ")
    findings_with_lines = [
        r
        for r in sarif["runs"][0]["results"]
        if "region" in r["locations"][0]["physicalLocation"] and "suppressions" not in r
    ]
    assert len(check.annotations) >= len(findings_with_lines) > 0
    levels = {a["annotation_level"] for a in check.annotations}
    assert "failure" in levels and "warning" in levels
    assert (run.workspace / "reports" / "comment.md").read_text().startswith("<!-- readiness:scorecard")
    assert "📄 Report saved to: reports/" in run.log


@pytest.mark.slow
def test_fork_pull_request_falls_back_without_crashing(runner: Runner, fake_github: FakeGitHub) -> None:
    fake_github.add_token("ghs_fork_token", read_only=True)
    run = runner(github_token="ghs_fork_token")
    assert run.code == action.EXIT_FAIL  # the verdict still decides
    assert "lacks 'pull-requests: write'" in run.log and "lacks 'checks: write'" in run.log
    assert re.search(r"^::error file=bidder/main\.go,line=44,title=", run.log, re.M)
    assert fake_github.comments(2) == [] and not fake_github.check_runs
    assert run.outputs["verdict"] == "no-go" and run.outputs["comment-url"] == ""


@pytest.mark.slow
def test_a_5xx_after_the_comment_was_created_does_not_duplicate_it(
    runner: Runner, fake_github: FakeGitHub
) -> None:
    fake_github.fail(502, times=1, route="issues/create-comment", applied=True)
    fake_github.fail(500, times=2, route="checks/create")
    run = runner()
    assert run.code == action.EXIT_FAIL
    assert len([c for c in fake_github.comments(2) if "readiness:scorecard" in c.body]) == 1
    assert len(fake_github.check_runs) == 1


@pytest.mark.slow
def test_publishing_that_keeps_failing_keeps_the_verdict_and_report(
    runner: Runner, fake_github: FakeGitHub
) -> None:
    fake_github.fail(503, times=100_000, route=None)  # for good
    run = runner()
    assert run.code == action.EXIT_FAIL
    assert "cannot post the PR comment" in run.log
    assert (run.workspace / run.outputs["report-path"]).exists()
    assert "::error file=" in run.log


@pytest.mark.slow
def test_other_branches_report_without_failing(runner: Runner, fake_github: FakeGitHub) -> None:
    run = runner(release_branches="main, release/**")  # the PR targets master
    assert run.code == action.EXIT_PASS
    (check,) = fake_github.check_runs.values()
    assert check.conclusion == "neutral"
    assert "not a release branch" in run.log


@pytest.mark.slow
def test_commit_status_mode(runner: Runner, fake_github: FakeGitHub) -> None:
    runner(status="commit-status", comment="off")
    sha = runner.event["pull_request"]["head"]["sha"]
    (status,) = fake_github.statuses(sha)
    assert (status.state, status.context) == ("failure", "production-readiness")
    assert len(status.description) <= 140
    assert not fake_github.check_runs and fake_github.comments(2) == []


@pytest.mark.slow
def test_waivers_the_pull_request_adds_are_flagged(runner: Runner, fake_github: FakeGitHub) -> None:
    fake_github.add_file(".readiness.yml", "project: adtech-exchange\n")
    runner()
    (ours,) = fake_github.comments(2)
    assert "### ⚠️ Policy changes in this pull request (take effect after merge)" in ours.body
    assert "- waives `operational-readiness/codeowners` until 2027-06-30" in ours.body


@pytest.mark.slow
def test_a_comment_that_would_be_too_long_is_cut(tmp_path: Path, fake_github: FakeGitHub) -> None:
    runner = Runner(tmp_path, fake_github, example="ready-service")
    manifest = "".join(
        f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-{i:04d}-{'x' * 180}\n"
        "spec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: app\n"
        "          image: app:1.0\n          ports: [{containerPort: 8080}]\n"
        for i in range(1500)
    )
    (runner.workspace / "deploy" / "k8s" / "generated.yaml").write_text(manifest)
    runner()
    (ours,) = fake_github.comments(2)
    assert len(ours.body) <= 65_536
    assert "more in the full report" in ours.body and "| Reliability |" in ours.body


@pytest.mark.slow
def test_github_enterprise_server(tmp_path: Path, fake_ghes: FakeGitHub) -> None:
    run = Runner(tmp_path, fake_ghes)()
    assert run.code == action.EXIT_FAIL
    assert fake_ghes.url.endswith("/api/v3")
    assert len(fake_ghes.comments(2)) == 1


def test_bad_inputs_exit_2(runner: Runner) -> None:
    run = runner(fail_on="sometimes")
    assert run.code == action.EXIT_USAGE
    assert "::error::readiness: input 'fail-on' is 'sometimes'" in run.log


@pytest.mark.slow
def test_rate_limits_are_waited_out(runner: Runner, fake_github: FakeGitHub) -> None:
    comment_limit = fake_github.fail(429, times=1, route="issues/create-comment", retry_after=1)
    check_limit = fake_github.fail(403, times=1, route="checks/create", retry_after=1)  # secondary limit
    run = runner()
    assert run.code == action.EXIT_FAIL
    assert comment_limit.hits == 1 and check_limit.hits == 1
    assert len(fake_github.comments(2)) == 1 and len(fake_github.check_runs) == 1
    assert "cannot" not in run.log  # nothing was given up on


@pytest.mark.slow
def test_a_scan_that_could_not_look_fails_the_check_unless_accepted(
    tmp_path: Path, fake_github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = Runner(tmp_path, fake_github, example="ready-service")  # no blockers
    monkeypatch.setenv("READINESS_SEMGREP", str(tmp_path / "no-such-semgrep"))
    run = runner()
    assert run.code == action.EXIT_FAIL
    (check,) = fake_github.check_runs.values()
    assert check.conclusion == "failure"
    assert check.title.startswith("No-Go (incomplete): 0 blocker(s)")
    (ours,) = fake_github.comments(2)
    assert "semgrep: semgrep is not installed" in ours.body

    accepted = runner(allow_incomplete="true")
    assert accepted.code == action.EXIT_PASS
    check = fake_github.check_runs[max(fake_github.check_runs)]
    assert check.conclusion == "success"
    assert check.title.startswith("Go (INCOMPLETE, accepted): 0 blocker(s)")


LOOSENED = """
project: renamed
disable:
  categories: [reliability, observability, scalability, security, disaster-recovery,
               operational-readiness, load-validation, compliance]
  checks: [reliability/graceful-shutdown, scalability/db-connection-budget]
waivers:
  - check: reliability/readiness-probe
    reason: probes come with the mesh
    owner: "@author"
    expires: 2099-01-01
severity:
  security/no-hardcoded-secrets: recommendation
exclude: ["**"]
test_paths: ["**"]
vulnerabilities:
  osv_url: http://127.0.0.1:9/answers-nothing
"""


@pytest.mark.slow
def test_a_pull_request_cannot_loosen_the_policy_that_gates_it(
    runner: Runner, fake_github: FakeGitHub
) -> None:
    """Every loosening at once in the head's .readiness.yml: the base's policy still gates, and
    the comment lists what the pull request would change after merge."""
    baseline = runner()
    assert baseline.code == action.EXIT_FAIL
    (runner.workspace / ".readiness.yml").write_text(LOOSENED)
    run = runner()
    assert run.code == action.EXIT_FAIL
    assert run.outputs["verdict"] == "no-go"
    assert run.outputs["blockers"] == baseline.outputs["blockers"]
    (ours,) = [c for c in fake_github.comments(2) if "<!-- readiness:scorecard" in c.body]
    body = ours.body
    assert "### ⚠️ Policy changes in this pull request (take effect after merge)" in body
    for change in (
        "- disables the categories `compliance`, `disaster-recovery`",
        "- sets the severity of `security/no-hardcoded-secrets` to `recommendation`",
        "- excludes `**` from the scan",
        "- treats `**` as test paths",
        "- disables the checks `reliability/graceful-shutdown`, `scalability/db-connection-budget`",
        "- waives `reliability/readiness-probe` until 2099-01-01",
        "- points the vulnerability sources elsewhere (ignored: only the base policy sets them)",
    ):
        assert change in body
    assert "policy change(s) in this pull request take effect after merge" in run.log
