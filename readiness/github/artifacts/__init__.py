"""Checkpoints as workflow artifacts: upload after each category (v4 protocol), find and verify
earlier runs' checkpoints through the REST API.

What the Action calls:

- :meth:`ArtifactClient.from_env` / :meth:`ArtifactClient.unavailable_reason`: can this run upload?
- :class:`CheckpointUploader`: ``after_category`` from the engine's callback, ``close`` at the end.
- :class:`RepoClient` + :func:`trust_anchor` + :func:`find_checkpoint`: the newest trustworthy
  checkpoint of a branch, as a :class:`Checkpoint` (``restore`` it for resume, ``states`` for a delta).
"""

from readiness.github.artifacts.archive import UnsafeArchive, pack, unpack
from readiness.github.artifacts.finder import (
    Checkpoint,
    TrustAnchor,
    content_problem,
    find_checkpoint,
    listing_problem,
    run_problem,
    trust_anchor,
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
    "TrustAnchor",
    "UnsafeArchive",
    "backend_ids",
    "branch_slug",
    "candidate_names",
    "checkpoint_prefix",
    "content_problem",
    "find_checkpoint",
    "listing_problem",
    "pack",
    "retention_days",
    "run_problem",
    "say_to",
    "trust_anchor",
    "unpack",
    "upload_name",
]
