"""A PyGithub client pointed at the run's API (github.com or GitHub Enterprise Server), and how
every call to it is retried.

Waits are bounded. Each wait for GitHub (a Retry-After, a primary rate limit's reset, a secondary
rate limit, a backoff after a 5xx) is capped at PER_WAIT seconds, and all the waits of one run
together at RUN_WAIT (a WaitBudget): a ``Retry-After: 3600`` costs a minute, not an hour, and a
GitHub that keeps refusing costs at most ten minutes before the run gives up and falls back to
the job summary (readiness.action._publish). READINESS_HTTP_BACKOFF scales the time actually
slept, never the accounting, so tests run the real policy in milliseconds.

Retries come in two layers. urllib3 (CappedRetry) repeats the requests that are safe to repeat
(GET, PUT, DELETE...) inside each call. Writes (POST, PATCH) are never repeated blindly: a POST
answered 502 may have been applied, and a PATCH of a check run appends its annotations again.
:func:`with_retries` repeats a whole operation, and :func:`create_once` looks for what a write
that may have been applied created before writing again.
"""

from __future__ import annotations

import email.utils
import os
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self, TypeVar

import github
import requests
from github import GithubException
from github.GithubRetry import GithubRetry
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import InvalidHeader, MaxRetryError, ResponseError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

RETRYABLE = [429, 500, 502, 503, 504]
PER_WAIT = 60.0  # seconds: the most any one wait may take
RUN_WAIT = 600.0  # seconds: all of a run's waits for GitHub together
ATTEMPTS = 7  # tries of one write: six rate-limit answers in a row are waited out, a seventh is not
SECONDARY_WAIT = 60.0  # GitHub: after a secondary rate limit without Retry-After, wait at least a minute
T = TypeVar("T")
Sleep = Callable[[float], None]


def backoff_scale() -> float:
    """READINESS_HTTP_BACKOFF scales every wait (seconds); the default suits github.com."""
    return float(os.environ.get("READINESS_HTTP_BACKOFF", "1.0"))


