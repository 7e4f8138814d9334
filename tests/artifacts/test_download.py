"""Finding earlier runs' checkpoints through the REST API, and the trust rules, one by one."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from readiness import checkpoint
from readiness.github import client
from readiness.github.artifacts import (
    ArtifactClient,
    Checkpoint,
    CheckpointUploader,
    RepoClient,
    Sources,
    TrustAnchor,
    find_checkpoint,
    listing_problem,
    origin_problem,
    run_problem,
    trust_anchor,
)
from readiness.model import Category
from tests.artifacts.helpers import (
    TOKEN,
    WORKFLOW,
    checkpoint_files,
    checkpoint_zip,
    pr_context,
    raw_zip,
    repo_client,
    run_env,
    zip_bomb,
)
from tests.github.fake_artifacts import FakeArtifactService
from tests.github.fake_github import Artifact, FakeGitHub

NAME = "readiness-checkpoint-main-c8"


class Log:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def __call__(self, level: str, message: str) -> None:
        self.lines.append((level, message))

    def text(self) -> str:
        return "\n".join(f"{level}: {message}" for level, message in self.lines)


def trusted(fake: FakeGitHub, content: bytes, name: str = NAME, **fields: object) -> Artifact:
    """An artifact of a push run on main of this repository's readiness workflow."""
    options: dict[str, object] = {"head_branch": "main", "event": "push", "path": WORKFLOW, **fields}
    return fake.add_artifact(name, content, **options)  # type: ignore[arg-type]


BASE = Sources(push_branch="main")  # what a pull request against main trusts for the delta


def find(
    fake: FakeGitHub,
    log: Log,
    branch: str = "main",
    project: str | None = "p",
    sources: Sources = BASE,
    **context: object,
) -> Checkpoint | None:
    return find_checkpoint(
        repo_client(fake),
        pr_context(fake, **context),
        branch,
        sources=sources,
        env=run_env(fake),
        project=project,
        say=log,
    )


