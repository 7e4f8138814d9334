"""The run's context from webhook payloads: the real ones in ../shared/github/events, else the small
ones of the same shape in tests/data/github/events."""

from __future__ import annotations

from pathlib import Path

import pytest

from readiness.action import InputError, Inputs, _is_release_branch
from readiness.github.context import ContextError, GitHubContext
from readiness.scoring import FailOn
from tests import shared_data

EVENTS = shared_data.data("github/events")


def context(event: str, name: str, **env: str) -> GitHubContext:
    return GitHubContext.from_env(
        {
            "GITHUB_REPOSITORY": "Codertocat/Hello-World",
            "GITHUB_EVENT_NAME": name,
            "GITHUB_EVENT_PATH": str(EVENTS / event),
            "GITHUB_SHA": "0" * 40,
            "GITHUB_REF": "refs/heads/fallback",
            "GITHUB_RUN_ID": "42",
            **env,
        }
    )


def test_pull_request_opened() -> None:
    ctx = context("pull_request.opened.1.json", "pull_request")
    assert ctx.pr_number == 2
    assert ctx.sha == ctx.event["pull_request"]["head"]["sha"]
    assert ctx.base_ref == "master" and ctx.target_branch == "master"
    assert ctx.from_fork is False
    assert ctx.run_url == "https://github.com/Codertocat/Hello-World/actions/runs/42"


def test_push_reports_on_the_pushed_commit() -> None:
    ctx = context("push.event.1.json", "push")
    assert ctx.pr_number is None
    assert ctx.sha == ctx.event["after"]
    assert ctx.target_branch == ctx.event["ref"].removeprefix("refs/heads/")


def test_merge_group_gates_its_base_branch() -> None:
    ctx = context("merge_group.checks_requested.1.json", "merge_group")
    assert ctx.sha == ctx.event["merge_group"]["head_sha"]
    assert ctx.target_branch == ctx.event["merge_group"]["base_ref"].removeprefix("refs/heads/")


def test_workflow_run_carries_the_head_of_the_triggering_run() -> None:
    ctx = context("workflow_run.completed.1.json", "workflow_run")
    assert ctx.sha == ctx.event["workflow_run"]["head_sha"]
    assert ctx.head_ref == ctx.event["workflow_run"]["head_branch"]


def test_workflow_dispatch_uses_the_runner_sha() -> None:
    ctx = context("workflow_dispatch.event.1.json", "workflow_dispatch")
    assert ctx.sha == "0" * 40 and ctx.pr_number is None


def test_fork_pull_request_is_recognised(tmp_path: Path) -> None:
    import json

    event = json.loads((EVENTS / "pull_request.opened.1.json").read_text())
    event["pull_request"]["head"]["repo"]["full_name"] = "someone/Hello-World"
    (tmp_path / "event.json").write_text(json.dumps(event))
    ctx = GitHubContext.from_env(
        {
            "GITHUB_REPOSITORY": "Codertocat/Hello-World",
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(tmp_path / "event.json"),
        }
    )
    assert ctx.from_fork is True


def test_missing_repository_is_a_clear_error() -> None:
    with pytest.raises(ContextError, match="GITHUB_REPOSITORY is not set"):
        GitHubContext.from_env({})


def test_inputs_keep_hyphens_as_the_runner_passes_them() -> None:
    inputs = Inputs.from_env(
        {
            "INPUT_FAIL-ON": "risk",
            "INPUT_RELEASE-BRANCHES": "main\nrelease/**, hotfix/*",
            "INPUT_GITHUB-TOKEN": "t",
            "INPUT_COMMENT": "off",
            "INPUT_RESUME": "false",
        }
    )
    assert inputs.fail_on is FailOn.RISK
    assert inputs.release_branches == ("main", "release/**", "hotfix/*")
    assert (inputs.token, inputs.comment, inputs.resume, inputs.status) == ("t", "off", False, "check-run")
    with pytest.raises(InputError, match="input 'status' is 'sometimes'"):
        Inputs.from_env({"INPUT_STATUS": "sometimes"})


def test_the_timeout_input_is_the_scanners_budget() -> None:
    assert Inputs.from_env({}).timeout == 600.0
    assert Inputs.from_env({"INPUT_TIMEOUT": "90"}).timeout == 90.0
    with pytest.raises(InputError, match=r"input 'timeout': timeout 'soon' is not a number of seconds"):
        Inputs.from_env({"INPUT_TIMEOUT": "soon"})
    with pytest.raises(InputError, match=r"input 'timeout': timeout '0' must be more than 0"):
        Inputs.from_env({"INPUT_TIMEOUT": "0"})


@pytest.mark.parametrize(
    ("branch", "patterns", "gates"),
    [
        ("main", (), True),
        ("feature/x", ("main", "release/**"), False),
        ("release/1.2", ("release/**",), True),
        ("release/1.2/hotfix", ("release/**",), True),
        ("main", ("main",), True),
    ],
)
def test_release_branch_globs(branch: str, patterns: tuple[str, ...], gates: bool) -> None:
    assert _is_release_branch(branch, patterns) is gates
