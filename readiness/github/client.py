"""A PyGithub client pointed at the run's API (github.com or GitHub Enterprise Server)."""

from __future__ import annotations

import os

import github
from github.GithubRetry import GithubRetry

RETRYABLE = (429, 500, 502, 503, 504)


def connect(api_url: str, token: str) -> github.Github:
    """Retries 5xx and 429 with backoff (honouring Retry-After) and waits out rate limits.

    READINESS_HTTP_BACKOFF scales the backoff (seconds); the default suits github.com.
    """
    backoff = float(os.environ.get("READINESS_HTTP_BACKOFF", "1.0"))
    retry = GithubRetry(
        total=5,
        backoff_factor=backoff,
        status_forcelist=RETRYABLE,
        secondary_rate_wait=max(1.0, 60.0 * backoff),
    )
    return github.Github(
        base_url=api_url,
        auth=github.Auth.Token(token),
        retry=retry,
        timeout=30,
        user_agent="readiness-action",
    )
