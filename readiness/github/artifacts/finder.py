"""Finding a trustworthy checkpoint among earlier runs' artifacts.

The threat: a checkpoint decides which categories are recomputed, and the engine reuses a saved
category when the saved input digests match the workspace. Anyone can compute those digests for
a public tree, so a forged "all green" checkpoint with correct digests would hide real findings.
What stops it is provenance: only state written by this repository's own workflow, in a run whose
workflow file the change under review could not have edited, is read at all. That is

- an earlier attempt of the current run (a re-run runs the same workflow file at the same
  commit: nothing the current attempt doesn't already trust), or
- a run triggered by a push to the base branch (code and workflow that were merged; on a push,
  the branch pushed to is its own base).

Never another run of a pull request's branch: its author can edit the workflow there and have
it upload any checkpoint under our names, from this repository, with the same workflow path.
Each artifact is judged in turn, newest first, and every one ignored gets a log line saying why:

- from another repository, or from a fork (a fork PR runs in the base repository and its
  artifacts are listed there, but its code is the contributor's);
- built from another branch (names are slugs, and slugs collide);
- from another workflow file (a workflow anyone can edit on a branch could write our names);
- made by a run that is neither an earlier attempt of this run nor a push run of the base;
- expired, without a sha256 digest, or with content that fails its digest;
- not a well-formed, safe zip holding a readable checkpoint of this project.

A checkpoint that passes is restored re-signed with this machine's checkpoint key (see
readiness.checkpoint): its provenance is what authenticates it, and the engine only reads signed
checkpoints.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from readiness import checkpoint
from readiness.github.artifacts import archive, names
from readiness.github.artifacts.rest import RepoClient, RestError
from readiness.github.context import GitHubContext
from readiness.model import Category

Say = Callable[[str, str], None]
MAX_DOWNLOADS = 3  # artifacts that pass the listing checks but fail later; then give up (slower, not wrong)
MAX_PAGES = 3  # per candidate name: a flood of fork artifacts can't make us read the whole history
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class TrustAnchor:
    """What a trustworthy artifact's run must share with the current run."""

    repository_id: int
    workflow_path: str  # e.g. ".github/workflows/readiness.yml"


@dataclass(frozen=True)
class Sources:
    """Which runs' checkpoints may be reused: earlier attempts of the run ``run_id`` (the current
    one), and runs triggered by a push to ``push_branch`` (the base branch)."""

    run_id: int | None = None
    push_branch: str | None = None

    def __bool__(self) -> bool:
        return self.run_id is not None or self.push_branch is not None

    def describe(self) -> str:
        trusted = [
            *(["the same run's earlier attempts"] if self.run_id is not None else []),
            *([f"push runs of {self.push_branch}"] if self.push_branch is not None else []),
        ]
        return f"only {' or '.join(trusted)} are trusted" if trusted else "no earlier run is trusted"


def trusted_base(context: GitHubContext) -> str | None:
    """The branch whose push runs are trusted: a pull request's or merge group's base; for a push
    (or a scheduled or manual run) the branch itself, whose own workflow runs. None otherwise
    (a workflow_run event's head may be a pull request's branch)."""
    if context.base_ref:
        return context.base_ref
    if context.event_name in ("push", "schedule", "workflow_dispatch"):
        return context.target_branch or None
    return None


def current_run(context: GitHubContext) -> int | None:
    """The current run's id (GITHUB_RUN_ID), when known."""
    return int(context.run_id) if context.run_id and context.run_id.isdigit() else None


@dataclass(frozen=True)
class Checkpoint:
    """A downloaded, verified checkpoint artifact."""

    artifact_id: int
    name: str
    run_id: int
    branch: str
    head_sha: str
    created_at: str
    files: Mapping[str, bytes] = field(repr=False)

    @property
    def json_bytes(self) -> bytes:
        return next(data for path, data in self.files.items() if path.endswith(".json"))

    @property
    def markdown_bytes(self) -> bytes | None:
        return next((data for path, data in self.files.items() if path.endswith(".md")), None)

    def states(self, project: str) -> tuple[dict[Category, checkpoint.CategoryState], list[str]]:
        """The saved category states (for the delta against a base), parsed by the checkpoint's
        own rules (its provenance, not a signature, authenticates it), and warnings for whatever
        had to be ignored."""
        try:
            return checkpoint.parse(self.json_bytes, project), []
        except checkpoint.CheckpointError as error:
            return {}, [f"ignoring checkpoint artifact {self.name} (id {self.artifact_id}): {error}"]

    def restore(self, markdown_path: Path, key: checkpoint.StateKey) -> None:
        """Write the checkpoint where the engine reads it (its JSON beside ``markdown_path``),
        signed with ``key``, the key the engine verifies with."""
        _atomic_write(checkpoint.json_path_for(markdown_path), checkpoint.sign(self.json_bytes, key))
        _atomic_write(markdown_path, self.markdown_bytes or b"# Production readiness checkpoint\n")


def say_nothing(level: str, message: str) -> None:
    del level, message


