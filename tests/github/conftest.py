"""Fixtures starting the fake GitHub (see tests/github/fake_github.py for its API)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.github.fake_artifacts import FakeArtifactService
from tests.github.fake_github import FakeGitHub


def _serve(options: dict[str, Any]) -> Iterator[FakeGitHub]:
    with FakeGitHub(**options) as fake:
        yield fake
    violations = fake.take_violations()
    if violations:
        listing = "\n".join(f"  {violation}" for violation in violations)
        pytest.fail(f"requests GitHub would refuse (see fake.take_violations()):\n{listing}", pytrace=False)


@pytest.fixture
def fake_github(request: pytest.FixtureRequest) -> Iterator[FakeGitHub]:
    """A started fake github.com; parametrize indirectly with FakeGitHub options to change it."""
    yield from _serve(getattr(request, "param", None) or {})


@pytest.fixture
def fake_ghes() -> Iterator[FakeGitHub]:
    """A started fake GitHub Enterprise Server: the API lives under /api/v3."""
    yield from _serve({"prefix": "/api/v3"})


@pytest.fixture
def fake_artifacts(fake_github: FakeGitHub) -> Iterator[FakeArtifactService]:
    """A started fake artifact service (v4) publishing finalized artifacts into ``fake_github``."""
    with FakeArtifactService(github=fake_github) as service:
        yield service
    violations = service.take_violations()
    if violations:
        listing = "\n".join(f"  {violation}" for violation in violations)
        pytest.fail(
            f"requests the artifact service would refuse (see service.take_violations()):\n{listing}",
            pytrace=False,
        )
