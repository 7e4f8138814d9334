"""Who, what and where of an Actions run, read from the runner's environment and event payload."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ContextError(Exception):
    pass


@dataclass(frozen=True)
class GitHubContext:
    event_name: str
    repository: str  # "owner/name"
    api_url: str
    server_url: str
    sha: str  # the commit results are reported on (a PR's head, not the merge commit)
    ref: str
    workspace: Path
    pr_number: int | None = None
    base_ref: str | None = None  # the branch a PR or merge group targets
    head_ref: str | None = None
    from_fork: bool = False
    run_id: str | None = None
    event: Mapping[str, Any] = field(default_factory=dict)

    @property
    def owner(self) -> str:
        return self.repository.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.repository.split("/", 1)[1]

    @property
    def target_branch(self) -> str:
        """The branch this run's result gates: a PR's base, a merge group's base, or the pushed branch."""
        branch = self.base_ref or self.ref
        return branch.removeprefix("refs/heads/")

    @property
    def run_url(self) -> str | None:
        if not self.run_id:
            return None
        return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"

    @staticmethod
    def from_env(env: Mapping[str, str]) -> GitHubContext:
        repository = env.get("GITHUB_REPOSITORY", "")
        if "/" not in repository:
            raise ContextError("GITHUB_REPOSITORY is not set: this does not look like a GitHub Actions run")
        event: dict[str, Any] = {}
        event_path = env.get("GITHUB_EVENT_PATH")
        if event_path:
            try:
                loaded = json.loads(Path(event_path).read_text(encoding="utf-8"))
                event = loaded if isinstance(loaded, dict) else {}
            except (OSError, json.JSONDecodeError) as error:
                raise ContextError(f"cannot read the event payload {event_path}: {error}") from None
        name = env.get("GITHUB_EVENT_NAME", "")
        base = GitHubContext(
            event_name=name,
            repository=repository,
            api_url=env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/"),
            server_url=env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/"),
            sha=env.get("GITHUB_SHA", ""),
            ref=env.get("GITHUB_REF", ""),
            workspace=Path(env.get("GITHUB_WORKSPACE") or "."),
            run_id=env.get("GITHUB_RUN_ID"),
            event=event,
        )
        return _with_event_details(base, name, event, env)


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _with_event_details(
    base: GitHubContext, name: str, event: dict[str, Any], env: Mapping[str, str]
) -> GitHubContext:
    from dataclasses import replace

    if name in ("pull_request", "pull_request_target") and isinstance(event.get("pull_request"), Mapping):
        pr = event["pull_request"]
        head_repo = _get(pr, "head", "repo", "full_name")
        base_repo = _get(pr, "base", "repo", "full_name") or base.repository
        return replace(
            base,
            pr_number=int(pr.get("number") or event.get("number") or 0) or None,
            sha=_get(pr, "head", "sha") or base.sha,
            base_ref=_get(pr, "base", "ref") or env.get("GITHUB_BASE_REF"),
            head_ref=_get(pr, "head", "ref") or env.get("GITHUB_HEAD_REF"),
            # A deleted head repository (null) can only be a fork that went away.
            from_fork=head_repo != base_repo,
        )
    if name == "merge_group" and isinstance(event.get("merge_group"), Mapping):
        group = event["merge_group"]
        return replace(
            base,
            sha=group.get("head_sha") or base.sha,
            base_ref=group.get("base_ref"),
            head_ref=group.get("head_ref"),
        )
    if name == "push":
        return replace(base, sha=event.get("after") or base.sha, ref=event.get("ref") or base.ref)
    if name == "workflow_run" and isinstance(event.get("workflow_run"), Mapping):
        run = event["workflow_run"]
        pulls = run.get("pull_requests") or []
        number = pulls[0].get("number") if pulls and isinstance(pulls[0], Mapping) else None
        head_repo = _get(run, "head_repository", "full_name")
        return replace(
            base,
            sha=run.get("head_sha") or base.sha,
            head_ref=run.get("head_branch"),
            ref=f"refs/heads/{run.get('head_branch')}" if run.get("head_branch") else base.ref,
            pr_number=int(number) if number else None,
            from_fork=bool(head_repo) and head_repo != base.repository,
        )
    return base
