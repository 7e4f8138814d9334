"""Compose stacks (readiness.repo compose files, readiness.facts.compose merging): base files and
production overlays with values of any type merge without raising."""

from __future__ import annotations

from hypothesis import given

from tests.fuzz import fuzz_settings
from tests.fuzz import strategies as s
from tests.fuzz.targets import run_compose


@fuzz_settings(40)
@given(s.compose_trees())
def test_compose_stacks_merge_whatever_the_types(files: dict[str, str]) -> None:
    run_compose(files)
