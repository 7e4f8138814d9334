"""Shared readers for the operational categories: documents, containers, workflows, SQL and jobs.

Disaster recovery, operational readiness, load validation and compliance mostly ask "is it written
down?" and "does a job do it?". The answers come from the same artefacts: prose documents found
by path or heading (a runbook, an on-call page, a privacy note), containers in Kubernetes and
compose files, GitHub workflows, CronJobs and SQL migrations. Reading them once, the same way,
keeps the checks short and their evidence consistent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from readiness.config import Config
from readiness.facts import production
from readiness.facts.images import image_name
from readiness.model import Evidence
from readiness.parsers.yaml_lines import YList, YMap
from readiness.repo import K8sObject, Repo

# ---- documents --------------------------------------------------------------------------------

DOCUMENT_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".adoc")
# A document "has substance" when it holds at least this many lines of content besides its
# headings: enough to rule out a title with "TODO" under it, little enough for a short procedure.
MIN_CONTENT_LINES = 3

# Files that mention every topic in passing but are never a procedure (a changelog entry titled
# "Rollback of #123" is not a rollback procedure), and copies of other people's code.
_NOT_PROCEDURES = re.compile(
    r"^(changelog|changes|history|license|licence|notice|copying|authors|contributors)"
)
_VENDORED = ("vendor/", "third_party/", "third-party/")
_PLACEHOLDER = re.compile(
    r"^\W*(todo|tbd|fixme|wip|coming soon|to be (written|done|defined|added))\W*$", re.I
)
_END = 1 << 30  # "to the end of the file" for line ranges
_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SETEXT = re.compile(r"^\s*(=+|-+)\s*$")
_RST_ADORNMENT = re.compile(r"^([=\-~^\"'`#*+.:_])\1{2,}\s*$")


@dataclass(frozen=True)
class Heading:
    line: int
    level: int
    text: str


@dataclass(frozen=True)
class Document:
    """A prose document: its headings and the lines that carry content (not headings, not blanks)."""

    path: str
    headings: tuple[Heading, ...]
    content_lines: tuple[int, ...]

    @property
    def title(self) -> Heading | None:
        return self.headings[0] if self.headings else None

    def content_between(self, start: int, end: int) -> int:
        return sum(1 for line in self.content_lines if start < line < end)

    def section_end(self, heading: Heading) -> int:
        """The line where a heading's section stops: the next heading of the same or a higher level."""
        for other in self.headings:
            if other.line > heading.line and other.level <= heading.level:
                return other.line
        return _END


@dataclass(frozen=True)
class DocMatch:
    """A document, or a section of one, that names a subject (by its path or a heading)."""

    path: str
    line: int  # the heading that names the subject, or the document's title (1 if it has none)
    named_by: str  # "file name" or the heading's text
    content: int  # lines of content in the document or section
    end: int  # the first line after the section (past the end of the file for a whole document)

    @property
    def substantial(self) -> bool:
        return self.content >= MIN_CONTENT_LINES

    def lines(self, repo: Repo) -> list[tuple[int, str]]:
        """(line number, text) of the document or section, heading included."""
        start = 1 if self.named_by == "file name" else self.line
        return [(n, t) for n, t in enumerate(repo.lines(self.path), start=1) if start <= n < self.end]

    def evidence(self, repo: Repo) -> Evidence:
        where = "named by its path" if self.named_by == "file name" else f"section {self.named_by!r}"
        return repo.evidence(self.path, self.line, note=f"{where}, {self.content} line(s) of content")


def normalise(text: str) -> str:
    """Lower-case, with separators as spaces, so `docs/on-call/Escalation_Policy.md` reads as words."""
    # Split camel case at word boundaries only: OnCall -> on call, but PostgreSQL stays whole.
    spaced = re.sub(r"([a-z])([A-Z][a-z])", r"\1 \2", text)
    return " ".join(re.sub(r"[-_/.\\]+", " ", spaced).lower().split())


