"""Artifact names and retention for checkpoints.

One stable prefix per branch, ``readiness-checkpoint-<branch-slug>``, so a later run can find a
branch's state by name. The real service refuses a second artifact of the same name in one run
(409), and the checkpoint is uploaded after every category, so each upload carries the number of
completed categories: ``…-c3``. Finders ask for each possible name (the REST filter is exact-match).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from readiness.model import Category

PREFIX = "readiness-checkpoint"
MAX_SLUG = 100
DEFAULT_RETENTION_DAYS = 30  # base-branch state must outlive quiet weeks; checkpoints are small

_OUTSIDE_SLUG = re.compile(r"[^a-z0-9._-]+")
_HYPHENS = re.compile(r"-{2,}")
# Characters the artifact service refuses in names (see the notes on the v4 protocol).
_FORBIDDEN_IN_NAMES = frozenset('":<>|*?\r\n\\/')


def branch_slug(branch: str) -> str:
    """``Feature/Login-2`` → ``feature-login-2``: lowercase, only [a-z0-9._-], at most MAX_SLUG long.

    Different branches can share a slug (``a/b`` and ``a-b``); finders therefore also check the
    artifact's branch, never the name alone.
    """
    name = branch.removeprefix("refs/heads/")
    slug = _HYPHENS.sub("-", _OUTSIDE_SLUG.sub("-", name.lower())).strip("-.")
    if len(slug) > MAX_SLUG:
        # Keep long names distinct from each other: a cut plus a digest of the whole name.
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        slug = slug[: MAX_SLUG - 9].rstrip("-.") + "-" + digest
    return slug or "unnamed"


def checkpoint_prefix(branch: str) -> str:
    return f"{PREFIX}-{branch_slug(branch)}"


def upload_name(branch: str, completed: int) -> str:
    """The name of the upload made after ``completed`` categories: unique within a run."""
    if completed < 1:
        raise ValueError("an upload follows at least one completed category")
    return f"{checkpoint_prefix(branch)}-c{completed}"


def candidate_names(branch: str, most: int = len(Category)) -> list[str]:
    """Every name a checkpoint of ``branch`` can have: the bare prefix (what a workflow's own
    upload-artifact step would use) and one per completed-category count."""
    prefix = checkpoint_prefix(branch)
    return [prefix, *(f"{prefix}-c{n}" for n in range(1, most + 1))]


def valid_name(name: str) -> bool:
    return bool(name) and not (_FORBIDDEN_IN_NAMES & set(name))


def retention_days(configured: int | None, env: Mapping[str, str]) -> int | None:
    """min(configured, GITHUB_RETENTION_DAYS): the repository's setting is a cap the service enforces.

    None means "the repository's default" (no expiry is sent)."""
    cap_text = env.get("GITHUB_RETENTION_DAYS", "").strip()
    cap = int(cap_text) if cap_text.isdigit() and int(cap_text) > 0 else None
    if configured is not None and configured < 1:
        raise ValueError("retention must be at least one day")
    if configured is None:
        return cap
    return min(configured, cap) if cap is not None else configured