def trust_anchor(
    client: RepoClient, context: GitHubContext, env: Mapping[str, str], say: Say = say_nothing
) -> TrustAnchor | None:
    """The current run's repository id and workflow file; None (logged) when they can't be known,
    in which case no artifact can be trusted."""
    try:
        repository_id = _repository_id(client, context, env)
        workflow = _workflow_path(client, context, env)
    except RestError as error:
        say(
            "warning",
            f"cannot establish the current run's provenance ({error}): earlier checkpoints are not used",
        )
        return None
    if workflow is None:
        say(
            "warning",
            "neither GITHUB_WORKFLOW_REF nor the current run say which workflow file runs: "
            "earlier checkpoints are not used",
        )
        return None
    return TrustAnchor(repository_id, workflow)


def find_checkpoint(
    client: RepoClient,
    context: GitHubContext,
    branch: str,
    *,
    sources: Sources,
    env: Mapping[str, str] | None = None,
    project: str | None = None,
    anchor: TrustAnchor | None = None,
    say: Say = say_nothing,
    now: dt.datetime | None = None,
) -> Checkpoint | None:
    """The newest trustworthy checkpoint artifact of ``branch`` made by a run of ``sources``, or
    None (every skip logged).

    ``project``: also require a readable checkpoint of that project, so a broken newest artifact
    falls back to an older good one. ``anchor``: pass one computed with :func:`trust_anchor` to
    share it between lookups."""
    env = os.environ if env is None else env
    if not sources:
        say("info", f"no earlier run can be trusted for {branch!r}: its checkpoints are not looked up")
        return None
    anchor = anchor or trust_anchor(client, context, env, say)
    if anchor is None:
        return None
    now = now or dt.datetime.now(dt.UTC)
    wanted = names.candidate_names(branch)
    try:
        candidates = _candidates(client, wanted)
    except RestError as error:
        say("warning", f"cannot list checkpoint artifacts of {branch!r}: {error}"[:500])
        return None
    downloads = 0
    for artifact in candidates:
        label = f"artifact {artifact.get('name')} (id {artifact.get('id')})"
        problem = listing_problem(artifact, anchor, branch, now)
        if problem is None:
            try:
                problem = run_problem(client.workflow_run(_run_id(artifact)), anchor, sources)
            except RestError as error:
                problem = f"its workflow run cannot be read ({error})"
        if problem is not None:
            say("notice", f"ignoring checkpoint {label}: {problem}"[:500])
            continue
        if downloads >= MAX_DOWNLOADS:
            say("warning", f"gave up after {MAX_DOWNLOADS} unusable checkpoint artifacts of {branch!r}")
            return None
        downloads += 1
        try:
            data = client.download_zip(int(artifact["id"]))
        except RestError as error:
            say("notice", f"ignoring checkpoint {label}: it cannot be downloaded ({error})"[:500])
            continue
        files, problem = content_problem(artifact, data, project)
        if problem is not None or files is None:
            say("warning", f"ignoring checkpoint {label}: {problem}"[:500])
            continue
        run = artifact["workflow_run"]
        found = Checkpoint(
            artifact_id=int(artifact["id"]),
            name=str(artifact["name"]),
            run_id=int(run["id"]),
            branch=str(run.get("head_branch") or ""),
            head_sha=str(run.get("head_sha") or ""),
            created_at=str(artifact.get("created_at") or ""),
            files=files,
        )
        origin = (
            "an earlier attempt of this run"
            if found.run_id == sources.run_id
            else f"a push run of {sources.push_branch}"
        )
        say(
            "info",
            f"using checkpoint {label} of run {found.run_id} ({origin}, commit {found.head_sha[:7]}) "
            f"for {branch!r}",
        )
        return found
    if not candidates:
        say("info", f"no checkpoint artifact of {branch!r} was found")
    return None


# -- the rules, as pure functions -------------------------------------------------------------------


def listing_problem(
    artifact: Mapping[str, Any], anchor: TrustAnchor, branch: str, now: dt.datetime
) -> str | None:
    """Why the artifact's REST listing alone rules it out; None when it may be trusted so far."""
    if artifact.get("expired"):
        return "it has expired"
    expires = _time(artifact.get("expires_at"))
    if expires is not None and expires <= now:
        return "it has expired"
    digest = artifact.get("digest")
    if not isinstance(digest, str) or not _DIGEST.match(digest):
        return "it has no sha256 digest to verify its content against (not uploaded by the v4 service)"
    run = artifact.get("workflow_run")
    if not isinstance(run, Mapping) or not isinstance(run.get("id"), int):
        return "it names no workflow run, so its origin is unknown"
    if run.get("repository_id") != anchor.repository_id:
        return f"it was made by a run of another repository (id {run.get('repository_id')})"
    if run.get("head_repository_id") != anchor.repository_id:
        return f"it was made by a run on a fork (head repository id {run.get('head_repository_id')})"
    if run.get("head_branch") != branch:
        return f"it was made from branch {run.get('head_branch')!r}, not {branch!r}"
    return None


