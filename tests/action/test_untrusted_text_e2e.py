"""Hostile names from the pull request's tree render inert, end to end through the Action: the
exact comment body, check-run output and annotations the fake GitHub received, the job summary,
SARIF and the log."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from readiness import action
from tests.action.test_action_e2e import Runner
from tests.github.fake_github import FakeGitHub

ZWJ = "\u200d"
HOSTILE_FILE = "deploy/@org-team <img src=x onerror=alert(1)>.yaml"
# A container name a check quotes: markup, a mention, a planted link, a workflow command after a
# line break (YAML's "\n" is a real line break in the value).
CONTAINER = "@org/team </details><img src=x onerror=alert(1)> [x](javascript:alert(1))\\n::error::forged"
MANIFEST = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: bidder
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: "{CONTAINER}"
          image: bidder:1.0
          ports:
            - containerPort: 8080
"""
REASON = "</details>\\n<!-- readiness:scorecard project=x -->\\n@org/team ![](http://127.0.0.1/x.png)"
CONFIG = f"""\
project: hostile
waivers:
  - check: reliability/liveness-probe
    reason: "{REASON}"
    owner: "@org/team"
    expires: 2099-01-31
"""


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_HTTP_BACKOFF", "0.001")


@pytest.fixture
def runner(tmp_path: Path, fake_github: FakeGitHub) -> Runner:
    runner = Runner(tmp_path, fake_github, example="ready-service")
    shutil.rmtree(runner.workspace)
    (runner.workspace / "deploy").mkdir(parents=True)
    (runner.workspace / HOSTILE_FILE).write_text(MANIFEST, encoding="utf-8")
    (runner.workspace / ".readiness.yml").write_text(CONFIG, encoding="utf-8")
    fake_github.add_file(".readiness.yml", CONFIG)  # the base commit's policy is the same
    return runner


# What the comment and the check run must show instead, exactly.
CONTAINER_MD = (
    f"'@{ZWJ}org/team &lt;/details&gt;&lt;img src=x onerror=alert(1)&gt; "
    "\\[x\\]\\(javascript:alert(1))\\\\n::error::forged'"
)
FILE_CODE = f"`deploy/@{ZWJ}org-team <{ZWJ}img src=x onerror=alert(1)>.yaml:10`"
REASON_CELL = (
    "&lt;/details&gt; &lt;!-- readiness:scorecard project=x --&gt; "
    f"@{ZWJ}org/team !\\[\\]\\(http:{ZWJ}//127.0.0.1/x.png)"
)
# As plain text (annotations): the check's message as it is, on one line.
CONTAINER_PLAIN = (
    "'@org/team </details><img src=x onerror=alert(1)> [x](javascript:alert(1))\\n::error::forged'"
)
PLANTED = (
    "<img",
    "](javascript:",
    "](http:",
    "@org/team",
    "@org-team",
    "<!-- readiness:scorecard project=x",
    "\x1b",
)


def assert_inert(markdown: str) -> None:
    for planted in PLANTED:
        assert planted not in markdown, planted
    # Every </details> closes one of ours; none was planted to close one early.
    assert markdown.count("</details>") == markdown.count("<details>")
    assert not re.search(r"^\s*::", markdown, re.M)
    # Wherever the container's name is quoted, it is quoted escaped.
    for line in markdown.splitlines():
        if "javascript" in line and "name: " not in line:  # the snippet is a code span: checked below
            assert CONTAINER_MD in line, line


