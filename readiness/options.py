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


def output_excludes(root: Path, folders: Iterable[Path], files: Iterable[Path] = ()) -> tuple[str, ...]:
    """The tool's own outputs, when they lie inside the scanned tree: never read them back (they
    would also change the file listing, and with it every category's checkpoint fingerprint)."""
    excludes = []
    resolved_root = root.resolve()
    for path, suffix in [*((f, "/") for f in folders), *((f, "") for f in files)]:
        resolved = path.resolve()
        if resolved.is_relative_to(resolved_root) and resolved != resolved_root:
            excludes.append("/" + resolved.relative_to(resolved_root).as_posix() + suffix)
    return tuple(excludes)