def document_paths(repo: Repo) -> list[str]:
    return [
        path
        for path in repo.with_suffix(*DOCUMENT_SUFFIXES)
        if not path.startswith(_VENDORED) and not _NOT_PROCEDURES.match(PurePosixPath(path).name.lower())
    ]


def read_document(repo: Repo, path: str) -> Document:
    lines = repo.lines(path)
    headings: list[Heading] = []
    content: list[int] = []
    rst_levels: list[tuple[bool, str]] = []
    in_fence = False
    skip: set[int] = set()
    if lines and lines[0].strip() in ("---", "+++"):
        # Front matter (YAML/TOML between fences) is metadata: its `title: x` line is no heading.
        closing = next((i for i in range(1, len(lines)) if lines[i].strip() == lines[0].strip()), 0)
        skip.update(range(1, closing + 2))
    for index, raw in enumerate(lines):
        number = index + 1
        text = raw.strip()
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if number in skip or not text:
            continue
        if _FENCE.match(raw):
            in_fence = not in_fence
            continue
        if in_fence:
            content.append(number)
            continue
        atx = _ATX.match(text)
        if atx:
            headings.append(Heading(number, len(atx.group(1)), atx.group(2)))
            continue
        if path.endswith(".rst") and _RST_ADORNMENT.match(following) and len(following) >= len(text):
            overline = index > 0 and bool(_RST_ADORNMENT.match(lines[index - 1].strip()))
            style = (overline, following[0])
            if style not in rst_levels:
                rst_levels.append(style)
            headings.append(Heading(number, rst_levels.index(style) + 1, text))
            skip.add(number + 1)
            continue
        if _RST_ADORNMENT.match(text) and path.endswith(".rst"):
            continue  # an overline
        if not path.endswith(".rst") and _SETEXT.match(following) and not _SETEXT.match(text):
            headings.append(Heading(number, 1 if following.startswith("=") else 2, text))
            skip.add(number + 1)
            continue
        if not _PLACEHOLDER.match(text):
            content.append(number)
    if path.endswith(".txt") and not headings and content:
        # Plain text has no heading syntax; its first line is its title.
        first = content.pop(0)
        headings.append(Heading(first, 1, lines[first - 1].strip()))
    return Document(path, tuple(headings), tuple(content))


def find_documents(
    repo: Repo, subject: re.Pattern[str], *, any_heading: bool = False, paths: Iterable[str] | None = None
) -> list[DocMatch]:
    """Documents whose path or title names ``subject`` (matched against :func:`normalise`d text).

    With ``any_heading`` a section of a larger document counts too (a "## Rollback" section of a
    deploy guide), measured from its heading to the next heading of the same level.
    """
    found: list[DocMatch] = []
    for path in document_paths(repo) if paths is None else paths:
        document = read_document(repo, path)
        title = document.title
        if subject.search(normalise(path)):
            found.append(
                DocMatch(path, title.line if title else 1, "file name", len(document.content_lines), _END)
            )
            continue
        for heading in document.headings if any_heading else document.headings[:1]:
            if subject.search(normalise(heading.text)):
                whole = heading is title and not any_heading
                end = _END if whole else document.section_end(heading)
                content = document.content_between(heading.line, end)
                found.append(DocMatch(path, heading.line, heading.text, content, end))
    return found


def missing_document(repo: Repo, what: str, matches: list[DocMatch]) -> tuple[Evidence, ...]:
    """Evidence for "no such document": the thin candidates (stubs), then what was looked for."""
    thin = [
        repo.evidence(m.path, m.line, note=f"names the subject but has only {m.content} line(s) of content")
        for m in matches
        if not m.substantial
    ]
    return (*thin, Evidence.absent(f"no {what} with at least {MIN_CONTENT_LINES} lines of content"))


def first_line(
    repo: Repo, path: str, pattern: re.Pattern[str], start: int = 1, end: int | None = None
) -> int | None:
    """The first line in [start, end) of a file matching ``pattern``."""
    lines = repo.lines(path)
    stop = len(lines) + 1 if end is None else min(end, len(lines) + 1)
    for number in range(max(start, 1), stop):
        if pattern.search(lines[number - 1]):
            return number
    return None


