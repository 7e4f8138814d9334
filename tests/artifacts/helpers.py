"""Shared builders: contexts, clients and checkpoint archives for the artifact tests."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from readiness import checkpoint
from readiness.github.artifacts import RepoClient, pack
from readiness.github.context import GitHubContext
from readiness.model import Category, CheckResult, Evidence, Failure
from tests.github.fake_github import FakeGitHub

WORKFLOW = ".github/workflows/readiness.yml"
TOKEN = "ghs_fake_installation_token"


def run_env(fake: FakeGitHub, workflow: str = WORKFLOW) -> dict[str, str]:
    """What the runner tells the current run about itself."""
    return {
        "GITHUB_WORKFLOW_REF": f"{fake.repo.full_name}/{workflow}@refs/pull/2/merge",
        "GITHUB_REPOSITORY_ID": str(fake.repo.id),
    }


def pr_context(fake: FakeGitHub, **changes: Any) -> GitHubContext:
    fields: dict[str, Any] = {
        "event_name": "pull_request",
        "repository": fake.repo.full_name,
        "api_url": fake.url,
        "server_url": "https://github.com",
        "sha": "f" * 40,
        "ref": "refs/pull/2/merge",
        "workspace": Path("."),
        "pr_number": 2,
        "base_ref": "main",
        "head_ref": "feature",
        "run_id": "1234",
        **changes,
    }
    return GitHubContext(**fields)


def repo_client(fake: FakeGitHub) -> RepoClient:
    return RepoClient(fake.url, fake.repo.full_name, TOKEN)


def checkpoint_files(tmp_path: Path, project: str = "p", *, failing: bool = True) -> dict[str, bytes]:
    """A real checkpoint (written by checkpoint.save) of one category, as artifact members."""
    result = (
        CheckResult.failed([Failure("a.txt is bad", (Evidence("a.txt", 1, "bad"),))])
        if failing
        else CheckResult.passed("fine")
    )
    state = checkpoint.CategoryState(
        fingerprint="f" * 64,
        inputs={"a.txt": "0" * 64},
        completed_at="2026-08-01T00:00:00+00:00",
        light="red" if failing else "green",
        results={"reliability/reads-a": result},
    )
    folder = tmp_path / f"made-{project}-{failing}"
    markdown = folder / f"{project}-production-readiness.md"
    checkpoint.save(
        markdown,
        project=project,
        readiness_version="0",
        started_at=dt.datetime(2026, 8, 1, tzinfo=dt.UTC),
        states={Category.RELIABILITY: state},
        completed=[],
        remaining=[],
        root=tmp_path / "tree",
    )
    json_path = checkpoint.json_path_for(markdown)
    return {json_path.name: json_path.read_bytes(), markdown.name: markdown.read_bytes()}


def checkpoint_zip(tmp_path: Path, project: str = "p", *, failing: bool = True) -> bytes:
    return pack(checkpoint_files(tmp_path, project, failing=failing))


def raw_zip(members: dict[str, bytes]) -> bytes:
    """A zip written without our packer's checks (for hostile archives)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, data)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """Over the 64 MiB uncompressed limit, about 70 KiB compressed."""
    document = json.dumps({"format": "readiness-checkpoint", "pad": ""}).encode()
    return raw_zip({"p-production-readiness.json": document + b" " * (65 * 1024 * 1024)})