def test_the_newest_trusted_checkpoint_is_downloaded_without_the_token(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    trusted(fake_github, checkpoint_zip(tmp_path, failing=False), name="readiness-checkpoint-main-c8")
    newest = trusted(fake_github, checkpoint_zip(tmp_path), name="readiness-checkpoint-main-c3")
    trusted(fake_github, checkpoint_zip(tmp_path), name="readiness-checkpoint-main-c3-other")  # not ours
    log = Log()

    found = find(fake_github, log)

    assert found is not None
    assert (found.artifact_id, found.name, found.branch) == (
        newest.id,
        "readiness-checkpoint-main-c3",
        "main",
    )
    assert found.run_id == newest.run.id
    states, warnings = found.states("p")
    assert warnings == [] and set(states) == {Category.RELIABILITY}
    # One download, through the 302, and the blob store never saw a credential.
    assert [(d.artifact_id, d.authorization) for d in fake_github.blob_downloads] == [(newest.id, None)]
    assert fake_github.calls("actions/download-artifact")[0].status == 302
    assert all(
        r.headers.get("authorization") == f"Bearer {TOKEN}"
        for r in fake_github.requests
        if r.operation_id != "blob"
    )
    # Exact-name listings (the REST filter is exact), one per possible upload name.
    listed = [r.query["name"] for r in fake_github.calls("actions/list-artifacts-for-repo")]
    assert listed == ["readiness-checkpoint-main", *(f"readiness-checkpoint-main-c{n}" for n in range(1, 9))]
    assert (
        log.lines[-1][0] == "info"
        and "using checkpoint artifact readiness-checkpoint-main-c3" in log.lines[-1][1]
    )


def test_restore_writes_the_files_where_the_engine_reads_them(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    files = checkpoint_files(tmp_path)
    trusted(fake_github, checkpoint_zip(tmp_path))
    found = find(fake_github, Log())
    assert found is not None
    markdown = tmp_path / "runner-temp" / "readiness" / "p-production-readiness.md"
    workspace = tmp_path / "workspace"
    found.restore(markdown, checkpoint.state_key(workspace))
    # Signed with the same key on the same machine: byte for byte what was uploaded.
    assert checkpoint.json_path_for(markdown).read_bytes() == files["p-production-readiness.json"]
    assert markdown.read_bytes() == files["p-production-readiness.md"]
    states, warnings = checkpoint.load(markdown, "p", root=workspace)
    assert warnings == [] and list(states) == [Category.RELIABILITY]


def test_a_trusted_artifact_from_another_machine_is_re_signed_on_restore(
    tmp_path: Path, fake_github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The uploading runner's key is gone with it: provenance authenticates the artifact, and the
    restore signs it with the key this machine's engine verifies with."""
    monkeypatch.setenv("READINESS_STATE_KEY_FILE", str(tmp_path / "other-runner" / "checkpoint.key"))
    uploaded = checkpoint_zip(tmp_path)
    monkeypatch.setenv("READINESS_STATE_KEY_FILE", str(tmp_path / "this-runner" / "checkpoint.key"))
    trusted(fake_github, uploaded)
    found = find(fake_github, Log())
    assert found is not None
    markdown = tmp_path / "runner-temp" / "p-production-readiness.md"
    workspace = tmp_path / "workspace"

    checkpoint.json_path_for(markdown).parent.mkdir(parents=True)
    checkpoint.json_path_for(markdown).write_bytes(found.json_bytes)  # as downloaded: not ours
    states, warnings = checkpoint.load(markdown, "p", root=workspace)
    assert states == {} and "is not signed by this machine's key: not reused" in warnings[0]

    found.restore(markdown, checkpoint.state_key(workspace))
    states, warnings = checkpoint.load(markdown, "p", root=workspace)
    assert warnings == [] and list(states) == [Category.RELIABILITY]
    saved = json.loads(checkpoint.json_path_for(markdown).read_text())
    assert saved["hmac"] != json.loads(found.json_bytes)["hmac"]


def test_nothing_found_is_said(fake_github: FakeGitHub) -> None:
    log = Log()
    assert find(fake_github, log) is None
    assert log.lines == [("info", "no checkpoint artifact of 'main' was found")]


def test_upload_in_one_run_and_find_in_the_next(
    tmp_path: Path, fake_github: FakeGitHub, fake_artifacts: FakeArtifactService
) -> None:
    """Run 1 (a push to main) uploads after each category; run 2 (a PR against main) finds it."""
    run1 = fake_github.add_workflow_run(head_branch="main", event="push", path=WORKFLOW)
    markdown = tmp_path / "run1" / "p-production-readiness.md"
    files = checkpoint_files(tmp_path)
    markdown.parent.mkdir()
    for name, data in files.items():
        (markdown.parent / name).write_bytes(data)
    client = ArtifactClient.from_env(fake_artifacts.runtime(run1))
    assert client is not None
    uploader = CheckpointUploader(client, "main", markdown, say=lambda *_: None)
    uploader.after_category()
    uploader.after_category()
    uploaded = uploader.close()

    found = find(fake_github, Log())
    assert found is not None
    assert (found.artifact_id, found.name, found.run_id) == (
        uploaded,
        "readiness-checkpoint-main-c2",
        run1.id,
    )
    assert dict(found.files) == files


def test_an_earlier_attempt_of_this_run_is_reused_and_no_other_run_of_the_branch(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    """A pull request's own checkpoints: only from this run's earlier attempts (a re-run), never
    from the branch's other runs, though they share its repository, workflow file and branch."""
    current = fake_github.add_workflow_run(
        head_branch="feature", event="pull_request", path=WORKFLOW, run_attempt=2
    )
    hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    earlier = fake_github.add_artifact(
        "readiness-checkpoint-feature-c8", checkpoint_zip(tmp_path), run=current, created_at=hour_ago
    )
    forged = trusted(
        fake_github,
        checkpoint_zip(tmp_path, failing=False),
        name="readiness-checkpoint-feature-c8",
        head_branch="feature",
        event="pull_request",
    )
    log = Log()

    found = find(fake_github, log, "feature", sources=Sources(run_id=current.id), run_id=str(current.id))

    assert found is not None and (found.artifact_id, found.run_id) == (earlier.id, current.id)
    assert (
        f"ignoring checkpoint artifact readiness-checkpoint-feature-c8 (id {forged.id}): it was made "
        "by a pull_request run, and only the same run's earlier attempts are trusted"
    ) in log.text()
    assert "(an earlier attempt of this run, commit aaaaaaa)" in log.text()
    assert [d.artifact_id for d in fake_github.blob_downloads] == [earlier.id]  # the forgery: never


def test_with_no_trusted_source_nothing_is_looked_up(fake_github: FakeGitHub) -> None:
    log = Log()
    assert find(fake_github, log, "feature", sources=Sources()) is None
    assert fake_github.requests == []
    assert "no earlier run can be trusted for 'feature'" in log.text()


# -- the trust rules, one by one --------------------------------------------------------------------

Forge = Callable[[FakeGitHub, Path], Artifact]


def from_fork(fake: FakeGitHub, tmp: Path) -> Artifact:
    fork = fake.add_repo("contributor/hello-world", fork=True)
    return trusted(fake, checkpoint_zip(tmp, failing=False), head_repo=fork)


def from_another_repository(fake: FakeGitHub, tmp: Path) -> Artifact:
    artifact = trusted(fake, checkpoint_zip(tmp, failing=False))
    artifact.run = fake.add_workflow_run(repo="someone/else", head_branch="main", event="push", path=WORKFLOW)
    return artifact


def from_another_workflow(fake: FakeGitHub, tmp: Path) -> Artifact:
    return trusted(fake, checkpoint_zip(tmp, failing=False), path=".github/workflows/anything.yml")


def from_another_branch(fake: FakeGitHub, tmp: Path) -> Artifact:
    return trusted(fake, checkpoint_zip(tmp, failing=False), head_branch="Main")  # same slug


def from_a_pull_request_run(fake: FakeGitHub, tmp: Path) -> Artifact:
    """Same repository, same workflow file, same branch: but a pull request's run, whose workflow
    (and so whatever it uploads under our names) its author controls."""
    return trusted(fake, checkpoint_zip(tmp, failing=False), event="pull_request")


def from_a_scheduled_run(fake: FakeGitHub, tmp: Path) -> Artifact:
    return trusted(fake, checkpoint_zip(tmp, failing=False), event="workflow_dispatch")


def expired(fake: FakeGitHub, tmp: Path) -> Artifact:
    return trusted(fake, checkpoint_zip(tmp, failing=False), expired=True)


def with_a_bad_digest(fake: FakeGitHub, tmp: Path) -> Artifact:
    artifact = trusted(fake, checkpoint_zip(tmp, failing=False))
    artifact.digest_override = "sha256:" + "0" * 64
    return artifact


def corrupted(fake: FakeGitHub, tmp: Path) -> Artifact:
    data = checkpoint_zip(tmp, failing=False)
    return trusted(fake, data[:-40])


def a_zip_bomb(fake: FakeGitHub, tmp: Path) -> Artifact:
    return trusted(fake, zip_bomb())


def with_path_traversal(fake: FakeGitHub, tmp: Path) -> Artifact:
    files = checkpoint_files(tmp, failing=False)
    return trusted(fake, raw_zip({"../" + name: data for name, data in files.items()}))


def of_another_project(fake: FakeGitHub, tmp: Path) -> Artifact:
    return trusted(fake, checkpoint_zip(tmp, "other", failing=False))


def not_a_checkpoint(fake: FakeGitHub, tmp: Path) -> Artifact:
    return trusted(fake, raw_zip({"report.json": b'{"go": true}'}))


ATTACKS: list[tuple[Forge, str]] = [
    (from_fork, "made by a run on a fork"),
    (from_another_repository, "made by a run of another repository"),
    (from_another_workflow, "made by another workflow (.github/workflows/anything.yml, not " + WORKFLOW),
    (from_another_branch, "made from branch 'Main', not 'main'"),
    (
        from_a_pull_request_run,
        "it was made by a pull_request run, and only push runs of main are trusted",
    ),
    (
        from_a_scheduled_run,
        "it was made by a workflow_dispatch run, and only push runs of main are trusted",
    ),
    (expired, "it has expired"),
    (with_a_bad_digest, "its content fails its sha256 digest"),
    (corrupted, "its zip is unusable: not a readable zip"),
    (a_zip_bomb, "a zip bomb?"),
    (with_path_traversal, "refused member name '../p-production-readiness.json'"),
    (of_another_project, "belongs to project 'other', not 'p'"),
    (not_a_checkpoint, "does not hold a readiness checkpoint"),
]


@pytest.mark.parametrize(("forge", "reason"), ATTACKS, ids=[f.__name__ for f, _ in ATTACKS])
def test_an_untrusted_newest_artifact_is_ignored_with_the_reason(
    tmp_path: Path, fake_github: FakeGitHub, forge: Forge, reason: str
) -> None:
    good = trusted(
        fake_github, checkpoint_zip(tmp_path), created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    )
    bad = forge(fake_github, tmp_path)
    log = Log()

    found = find(fake_github, log)

    assert found is not None and found.artifact_id == good.id  # the older, trustworthy one
    ignored = [
        m for level, m in log.lines if m.startswith(f"ignoring checkpoint artifact {NAME} (id {bad.id})")
    ]
    assert len(ignored) == 1 and reason in ignored[0], log.text()


@pytest.mark.parametrize(("forge", "reason"), ATTACKS, ids=[f.__name__ for f, _ in ATTACKS])
def test_an_untrusted_artifact_alone_gives_no_checkpoint(
    tmp_path: Path, fake_github: FakeGitHub, forge: Forge, reason: str
) -> None:
    forge(fake_github, tmp_path)
    log = Log()
    assert find(fake_github, log) is None
    assert reason in log.text()


def test_a_flood_of_fork_artifacts_does_not_hide_the_trusted_one(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    good = trusted(
        fake_github, checkpoint_zip(tmp_path), created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    )
    fork = fake_github.add_repo("contributor/hello-world", fork=True)
    forged = checkpoint_zip(tmp_path, failing=False)
    for _ in range(150):
        trusted(fake_github, forged, head_repo=fork)
    found = find(fake_github, Log())
    assert found is not None and found.artifact_id == good.id
    assert len(fake_github.blob_downloads) == 1  # fork artifacts are ruled out before any download


def test_downloads_are_bounded_when_every_artifact_is_broken(tmp_path: Path, fake_github: FakeGitHub) -> None:
    for _ in range(5):
        trusted(fake_github, b"PK\x03\x04 not really a zip")
    log = Log()
    assert find(fake_github, log) is None
    assert len(fake_github.blob_downloads) == 3
    assert "gave up after 3 unusable checkpoint artifacts of 'main'" in log.text()


def test_the_api_failing_means_no_checkpoint_and_a_warning(fake_github: FakeGitHub) -> None:
    fake_github.fail(500, times=50, route="actions/list-artifacts-for-repo")
    log = Log()
    assert find(fake_github, log) is None
    assert log.lines[-1][0] == "warning" and "cannot list checkpoint artifacts of 'main'" in log.lines[-1][1]


def test_transient_api_errors_are_retried(tmp_path: Path, fake_github: FakeGitHub) -> None:
    good = trusted(fake_github, checkpoint_zip(tmp_path))
    fake_github.fail(502, times=2, route="actions/list-artifacts-for-repo")
    fake_github.fail(503, times=1, route="actions/download-artifact")
    found = find(fake_github, Log())
    assert found is not None and found.artifact_id == good.id


def test_an_expired_blob_url_is_a_skipped_artifact(tmp_path: Path, fake_github: FakeGitHub) -> None:
    trusted(fake_github, checkpoint_zip(tmp_path))
    fake_github.blob_host = "127.0.0.2"  # nothing listens there: the download fails
    log = Log()
    assert find(fake_github, log) is None
    assert "it cannot be downloaded" in log.text()


def test_works_against_github_enterprise_server(tmp_path: Path, fake_ghes: FakeGitHub) -> None:
    good = trusted(fake_ghes, checkpoint_zip(tmp_path))
    found = find(fake_ghes, Log())
    assert found is not None and found.artifact_id == good.id


# -- the trust anchor: what the current run is -----------------------------------------------------


def test_the_anchor_falls_back_to_the_api(fake_github: FakeGitHub) -> None:
    current = fake_github.add_workflow_run(head_branch="feature", path=WORKFLOW)
    context = pr_context(fake_github, run_id=str(current.id))
    anchor = trust_anchor(repo_client(fake_github), context, {})
    assert anchor == TrustAnchor(fake_github.repo.id, WORKFLOW)
    assert {r.operation_id for r in fake_github.requests} == {"repos/get", "actions/get-workflow-run"}


def test_the_anchor_uses_the_event_repository(fake_github: FakeGitHub) -> None:
    event = {"repository": {"id": fake_github.repo.id, "full_name": fake_github.repo.full_name}}
    context = pr_context(fake_github, event=event)
    env = {"GITHUB_WORKFLOW_REF": f"{fake_github.repo.full_name}/{WORKFLOW}@refs/heads/main"}
    assert trust_anchor(repo_client(fake_github), context, env) == TrustAnchor(fake_github.repo.id, WORKFLOW)
    assert fake_github.requests == []


def test_without_a_known_workflow_nothing_is_trusted(fake_github: FakeGitHub) -> None:
    log = Log()
    context = pr_context(fake_github, run_id=None)
    client = RepoClient(fake_github.url, fake_github.repo.full_name, TOKEN)
    assert trust_anchor(client, context, {"GITHUB_REPOSITORY_ID": "1"}, log) is None
    assert "earlier checkpoints are not used" in log.text()


# -- the rules as pure functions (cases the fake can't produce) ------------------------------------

ANCHOR = TrustAnchor(42, WORKFLOW)
NOW = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)


def listing(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": 1,
        "name": NAME,
        "expired": False,
        "expires_at": "2026-09-01T00:00:00Z",
        "digest": "sha256:" + "a" * 64,
        "workflow_run": {"id": 7, "repository_id": 42, "head_repository_id": 42, "head_branch": "main"},
    }
    base.update(changes)
    return base


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({}, None),
        ({"digest": None}, "no sha256 digest"),
        ({"digest": "md5:abc"}, "no sha256 digest"),
        ({"expires_at": "2026-07-31T23:59:59Z"}, "expired"),
        ({"workflow_run": None}, "names no workflow run"),
        (
            {
                "workflow_run": {
                    "id": 7,
                    "repository_id": 42,
                    "head_repository_id": None,
                    "head_branch": "main",
                }
            },
            "fork",
        ),
    ],
)
def test_listing_rules(changes: dict[str, object], problem: str | None) -> None:
    found = listing_problem(listing(**changes), ANCHOR, "main", NOW)
    assert (found is None) if problem is None else (problem in (found or ""))


def run(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": 7,
        "event": "push",
        "head_branch": "main",
        "run_attempt": 1,
        "repository": {"id": 42},
        "head_repository": {"id": 42},
        "path": WORKFLOW,
    }
    base.update(changes)
    return base


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({}, None),
        ({"path": WORKFLOW + "@refs/heads/main"}, None),
        ({"head_repository": None}, "fork"),  # a deleted fork
        ({"repository": {"id": 9}}, "another repository"),
        ({"path": "dynamic/pages"}, "another workflow"),
        ({"event": "pull_request"}, "made by a pull_request run"),
    ],
)
def test_run_rules(fields: dict[str, object], problem: str | None) -> None:
    found = run_problem(run(**fields), ANCHOR, BASE)
    assert (found is None) if problem is None else (problem in (found or ""))
    assert run_problem(None, ANCHOR, BASE) == "its workflow run is not one of this repository's"


