"""Dockerfiles (readiness.parsers.dockerfile), heredocs included: always a Dockerfile."""

from __future__ import annotations

from hypothesis import given

from tests.fuzz import fuzz_settings
from tests.fuzz import strategies as s
from tests.fuzz.targets import run_dockerfile


@fuzz_settings(150)
@given(s.dockerfile_text())
def test_dockerfile_always_parses(text: str) -> None:
    run_dockerfile(text)
