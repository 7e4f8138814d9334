"""The Actions artifact service (v4 protocol), as used from inside the action's container.

Twirp JSON calls to ``{origin of ACTIONS_RESULTS_URL}/twirp/…ArtifactService/{Method}`` with the
runtime token as a Bearer token; the backend ids the calls name come from the token's ``scp``
claim. An upload is CreateArtifact → one PUT of a zip to the signed URL (to blob storage, so
never with our token) → FinalizeArtifact with the byte count and sha256.

Availability is decided by the environment the runner gives the container: no
ACTIONS_RUNTIME_TOKEN means no Actions run (or the token wasn't passed on); no ACTIONS_RESULTS_URL
means no v4 service, which is the case on GitHub Enterprise Server. We don't guess from
GITHUB_SERVER_URL: GHE.com hosts are not github.com and do have the service.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from readiness.github.artifacts import archive, names
from readiness.github.client import backoff_scale

SERVICE = "github.actions.results.api.v1.ArtifactService"
# The CreateArtifact "version": 4 is the zip protocol every toolkit since the v4 launch speaks;
# toolkit releases since 2026-02 send 7. The service takes both; we send the long-standing one.
ARTIFACT_VERSION = 4
RETRYABLE = frozenset({429, 500, 502, 503, 504})
ATTEMPTS = 5
BASE_WAIT = 3.0  # seconds, then ×1.5 per attempt, as the toolkit does; scaled by READINESS_HTTP_BACKOFF
WAIT_MULTIPLIER = 1.5
TIMEOUT = 30.0
_RESULTS_SCOPE = "Actions.Results:"


class ArtifactError(Exception):
    """A call to the artifact service or the blob store failed (after retries where they apply)."""


class AlreadyExists(ArtifactError):
    """The run already has an artifact of that name (Twirp already_exists, HTTP 409)."""


class NotFound(ArtifactError):
    """The run has no artifact of that name (Twirp not_found, HTTP 404)."""


@dataclass(frozen=True)
class BackendIds:
    workflow_run: str
    workflow_job_run: str

    def fields(self) -> dict[str, str]:
        return {
            "workflow_run_backend_id": self.workflow_run,
            "workflow_job_run_backend_id": self.workflow_job_run,
        }


@dataclass(frozen=True)
class ServiceArtifact:
    """An artifact of this run, as ListArtifacts describes it."""

    id: int
    name: str
    size: int
    created_at: str
    digest: str | None


def backend_ids(runtime_token: str) -> BackendIds:
    """The ids in the token's ``scp`` claim. The JWT is only decoded, not verified: the service
    verifies it, we only need to name the run and job it was issued for."""
    parts = runtime_token.split(".")
    if len(parts) != 3:
        raise ArtifactError("ACTIONS_RUNTIME_TOKEN is not a JWT")
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError) as error:
        raise ArtifactError(f"ACTIONS_RUNTIME_TOKEN's payload cannot be decoded ({error})") from None
    scopes = claims.get("scp") if isinstance(claims, dict) else None
    if not isinstance(scopes, str):
        raise ArtifactError("ACTIONS_RUNTIME_TOKEN has no 'scp' claim")
    for scope in scopes.split():
        if scope.startswith(_RESULTS_SCOPE):
            run, _, job = scope.removeprefix(_RESULTS_SCOPE).partition(":")
            if run and job and ":" not in job:
                return BackendIds(run, job)
    raise ArtifactError("ACTIONS_RUNTIME_TOKEN grants no 'Actions.Results:<run>:<job>' scope")


def wait_before(attempt: int) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based)."""
    return BASE_WAIT * WAIT_MULTIPLIER ** (attempt - 1) * backoff_scale()


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """An explicit empty auth: stops requests from adding ~/.netrc credentials for the blob host."""
    return request