class WaitBudget:
    """The time one run may spend waiting for GitHub: each wait capped, all of them bounded.

    Thread-safe (uploads and publishing may wait at once). ``waits`` lists every wait granted, in
    nominal seconds, and ``refused`` counts the waits asked for after the budget was spent: tests
    assert on these instead of on wall time. ``sleep`` is what actually waits (a fake clock in
    tests); it is given the nominal seconds times READINESS_HTTP_BACKOFF, read when it sleeps."""

    def __init__(
        self,
        per_wait: float = PER_WAIT,
        total: float = RUN_WAIT,
        *,
        scale: float | None = None,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.per_wait = per_wait
        self.total = total
        self.waits: list[float] = []
        self.refused = 0
        self._scale = scale
        self._sleep = sleep
        self._lock = threading.Lock()

    @property
    def spent(self) -> float:
        return sum(self.waits)

    @property
    def exhausted(self) -> bool:
        return self.refused > 0

    def grant(self, wanted: float) -> float | None:
        """Book a wait of ``wanted`` seconds, capped; None when it no longer fits the budget.
        A shorter wait than asked is never offered at the end: it would only earn another refusal."""
        wait = min(max(wanted, 0.0), self.per_wait)
        with self._lock:
            if sum(self.waits) + wait > self.total:
                self.refused += 1
                return None
            self.waits.append(wait)
        return wait

    def pause(self, seconds: float) -> None:
        """Wait ``seconds`` already granted."""
        if seconds > 0:
            self._sleep(seconds * (backoff_scale() if self._scale is None else self._scale))

    def take(self, wanted: float) -> bool:
        """Grant and wait; False (without waiting) when the budget is spent."""
        wait = self.grant(wanted)
        if wait is None:
            return False
        self.pause(wait)
        return True


_RUN: list[WaitBudget] = []


def run_budget() -> WaitBudget:
    """This run's budget: one per process unless :func:`new_run` starts another."""
    if not _RUN:
        _RUN.append(WaitBudget())
    return _RUN[0]


def new_run(budget: WaitBudget | None = None) -> WaitBudget:
    """Start a run's budget afresh (the Action calls this once; tests run many in one process)."""
    _RUN[:] = [budget or WaitBudget()]
    return _RUN[0]


def _seconds_until(value: str) -> float | None:
    """A Retry-After value (seconds or an HTTP date) as seconds from now; None when unreadable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class CappedRetry(GithubRetry):
    """PyGithub's retry (rate limits recognised, Retry-After and X-RateLimit-Reset honoured) with
    every wait drawn from a WaitBudget. The wait is decided when the retry is booked (increment):
    when the budget can't pay for it, the retry is refused there, and with ``raise_on_status``
    off the caller gets GitHub's last answer as a GithubException (429, 503...), not a
    transport error."""

    def __init__(self, budget: WaitBudget | None = None, **kwargs: Any) -> None:
        self.budget = budget if budget is not None else run_budget()
        self.granted = 0.0
        super().__init__(**kwargs)

    def new(self, **kw: Any) -> Self:
        kw["budget"] = self.budget
        return super().new(**kw)

    def increment(  # type: ignore[override]
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Retry:
        retry = super().increment(method, url, response, error, _pool, _stacktrace)  # type: ignore[arg-type]
        wanted: float | None = None
        if response is not None and self.respect_retry_after_header:
            try:
                wanted = self.get_retry_after(response)
            except InvalidHeader:
                wanted = None
        if wanted is None:
            # GithubRetry has set this to the rate limit's reset or the secondary wait if need be.
            wanted = retry.get_backoff_time()
            if response is not None and response.status == 429:  # a rate limit that names no time
                wanted = max(wanted, SECONDARY_WAIT)
        granted = self.budget.grant(wanted)
        if granted is None:
            reason = error or ResponseError(
                f"the run's {self.budget.total:.0f} s of waiting for GitHub are spent"
            )
            raise MaxRetryError(_pool, url or "", reason)  # type: ignore[arg-type]
        if isinstance(retry, CappedRetry):
            retry.granted = granted
        return retry

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        self.budget.pause(self.granted)

    def sleep_for_retry(self, response: BaseHTTPResponse) -> bool:
        self.budget.pause(self.granted)
        return True


def connect(
    api_url: str, token: str, *, budget: WaitBudget | None = None, timeout: int = 30
) -> github.Github:
    """Requests safe to repeat (GET, PUT, DELETE, ...) are retried on 5xx, 429 and rate-limit 403s
    within the budget; rate limits are waited out. POST and PATCH are not retried here (see the
    module's docstring): :func:`with_retries` and :func:`create_once` decide per operation."""
    scale = backoff_scale()
    retry = CappedRetry(
        budget=budget,
        total=5,
        backoff_factor=1.0,  # nominal seconds: 0, 2, 4, 8, 16 (the budget applies the scale)
        status_forcelist=list(RETRYABLE),
        allowed_methods=Retry.DEFAULT_ALLOWED_METHODS,
        secondary_rate_wait=SECONDARY_WAIT,
        raise_on_status=False,
    )
    return github.Github(
        base_url=api_url,
        auth=github.Auth.Token(token),
        retry=retry,
        timeout=timeout,  # seconds; PyGithub takes whole ones only
        user_agent="readiness-action",
        lazy=True,  # no fetch of objects we only call methods on (issues, commits)
        seconds_between_requests=0.0,
        seconds_between_writes=0.25 * scale,  # GitHub asks for paced writes (secondary limits)
    )


class RetriesExhausted(Exception):
    """An operation still failed when its attempts or the run's wait budget ran out."""

    def __init__(self, attempts: int, last: Exception, budget_spent: bool) -> None:
        super().__init__(f"gave up after {attempts} attempt(s): {last}")
        self.attempts, self.last, self.budget_spent = attempts, last, budget_spent

    @property
    def rate_limited(self) -> bool:
        return isinstance(self.last, GithubException) and rate_limited(self.last)


# What a call to GitHub can raise: an API error, the transport giving up (connection refused,
# timeout), or with_retries giving up.
API_ERRORS = (GithubException, requests.exceptions.RequestException, RetriesExhausted)
_TRANSPORT = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
)


def rate_limited(error: GithubException) -> bool:
    message = str(error.data.get("message", "")) if isinstance(error.data, dict) else ""
    return error.status == 429 or (error.status == 403 and "rate limit" in message.lower())


def transient(error: Exception) -> bool:
    """Worth trying again: a 5xx, a rate limit, a timeout or a dropped connection."""
    if isinstance(error, GithubException):
        return error.status in RETRYABLE or rate_limited(error)
    return isinstance(error, _TRANSPORT)


def may_have_applied(error: Exception) -> bool:
    """Could the write have happened though it failed? A 5xx or a lost answer: yes. A rate limit
    or a connection never made: no (GitHub refuses rate-limited requests before acting)."""
    if isinstance(error, GithubException):
        return error.status >= 500
    return isinstance(error, _TRANSPORT) and not isinstance(error, requests.exceptions.ConnectTimeout)


def wanted_wait(error: Exception, attempt: int) -> float:
    """How long GitHub asks us to wait before attempt ``attempt + 1``, uncapped (the budget caps):
    Retry-After, else a primary rate limit's reset, else a minute for a secondary rate limit, else
    an exponential backoff (1, 2, 4... seconds)."""
    if isinstance(error, GithubException):
        headers = {name.lower(): str(value) for name, value in (error.headers or {}).items()}
        if (after := _seconds_until(headers.get("retry-after", ""))) is not None:
            return after
        reset = headers.get("x-ratelimit-reset", "")
        if headers.get("x-ratelimit-remaining") == "0" and reset.isdigit():
            return max(0.0, int(reset) - time.time()) + 1.0
        if rate_limited(error):
            return SECONDARY_WAIT
    return 2.0 ** (attempt - 1)


def with_retries(
    call: Callable[[], T],
    attempts: int = ATTEMPTS,
    *,
    budget: WaitBudget | None = None,
    on_failure: Callable[[Exception], None] | None = None,
) -> T:
    """Run ``call`` again on transient failures, waiting as GitHub asks within the run's budget.
    Raises the error itself when it is not transient, RetriesExhausted when the attempts or the
    budget run out. Callers make ``call`` safe to repeat (see :func:`create_once`); ``on_failure``
    hears of each transient failure before the next attempt."""
    budget = budget if budget is not None else run_budget()
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except API_ERRORS as error:
            if isinstance(error, RetriesExhausted) or not transient(error):
                raise
            if on_failure is not None:
                on_failure(error)
            if attempt == attempts:
                raise RetriesExhausted(attempt, error, budget_spent=False) from error
            if not budget.take(wanted_wait(error, attempt)):
                raise RetriesExhausted(attempt, error, budget_spent=True) from error
    raise AssertionError("unreachable")


def create_once(
    create: Callable[[], T],
    find: Callable[[], T | None],
    attempts: int = ATTEMPTS,
    *,
    budget: WaitBudget | None = None,
) -> T:
    """``create()`` with retries, never creating twice: once an attempt has failed in a way that may
    have been applied (a 5xx, a timeout, a dropped connection), every later attempt first asks
    ``find()`` for the object that write would have made (and brings it up to date), and creates
    only when there is none. After a rate limit alone nothing was applied, so nothing is looked up."""
    uncertain = False

    def note(error: Exception) -> None:
        nonlocal uncertain
        uncertain = uncertain or may_have_applied(error)

    def attempt() -> T:
        if uncertain and (found := find()) is not None:
            return found
        return create()

    return with_retries(attempt, attempts, budget=budget, on_failure=note)


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
