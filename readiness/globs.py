"""Gitignore-style patterns from untrusted files, matched in time linear in the path.

Every pattern here comes from the tree under review (`.readiness.yml`'s `exclude`, `test_paths`
and waiver paths, and each directory's `.gitignore`). pathspec turns a pattern into a regular
expression, and Python's backtracking engine takes polynomial time in the path's length on a
line such as ``*a*a*a*a*a*a*a*a*a*a*b`` (O(n^10): a 60-character file name takes hours). So:

- patterns are matched with RE2 (a linear-time engine, pathspec's ``re2`` backend) when it is
  installed, as it is with readiness's dependencies;
- without it, a pattern with more wildcards in one path segment than :data:`MAX_STARS_PER_SEGMENT`
  is refused: with that few, the backtracking cost stays small for any path a filesystem allows;
- every pattern is at most :data:`MAX_PATTERN_CHARS` long, and compiled once.

A refused or malformed pattern in configuration is a configuration error (exit 2, naming the
file, line and key); in a `.gitignore` it is dropped, which scans more files, never fewer.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import pathspec

MAX_PATTERN_CHARS = 1024  # far beyond any real path pattern; bounds the compiled program
MAX_STARS_PER_SEGMENT = 3  # only enforced without RE2, where matching can backtrack

try:  # the linear-time engine; pathspec picks it by name
    import re2  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: F401

    BACKEND = "re2"
except ImportError:  # a platform without the binding: refuse the patterns that can backtrack
    BACKEND = "simple"


class PatternError(ValueError):
    """A pattern that cannot be matched safely; the message says why."""


def problem(pattern: str) -> str | None:
    """Why ``pattern`` is refused (a phrase to follow the pattern), or None when it can be used."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"is longer than {MAX_PATTERN_CHARS} characters"
    if any(part in ("..",) for part in pattern.strip().strip("/").split("/")):
        return "has a '..' segment, which matches nothing inside the repository"
    if BACKEND != "re2":
        for segment in pattern.split("/"):
            stars = len([run for run in re.split(r"[^*]+", segment) if run and run != "**"])
            if stars > MAX_STARS_PER_SEGMENT:
                return (
                    f"has more than {MAX_STARS_PER_SEGMENT} wildcards in one path segment cannot be "
                    "matched in bounded time without RE2 (pip install google-re2)"
                )
    try:
        pathspec.GitIgnoreSpec.from_lines([pattern], backend=BACKEND)
    except (ValueError, re.error) as error:  # a trailing backslash, a range like [z-a]
        return f"is not a valid gitignore pattern: {error}"
    return None


def spec(patterns: Iterable[str]) -> pathspec.GitIgnoreSpec:
    """One matcher for patterns already validated (configuration, the tool's own); raises
    :class:`PatternError` naming the first bad one."""
    lines = list(patterns)
    for pattern in lines:
        reason = problem(pattern)
        if reason is not None:
            raise PatternError(f"{pattern!r} {reason}")
    return _compiled(tuple(lines))


def lenient_spec(lines: Iterable[str]) -> tuple[pathspec.GitIgnoreSpec, list[str]]:
    """A matcher for a `.gitignore`'s lines, dropping the ones that cannot be matched safely (as
    Git skips lines it can't parse), and the dropped lines with why."""
    kept: list[str] = []
    dropped: list[str] = []
    for line in lines:
        reason = problem(line) if line.strip() and not line.startswith("#") else None
        if reason is None:
            kept.append(line)
        else:
            dropped.append(f"{line[:80]!r} {reason}")
    return _compiled(tuple(kept)), dropped


@functools.lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(patterns, backend=BACKEND)
