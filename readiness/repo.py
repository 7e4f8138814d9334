"""A safe, read-only, cached view of the repository under review.

The tree is walked once; each file is read and parsed at most once and only when a check asks
for it. The view never follows a symlink out of the root, never executes anything, skips
oversized and binary files (and says so), and decodes bad bytes with replacement instead of
crashing. It also records which files each category read, so a checkpoint can tell whether a
category's inputs changed.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar, cast

import pathspec

from readiness import globs
from readiness.model import Evidence
from readiness.parsers import dockerfile as dockerfile_parser
from readiness.parsers.yaml_lines import YamlError, YMap, load_all

DEFAULT_MAX_FILE_BYTES = 1024 * 1024
# A .gitignore is read whole into patterns; a huge one is an attack on memory, and not applying
# it scans more files, never fewer.
MAX_GITIGNORE_BYTES = 256 * 1024
T = TypeVar("T")
_ALWAYS_SKIPPED_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
}
_BINARY_SUFFIXES = {
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".ico",
    ".webp",
    ".pdf",
    ".zip",
    ".gz",
    ".tgz",
    ".bz2",
    ".xz",
    ".7z",
    ".jar",
    ".war",
    ".so",
    ".dylib",
    ".dll",
    ".exe",
    ".bin",
    ".pyc",
    ".pyo",
    ".class",
    ".o",
    ".a",
    ".woff",
    ".woff2",
    ".ttf",
    ".otf",
    ".eot",
    ".mp3",
    ".mp4",
    ".mov",
    ".wasm",
    ".db",
    ".sqlite",
}
_YAML_SUFFIXES = (".yml", ".yaml")
_COMPOSE_NAME = re.compile(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$")
_SERVICE_MARKERS = {
    "go.mod": "go",
    "pyproject.toml": "python",
    "setup.py": "python",
    "setup.cfg": "python",
    "package.json": "node",
}


def git_files(root: Path) -> list[str] | None:
    """The files of ``root`` as Git sees them: tracked, plus untracked ones no ignore rule
    matches, relative to ``root``. None when ``root`` is not in a Git work tree (a tarball, an
    export) or Git is not installed: the caller walks the directory instead.

    Git is run on a tree someone else wrote, so nothing in it may make Git execute anything:
    no fsmonitor hook, no pager, no system or global configuration; the ownership check is
    lifted for this one read-only listing (a checkout mounted into a container belongs to
    another user)."""
    git = shutil.which("git")
    if git is None or not _inside_work_tree(root):
        return None
    argv = [
        git,
        "--no-pager",
        "-c",
        "core.fsmonitor=false",
        "-c",
        "core.untrackedCache=false",
        "-c",
        f"safe.directory={root}",
        "-C",
        str(root),
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
    ]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": "/nonexistent",  # no user configuration either: the same listing for everyone
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "LC_ALL": "C",
    }
    try:
        completed = subprocess.run(
            argv, capture_output=True, env=env, timeout=120, check=False, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if completed.returncode != 0:
        return None
    names = completed.stdout.decode("utf-8", errors="surrogateescape").split("\0")
    return [name for name in names if name and not name.startswith("../")]


def _inside_work_tree(root: Path) -> bool:
    return any((folder / ".git").exists() for folder in (root, *root.parents))


def _through_symlinked_directory(root: Path, parts: list[str]) -> bool:
    folder = root
    for part in parts[:-1]:
        folder = folder / part
        if folder.is_symlink():
            return True
    return False


@dataclass(frozen=True)
class ParseProblem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass(frozen=True)
class Match:
    path: str
    line: int
    text: str


@dataclass(frozen=True)
class K8sObject:
    """One Kubernetes object from a manifest, with where it was written."""

    path: str
    line: int
    kind: str
    name: str
    body: YMap

    def pod_spec(self) -> YMap | None:
        """The pod template's spec for workload kinds (Deployment, StatefulSet, Job, CronJob, ...)."""
        spec = self.body.get("spec")
        if not isinstance(spec, dict):
            return None
        if self.kind == "Pod":
            return spec if isinstance(spec, YMap) else None
        if self.kind == "CronJob":
            job = spec.get("jobTemplate")
            spec = job.get("spec") if isinstance(job, dict) else None
        template = spec.get("template") if isinstance(spec, dict) else None
        pod = template.get("spec") if isinstance(template, dict) else None
        return pod if isinstance(pod, YMap) else None

    def containers(self) -> list[YMap]:
        return self._container_list("containers")

    def init_containers(self) -> list[YMap]:
        return self._container_list("initContainers")

    def _container_list(self, key: str) -> list[YMap]:
        pod = self.pod_spec()
        containers = pod.get(key) if pod else None
        return [c for c in containers if isinstance(c, YMap)] if isinstance(containers, list) else []