class ArtifactClient:
    def __init__(
        self,
        results_url: str,
        runtime_token: str,
        ids: BackendIds,
        *,
        max_retention_days: int | None = None,
        timeout: float = TIMEOUT,
    ) -> None:
        parts = urlsplit(results_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"  # the toolkit uses the URL's origin only
        self.ids = ids
        self.max_retention_days = max_retention_days
        self.timeout = timeout
        self._token = runtime_token
        self._twirp = requests.Session()
        self._blob = requests.Session()  # a separate session: nothing of ours rides along to storage

    @staticmethod
    def unavailable_reason(env: Mapping[str, str]) -> str | None:
        """Why checkpoints can't be uploaded as v4 artifacts here; None when they can."""
        fallback = (
            "the checkpoint files stay in the workspace for an actions/upload-artifact step, "
            "and the scan goes on without artifact uploads"
        )
        token = env.get("ACTIONS_RUNTIME_TOKEN", "").strip()
        results = env.get("ACTIONS_RESULTS_URL", "").strip()
        if not token:
            return f"ACTIONS_RUNTIME_TOKEN is not set (not a GitHub Actions run?): {fallback}"
        if not results:
            server = env.get("GITHUB_SERVER_URL", "").strip() or "this server"
            return (
                f"ACTIONS_RESULTS_URL is not set, so {server} offers no v4 artifact service "
                f"(GitHub Enterprise Server has none): {fallback}"
            )
        if urlsplit(results).scheme not in ("http", "https") or not urlsplit(results).netloc:
            return f"ACTIONS_RESULTS_URL {results!r} is not an http(s) URL: {fallback}"
        try:
            backend_ids(token)
        except ArtifactError as error:
            return f"{error}: {fallback}"
        return None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ArtifactClient | None:
        """A client for this run, or None; :meth:`unavailable_reason` says why."""
        if cls.unavailable_reason(env) is not None:
            return None
        token = env["ACTIONS_RUNTIME_TOKEN"].strip()
        return cls(
            env["ACTIONS_RESULTS_URL"].strip(),
            token,
            backend_ids(token),
            max_retention_days=names.retention_days(None, env),
        )

    # -- the calls ---------------------------------------------------------------------------------

    def upload(
        self,
        name: str,
        files: Mapping[str, bytes],
        retention_days: int | None = None,
        *,
        overwrite: bool = True,
    ) -> int:
        """Zip ``files`` and upload them as artifact ``name`` of this run; return its id.

        ``overwrite`` replaces an artifact of the same name in this run (a re-run attempt, or a
        CreateArtifact whose success we didn't hear), as upload-artifact's ``overwrite`` does."""
        if not names.valid_name(name):
            raise ArtifactError(f"invalid artifact name {name!r}")
        data = archive.pack(files)
        days = retention_days
        if self.max_retention_days is not None:
            days = min(days, self.max_retention_days) if days is not None else self.max_retention_days
        request: dict[str, Any] = {**self.ids.fields(), "name": name, "version": ARTIFACT_VERSION}
        if days is not None:
            expires = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=days)
            request["expires_at"] = expires.isoformat().replace("+00:00", "Z")
        try:
            created = self._call("CreateArtifact", request)
        except AlreadyExists:
            if not overwrite:
                raise
            self.delete(name)
            created = self._call("CreateArtifact", request)
        url = created.get("signed_upload_url")
        if not created.get("ok") or not isinstance(url, str) or not url:
            raise ArtifactError(f"CreateArtifact refused {name!r}: {created}")
        self._put_blob(url, data)
        finalized = self._call(
            "FinalizeArtifact",
            {
                **self.ids.fields(),
                "name": name,
                "size": str(len(data)),  # int64 travels as a string in Twirp JSON
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
            },
        )
        if not finalized.get("ok"):
            raise ArtifactError(f"FinalizeArtifact refused {name!r}: {finalized}")
        return _int64(finalized.get("artifact_id"), "artifact_id")

    def list_artifacts(self, name: str | None = None) -> list[ServiceArtifact]:
        """This run's finalized artifacts (all, or the one called ``name``)."""
        request: dict[str, Any] = dict(self.ids.fields())
        if name is not None:
            request["name_filter"] = name
        answer = self._call("ListArtifacts", request)
        found = []
        for item in answer.get("artifacts") or []:
            found.append(
                ServiceArtifact(
                    id=_int64(item.get("database_id"), "database_id"),
                    name=str(item.get("name", "")),
                    size=_int64(item.get("size", "0"), "size"),
                    created_at=str(item.get("created_at", "")),
                    digest=item.get("digest") or None,
                )
            )
        return found

    def delete(self, name: str) -> int | None:
        """Delete this run's artifact ``name``; the deleted id, or None when there was none."""
        try:
            answer = self._call("DeleteArtifact", {**self.ids.fields(), "name": name})
        except NotFound:
            return None
        return _int64(answer.get("artifact_id"), "artifact_id") if answer.get("ok") else None

    def signed_url(self, name: str) -> str:
        answer = self._call("GetSignedArtifactURL", {**self.ids.fields(), "name": name})
        url = answer.get("signed_url")
        if not isinstance(url, str) or not url:
            raise ArtifactError(f"no signed URL for {name!r}")
        return url

    # -- transport ---------------------------------------------------------------------------------

    def _call(self, method: str, body: Mapping[str, Any]) -> dict[str, Any]:
        url = f"{self.origin}/twirp/{SERVICE}/{method}"
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Content-Type": "application/json",
            "User-Agent": "readiness-action",
        }
        problem = ""
        for attempt in range(1, ATTEMPTS + 1):
            if attempt > 1:
                time.sleep(wait_before(attempt - 1))
            try:
                response = self._twirp.post(url, json=dict(body), headers=headers, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as error:
                problem = f"{type(error).__name__}: {error}"
                continue
            if response.status_code == 200:
                try:
                    answer = response.json()
                except ValueError:
                    raise ArtifactError(f"{method}: the answer is not JSON") from None
                if not isinstance(answer, dict):
                    raise ArtifactError(f"{method}: the answer is not a JSON object")
                return answer
            code, message = _twirp_error(response)
            problem = f"{response.status_code} {code}: {message}"
            if response.status_code == 409 or code == "already_exists":
                raise AlreadyExists(f"{method}: {problem}")
            if response.status_code == 404 or code == "not_found":
                raise NotFound(f"{method}: {problem}")
            if response.status_code not in RETRYABLE:
                break
        raise ArtifactError(f"{method} failed: {problem}"[:500])

    def _put_blob(self, url: str, data: bytes) -> None:
        headers = {"x-ms-blob-type": "BlockBlob", "Content-Type": "application/zip"}
        problem = ""
        for attempt in range(1, ATTEMPTS + 1):
            if attempt > 1:
                time.sleep(wait_before(attempt - 1))
            try:
                response = self._blob.put(
                    url,
                    data=data,
                    headers=headers,
                    auth=_no_auth,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except (requests.ConnectionError, requests.Timeout) as error:
                problem = f"{type(error).__name__}: {error}"
                continue
            if response.status_code in (200, 201):
                return
            problem = f"{response.status_code} {response.text[:200]}"
            if response.status_code not in RETRYABLE:
                break
        raise ArtifactError(f"the upload to blob storage failed: {problem}"[:500])


def _twirp_error(response: requests.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "unknown", response.text[:200]
    if not isinstance(body, dict):
        return "unknown", str(body)[:200]
    return str(body.get("code", "unknown")), str(body.get("msg", ""))[:300]


def _int64(value: Any, field: str) -> int:
    """Twirp JSON carries int64 as strings (numbers are accepted too)."""
    if isinstance(value, bool):
        raise ArtifactError(f"{field} is not an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ArtifactError(f"{field} is not an integer: {value!r}") from None