PR_RESUME = Sources(run_id=7)  # a pull request's own branch: only this run's earlier attempts
PUSH_RESUME = Sources(run_id=7, push_branch="main")  # a push to main: main's push runs too


@pytest.mark.parametrize(
    ("fields", "sources", "problem"),
    [
        ({"event": "pull_request", "head_branch": "feature", "run_attempt": 2}, PR_RESUME, None),
        (
            {"id": 8, "event": "pull_request", "head_branch": "feature"},
            PR_RESUME,
            "it was made by a pull_request run, and only the same run's earlier attempts are trusted",
        ),
        (
            {"id": 8, "head_branch": "feature"},
            PR_RESUME,
            "it was made by a push run of feature, and only the same run's earlier attempts are trusted",
        ),
        ({"id": 8}, PUSH_RESUME, None),
        (
            {"id": 8, "event": "pull_request"},
            PUSH_RESUME,
            "it was made by a pull_request run, and only the same run's earlier attempts or push runs "
            "of main are trusted",
        ),
        (
            {"id": 8, "event": "push", "head_branch": "release"},
            PUSH_RESUME,
            "it was made by a push run of release, and only",
        ),
        ({"id": 8, "event": None}, PUSH_RESUME, "made by a run of an unknown event"),
        ({}, BASE, None),
        ({"event": "pull_request_target"}, BASE, "only push runs of main are trusted"),
        ({}, Sources(), "no earlier run is trusted"),
    ],
)
def test_origin_rules(fields: dict[str, object], sources: Sources, problem: str | None) -> None:
    found = origin_problem(run(**fields), sources)
    assert (found is None) if problem is None else (problem in (found or "")), found


def test_retry_after_an_hour_on_the_artifact_api_costs_a_minute_of_the_runs_budget(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    slept: list[float] = []
    budget = client.new_run(client.WaitBudget(scale=1.0, sleep=slept.append))
    good = trusted(fake_github, checkpoint_zip(tmp_path))
    fake_github.fail(429, route="actions/list-artifacts-for-repo", retry_after=3600)
    try:
        found = find(fake_github, Log())
    finally:
        client.new_run()  # later tests get a budget of their own
    assert found is not None and found.artifact_id == good.id
    assert budget.waits == [60.0] and slept == [60.0]
