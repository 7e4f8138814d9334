"""A fake GitHub REST API for the tests, held to GitHub's published contract (see server.py)."""

from .contract import Contract
from .handlers import ApiError, Reply
from .objects import (
    BOT_LOGIN,
    Artifact,
    BlobDownload,
    CheckRun,
    Comment,
    Pull,
    Repo,
    SarifUpload,
    Status,
    Token,
    User,
    WorkflowRun,
)
from .server import FakeGitHub, Fault, RecordedRequest, Violation

__all__ = [
    "BOT_LOGIN",
    "ApiError",
    "Artifact",
    "BlobDownload",
    "CheckRun",
    "Comment",
    "Contract",
    "FakeGitHub",
    "Fault",
    "Pull",
    "RecordedRequest",
    "Reply",
    "Repo",
    "SarifUpload",
    "Status",
    "Token",
    "User",
    "Violation",
    "WorkflowRun",
]
