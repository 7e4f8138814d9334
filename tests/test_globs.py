"""Patterns from the tree (`.gitignore`, `exclude`) are matched in linear time, and a pattern
that can't be matched safely is refused (configuration) or dropped (`.gitignore`), never a hang
or a crash.

The pathological line ``*a*a*a*a*a*a*a*a*a*a*b`` makes Python's backtracking engine take hours
on a 60-character file name; the tests run under an alarm that turns a hang into a failure
instead of a stuck suite (speed itself is measured in benchmarks/hostile_patterns.py).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from readiness import config, globs, registry
from readiness.repo import MAX_GITIGNORE_BYTES, Repo
from tests.support import write_tree

PATHOLOGICAL = "*a*a*a*a*a*a*a*a*a*a*b"


@pytest.fixture
def hang_guard() -> Iterator[None]:
    def hung(signum: int, frame: object) -> None:
        raise TimeoutError("matching did not finish: catastrophic backtracking")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_the_linear_time_engine_is_in_use() -> None:
    assert globs.BACKEND == "re2"


def test_a_pathological_gitignore_line_is_matched_in_linear_time(tmp_path: Path, hang_guard: None) -> None:
    long_name = "a" * 200
    write_tree(
        tmp_path,
        {
            ".gitignore": PATHOLOGICAL + "\n",
            f"{long_name}.go": "package main\n",
            f"{'a' * 60}b": "ignored\n",
            "main.go": "package main\n",
        },
    )
    repo = Repo(tmp_path, use_git=False)
    assert f"{long_name}.go" in repo.paths
    assert "main.go" in repo.paths
    assert f"{'a' * 60}b" not in repo.paths  # the line still works as a pattern


def test_the_same_line_as_an_exclude_is_accepted_and_fast(tmp_path: Path, hang_guard: None) -> None:
    write_tree(tmp_path, {".readiness.yml": f'exclude: ["{PATHOLOGICAL}"]\n', f"{'a' * 200}.go": "x\n"})
    policy = config.load(tmp_path, known_checks=registry.known_ids())
    repo = Repo(tmp_path, exclude=policy.exclude, use_git=False)
    assert f"{'a' * 200}.go" in repo.paths


def test_without_re2_a_pattern_that_can_backtrack_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(globs, "BACKEND", "simple")
    reason = globs.problem(PATHOLOGICAL)
    assert reason is not None and "more than 3 wildcards in one path segment" in reason
    assert globs.problem("**/*_test.go") is None
    assert globs.problem("src/*.*") is None


def test_unusable_gitignore_lines_are_dropped_and_said(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {".gitignore": "build/\n[z-a]\nfoo\\\n" + "x" * 2000 + "\n", "build/out.go": "x\n", "keep.go": "x\n"},
    )
    repo = Repo(tmp_path, use_git=False)
    assert "build/out.go" not in repo.paths  # the good line still applies
    assert "keep.go" in repo.paths
    reason = repo.skipped[".gitignore"]
    assert reason.startswith("3 line(s) not applied: '[z-a]' is not a valid gitignore pattern")


def test_an_oversized_gitignore_is_not_applied(tmp_path: Path) -> None:
    write_tree(tmp_path, {"build/out.go": "x\n"})
    (tmp_path / ".gitignore").write_text("build/\n" + "#" * MAX_GITIGNORE_BYTES)
    repo = Repo(tmp_path, use_git=False)
    assert "build/out.go" in repo.paths  # scanning more, never less
    assert repo.skipped[".gitignore"] == f"larger than {MAX_GITIGNORE_BYTES} bytes: not applied"


def test_a_gitignore_that_is_a_fifo_is_not_read(tmp_path: Path, hang_guard: None) -> None:
    write_tree(tmp_path, {"build/out.go": "x\n"})
    os.mkfifo(tmp_path / ".gitignore")
    repo = Repo(tmp_path, use_git=False)
    assert "build/out.go" in repo.paths


def test_spec_names_the_bad_pattern() -> None:
    with pytest.raises(globs.PatternError, match=r"^'\[z-a\]' is not a valid gitignore pattern"):
        globs.spec(["ok/", "[z-a]"])
