"""Checkpoints as workflow artifacts: upload after each category (v4 protocol), find and verify
earlier runs' checkpoints through the REST API.

What the Action calls:

- :meth:`ArtifactClient.from_env` / :meth:`ArtifactClient.unavailable_reason`: can this run upload?
- :class:`CheckpointUploader`: ``after_category`` from the engine's callback, ``close`` at the end.
- :class:`RepoClient` + :func:`trust_anchor` + :func:`find_checkpoint` with :class:`Sources`: the
  newest checkpoint of a branch made by a trusted run (an earlier attempt of this run, or a push
  run of the base branch), as a :class:`Checkpoint` (``restore`` it, re-signed, for resume;
  ``states`` for a delta).
"""

from readiness.github.artifacts.archive import UnsafeArchive, pack, unpack
from readiness.github.artifacts.finder import (
    Checkpoint,
    Sources,
    TrustAnchor,
    content_problem,
    current_run,
    find_checkpoint,
    listing_problem,
    origin_problem,
    run_problem,
    trust_anchor,
    trusted_base,
)
from readiness.github.artifacts.names import (
    DEFAULT_RETENTION_DAYS,
    branch_slug,
    candidate_names,
    checkpoint_prefix,
    retention_days,
    upload_name,
)
from readiness.github.artifacts.rest import RepoClient, RestError
from readiness.github.artifacts.service import (
    ARTIFACT_VERSION,
    AlreadyExists,
    ArtifactClient,
    ArtifactError,
    BackendIds,
    backend_ids,
)
from readiness.github.artifacts.uploader import CheckpointUploader, Say, say_to

__all__ = [
    "ARTIFACT_VERSION",
    "DEFAULT_RETENTION_DAYS",
    "AlreadyExists",
    "ArtifactClient",
    "ArtifactError",
    "BackendIds",
    "Checkpoint",
    "CheckpointUploader",
    "RepoClient",
    "RestError",
    "Say",
    "Sources",
    "TrustAnchor",
    "UnsafeArchive",
    "backend_ids",
    "branch_slug",
    "candidate_names",
    "checkpoint_prefix",
    "content_problem",
    "current_run",
    "find_checkpoint",
    "listing_problem",
    "origin_problem",
    "pack",
    "retention_days",
    "run_problem",
    "say_to",
    "trust_anchor",
    "trusted_base",
    "unpack",
    "upload_name",
]
