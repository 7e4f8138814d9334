"""go.mod (readiness.parsers.gomod): always a GoMod (unreadable lines are skipped)."""

from __future__ import annotations

from hypothesis import given

from tests.fuzz import fuzz_settings
from tests.fuzz import strategies as s
from tests.fuzz.targets import run_gomod


@fuzz_settings(150)
@given(s.gomod_text())
def test_go_mod_always_parses(text: str) -> None:
    run_gomod(text)
