"""The fake's state (repositories, comments, statuses, check runs, artifacts...) and its JSON shapes.

Each record renders the fields a client reads with realistic values (ids, node ids, URLs on the fake's
own base URL, users, timestamps); ``complete`` then fills whatever else the operation's response
schema requires with neutral values, so every answer has the shape GitHub documents.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

BOT_LOGIN = "github-actions[bot]"
BOT_ID = 41898282
ACTIONS_APP_ID = 15368
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def node_id(prefix: str, number: int) -> str:
    """Opaque global ids in the style GitHub uses today (``IC_kwDO...``)."""
    packed = base64.urlsafe_b64encode(number.to_bytes(8, "big").lstrip(b"\0") or b"\0").decode()
    return f"{prefix}_kwDO{packed.rstrip('=')}"


@dataclass(frozen=True)
class Site:
    """Where the fake lives: ``api`` is the REST base URL, ``web`` the HTML base URL."""

    api: str
    web: str


@dataclass
class User:
    login: str
    id: int
    type: str = "User"  # "User", "Bot" or "Organization"

    def to_json(self, site: Site) -> dict[str, Any]:
        api = f"{site.api}/users/{quote(self.login)}"
        bot = self.type == "Bot"
        return {
            "login": self.login,
            "id": self.id,
            "node_id": node_id("BOT" if bot else "U", self.id),
            "avatar_url": (
                f"https://avatars.githubusercontent.com/in/{ACTIONS_APP_ID}?v=4"
                if bot
                else f"https://avatars.githubusercontent.com/u/{self.id}?v=4"
            ),
            "gravatar_id": "",
            "url": api,
            "html_url": f"{site.web}/apps/{self.login.removesuffix('[bot]')}"
            if bot
            else f"{site.web}/{self.login}",
            "followers_url": f"{api}/followers",
            "following_url": f"{api}/following{{/other_user}}",
            "gists_url": f"{api}/gists{{/gist_id}}",
            "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{api}/subscriptions",
            "organizations_url": f"{api}/orgs",
            "repos_url": f"{api}/repos",
            "events_url": f"{api}/events{{/privacy}}",
            "received_events_url": f"{api}/received_events",
            "type": self.type,
            "user_view_type": "public",
            "site_admin": False,
        }


# The hypermedia templates of a repository object, relative to its API URL.
_REPO_LINKS = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


@dataclass
class Repo:
    owner: User
    name: str
    id: int
    default_branch: str = "main"
    private: bool = False
    fork: bool = False
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"

    def api_url(self, site: Site) -> str:
        return f"{site.api}/repos/{self.full_name}"

    def to_json(self, site: Site) -> dict[str, Any]:
        api, web = self.api_url(site), f"{site.web}/{self.full_name}"
        host = web.split("://", 1)[1].split("/", 1)[0]
        created = stamp(EPOCH)
        return {
            "id": self.id,
            "node_id": node_id("R", self.id),
            "name": self.name,
            "full_name": self.full_name,
            "owner": self.owner.to_json(site),
            "private": self.private,
            "visibility": "private" if self.private else "public",
            "html_url": web,
            "description": None,
            "fork": self.fork,
            "url": api,
            **{key: api + suffix for key, suffix in _REPO_LINKS.items()},
            "git_url": f"git://{host}/{self.full_name}.git",
            "ssh_url": f"git@{host}:{self.full_name}.git",
            "clone_url": f"{web}.git",
            "svn_url": web,
            "mirror_url": None,
            "homepage": None,
            "language": "Python",
            "default_branch": self.default_branch,
            "created_at": created,
            "updated_at": created,
            "pushed_at": created,
            "archived": False,
            "disabled": False,
            "has_issues": True,
            "has_projects": True,
            "has_wiki": True,
            "has_pages": False,
            "has_downloads": True,
            "has_discussions": False,
            "permissions": {"admin": False, "maintain": False, "push": True, "triage": True, "pull": True},
        }


def actions_app(site: Site, github: User) -> dict[str, Any]:
    """The GitHub Actions app, author of everything the workflow token writes."""
    return {
        "id": ACTIONS_APP_ID,
        "slug": "github-actions",
        "node_id": node_id("A", ACTIONS_APP_ID),
        "client_id": "Iv1.05c79e9ad1f6bdfa",
        "owner": github.to_json(site),
        "name": "GitHub Actions",
        "description": "Automate your workflow from idea to production",
        "external_url": "https://help.github.com/en/actions",
        "html_url": f"{site.web}/apps/github-actions",
        "created_at": "2018-07-30T09:30:17Z",
        "updated_at": "2024-04-10T20:33:16Z",
        "permissions": {
            "checks": "write",
            "contents": "write",
            "issues": "write",
            "pull_requests": "write",
            "statuses": "write",
            "actions": "write",
            "metadata": "read",
        },
        "events": ["check_run", "check_suite", "issue_comment", "pull_request", "push", "workflow_run"],
    }


@dataclass
class Comment:
    id: int
    repo: Repo
    issue_number: int
    body: str
    user: User
    created_at: datetime
    updated_at: datetime
    on_pull: bool = True
    author_association: str = "NONE"

    def to_json(self, site: Site, app: dict[str, Any]) -> dict[str, Any]:
        api = self.repo.api_url(site)
        kind = "pull" if self.on_pull else "issues"
        out = {
            "id": self.id,
            "node_id": node_id("IC", self.id),
            "url": f"{api}/issues/comments/{self.id}",
            "html_url": f"{site.web}/{self.repo.full_name}/{kind}/{self.issue_number}#issuecomment-{self.id}",
            "body": self.body,
            "user": self.user.to_json(site),
            "created_at": stamp(self.created_at),
            "updated_at": stamp(self.updated_at),
            "issue_url": f"{api}/issues/{self.issue_number}",
            "author_association": self.author_association,
            "reactions": {
                "url": f"{api}/issues/comments/{self.id}/reactions",
                "total_count": 0,
                "+1": 0,
                "-1": 0,
                "laugh": 0,
                "hooray": 0,
                "confused": 0,
                "heart": 0,
                "rocket": 0,
                "eyes": 0,
            },
        }
        if self.user.type == "Bot":
            out["performed_via_github_app"] = app
        return out


@dataclass
class Status:
    id: int
    repo: Repo
    sha: str
    state: str
    context: str
    description: str | None
    target_url: str | None
    creator: User
    created_at: datetime

    def to_json(self, site: Site, *, with_creator: bool = True) -> dict[str, Any]:
        out = {
            "url": f"{self.repo.api_url(site)}/statuses/{self.sha}",
            "avatar_url": f"https://avatars.githubusercontent.com/in/{ACTIONS_APP_ID}?v=4",
            "id": self.id,
            "node_id": node_id("SC", self.id),
            "state": self.state,
            "description": self.description,
            "target_url": self.target_url,
            "context": self.context,
            "created_at": stamp(self.created_at),
            "updated_at": stamp(self.created_at),
        }
        if with_creator:
            out["creator"] = self.creator.to_json(site)
        return out


@dataclass
class CheckRun:
    id: int
    repo: Repo
    name: str
    head_sha: str
    status: str = "queued"
    conclusion: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    details_url: str | None = None
    external_id: str | None = None
    title: str | None = None
    summary: str | None = None
    text: str | None = None
    annotations: list[dict[str, Any]] = field(default_factory=list)
    check_suite_id: int = 0

    def annotation_json(self, site: Site, annotation: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "path": annotation["path"],
            "start_line": annotation["start_line"],
            "end_line": annotation["end_line"],
            "start_column": annotation.get("start_column"),
            "end_column": annotation.get("end_column"),
            "annotation_level": annotation["annotation_level"],
            "title": annotation.get("title"),
            "message": annotation["message"],
            "raw_details": annotation.get("raw_details"),
            "blob_href": f"{site.web}/{self.repo.full_name}/blob/{self.head_sha}/{annotation['path']}",
        }

    def to_json(self, site: Site, app: dict[str, Any], pulls: list[dict[str, Any]]) -> dict[str, Any]:
        url = f"{self.repo.api_url(site)}/check-runs/{self.id}"
        html = f"{site.web}/{self.repo.full_name}/runs/{self.id}"
        return {
            "id": self.id,
            "name": self.name,
            "node_id": node_id("CR", self.id),
            "head_sha": self.head_sha,
            "external_id": self.external_id or "",
            "url": url,
            "html_url": html,
            "details_url": self.details_url or html,
            "status": self.status,
            "conclusion": self.conclusion,
            "started_at": stamp(self.started_at) if self.started_at else None,
            "completed_at": stamp(self.completed_at) if self.completed_at else None,
            "output": {
                "title": self.title,
                "summary": self.summary,
                "text": self.text,
                "annotations_count": len(self.annotations),
                "annotations_url": f"{url}/annotations",
            },
            "check_suite": {"id": self.check_suite_id},
            "app": app,
            "pull_requests": pulls,
        }


@dataclass
class Pull:
    number: int
    repo: Repo
    head_sha: str
    head_ref: str
    base_ref: str
    base_sha: str
    user: User
    head_repo: Repo
    title: str = "A change"
    body: str | None = None
    state: str = "open"
    files: list[dict[str, Any]] = field(default_factory=list)
    created_at: datetime = EPOCH
    id: int = 0

    def minimal_json(self, site: Site) -> dict[str, Any]:
        """The short form inside check runs and workflow runs."""

        def side(ref: str, sha: str, repo: Repo) -> dict[str, Any]:
            return {
                "ref": ref,
                "sha": sha,
                "repo": {"id": repo.id, "url": repo.api_url(site), "name": repo.name},
            }

        return {
            "id": self.id,
            "number": self.number,
            "url": f"{self.repo.api_url(site)}/pulls/{self.number}",
            "head": side(self.head_ref, self.head_sha, self.head_repo),
            "base": side(self.base_ref, self.base_sha, self.repo),
        }

    def to_json(self, site: Site) -> dict[str, Any]:
        api = self.repo.api_url(site)
        url, html = f"{api}/pulls/{self.number}", f"{site.web}/{self.repo.full_name}/pull/{self.number}"

        def side(ref: str, sha: str, repo: Repo) -> dict[str, Any]:
            return {
                "label": f"{repo.owner.login}:{ref}",
                "ref": ref,
                "sha": sha,
                "user": repo.owner.to_json(site),
                "repo": repo.to_json(site),
            }

        links = {
            "self": url,
            "html": html,
            "issue": f"{api}/issues/{self.number}",
            "comments": f"{api}/issues/{self.number}/comments",
            "review_comments": f"{url}/comments",
            "review_comment": f"{api}/pulls/comments{{/number}}",
            "commits": f"{url}/commits",
            "statuses": f"{api}/statuses/{self.head_sha}",
        }
        return {
            "url": url,
            "id": self.id,
            "node_id": node_id("PR", self.id),
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": links["issue"],
            "commits_url": links["commits"],
            "review_comments_url": links["review_comments"],
            "review_comment_url": links["review_comment"],
            "comments_url": links["comments"],
            "statuses_url": links["statuses"],
            "number": self.number,
            "state": self.state,
            "locked": False,
            "title": self.title,
            "user": self.user.to_json(site),
            "body": self.body,
            "labels": [],
            "milestone": None,
            "created_at": stamp(self.created_at),
            "updated_at": stamp(self.created_at),
            "closed_at": None,
            "merged_at": None,
            "merge_commit_sha": None,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "head": side(self.head_ref, self.head_sha, self.head_repo),
            "base": side(self.base_ref, self.base_sha, self.repo),
            "_links": {name: {"href": href} for name, href in links.items()},
            "author_association": "CONTRIBUTOR" if self.head_repo is not self.repo else "MEMBER",
            "auto_merge": None,
            "draft": False,
            "merged": False,
            "mergeable": True,
            "mergeable_state": "clean",
            "merged_by": None,
            "comments": 0,
            "review_comments": 0,
            "maintainer_can_modify": False,
            "commits": 1,
            "additions": sum(f.get("additions", 0) for f in self.files),
            "deletions": sum(f.get("deletions", 0) for f in self.files),
            "changed_files": len(self.files),
        }


@dataclass
class WorkflowRun:
    id: int
    repo: Repo
    head_repo: Repo
    workflow_id: int
    head_branch: str
    head_sha: str
    event: str = "pull_request"
    status: str = "completed"
    conclusion: str | None = "success"
    name: str = "CI"
    path: str = ".github/workflows/ci.yml"
    run_number: int = 1
    run_attempt: int = 1  # a re-run keeps its id and counts up its attempt
    actor: User | None = None
    created_at: datetime = EPOCH

    def to_json(self, site: Site, pulls: list[dict[str, Any]]) -> dict[str, Any]:
        api = self.repo.api_url(site)
        url = f"{api}/actions/runs/{self.id}"
        actor = (self.actor or self.head_repo.owner).to_json(site)
        return {
            "id": self.id,
            "name": self.name,
            "node_id": node_id("WFR", self.id),
            "head_branch": self.head_branch,
            "head_sha": self.head_sha,
            "path": self.path,
            "display_title": self.name,
            "run_number": self.run_number,
            "run_attempt": self.run_attempt,
            "event": self.event,
            "status": self.status,
            "conclusion": self.conclusion,
            "workflow_id": self.workflow_id,
            "url": url,
            "html_url": f"{site.web}/{self.repo.full_name}/actions/runs/{self.id}",
            "pull_requests": pulls,
            "created_at": stamp(self.created_at),
            "updated_at": stamp(self.created_at),
            "run_started_at": stamp(self.created_at),
            "actor": actor,
            "triggering_actor": actor,
            "jobs_url": f"{url}/jobs",
            "logs_url": f"{url}/logs",
            "check_suite_url": f"{api}/check-suites/{self.id + 1}",
            "artifacts_url": f"{url}/artifacts",
            "cancel_url": f"{url}/cancel",
            "rerun_url": f"{url}/rerun",
            "previous_attempt_url": (
                f"{url}/attempts/{self.run_attempt - 1}" if self.run_attempt > 1 else None
            ),
            "workflow_url": f"{api}/actions/workflows/{self.workflow_id}",
            "head_commit": {
                "id": self.head_sha,
                "tree_id": hashlib.sha1(self.head_sha.encode()).hexdigest(),
                "message": "A change",
                "timestamp": stamp(self.created_at),
                "author": {"name": "Dev", "email": "dev@example.com"},
                "committer": {"name": "Dev", "email": "dev@example.com"},
            },
            "repository": self.repo.to_json(site),
            "head_repository": self.head_repo.to_json(site),
        }


@dataclass
class Artifact:
    id: int
    repo: Repo
    name: str
    content: bytes
    run: WorkflowRun
    created_at: datetime
    expired: bool = False
    # What the API reports as the digest instead of the content's sha256 (a tampered artifact).
    digest_override: str | None = None

    @property
    def expires_at(self) -> datetime:
        return self.created_at + timedelta(days=90)

    def to_json(self, site: Site) -> dict[str, Any]:
        url = f"{self.repo.api_url(site)}/actions/artifacts/{self.id}"
        return {
            "id": self.id,
            "node_id": node_id("MDg", self.id),
            "name": self.name,
            "size_in_bytes": len(self.content),
            "url": url,
            "archive_download_url": f"{url}/zip",
            "expired": self.expired,
            "created_at": stamp(self.created_at),
            "updated_at": stamp(self.created_at),
            "expires_at": stamp(self.expires_at),
            "digest": self.digest_override or "sha256:" + hashlib.sha256(self.content).hexdigest(),
            "workflow_run": {
                "id": self.run.id,
                "repository_id": self.run.repo.id,
                "head_repository_id": self.run.head_repo.id,
                "head_branch": self.run.head_branch,
                "head_sha": self.run.head_sha,
            },
        }


@dataclass
class Token:
    user: User
    read_only: bool = False
    limit: int = 5000
    used: int = 0


@dataclass
class SarifUpload:
    id: str
    repo: Repo
    commit_sha: str
    ref: str
    sarif: Any  # the decoded SARIF log
    tool_name: str | None
    checkout_uri: str | None


@dataclass
class BlobDownload:
    artifact_id: int
    authorization: str | None  # must stay None: the token must not travel to blob storage
    host: str


def blob_sha(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def content_json(site: Site, repo: Repo, path: str, ref: str, content: bytes | None) -> dict[str, Any]:
    """A file (with its base64 content, wrapped every 60 characters as GitHub does) or a directory entry."""
    api, web = repo.api_url(site), f"{site.web}/{repo.full_name}"
    sha = blob_sha(content) if content is not None else hashlib.sha1(path.encode()).hexdigest()
    kind = "file" if content is not None else "dir"
    out: dict[str, Any] = {
        "type": kind,
        "size": len(content) if content is not None else 0,
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": sha,
        "url": f"{api}/contents/{quote(path)}?ref={quote(ref)}",
        "git_url": f"{api}/git/{'blobs' if kind == 'file' else 'trees'}/{sha}",
        "html_url": f"{web}/{'blob' if kind == 'file' else 'tree'}/{ref}/{path}",
        "download_url": f"{site.web}/{repo.full_name}/raw/{ref}/{path}" if kind == "file" else None,
    }
    out["_links"] = {"self": out["url"], "git": out["git_url"], "html": out["html_url"]}
    if content is not None:
        encoded = base64.b64encode(content).decode()
        out["content"] = "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60))
        out["encoding"] = "base64"
    return out


_MISSING: Any = object()


def complete(schema: Mapping[str, Any] | None, value: Any = _MISSING) -> Any:
    """``value`` with every property the schema requires and the value lacks filled in.

    Filled values are neutral: ``null`` where the schema allows it, else the first enum value, an
    empty string or list, zero, false, or an object completed the same way. Values already given are
    kept and completed inside (nested objects and array items).
    """
    if schema is None:
        return None if value is _MISSING else value
    branches = schema.get("oneOf") or schema.get("anyOf")
    if branches:
        return complete(branches[0], value) if value is _MISSING else value
    kind = schema.get("type")
    if value is _MISSING:
        if schema.get("nullable"):
            return None
        if "enum" in schema:
            return schema["enum"][0]
        if kind == "string":
            return {"date-time": stamp(EPOCH), "uri": "https://github.com/"}.get(schema.get("format", ""), "")
        if kind in ("integer", "number"):
            return 0
        if kind == "boolean":
            return False
        if kind == "array":
            return []
        if kind != "object" and "properties" not in schema:
            return None
        value = {}
    if isinstance(value, dict) and "properties" in schema:
        properties = schema["properties"]
        for name in schema.get("required", []):
            if name not in value:
                value[name] = complete(properties.get(name, {}))
        for name, sub in list(value.items()):
            if name in properties and isinstance(sub, dict | list):
                value[name] = complete(properties[name], sub)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        value = [complete(schema["items"], item) for item in value]
    return value
