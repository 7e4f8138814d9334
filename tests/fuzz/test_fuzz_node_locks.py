"""Node lock files (readiness.parsers.node_locks): a NodeLock, with a ``problem`` when the file
can't be read, never an exception."""

from __future__ import annotations

from hypothesis import given

from tests.fuzz import fuzz_settings
from tests.fuzz import strategies as s
from tests.fuzz.targets import BY_NAME


@fuzz_settings(50)
@given(s.package_lock_text())
def test_package_lock_parses_or_reports_a_problem(text: str) -> None:
    BY_NAME["package-lock"].run(text)


@fuzz_settings(150)
@given(s.yarn_lock_text())
def test_yarn_lock_always_parses(text: str) -> None:
    BY_NAME["yarn-lock"].run(text)


@fuzz_settings(150)
@given(s.pnpm_lock_text())
def test_pnpm_lock_always_parses(text: str) -> None:
    BY_NAME["pnpm-lock"].run(text)
