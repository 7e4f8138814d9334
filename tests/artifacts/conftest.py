"""Fixtures for the artifact tests: the fake GitHub, the fake artifact service, quick retries,
and a repository layout shared by the upload and download tests."""

from __future__ import annotations

import pytest

from tests.github.conftest import fake_artifacts, fake_ghes, fake_github

__all__ = ["fake_artifacts", "fake_ghes", "fake_github"]


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_HTTP_BACKOFF", "0.001")
