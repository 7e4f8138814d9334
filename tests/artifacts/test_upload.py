"""Uploading checkpoints with the v4 artifact protocol, against the fake artifact service."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from readiness.github.artifacts import (
    ARTIFACT_VERSION,
    ArtifactClient,
    ArtifactError,
    CheckpointUploader,
    backend_ids,
    unpack,
)
from tests.github.fake_artifacts import FakeArtifactService
from tests.github.fake_github import FakeGitHub, WorkflowRun

WORKFLOW = ".github/workflows/readiness.yml"


def main_run(fake: FakeGitHub) -> WorkflowRun:
    return fake.add_workflow_run(head_branch="main", event="push", path=WORKFLOW)


def client_for(service: FakeArtifactService, run: WorkflowRun | None, **options: object) -> ArtifactClient:
    client = ArtifactClient.from_env(service.runtime(run, **options))  # type: ignore[arg-type]
    assert client is not None
    return client


# -- availability -----------------------------------------------------------------------------------


def test_backend_ids_come_from_the_scp_claim(fake_artifacts: FakeArtifactService) -> None:
    env = fake_artifacts.runtime()
    runtime = fake_artifacts.runtimes[env["ACTIONS_RUNTIME_TOKEN"]]
    ids = backend_ids(env["ACTIONS_RUNTIME_TOKEN"])
    assert (ids.workflow_run, ids.workflow_job_run) == (runtime.run_backend_id, runtime.job_backend_id)


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({}, "ACTIONS_RUNTIME_TOKEN is not set"),
        ({"ACTIONS_RESULTS_URL": "https://results.example/"}, "ACTIONS_RUNTIME_TOKEN is not set"),
        (
            {"ACTIONS_RUNTIME_TOKEN": "x.y.z", "GITHUB_SERVER_URL": "https://ghes.example.com"},
            "ACTIONS_RESULTS_URL is not set, so https://ghes.example.com offers no v4 artifact service "
            "(GitHub Enterprise Server has none)",
        ),
        (
            {"ACTIONS_RUNTIME_TOKEN": "not-a-jwt", "ACTIONS_RESULTS_URL": "https://results.example/"},
            "ACTIONS_RUNTIME_TOKEN is not a JWT",
        ),
        (
            {"ACTIONS_RUNTIME_TOKEN": "a.b.c", "ACTIONS_RESULTS_URL": "ftp://results.example/"},
            "is not an http(s) URL",
        ),
    ],
)
def test_without_the_service_there_is_no_client_and_a_reason(env: dict[str, str], reason: str) -> None:
    assert ArtifactClient.from_env(env) is None
    explanation = ArtifactClient.unavailable_reason(env)
    assert explanation is not None
    assert reason in explanation
    assert "the checkpoint files stay in the workspace for an actions/upload-artifact step" in explanation


def test_a_token_without_the_results_scope_gives_no_client(fake_artifacts: FakeArtifactService) -> None:
    env = fake_artifacts.runtime(scopes="Actions.GenericRead:abc Actions.UploadArtifacts:x:y")
    assert ArtifactClient.from_env(env) is None
    assert "grants no 'Actions.Results:<run>:<job>' scope" in (ArtifactClient.unavailable_reason(env) or "")


# -- the upload -------------------------------------------------------------------------------------


def test_upload_round_trip_create_put_finalize(
    fake_artifacts: FakeArtifactService, fake_github: FakeGitHub
) -> None:
    run = main_run(fake_github)
    client = client_for(fake_artifacts, run)
    files = {
        "p-production-readiness.json": b'{"format": "readiness-checkpoint"}\n',
        "p-production-readiness.md": b"# cp\n",
    }

    artifact_id = client.upload("readiness-checkpoint-main-c1", files, retention_days=3)

    assert [r.call for r in fake_artifacts.requests] == ["CreateArtifact", "blob-put", "FinalizeArtifact"]
    create, put, finalize = fake_artifacts.requests
    assert create.path.startswith("/twirp/")  # the origin of ACTIONS_RESULTS_URL, not its /results/ path
    assert create.headers["authorization"] == f"Bearer {client._token}"
    assert create.body["version"] == ARTIFACT_VERSION
    assert create.body["name"] == "readiness-checkpoint-main-c1"
    expires = dt.datetime.fromisoformat(create.body["expires_at"].replace("Z", "+00:00"))
    assert abs(expires - (dt.datetime.now(dt.UTC) + dt.timedelta(days=3))) < dt.timedelta(minutes=5)
    # The blob PUT: to another host, as a block blob, and without any credential of ours.
    assert put.headers["host"].startswith("localhost:")
    assert put.headers["x-ms-blob-type"] == "BlockBlob"
    assert "authorization" not in put.headers
    assert finalize.body["size"] == str(len(put.raw_body))  # int64 as a string
    assert finalize.body["hash"] == "sha256:" + hashlib.sha256(put.raw_body).hexdigest()

    (stored,) = fake_artifacts.finalized(run)
    assert stored.id == artifact_id
    assert unpack(stored.content or b"") == files
    # Published where a later run looks: the REST API of the repository, with the same digest.
    rest = fake_github.artifacts[artifact_id]
    assert rest.name == "readiness-checkpoint-main-c1" and rest.run is run
    assert rest.to_json(fake_github.site)["digest"] == finalize.body["hash"]
    assert [a.name for a in client.list_artifacts()] == ["readiness-checkpoint-main-c1"]


def test_retention_is_capped_by_github_retention_days(
    fake_artifacts: FakeArtifactService, fake_github: FakeGitHub
) -> None:
    client = client_for(fake_artifacts, main_run(fake_github), retention_days=5)
    client.upload("n", {"a.json": b"{}"}, retention_days=30)
    (create,) = fake_artifacts.calls("CreateArtifact")
    expires = dt.datetime.fromisoformat(create.body["expires_at"].replace("Z", "+00:00"))
    assert expires - dt.datetime.now(dt.UTC) < dt.timedelta(days=5, minutes=1)


def test_uploading_a_name_again_in_the_same_run_replaces_it(
    fake_artifacts: FakeArtifactService, fake_github: FakeGitHub
) -> None:
    client = client_for(fake_artifacts, main_run(fake_github))
    first = client.upload("readiness-checkpoint-main-c2", {"a.json": b"1"})
    second = client.upload("readiness-checkpoint-main-c2", {"a.json": b"2"})
    assert first != second
    assert [r.status for r in fake_artifacts.calls("CreateArtifact")] == [200, 409, 200]
    assert [a.id for a in fake_artifacts.finalized()] == [second]
    assert list(fake_github.artifacts) == [second]
    with pytest.raises(ArtifactError, match="already exists"):
        client.upload("readiness-checkpoint-main-c2", {"a.json": b"3"}, overwrite=False)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_twirp_calls_are_retried_on_transient_errors(
    fake_artifacts: FakeArtifactService, fake_github: FakeGitHub, status: int
) -> None:
    client = client_for(fake_artifacts, main_run(fake_github))
    fake_artifacts.fail(status, times=2, method="CreateArtifact")
    fake_artifacts.fail(status, times=1, method="FinalizeArtifact")
    client.upload("n", {"a.json": b"{}"})
    assert [r.status for r in fake_artifacts.calls("CreateArtifact")] == [status, status, 200]
    assert [r.status for r in fake_artifacts.calls("FinalizeArtifact")] == [status, 200]


def test_retries_stop_after_five_attempts(
    fake_artifacts: FakeArtifactService, fake_github: FakeGitHub
) -> None:
    client = client_for(fake_artifacts, main_run(fake_github))
    fake_artifacts.fail(503, times=10, method="CreateArtifact")
    with pytest.raises(ArtifactError, match="CreateArtifact failed: 503 unavailable"):
        client.upload("n", {"a.json": b"{}"})
    assert len(fake_artifacts.calls("CreateArtifact")) == 5


def test_other_errors_are_not_retried(fake_artifacts: FakeArtifactService, fake_github: FakeGitHub) -> None:
    client = client_for(fake_artifacts, main_run(fake_github))
    fake_artifacts.fail(403, method="CreateArtifact")
    with pytest.raises(ArtifactError, match="403 permission_denied"):
        client.upload("n", {"a.json": b"{}"})
    assert len(fake_artifacts.calls("CreateArtifact")) == 1


def test_the_blob_put_is_retried(fake_artifacts: FakeArtifactService, fake_github: FakeGitHub) -> None:
    client = client_for(fake_artifacts, main_run(fake_github))
    fake_artifacts.fail(503, times=2, method="blob")
    client.upload("n", {"a.json": b"{}"})
    assert [r.status for r in fake_artifacts.calls("blob-put")] == [503, 503, 201]


def test_a_create_applied_before_a_502_is_recovered(
    fake_artifacts: FakeArtifactService, fake_github: FakeGitHub
) -> None:
    client = client_for(fake_artifacts, main_run(fake_github))
    fake_artifacts.fail(502, method="CreateArtifact", applied=True)
    artifact_id = client.upload("n", {"a.json": b"{}"})
    assert [a.id for a in fake_artifacts.finalized()] == [artifact_id]


def test_the_backoff_follows_the_toolkit(monkeypatch: pytest.MonkeyPatch) -> None:
    from readiness.github.artifacts import service

    monkeypatch.setenv("READINESS_HTTP_BACKOFF", "1")
    assert [service.wait_before(n) for n in (1, 2, 3, 4)] == [3.0, 4.5, 6.75, 10.125]


def test_the_fake_catches_a_token_sent_to_blob_storage(
    fake_artifacts: FakeArtifactService, fake_github: FakeGitHub
) -> None:
    import requests

    client = client_for(fake_artifacts, main_run(fake_github))
    real_put = client._blob.put

    def leaky_put(url: str, **kwargs: object) -> requests.Response:
        kwargs["headers"] = {**kwargs["headers"], "Authorization": "Bearer leaked"}  # type: ignore[dict-item]
        return real_put(url, **kwargs)  # type: ignore[arg-type]

    client._blob.put = leaky_put  # type: ignore[method-assign,assignment]
    with pytest.raises(ArtifactError):
        client.upload("n", {"a.json": b"{}"})
    assert {v.kind for v in fake_artifacts.take_violations()} == {"token-leak"}


# -- the checkpoint uploader ------------------------------------------------------------------------


def write_checkpoint(path: Path, completed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_suffix(".json").write_text(
        json.dumps({"format": "readiness-checkpoint", "completed": completed})
    )
    path.write_text(f"# checkpoint after {completed}\n")


def test_the_uploader_uploads_after_each_category_and_keeps_one_artifact_per_run(
    tmp_path: Path, fake_artifacts: FakeArtifactService, fake_github: FakeGitHub
) -> None:
    run = main_run(fake_github)
    markdown = tmp_path / "cp" / "p-production-readiness.md"
    lines: list[tuple[str, str]] = []
    uploader = CheckpointUploader(
        client_for(fake_artifacts, run),
        "main",
        markdown,
        retention_days=7,
        say=lambda level, message: lines.append((level, message)),
        background=False,
    )
    for completed in (1, 2, 3):
        write_checkpoint(markdown, completed)
        uploader.after_category(object())
    assert [name for name, _ in uploader.uploaded] == [f"readiness-checkpoint-main-c{n}" for n in (1, 2, 3)]
    # The newest upload holds the whole state: the superseded ones are deleted.
    (remaining,) = fake_artifacts.finalized(run)
    assert remaining.name == "readiness-checkpoint-main-c3"
    assert [a.name for a in fake_github.artifacts.values()] == ["readiness-checkpoint-main-c3"]
    content = unpack(remaining.content or b"")
    assert json.loads(content["p-production-readiness.json"])["completed"] == 3
    assert content["p-production-readiness.md"] == b"# checkpoint after 3\n"
    assert lines[-1] == (
        "info",
        f"checkpoint uploaded as artifact readiness-checkpoint-main-c3 (id {remaining.id})",
    )
    assert uploader.close() == remaining.id


def test_background_uploads_send_the_newest_state(
    tmp_path: Path, fake_artifacts: FakeArtifactService, fake_github: FakeGitHub
) -> None:
    run = main_run(fake_github)
    markdown = tmp_path / "p-production-readiness.md"
    uploader = CheckpointUploader(client_for(fake_artifacts, run), "main", markdown, say=lambda *_: None)
    for completed in range(1, 9):
        write_checkpoint(markdown, completed)
        uploader.after_category()
    last = uploader.close(timeout=30)
    (remaining,) = fake_artifacts.finalized(run)
    assert remaining.id == last
    assert remaining.name == "readiness-checkpoint-main-c8"
    assert json.loads(unpack(remaining.content or b"")["p-production-readiness.json"])["completed"] == 8


def test_failing_uploads_warn_and_then_stop(
    tmp_path: Path, fake_artifacts: FakeArtifactService, fake_github: FakeGitHub
) -> None:
    markdown = tmp_path / "p-production-readiness.md"
    write_checkpoint(markdown, 1)
    lines: list[tuple[str, str]] = []
    uploader = CheckpointUploader(
        client_for(fake_artifacts, main_run(fake_github)),
        "main",
        markdown,
        say=lambda level, message: lines.append((level, message)),
        background=False,
    )
    fake_artifacts.fail(500, times=100, method="CreateArtifact")
    for _ in range(4):
        uploader.after_category()
    assert len(fake_artifacts.calls("CreateArtifact")) == 10  # two uploads of five attempts, then none
    assert [level for level, _ in lines] == ["warning", "warning"]
    assert lines[0][1].startswith(
        "checkpoint upload readiness-checkpoint-main-c1 failed: CreateArtifact failed: 500"
    )
    assert lines[0][1].endswith("; the scan goes on")
    assert lines[1][1].endswith("; no more checkpoint uploads in this run")
    assert uploader.close() is None


def test_a_missing_checkpoint_file_is_a_warning(tmp_path: Path, fake_artifacts: FakeArtifactService) -> None:
    lines: list[tuple[str, str]] = []
    uploader = CheckpointUploader(
        client_for(fake_artifacts, None),
        "main",
        tmp_path / "absent.md",
        say=lambda level, message: lines.append((level, message)),
        background=False,
    )
    uploader.after_category()
    assert lines[0][0] == "warning" and "cannot read the checkpoint to upload it" in lines[0][1]
    assert fake_artifacts.requests == []


def test_say_to_writes_workflow_log_lines() -> None:
    import io

    from readiness.github.artifacts import say_to

    out = io.StringIO()
    say = say_to(out)
    say("info", "checkpoint uploaded")
    say("warning", "upload failed:\nretrying")
    say("notice", "ignoring checkpoint")
    assert out.getvalue() == (
        "checkpoint uploaded\n::warning::upload failed:%0Aretrying\n::notice::ignoring checkpoint\n"
    )