# ---- containers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Container:
    """A container, wherever it is declared: a Kubernetes workload's container or a compose service."""

    path: str
    line: int  # the container's `- name:` line, or the compose service's key
    owner: str  # "StatefulSet 'redis' container 'redis'" / "compose service 'redis'"
    image: str
    spec: YMap  # the container (or compose service) mapping
    workload: K8sObject | None = None

    @property
    def image_line(self) -> int:
        return self.spec.line_of("image")

    @property
    def image_name(self) -> str:
        return image_name(self.image)

    def command_items(self) -> list[tuple[int, str]]:
        """(line, text) of the entrypoint/command/args items; a string command is one item."""
        items: list[tuple[int, str]] = []
        for key in ("entrypoint", "command", "args"):
            value = self.spec.get(key)
            if isinstance(value, str):
                items.append((self.spec.line_of(key), value))
            elif isinstance(value, YList):
                items += [(value.line_of(i), str(item)) for i, item in enumerate(value) if item is not None]
        return items

    def environment(self) -> dict[str, tuple[int, str]]:
        """Environment variables with literal values: name -> (line, value)."""
        env = self.spec.get("env") if self.workload is not None else self.spec.get("environment")
        found: dict[str, tuple[int, str]] = {}
        if isinstance(env, YMap):  # compose mapping form
            found = {str(k): (env.line_of(k), "" if v is None else str(v)) for k, v in env.items()}
        elif isinstance(env, YList):
            for index, item in enumerate(env):
                if isinstance(item, YMap) and "value" in item:  # Kubernetes {name, value}
                    found[str(item.get("name"))] = (item.line_of("value"), str(item["value"]))
                elif isinstance(item, str) and "=" in item:  # compose "NAME=value"
                    name, _, value = item.partition("=")
                    found[name] = (env.line_of(index), value)
        return found


def containers(repo: Repo) -> list[Container]:
    """Every container of every workload and compose service (computed once per scan)."""
    return repo.memo("documents.containers", lambda: _containers(repo))


def _containers(repo: Repo) -> list[Container]:
    found: list[Container] = []
    for workload in repo.workloads():
        spec = workload.body.get("spec")
        if workload.kind == "CronJob" and not (
            isinstance(spec, dict) and isinstance(spec.get("jobTemplate"), dict)
        ):
            continue  # K8sObject.pod_spec() raises on a jobTemplate that isn't a mapping
        for container in workload.containers():
            if isinstance(container.get("image"), str):
                owner = f"{workload.kind} {workload.name!r} container {container.get('name', '?')!r}"
                found.append(
                    Container(workload.path, container.line, owner, container["image"], container, workload)
                )
    for compose in repo.compose_files():
        services = compose.body["services"]
        for name, service in compose.services.items():
            if isinstance(service.get("image"), str):
                found.append(
                    Container(
                        compose.path,
                        services.line_of(name),
                        f"compose service {name!r}",
                        service["image"],
                        service,
                    )
                )
    return found


def k8s_api_group(obj: K8sObject) -> str:
    return str(obj.body.get("apiVersion", "")).split("/", 1)[0]


# ---- scheduled jobs and workflows --------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """A command something runs: a CronJob container's command/args or a GitHub workflow `run:` step."""

    path: str
    line: int  # where the command starts
    text: str
    origin: str  # "CronJob 'pg-backup'" / "workflow job 'backup'"
    scheduled: bool

    def line_of(self, repo: Repo, pattern: re.Pattern[str]) -> int:
        """The line inside the command where ``pattern`` occurs (block scalars start below their key)."""
        end = self.line + self.text.count("\n") + 3
        return first_line(repo, self.path, pattern, self.line, end) or self.line


@dataclass(frozen=True)
class WorkflowJob:
    path: str
    id: str
    name: str
    line: int
    scheduled: bool  # the workflow runs on `on.schedule`