@pytest.mark.slow
def test_hostile_names_reach_github_inert(runner: Runner, fake_github: FakeGitHub) -> None:
    run = runner()
    assert run.code == action.EXIT_FAIL
    (comment,) = fake_github.comments(2)
    body = comment.body
    # The hostile text really reaches findings: the blocker quotes the container and the file.
    blocker = (
        "- **Every serving container declares a readiness probe** (`reliability/readiness-probe`) — "
        f"Deployment 'bidder' container {CONTAINER_MD} has no readinessProbe ({FILE_CODE})"
    )
    assert blocker in body.splitlines()
    assert body.startswith("<!-- readiness:scorecard ") and body.count("<!--") == 1
    assert_inert(body)

    (check,) = fake_github.check_runs.values()
    assert check.summary is not None and check.text is not None
    assert blocker in check.summary.splitlines()
    assert_inert(check.summary)
    assert check.summary.count("<!--") == 0
    # The check run's text is the full report: the waived finding's planted reason and owner too.
    assert_inert(check.text)
    assert check.text.count("<!--") == 0
    waived = [line for line in check.text.splitlines() if line.startswith("| `reliability/liveness-probe` |")]
    assert waived == [
        "| `reliability/liveness-probe` | Deployment 'bidder' container "
        f"{CONTAINER_MD} has no livenessProbe: a hung process is never restarted | {FILE_CODE} | "
        f"{REASON_CELL} | @{ZWJ}org/team | 2099-01-31 |"
    ]
    snippet = (
        f"    - {FILE_CODE}: "
        f'`- name: "@{ZWJ}org/team <{ZWJ}/details><{ZWJ}img src=x onerror=alert(1)> '
        f'[x]{ZWJ}(javascript:alert(1))\\n::error::forged"`'
    )
    assert snippet in check.text.splitlines()
    assert run.summary == (run.workspace / run.outputs["report-path"]).read_text()  # the job summary

    # Annotations are plain text on the file's real path.
    probe = next(a for a in check.annotations if a["title"].endswith("(reliability/readiness-probe)"))
    assert probe["path"] == HOSTILE_FILE and probe["start_line"] == 10
    assert probe["message"] == f"Deployment 'bidder' container {CONTAINER_PLAIN} has no readinessProbe"

    sarif = json.loads((run.workspace / "readiness.sarif").read_text())
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "reliability/readiness-probe")
    assert (
        result["message"]["text"] == f"Deployment 'bidder' container {CONTAINER_PLAIN} has no readinessProbe"
    )
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "deploy/@org-team%20%3Cimg%20src=x%20onerror=alert(1)%3E.yaml"
    )
    assert not re.search(r"^\s*::(?!warning::|notice::|error::readiness)", run.log, re.M)


@pytest.mark.slow
def test_a_file_name_with_a_line_break_cannot_forge_a_workflow_command(
    runner: Runner, fake_github: FakeGitHub
) -> None:
    """A fork's read-only token: the annotations go to the log as workflow commands."""
    forged = "deploy/x\n::warning file=README.md::forged %0A\r##[add-mask]secret.yaml"
    (runner.workspace / HOSTILE_FILE).rename(runner.workspace / forged)
    fake_github.add_token("ghs_fork_token", read_only=True)
    run = runner(github_token="ghs_fork_token")
    assert run.code == action.EXIT_FAIL
    assert fake_github.comments(2) == [] and not fake_github.check_runs
    probe = [line for line in run.log.splitlines() if "title=Every serving container" in line]
    assert probe == [
        "::error file=deploy/x%0A%3A%3Awarning file=README.md%3A%3Aforged %250A%0D##[add-mask]secret.yaml,"
        "line=10,title=Every serving container declares a readiness probe (reliability/readiness-probe)"
        f"::Deployment 'bidder' container {CONTAINER_PLAIN} has no readinessProbe"
    ]
    # No line but our own is a command: the runner sees one annotation per finding, nothing forged,
    # and the legacy "##[" syntax appears only inside our own command's file property.
    assert "\r" not in run.log
    for line in run.log.splitlines():
        if line.lstrip().startswith("::"):
            assert re.match(r"::(error|warning|notice)( file=deploy/x%0A%3A%3Awarning |::)", line), line
        if "##[" in line:
            assert line.startswith(("::error file=deploy/x%0A", "::warning file=deploy/x%0A")), line