@dataclass(frozen=True)
class ComposeFile:
    path: str
    services: dict[str, YMap]
    body: YMap


@dataclass(frozen=True)
class Service:
    """A deployable unit found in the tree (a Go module, a Python project, a Node package)."""

    name: str
    path: str  # directory, "." for the root
    language: str

    def contains(self, file_path: str) -> bool:
        return self.path == "." or file_path == self.path or file_path.startswith(self.path + "/")


@dataclass(eq=False)  # recordings nest; each is removed by identity, never by equal contents
class Recording:
    """What a block of checks touched: files read, and parse problems among them."""

    paths: set[str] = field(default_factory=set)
    problems: dict[str, ParseProblem] = field(default_factory=dict)


class Repo:
    def __init__(
        self,
        root: str | Path,
        *,
        exclude: Iterable[str] = (),
        ignore: Iterable[str] = (),
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        use_git: bool = True,
    ) -> None:
        """``exclude``: the team's configured patterns (what they remove is counted in
        :attr:`excluded`); ``ignore``: the tool's own output folders, never counted."""
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise NotADirectoryError(f"{root} is not a directory")
        self.max_file_bytes = max_file_bytes
        self._exclude = globs.spec(exclude)
        self._ignore = globs.spec(ignore)
        self.excluded: list[str] = []  # files the configured `exclude` patterns removed
        self.listing = "walk"  # or "git": the files Git tracks, plus untracked ones it doesn't ignore
        self.skipped: dict[str, str] = {}
        self._sizes: dict[str, int] = {}
        self._text: dict[str, str] = {}
        self._lines: dict[str, list[str]] = {}
        self._digest: dict[str, str] = {}
        self._yaml: dict[str, list[Any]] = {}
        self._dockerfiles: dict[str, dockerfile_parser.Dockerfile] = {}
        self.problems: dict[str, ParseProblem] = {}
        self._recordings: list[Recording] = []
        self._services: list[Service] | None = None
        self._owners: dict[str, Service | None] = {}
        self._listings: dict[tuple[str, ...], list[str]] = {}  # listings depend on paths only
        self._memo: dict[Hashable, tuple[object, tuple[str, ...]]] = {}
        listed = git_files(self.root) if use_git else None
        if listed is None:
            # In a work tree whose listing failed, the checkout's .gitignore files may be the pull
            # request's: walk everything rather than let them hide code.
            self._walk(honour_gitignore=not (use_git and _inside_work_tree(self.root)))
        else:
            self.listing = "git"
            self._index_listed(listed)
        self.paths: tuple[str, ...] = tuple(sorted(self._sizes))

    # ---- the walk ---------------------------------------------------------------------------
    def _index_listed(self, listed: Iterable[str]) -> None:
        """Index Git's listing. A `.gitignore` has already filtered the untracked files only:
        a pull request that ignores its own tracked code cannot hide it from the scan."""
        for relative in sorted(set(listed)):
            parts = relative.split("/")
            if any(part in _ALWAYS_SKIPPED_DIRS for part in parts[:-1]):
                continue
            if self._ignore.match_file(relative):
                continue
            if self._exclude.match_file(relative):
                self.excluded.append(relative)
                continue
            full = self.root / relative
            if _through_symlinked_directory(self.root, parts):
                self.skipped[relative] = "inside a symlinked directory (not followed)"
                continue
            if full.is_dir() and not full.is_symlink():
                self.skipped[relative] = "a submodule or nested repository (not scanned)"
                continue
            if not full.exists() and not full.is_symlink():
                continue  # tracked, but deleted in the working tree
            self._index_file(full, relative)

    def _walk(self, *, honour_gitignore: bool = True) -> None:
        ignore_specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []
        for directory, dirnames, filenames in os.walk(self.root, followlinks=False):
            relative_dir = Path(directory).relative_to(self.root).as_posix()
            prefix = "" if relative_dir == "." else relative_dir + "/"
            gitignore = Path(directory) / ".gitignore"
            if honour_gitignore:
                ignore_spec = self._gitignore(gitignore, prefix + ".gitignore")
                if ignore_spec is not None:
                    ignore_specs.append((prefix, ignore_spec))
            kept_dirs = []
            for name in sorted(dirnames):
                relative = prefix + name
                full = Path(directory) / name
                if name in _ALWAYS_SKIPPED_DIRS or self._ignored(relative + "/", ignore_specs):
                    continue
                if full.is_symlink():
                    self.skipped[relative] = "symlinked directory (not followed)"
                    continue
                kept_dirs.append(name)
            dirnames[:] = kept_dirs
            for name in sorted(filenames):
                relative = prefix + name
                if self._ignored(relative, ignore_specs):
                    continue
                self._index_file(Path(directory) / name, relative)

    def _gitignore(self, path: Path, relative: str) -> pathspec.GitIgnoreSpec | None:
        """A directory's `.gitignore` as a matcher, or None. Read only when it is a regular file
        of bounded size; lines that can't be matched safely are dropped and said (dropping a line
        scans more, never less)."""
        try:
            status = path.lstat()
        except OSError:
            return None
        if not stat.S_ISREG(status.st_mode):
            return None
        if status.st_size > MAX_GITIGNORE_BYTES:
            self.skipped[relative] = f"larger than {MAX_GITIGNORE_BYTES} bytes: not applied"
            return None
        try:
            with open(path, "rb") as handle:
                lines = handle.read(MAX_GITIGNORE_BYTES).decode("utf-8", errors="replace").splitlines()
        except OSError:
            return None
        matcher, dropped = globs.lenient_spec(lines)
        if dropped:
            self.skipped[relative] = f"{len(dropped)} line(s) not applied: " + "; ".join(dropped[:3])
        return matcher

    def _ignored(self, relative: str, specs: list[tuple[str, pathspec.GitIgnoreSpec]]) -> bool:
        if self._ignore.match_file(relative):
            return True
        if self._exclude.match_file(relative):
            if not relative.endswith("/"):
                self.excluded.append(relative)
                return True
            # An excluded directory: still walked, so the files it removes can be counted.
            return False
        for prefix, spec in specs:
            if relative.startswith(prefix) and spec.match_file(relative[len(prefix) :]):
                return True
        return False

    def _index_file(self, full: Path, relative: str) -> None:
        if full.is_symlink():
            try:
                target = full.resolve(strict=True)
            except (OSError, RuntimeError):
                self.skipped[relative] = "broken symlink"
                return
            if not target.is_relative_to(self.root):
                self.skipped[relative] = "symlink leading outside the repository"
                return
        if PurePosixPath(relative).suffix.lower() in _BINARY_SUFFIXES:
            self.skipped[relative] = "binary file"
            return
        try:
            size = full.stat().st_size
        except OSError as error:
            self.skipped[relative] = f"unreadable: {error.strerror}"
            return
        if not full.is_file():
            self.skipped[relative] = "not a regular file"
            return
        if size > self.max_file_bytes:
            self.skipped[relative] = f"larger than {self.max_file_bytes} bytes"
            return
        self._sizes[relative] = size

    # ---- recording --------------------------------------------------------------------------
    @contextmanager
    def recording(self) -> Iterator[Recording]:
        recording = Recording()
        self._recordings.append(recording)
        try:
            yield recording
        finally:
            self._recordings.remove(recording)

    def _touch(self, path: str) -> None:
        for recording in self._recordings:
            recording.paths.add(path)
            problem = self.problems.get(path)
            if problem is not None:
                recording.problems[path] = problem

    # ---- listing ----------------------------------------------------------------------------
    def exists(self, path: str) -> bool:
        return path in self._sizes

    def glob(self, *patterns: str) -> list[str]:
        """Indexed paths matching any of the gitwildmatch patterns (``**/`` spans directories)."""
        spec = globs.spec(patterns)
        return [path for path in self.paths if spec.match_file(path)]

    def named(self, *names: str) -> list[str]:
        """Indexed paths whose file name matches one of the shell patterns (case-insensitive)."""
        key = ("named", *names)
        if key not in self._listings:
            lowered = [name.lower() for name in names]
            self._listings[key] = [
                path
                for path in self.paths
                if any(fnmatchcase(PurePosixPath(path).name.lower(), name) for name in lowered)
            ]
        return list(self._listings[key])

    def with_suffix(self, *suffixes: str) -> list[str]:
        return [path for path in self.paths if path.lower().endswith(suffixes)]

    def tree_digest(self) -> str:
        """A hash of the file listing: adding or removing a file changes what absent-evidence means."""
        listing = [*self.paths, *(f"skipped:{path}" for path in sorted(self.skipped))]
        return hashlib.sha256("\n".join(listing).encode()).hexdigest()

    # ---- reading ----------------------------------------------------------------------------
    def text(self, path: str) -> str:
        """The file's text ('' if it was skipped as binary). Decoding errors are replaced."""
        self._touch(path)
        cached = self._text.get(path)
        if cached is not None:
            return cached
        if path not in self._sizes:
            raise FileNotFoundError(path)
        data = (self.root / path).read_bytes()[: self.max_file_bytes]
        self._digest[path] = hashlib.sha256(data).hexdigest()
        if b"\x00" in data[:8192]:
            self.skipped[path] = "binary file"
            text = ""
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                self.skipped[path] = "not valid UTF-8 (decoded with replacement)"
                text = data.decode("utf-8", errors="replace")
        self._text[path] = text
        return text

    def lines(self, path: str) -> list[str]:
        """The file's lines (a fresh list: callers may change it). Split once per file: checks
        ask for the same files' lines many times over."""
        text = self.text(path)
        cached = self._lines.get(path)
        if cached is None:
            # Only "\n" ends a line: str.splitlines() also splits on form feeds and U+2028, which
            # would put evidence on a different line number than editors and the YAML parser use.
            cached = [line.removesuffix("\r") for line in text.split("\n")]
            if cached and cached[-1] == "":
                cached.pop()
            self._lines[path] = cached
        return list(cached)

    def line(self, path: str, number: int) -> str:
        lines = self.lines(path)
        return lines[number - 1].strip() if 0 < number <= len(lines) else ""

    def evidence(
        self, path: str, line: int | None = None, note: str | None = None, *, snippet: str | None = None
    ) -> Evidence:
        """Evidence pointing at a file (and line), with the line's text as the snippet unless one
        is given (a check that handles secrets passes a redacted snippet)."""
        if snippet is None and line:
            snippet = self.line(path, line)[:200]
        return Evidence(path=path, line=line, snippet=snippet or None, note=note)

    def digest(self, path: str) -> str:
        """sha256 of the file's bytes as they are on disk now (not cached: used to validate reuse)."""
        if path in self._digest:
            return self._digest[path]
        try:
            return hashlib.sha256((self.root / path).read_bytes()[: self.max_file_bytes]).hexdigest()
        except OSError:
            return "missing"

    def search(self, pattern: str | re.Pattern[str], paths: Iterable[str]) -> list[Match]:
        """Lines matching a regular expression in the given files, in path and line order."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        whole = _whole_text_variant(regex)
        found: list[Match] = []
        for path in paths:
            lines = self.lines(path)
            if whole is not None and not whole.search("\n".join(lines)):
                continue  # no line can match: one search over the file instead of one per line
            for number, text in enumerate(lines, start=1):
                if regex.search(text):
                    found.append(Match(path, number, text.strip()))
        return found

    # ---- parsed views -----------------------------------------------------------------------
    def yaml(self, path: str) -> list[Any]:
        """The file's YAML documents; a parse error is remembered as a problem, not raised."""
        cached = self._yaml.get(path)
        if cached is None:
            documents, error = load_all(self.text(path))
            if error is not None:
                self._problem(path, error)
            cached = self._yaml[path] = documents
        self._touch(path)
        return cached

    def _problem(self, path: str, error: YamlError) -> None:
        self.problems[path] = ParseProblem(path, error.line, error.message)

    def dockerfile_paths(self) -> list[str]:
        if ("dockerfiles",) not in self._listings:
            self._listings[("dockerfiles",)] = [
                path
                for path in self.paths
                if (name := PurePosixPath(path).name.lower()) in ("dockerfile", "containerfile")
                or name.startswith("dockerfile.")
                or name.endswith(".dockerfile")
            ]
        return list(self._listings[("dockerfiles",)])

    def dockerfile(self, path: str) -> dockerfile_parser.Dockerfile:
        cached = self._dockerfiles.get(path)
        if cached is None:
            cached = self._dockerfiles[path] = dockerfile_parser.parse(path, self.text(path))
        self._touch(path)
        return cached

    def dockerfiles(self) -> list[dockerfile_parser.Dockerfile]:
        return [self.dockerfile(path) for path in self.dockerfile_paths()]

    def yaml_paths(self) -> list[str]:
        return self.with_suffix(*_YAML_SUFFIXES)

    def is_helm_template(self, path: str) -> bool:
        """True for files under a chart's templates/: Go templates, not YAML until rendered."""
        parts = PurePosixPath(path).parts
        for index, part in enumerate(parts[:-1]):
            if part == "templates" and self.exists("/".join((*parts[:index], "Chart.yaml"))):
                return True
        return False

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A value derived from files, computed once per scan. The files it read are touched again
        on every later use, so each category's recording still lists them as its inputs."""
        hit = self._memo.get(key)
        if hit is None:
            with self.recording() as recording:
                value = compute()
            hit = self._memo[key] = (value, tuple(sorted(recording.paths)))
        for path in hit[1]:
            self._touch(path)
        return cast(T, hit[0])

    def k8s_objects(self) -> list[K8sObject]:
        """Kubernetes objects from every YAML file (Helm templates excluded: they aren't YAML yet)."""
        return self.memo("k8s_objects", self._read_k8s_objects)

    def _read_k8s_objects(self) -> list[K8sObject]:
        objects: list[K8sObject] = []
        for path in self.yaml_paths():
            if self.is_helm_template(path):
                continue
            for document in self.yaml(path):
                for item in _k8s_items(document):
                    metadata = item.get("metadata")
                    name = metadata.get("name", "") if isinstance(metadata, dict) else ""
                    objects.append(K8sObject(path, item.line, str(item["kind"]), str(name), item))
        return objects

    def workloads(self) -> list[K8sObject]:
        kinds = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Job", "CronJob", "Rollout"}
        return [obj for obj in self.k8s_objects() if obj.kind in kinds]

    def compose_files(self) -> list[ComposeFile]:
        return self.memo("compose_files", self._read_compose_files)

    def _read_compose_files(self) -> list[ComposeFile]:
        found: list[ComposeFile] = []
        for path in self.paths:
            pure = PurePosixPath(path)
            named = bool(_COMPOSE_NAME.match(pure.name))
            # Variants kept in a compose folder (`docker-compose/basic.yml`, `compose/traefik.yaml`).
            in_folder = "compose" in pure.parent.name.lower() and pure.suffix in (".yml", ".yaml")
            if not named and not in_folder:
                continue
            for document in self.yaml(path)[:1]:
                if isinstance(document, YMap) and isinstance(document.get("services"), YMap):
                    services = {str(k): v for k, v in document["services"].items() if isinstance(v, YMap)}
                    if named or any("image" in v or "build" in v for v in services.values()):
                        found.append(ComposeFile(path, services, document))
        return found

    def services(self) -> list[Service]:
        """Deployable units: directories holding go.mod, a Python project file or package.json."""
        if self._services is None:
            self._services = self._find_services()
        return list(self._services)

    def _find_services(self) -> list[Service]:
        found: dict[str, Service] = {}
        for path in self.paths:
            pure = PurePosixPath(path)
            language = _SERVICE_MARKERS.get(pure.name)
            if language is None:
                continue
            directory = pure.parent.as_posix()
            if directory in found:
                continue
            name = pure.parent.name or self.root.name
            found[directory] = Service(name, directory, language)
        return sorted(found.values(), key=lambda service: service.path)

    def owner(self, path: str) -> Service | None:
        """The innermost service whose directory holds ``path`` (monorepos nest them)."""
        if path not in self._owners:
            by_directory = {service.path: service for service in self.services()}
            parent = PurePosixPath(path).parent
            found = None
            for directory in (parent, *parent.parents):
                found = by_directory.get(directory.as_posix())
                if found is not None:
                    break
            self._owners[path] = found
        return self._owners[path]

    def files_of(self, service: Service, *suffixes: str) -> list[str]:
        """The service's own files: a nested service's files belong to it, not to its parent."""
        return [p for p in self.paths if p.lower().endswith(suffixes) and self.owner(p) == service]


def _k8s_items(document: Any) -> Iterator[YMap]:
    if not isinstance(document, YMap):
        return
    if isinstance(document.get("kind"), str) and "apiVersion" in document:
        if document["kind"] == "List" and isinstance(document.get("items"), list):
            for item in document["items"]:
                yield from _k8s_items(item)
        else:
            yield document


# What can make a pattern match a line on its own but not the same line inside the file's text:
# lookarounds (they see the neighbouring lines), text anchors, `.` matching newlines.
_LINE_BOUND = re.compile(r"\(\?<?[=!]|\\[AZz]")


@functools.lru_cache(maxsize=512)
def _whole_text_variant(regex: re.Pattern[str]) -> re.Pattern[str] | None:
    """``regex`` in multi-line mode, which matches the lines joined by "\\n" wherever it matches
    one of them (``^`` and ``$`` at every line); None for a pattern where that may not hold."""
    if regex.flags & re.DOTALL or _LINE_BOUND.search(regex.pattern):
        return None
    return re.compile(regex.pattern, regex.flags | re.MULTILINE)
