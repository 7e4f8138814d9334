"""The REST calls that find and fetch artifacts of earlier runs, with plain HTTP.

Plain ``requests`` rather than PyGithub: the zip download answers 302 to blob storage on another
host, and that hop must not carry our token. We ask for the redirect without following it, then
fetch the Location with a session that has no credentials at all.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter

from readiness.github.client import RETRYABLE, CappedRetry

TIMEOUT = 30.0
MAX_DOWNLOAD = 64 * 1024 * 1024
PER_PAGE = 100


class RestError(Exception):
    """GitHub's REST API or the blob store could not give what was asked (after retries)."""


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """An explicit empty auth: stops requests from adding ~/.netrc credentials for the blob host."""
    return request


def _session(token: str | None) -> requests.Session:
    session = requests.Session()
    # The run's one wait budget (60 s a wait, 10 minutes in all): a Retry-After of an hour from
    # the artifact API or the blob store must not park the job either.
    retry = CappedRetry(
        total=4,
        backoff_factor=1.0,  # nominal seconds; the budget applies READINESS_HTTP_BACKOFF
        status_forcelist=list(RETRYABLE),
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=False,
        redirect=0,
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "readiness-action"
    if token:
        session.headers["Authorization"] = f"Bearer {token}"
        session.headers["Accept"] = "application/vnd.github+json"
        session.headers["X-GitHub-Api-Version"] = "2022-11-28"
    return session


class RepoClient:
    """Read access to one repository's Actions artifacts and runs (needs ``actions: read``)."""

    def __init__(self, api_url: str, repository: str, token: str, *, timeout: float = TIMEOUT) -> None:
        self.api_url = api_url.rstrip("/")
        self.repository = repository
        self.timeout = timeout
        self._api = _session(token)
        self._blob = _session(None)  # never holds a credential
        self._runs: dict[int, dict[str, Any] | None] = {}
        self._repository_id: int | None = None

    @property
    def _base(self) -> str:
        owner, name = self.repository.split("/", 1)
        return f"{self.api_url}/repos/{quote(owner, safe='')}/{quote(name, safe='')}"

    def _get_json(self, url: str, params: dict[str, str | int] | None = None) -> tuple[int, Any]:
        try:
            response = self._api.get(url, params=params, timeout=self.timeout, allow_redirects=False)
        except requests.RequestException as error:
            raise RestError(f"GET {url}: {type(error).__name__}: {error}") from None
        if response.status_code == 404:
            return 404, None
        if response.status_code != 200:
            raise RestError(f"GET {url}: {response.status_code} {_message(response)}")
        try:
            return 200, response.json()
        except ValueError:
            raise RestError(f"GET {url}: the answer is not JSON") from None

    def list_artifacts(self, name: str, page: int = 1) -> tuple[list[dict[str, Any]], bool]:
        """One page of the repository's artifacts called exactly ``name``, newest first, and
        whether there are more pages."""
        status, body = self._get_json(
            f"{self._base}/actions/artifacts", {"name": name, "per_page": PER_PAGE, "page": page}
        )
        if status == 404:
            raise RestError(f"the repository {self.repository} is not visible to the token")
        items = body.get("artifacts") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise RestError("the artifact listing has no 'artifacts' array")
        total = body.get("total_count")
        more = isinstance(total, int) and page * PER_PAGE < total
        return [item for item in items if isinstance(item, dict)], more

    def workflow_run(self, run_id: int) -> dict[str, Any] | None:
        """The run (cached), or None when this repository has no such run."""
        if run_id not in self._runs:
            status, body = self._get_json(f"{self._base}/actions/runs/{int(run_id)}")
            self._runs[run_id] = body if status == 200 and isinstance(body, dict) else None
        return self._runs[run_id]

    def repository_id(self) -> int:
        if self._repository_id is None:
            status, body = self._get_json(self._base)
            if status != 200 or not isinstance(body, dict) or not isinstance(body.get("id"), int):
                raise RestError(f"cannot read the repository {self.repository}")
            self._repository_id = int(body["id"])
        return self._repository_id

    def download_zip(self, artifact_id: int, max_bytes: int = MAX_DOWNLOAD) -> bytes:
        """The artifact's zip: the API answers 302 to a short-lived signed URL, fetched without
        our token (the signature is the credential)."""
        url = f"{self._base}/actions/artifacts/{int(artifact_id)}/zip"
        try:
            response = self._api.get(url, timeout=self.timeout, allow_redirects=False)
        except requests.RequestException as error:
            raise RestError(f"GET {url}: {type(error).__name__}: {error}") from None
        if response.status_code == 200:  # served directly (no redirect): same host, already authorised
            return _capped(response, max_bytes)
        if response.status_code not in (301, 302, 303, 307, 308):
            raise RestError(f"GET {url}: {response.status_code} {_message(response)}")
        location = response.headers.get("Location", "")
        if urlsplit(location).scheme not in ("http", "https"):
            raise RestError(f"GET {url}: redirected to {location[:100]!r}, not an http(s) URL")
        try:
            blob = self._blob.get(
                location, timeout=self.timeout, allow_redirects=False, stream=True, auth=_no_auth
            )
        except requests.RequestException as error:
            raise RestError(f"downloading the artifact from blob storage: {type(error).__name__}") from None
        with blob:
            if blob.status_code != 200:
                raise RestError(f"blob storage answered {blob.status_code} for artifact {artifact_id}")
            return _capped(blob, max_bytes)


def _capped(response: requests.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise RestError(f"the artifact is {declared} bytes, over the {max_bytes}-byte limit")
    chunks: list[bytes] = []
    total = 0
    try:
        for chunk in response.iter_content(64 * 1024):
            total += len(chunk)
            if total > max_bytes:
                raise RestError(f"the artifact is over the {max_bytes}-byte limit")
            chunks.append(chunk)
    except requests.RequestException as error:
        raise RestError(f"the download broke off: {type(error).__name__}") from None
    return b"".join(chunks)


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("message", ""))[:200] if isinstance(body, dict) else str(body)[:200]
