"""The PR comment is found by a marker nothing in the scanned tree decides: a pull request that
renames its project can't leave the old No-Go comment behind and add a Go one beside it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from readiness.github import publish
from tests.action.test_action_e2e import Runner
from tests.github.fake_github import BOT_LOGIN, FakeGitHub

OLD_STYLE = "<!-- readiness:scorecard project=adtech-exchange -->"


def rename(runner: Runner, project: str) -> None:
    config = runner.workspace / ".readiness.yml"
    text = config.read_text()
    assert text.startswith("project: adtech-exchange\n")
    config.write_text(text.replace("project: adtech-exchange", f"project: {project}", 1))


def as_workflow_run(runner: Runner) -> None:
    """The fork pattern: a workflow_run job comments on the pull request that triggered it, and
    judges the checked-out head under its own configuration (the case a rename used to beat)."""
    repository = runner.event["repository"]
    runner.event_name = "workflow_run"
    runner.event = {
        "action": "completed",
        "repository": repository,
        "workflow_run": {
            "id": 77,
            "event": "pull_request",
            "head_branch": "changes",
            "head_sha": "f" * 40,
            "head_repository": {"full_name": repository["full_name"]},
            "pull_requests": [{"number": 2}],
        },
    }


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_HTTP_BACKOFF", "0.001")


@pytest.mark.slow
@pytest.mark.parametrize("event", ["pull_request", "workflow_run"])
def test_renaming_the_project_edits_the_same_comment(
    tmp_path: Path, fake_github: FakeGitHub, event: str
) -> None:
    runner = Runner(tmp_path, fake_github)
    if event == "workflow_run":
        as_workflow_run(runner)
    first = runner(categories="security")
    assert first.outputs["verdict"] == "no-go"
    (posted,) = fake_github.comments(2)
    assert posted.body.startswith("<!-- readiness:scorecard path=. -->\n## ⛔ Production readiness: NO-GO")

    rename(runner, "renamed-to-dodge-the-old-comment")
    second = runner(categories="security")
    # On workflow_run the head's configuration is the policy, so the rename takes effect (the
    # checkpoint is named after the project); on pull_request the base's name stays.
    renamed = (
        second.workspace
        / "reports"
        / "checkpoint"
        / "renamed-to-dodge-the-old-comment-production-readiness.json"
    )
    assert renamed.exists() is (event == "workflow_run")

    assert [c.id for c in fake_github.comments(2)] == [posted.id]  # one comment, edited
    assert len(fake_github.calls("issues/create-comment")) == 1
    assert len(fake_github.calls("issues/update-comment")) == 1
    assert second.outputs["comment-url"] == first.outputs["comment-url"] != ""
    assert fake_github.comments(2)[0].body.startswith("<!-- readiness:scorecard path=. -->\n")


def repo(fake: FakeGitHub):  # type: ignore[no-untyped-def]
    return fake.client(lazy=True).get_repo(fake.repo.full_name)


def test_the_marker_is_the_normalised_path_input() -> None:
    assert (
        publish.marker(".")
        == publish.marker("")
        == publish.marker("./")
        == ("<!-- readiness:scorecard path=. -->")
    )
    assert publish.marker("services/api/") == publish.marker("./services/x/../api")
    assert publish.marker("services/api") != publish.marker("services/api2")
    assert "-->" not in publish.marker("a --> b").removesuffix(" -->")  # can't close the comment early


def test_an_old_style_comment_is_taken_over_and_only_a_bots(fake_github: FakeGitHub) -> None:
    planted = fake_github.add_comment(2, "<!-- readiness:scorecard path=. -->\n## ✅ Go", user="mallory")
    legacy = fake_github.add_comment(2, OLD_STYLE + "\n## ⛔ NO-GO", user=BOT_LOGIN)

    url = publish.upsert_comment(repo(fake_github), 2, "## ⛔ NO-GO again", ".", "update")

    comments = {c.id: c for c in fake_github.comments(2)}
    assert set(comments) == {planted.id, legacy.id} and url.endswith(f"issuecomment-{legacy.id}")
    assert comments[legacy.id].body == "<!-- readiness:scorecard path=. -->\n## ⛔ NO-GO again"
    assert comments[planted.id].body.endswith("## ✅ Go")  # a user's comment is never ours


def test_the_new_marker_wins_over_old_ones_and_paths_keep_their_own(fake_github: FakeGitHub) -> None:
    ours = fake_github.add_comment(2, publish.marker("svc") + "\nold", user=BOT_LOGIN)
    legacy = fake_github.add_comment(2, OLD_STYLE + "\nlegacy", user=BOT_LOGIN)

    publish.upsert_comment(repo(fake_github), 2, "new", "svc/", "update")
    publish.upsert_comment(repo(fake_github), 2, "root", ".", "update")  # another scan: the legacy one

    bodies = {c.id: c.body for c in fake_github.comments(2)}
    assert bodies == {
        ours.id: publish.marker("svc") + "\nnew",
        legacy.id: publish.marker(".") + "\nroot",
    }
    assert json.dumps(bodies).count("project=") == 0