def run_problem(run: Mapping[str, Any] | None, anchor: TrustAnchor, sources: Sources) -> str | None:
    """Why the artifact's workflow run rules it out: the run as the repository itself reports it."""
    if run is None:
        return "its workflow run is not one of this repository's"
    repository = run.get("repository")
    head = run.get("head_repository")
    if not isinstance(repository, Mapping) or repository.get("id") != anchor.repository_id:
        return "its workflow run belongs to another repository"
    if not isinstance(head, Mapping) or head.get("id") != anchor.repository_id:
        return "its workflow run built a fork's code"
    path = _workflow_file(str(run.get("path") or ""))
    if path != anchor.workflow_path:
        return f"it was made by another workflow ({path or 'unknown'}, not {anchor.workflow_path})"
    return origin_problem(run, sources)


def origin_problem(run: Mapping[str, Any], sources: Sources) -> str | None:
    """Why the run is not one whose workflow the change under review couldn't have edited: not an
    earlier attempt of the current run, nor a push run of the trusted branch."""
    if sources.run_id is not None and run.get("id") == sources.run_id:
        return None
    event, branch = run.get("event"), run.get("head_branch")
    if sources.push_branch is not None and event == "push" and branch == sources.push_branch:
        return None
    if event == "push":
        made_by = f"a push run of {branch}"
    elif isinstance(event, str) and event:
        made_by = f"a {event} run"
    else:
        made_by = "a run of an unknown event"
    return f"it was made by {made_by}, and {sources.describe()}"


def content_problem(
    artifact: Mapping[str, Any], data: bytes, project: str | None
) -> tuple[dict[str, bytes] | None, str | None]:
    """The archive's files if the bytes match the digest and hold a readable checkpoint."""
    actual = "sha256:" + hashlib.sha256(data).hexdigest()
    if actual != artifact.get("digest"):
        expected = str(artifact.get("digest"))
        return None, f"its content fails its sha256 digest ({actual[:19]}… is not {expected[:19]}…)"
    try:
        files = archive.unpack(data)
    except archive.UnsafeArchive as error:
        return None, f"its zip is unusable: {error}"
    documents = [path for path in files if path.endswith(".json") and "/" not in path]
    if len(documents) != 1:
        return None, "it does not hold exactly one checkpoint JSON file"
    try:
        data_json = json.loads(files[documents[0]])
    except (UnicodeDecodeError, ValueError) as error:
        return None, f"its checkpoint is not JSON ({error})"
    if not isinstance(data_json, dict) or data_json.get("format") != checkpoint.FORMAT:
        return None, "it does not hold a readiness checkpoint"
    if project is not None:
        try:
            checkpoint.parse(files[documents[0]], project)
        except checkpoint.CheckpointError as error:
            return None, f"its checkpoint is unusable: {error}"
    return files, None


# -- helpers ----------------------------------------------------------------------------------------


def _candidates(client: RepoClient, wanted: list[str]) -> list[dict[str, Any]]:
    """Artifacts of any of the names, newest first (the REST name filter is exact-match)."""
    found: dict[int, dict[str, Any]] = {}
    for name in wanted:
        for page in range(1, MAX_PAGES + 1):
            items, more = client.list_artifacts(name, page)
            for item in items:
                if item.get("name") == name and isinstance(item.get("id"), int):
                    found[int(item["id"])] = item
            if not more:
                break
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(
        found.values(), key=lambda a: (_time(a.get("created_at")) or epoch, int(a["id"])), reverse=True
    )


def _run_id(artifact: Mapping[str, Any]) -> int:
    return int(artifact["workflow_run"]["id"])


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _workflow_file(path: str) -> str:
    """ ".github/workflows/ci.yml@refs/heads/main" → ".github/workflows/ci.yml"."""
    return path.split("@", 1)[0].strip()


def _repository_id(client: RepoClient, context: GitHubContext, env: Mapping[str, str]) -> int:
    text = env.get("GITHUB_REPOSITORY_ID", "").strip()
    if text.isdigit():
        return int(text)
    repository = context.event.get("repository")
    if (
        isinstance(repository, Mapping)
        and isinstance(repository.get("id"), int)
        and str(repository.get("full_name", "")).lower() == context.repository.lower()
    ):
        return int(repository["id"])
    return client.repository_id()


def _workflow_path(client: RepoClient, context: GitHubContext, env: Mapping[str, str]) -> str | None:
    """From GITHUB_WORKFLOW_REF ("owner/repo/.github/workflows/x.yml@ref"), else the current run."""
    ref = env.get("GITHUB_WORKFLOW_REF", "").strip()
    prefix = context.repository + "/"
    if ref.lower().startswith(prefix.lower()):
        return _workflow_file(ref[len(prefix) :]) or None
    if context.run_id and context.run_id.isdigit():
        run = client.workflow_run(int(context.run_id))
        if run is not None and run.get("path"):
            return _workflow_file(str(run["path"]))
    return None


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
