"""A PyGithub client pointed at the run's API (github.com or GitHub Enterprise Server)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

import github
import requests
from github import GithubException
from github.GithubRetry import GithubRetry
from urllib3.util.retry import Retry

RETRYABLE = [429, 500, 502, 503, 504]
# What a call to GitHub can raise: an API error, or the transport giving up (retries exhausted,
# connection refused, timeout).
API_ERRORS = (GithubException, requests.exceptions.RequestException)
T = TypeVar("T")


def backoff_scale() -> float:
    """READINESS_HTTP_BACKOFF scales every wait (seconds); the default suits github.com."""
    return float(os.environ.get("READINESS_HTTP_BACKOFF", "1.0"))


def connect(api_url: str, token: str) -> github.Github:
    """Idempotent requests (GET, PATCH, PUT, DELETE) are retried on 5xx and 429 with backoff,
    honouring Retry-After, and rate limits are waited out. POSTs are not retried here: a POST
    answered 502 may have been applied, so :func:`with_retries` decides per call."""
    scale = backoff_scale()
    retry = GithubRetry(
        total=5,
        backoff_factor=scale,
        status_forcelist=list(RETRYABLE),
        allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {"PATCH"},
        secondary_rate_wait=max(0.01, 60.0 * scale),
    )
    return github.Github(
        base_url=api_url,
        auth=github.Auth.Token(token),
        retry=retry,
        timeout=30,
        user_agent="readiness-action",
        lazy=True,  # no fetch of objects we only call methods on (issues, commits)
        seconds_between_requests=0.0,
        seconds_between_writes=0.25 * scale,  # GitHub asks for paced writes (secondary limits)
    )


def transient(error: GithubException) -> bool:
    message = str(error.data.get("message", "")) if isinstance(error.data, dict) else ""
    return error.status in RETRYABLE or (error.status == 403 and "rate limit" in message.lower())


def with_retries(call: Callable[[], T], attempts: int = 4) -> T:
    """Run ``call`` again on transient failures, waiting Retry-After or an exponential backoff.
    Callers make ``call`` safe to repeat (e.g. look for the comment before creating it)."""
    for attempt in range(attempts):
        try:
            return call()
        except GithubException as error:
            if attempt == attempts - 1 or not transient(error):
                raise
            headers = error.headers or {}
            retry_after = headers.get("Retry-After") or headers.get("retry-after")
            wait = float(retry_after) if retry_after and retry_after.isdigit() else 2.0**attempt
            time.sleep(min(wait, 120.0) * backoff_scale())
    raise AssertionError("unreachable")


class FileMissing(Exception):
    """The file does not exist at that ref (404)."""


def file_at(repo: object, path: str, ref: str) -> str:
    """A file's text at a commit, through the contents API. Raises FileMissing on 404, and any
    other API error as it comes (callers log it and go on)."""
    try:
        content = repo.get_contents(path, ref=ref)  # type: ignore[attr-defined]
    except GithubException as error:
        if error.status == 404:
            raise FileMissing(path) from error
        raise
    return str(content.decoded_content.decode("utf-8"))
