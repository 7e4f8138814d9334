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


def output_excludes(root: Path, folders: Iterable[Path]) -> tuple[str, ...]:
    """The tool's own output folders, when they lie inside the scanned tree: never read them back."""
    excludes = []
    resolved_root = root.resolve()
    for folder in folders:
        resolved = folder.resolve()
        if resolved.is_relative_to(resolved_root) and resolved != resolved_root:
            excludes.append("/" + resolved.relative_to(resolved_root).as_posix() + "/")
    return tuple(excludes)