def workflow_jobs(repo: Repo) -> list[tuple[WorkflowJob, list[Command]]]:
    """GitHub Actions jobs with their `run:` steps."""
    found: list[tuple[WorkflowJob, list[Command]]] = []
    for path in repo.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
        for document in repo.yaml(path)[:1]:
            if not isinstance(document, YMap) or not isinstance(document.get("jobs"), YMap):
                continue
            # YAML 1.1 reads an unquoted `on:` key as the boolean true.
            triggers = document.get("on", document.get(True))
            scheduled = isinstance(triggers, YMap) and "schedule" in triggers
            jobs: YMap = document["jobs"]
            for job_id, job in jobs.items():
                if not isinstance(job, YMap):
                    continue
                job_info = WorkflowJob(
                    path, str(job_id), str(job.get("name", job_id)), jobs.line_of(job_id), scheduled
                )
                steps = job.get("steps")
                commands = [
                    Command(
                        path,
                        step.line_of("run"),
                        str(step["run"]),
                        f"workflow job {str(job_id)!r}",
                        scheduled,
                    )
                    for step in (steps if isinstance(steps, YList) else [])
                    if isinstance(step, YMap) and isinstance(step.get("run"), str)
                ]
                found.append((job_info, commands))
    return found


_SCRIPT = re.compile(r"[\w./-]+\.(?:sh|bash|py)\b")


def job_commands(repo: Repo) -> list[Command]:
    """Commands of Kubernetes CronJobs/Jobs and of GitHub workflow steps (scheduled or not).

    A job that runs a script kept in the repository (`command: ["/usr/local/bin/backup.sh"]`,
    `run: ./scripts/backup.sh`) is followed into that script, matched by file name: the work is
    in the script, not in the one-line command.
    """
    found: list[Command] = []
    for container in containers(repo):
        workload = container.workload
        if workload is None or workload.kind not in ("CronJob", "Job"):
            continue
        items = container.command_items()
        text = "\n".join([container.image, *(item for _, item in items)])
        line = items[0][0] if items else container.line
        origin = f"{workload.kind} {workload.name!r}"
        found.append(Command(container.path, line, text, origin, workload.kind == "CronJob"))
    for _, commands in workflow_jobs(repo):
        found += commands
    scripts: list[Command] = []
    for command in found:
        for name in {PurePosixPath(token).name for token in _SCRIPT.findall(command.text)}:
            for path in repo.named(name):
                origin = f"{command.origin} via {path}"
                scripts.append(Command(path, 1, repo.text(path), origin, command.scheduled))
    return found + scripts


# ---- SQL ----------------------------------------------------------------------------------------

_MIGRATION_DIR = re.compile(r"(^|/)(migrations?|migrate|alembic|db|schema|sql)/", re.I)


def sql_paths(repo: Repo) -> list[str]:
    """SQL files, and Go/Python migrations that embed SQL (goose, golang-migrate, alembic)."""
    return [
        path
        for path in repo.paths
        if not path.startswith(_VENDORED)
        and (path.lower().endswith(".sql") or (path.endswith((".py", ".go")) and _MIGRATION_DIR.search(path)))
    ]


def line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def balanced(text: str, start: int, opening: str = "(", closing: str = ")") -> str:
    """The text from ``start`` (an opening bracket) to its matching closing bracket, inclusive."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == opening:
            depth += 1
        elif text[index] == closing:
            depth -= 1
            if depth == 0:
                return text[start : index + 1]
    return text[start:]


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


# ---- code ---------------------------------------------------------------------------------------


def is_test_path(config: Config, path: str) -> bool:
    """Whether ``path`` is a test, fixture or example by the policy's `test_paths` (gitignore patterns).

    What production code does (writes a key, serves a route, reads a flag) is judged on production
    code only: a test that writes Redis keys without a TTL says nothing about the service.
    """
    return not production.is_production(path, tuple(config.test_paths))


def unquote(text: str) -> str:
    """A semgrep metavariable's source text without the quotes of a string literal."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'`":
        return text[1:-1]
    return text
