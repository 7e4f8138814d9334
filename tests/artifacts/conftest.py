"""Fixtures for the artifact tests: the fake GitHub, the fake artifact service, quick retries,
and a repository layout shared by the upload and download tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.github.conftest import fake_artifacts, fake_ghes, fake_github

__all__ = ["fake_artifacts", "fake_ghes", "fake_github"]


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_HTTP_BACKOFF", "0.001")


@pytest.fixture(autouse=True)
def state_key(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own checkpoint key (outside every scanned tree), never the user's."""
    path = tmp_path_factory.mktemp("state-key") / "checkpoint.key"
    monkeypatch.setenv("READINESS_STATE_KEY_FILE", str(path))
    return path
