"""Scan options shared by the CLI and the Action, parsed the same way in both."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from readiness.model import Category


def parse_categories(text: str | None) -> frozenset[Category] | None:
    """`reliability,security` → those categories; empty → None (all). Raises ValueError."""
    if not text:
        return None
    chosen = set()
    for name in (part.strip() for part in text.split(",") if part.strip()):
        try:
            chosen.add(Category(name))
        except ValueError:
            known = ", ".join(c.value for c in Category)
            raise ValueError(f"unknown category {name!r}; choose from {known}") from None
    return frozenset(chosen)


# What readiness writes into its report folder: dated reports, checkpoint copies, the PR comment,
# the partial results of `scan --shard` (a merge job may download them there).
_REPORT_FOLDER_FILES = (
    "/**/*-production-readiness.md",
    "/**/*-production-readiness.json",
    "/comment.md",
    "/**/partial-*-of-*.json",
)


def output_excludes(root: Path, files: Iterable[Path], *, reports: Path | None = None) -> tuple[str, ...]:
    """The tool's own outputs, when they lie inside the scanned tree: never read them back (they
    would also change the file listing, and with it every category's checkpoint fingerprint).
    In the report folder only the tool's own file names are left out, not the folder: moving the
    service's code into ``reports/`` must not hide it from the scan."""
    excludes = []
    resolved_root = root.resolve()
    named = [(path, "") for path in files]
    if reports is not None:
        named += [(reports, suffix) for suffix in _REPORT_FOLDER_FILES]
    for path, suffix in named:
        resolved = path.resolve()
        if resolved.is_relative_to(resolved_root) and resolved != resolved_root:
            excludes.append("/" + globs_escape(resolved.relative_to(resolved_root).as_posix()) + suffix)
        elif resolved == resolved_root and suffix:
            excludes.append(suffix)
    return tuple(excludes)


def globs_escape(path: str) -> str:
    """A literal path as a gitignore pattern: its wildcard and escape characters escaped."""
    return "".join("\\" + char if char in "*?[]\\!#" else char for char in path)
