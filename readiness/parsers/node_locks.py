"""Node lock files, read as text: every installed package version and the line it is locked on.

package-lock.json / npm-shrinkwrap.json (lockfile versions 1, 2 and 3), yarn.lock (classic and
berry) and pnpm-lock.yaml. A lock file pins the whole tree, so each entry is one exact version
that can be matched against advisories without resolving or installing anything.

Versions leave the parser in the form npm compares (:func:`versions.canonical_semver`:
``v4.17.4``, ``=4.17.4`` and `` 4.17.4 `` are 4.17.4), so an advisory matches whatever the
spelling. An entry whose version is not one (``04.17.4``, ``4.17``, a newline), whose name is
not a package name (whitespace, ``..``, a path beyond its scope) or whose value has the wrong
type is a *problem* on its line: left out of the packages, never passed on to a tool.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from readiness.parsers.versions import canonical_semver

LOCK_NAMES = ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml")
_SHOWN = 60  # characters of a refused value quoted in a problem
# Characters encodeURIComponent leaves alone: what a package name (or its scope) may hold.
_NAME_PART = re.compile(r"[A-Za-z0-9._~!*'()-]+", re.ASCII)
# Versions that are not from the registry (local folders, git, tarball URLs): nothing to match.
_NOT_REGISTRY = re.compile(r"^(?:file|link|git|git\+[a-z]+|https?|github|gitlab|bitbucket|gist):|/|#")


@dataclass(frozen=True)
class Locked:
    name: str
    version: str
    line: int
    dev: bool = False
    node: str = ""  # package-lock's key (node_modules/...), to map npm audit's nodes back


@dataclass(frozen=True)
class NodeLock:
    path: str
    packages: tuple[Locked, ...]
    problem: str | None = None  # the file as a whole can't be read
    problems: tuple[tuple[int, str], ...] = ()  # (line, what is wrong) per entry left out
    dropped: frozenset[str] = frozenset()  # package-lock v2/v3 keys of those entries

    def unique(self) -> list[Locked]:
        """One entry per (name, version), at its first line."""
        seen: dict[tuple[str, str], Locked] = {}
        for package in self.packages:
            seen.setdefault((package.name, package.version), package)
        return list(seen.values())


def parse(path: str, text: str) -> NodeLock:
    name = PurePosixPath(path).name
    if name == "yarn.lock":
        return parse_yarn(path, text)
    if name == "pnpm-lock.yaml":
        return parse_pnpm(path, text)
    return parse_package_lock(path, text)


def name_problem(name: object) -> str | None:
    """Why ``name`` is not an npm package name (None when it is one). The rules that held for
    every published package, old ones included (capitals are allowed): a name or ``@scope/name``,
    each part URL-safe, not starting with a dot or an underscore, no ``..``, at most 214
    characters."""
    if not isinstance(name, str):
        return "no package name" if name is None else f"name {json.dumps(name)[:_SHOWN]} is not a string"
    if not name:
        return "no package name"
    parts = name[1:].split("/") if name.startswith("@") else [name]
    if (
        len(name) > 214
        or len(parts) != (2 if name.startswith("@") else 1)
        or ".." in name
        or not all(_NAME_PART.fullmatch(part) and not part.startswith((".", "_")) for part in parts)
    ):
        return f"{_shown(name)} is not a package name"
    return None


def _shown(value: str) -> str:
    return repr(value[:_SHOWN] + ("…" if len(value) > _SHOWN else ""))


def _entry(name: object, version: object, line: int) -> tuple[str, str] | tuple[None, str]:
    """(name, version in canonical form), or (None, the problem) for an entry left out."""
    problem = name_problem(name)
    if problem is not None:
        return None, problem
    assert isinstance(name, str)
    canonical = canonical_semver(version)
    if version is None:
        return None, f"{name}: no version, so it is not audited"
    if canonical is None:
        shown = _shown(version) if isinstance(version, str) else json.dumps(version)[:_SHOWN]
        return None, f"{name}: version {shown} is not a version npm reads (X.Y.Z), so it is not audited"
    return name, canonical


# ---- package-lock.json ----------------------------------------------------------------------
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,\n]')


def _member_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line of every object member of a JSON document, by its key path (``("packages",
    "node_modules/lodash")``); the first one when a key is repeated. Strings are read whole, so
    text inside a value never looks like a key."""
    found: dict[tuple[str, ...], int] = {}
    stack: list[str | None] = []  # the key of each open object or array (None: no key)
    line, key, pending = 1, None, None
    tokens = _JSON_TOKEN.finditer(text)
    for match in tokens:
        token = match.group()
        if token == "\n":
            line += 1
        elif token.startswith('"'):
            line += token.count("\n")  # never in valid JSON, but kept honest
            key = token
        elif token == ":" and key is not None:
            try:
                pending = json.loads(key)
            except ValueError:
                pending = None
            if isinstance(pending, str):
                path = (*(k for k in stack if k is not None), pending)
                found.setdefault(path, line)
        elif token in "{[":
            stack.append(pending if token == "{" else None)
            pending = None
        elif token in "}]":
            if stack:
                stack.pop()
            pending = None
        elif token == ",":
            pending = None
        if not token.startswith('"'):
            key = None
    return found


def parse_package_lock(path: str, text: str) -> NodeLock:
    try:
        data = json.loads(text)
    except ValueError as error:
        return NodeLock(path, (), f"invalid JSON: {error}")
    except RecursionError:
        return NodeLock(path, (), "JSON nested too deeply to read")
    if not isinstance(data, dict):
        return NodeLock(path, (), "expected a JSON object")
    lines = _member_lines(text)
    found: list[Locked] = []
    problems: list[tuple[int, str]] = []
    dropped: set[str] = set()
    packages = data.get("packages")
    if packages is not None:  # lockfile v2 and v3
        if not isinstance(packages, dict):
            return NodeLock(path, (), '"packages" is not an object')
        for key, body in packages.items():
            line = lines.get(("packages", key), 1)
            if not key or "node_modules/" not in key:
                continue  # the root project and workspace folders: not installed from a registry
            if not isinstance(body, dict):
                problems.append((line, f"{_shown(key)}: expected an object"))
                dropped.add(key)
                continue
            if body.get("link") or ("version" not in body and _local(body)):
                continue
            written = body.get("name", key.rsplit("node_modules/", 1)[-1])  # an alias names the package
            name, version = _entry(written, body.get("version"), line)
            if name is None:
                problems.append((line, version))
                dropped.add(key)
            else:
                found.append(Locked(name, version, line, bool(body.get("dev")), key))
        return NodeLock(path, tuple(found), None, tuple(problems), frozenset(dropped))
    dependencies = data.get("dependencies")
    if isinstance(dependencies, dict):  # lockfile v1: nested "dependencies"
        walk = _V1Walk(lines)
        try:
            walk.entries(dependencies, "node_modules/", ("dependencies",))
        except RecursionError:  # JSON that loads can still nest deeper than a walk may go
            return NodeLock(path, (), "dependencies nested too deeply to read")
        return NodeLock(path, tuple(walk.found), None, tuple(walk.problems))
    return NodeLock(path, (), "neither packages nor dependencies")


class _V1Walk:
    """Lockfile v1's nested ``dependencies``: each entry's node is its path of node_modules."""

    def __init__(self, lines: dict[tuple[str, ...], int]) -> None:
        self.lines = lines
        self.found: list[Locked] = []
        self.problems: list[tuple[int, str]] = []

    def entries(self, dependencies: dict[str, Any], prefix: str, where: tuple[str, ...]) -> None:
        for key, body in dependencies.items():
            line, node = self.lines.get((*where, key), 1), prefix + key
            if not isinstance(body, dict):
                self.problems.append((line, f"{_shown(key)}: expected an object"))
                continue
            version = body.get("version")
            name: object = key
            if isinstance(version, str) and version.startswith("npm:"):  # an alias: npm:lodash@4.17.4
                name, _, version = version[4:].rpartition("@")
            local = "version" not in body and _local(body)
            if not local and not (isinstance(version, str) and _NOT_REGISTRY.search(version)):
                entry, canonical = _entry(name, version, line)
                if entry is None:  # what is nested under it is still read: it is installed
                    self.problems.append((line, canonical))
                else:
                    self.found.append(Locked(entry, canonical, line, bool(body.get("dev")), node))
            nested = body.get("dependencies")
            if isinstance(nested, dict):
                self.entries(nested, node + "/node_modules/", (*where, key, "dependencies"))
            elif nested is not None:
                self.problems.append((line, f"{_shown(key)}: its dependencies are not an object"))


def _local(body: dict[str, Any]) -> bool:
    """An entry installed from a folder or git without a version of its own: nothing to match."""
    resolved = body.get("resolved")
    return isinstance(resolved, str) and resolved.startswith(("file:", "link:", "git"))


def for_audit(lock: NodeLock, text: str) -> str:
    """The package-lock ``npm audit`` is given: the parsed versions in their canonical form and
    the entries that are problems left out. npm matches what it is handed literally
    (``=4.17.4`` matches no advisory), and a value the parser refused must not reach it.

    A v2 or v3 lock keeps everything else as written (minus v2's legacy ``dependencies`` copy,
    which npm 7 and later don't read); a v1 lock is handed over as the v3 lock of its parsed
    entries, at the same node paths, so one refused entry leaves out nothing nested under it."""
    data = json.loads(text)
    kept = {package.node: package for package in lock.packages}
    if isinstance(data.get("packages"), dict):
        data.pop("dependencies", None)
        data["packages"] = {
            key: {**body, "version": kept[key].version} if key in kept else body
            for key, body in data["packages"].items()
            if key not in lock.dropped
        }
        return json.dumps(data, indent=2) + "\n"
    packages: dict[str, Any] = {"": {key: data[key] for key in ("name", "version") if key in data}}
    for node, package in kept.items():
        body: dict[str, Any] = {"version": package.version}
        if package.name != node.rsplit("node_modules/", 1)[-1]:
            body["name"] = package.name  # an alias
        if package.dev:
            body["dev"] = True
        packages[node] = body
    copy = {key: data[key] for key in ("name", "version") if key in data}
    return json.dumps({**copy, "lockfileVersion": 3, "requires": True, "packages": packages}, indent=2) + "\n"


# ---- yarn.lock ------------------------------------------------------------------------------
_YARN_HEADER = re.compile(r'^("?)(@?[^@\s"]+)@([^,"]*)\1(?:,|:)')
_YARN_VERSION = re.compile(r"^  version:?[ \t]+(.*)")  # the value's trailing blanks: rstrip, not a regex


def parse_yarn(path: str, text: str) -> NodeLock:
    found: list[Locked] = []
    problems: list[tuple[int, str]] = []
    name: str | None = None
    refused: str | None = None  # why the current entry's header can't be read
    header_line = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            (name, refused), header_line = _yarn_header(line.rstrip("\r")), number
            continue
        version = _YARN_VERSION.match(line)
        if version is None or (name is None and refused is None):
            continue
        value = _yarn_value(version.group(1).rstrip(" \t\r"))
        entry, canonical = (None, refused) if refused else _entry(name, value, header_line)
        if entry is None:
            problems.append((header_line, canonical or "unreadable entry"))
        else:
            found.append(Locked(entry, canonical, header_line))
        name = refused = None
    return NodeLock(path, tuple(found), None, tuple(problems))


def _yarn_header(line: str) -> tuple[str | None, str | None]:
    """(package name, None), (None, why it is refused), or (None, None) for what is not a
    package from the registry (workspaces, links, local folders, patches, ``__metadata``)."""
    if line.rstrip() == "__metadata:":
        return None, None
    match = _YARN_HEADER.match(line)
    if match is None:
        return None, f"{_shown(line)} is not a lock entry header yarn writes"
    name, spec = match.group(2), match.group(3)
    if re.match(r"(npm:)?(workspace|link|portal|file|patch|exec|git|https?|github):", spec):
        return None, None
    if spec.startswith("npm:") and "@" in spec[5:]:  # an alias: foo@npm:lodash@^4.17.0
        name = spec[4:].rsplit("@", 1)[0]
    problem = name_problem(name)
    return (None, problem) if problem else (name, None)


def _yarn_value(raw: str) -> object:
    """A yarn.lock value as yarn reads it: a JSON-quoted string (classic), a YAML single-quoted
    one (berry) or plain text."""
    if raw.startswith('"'):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    if raw.startswith("'") and raw.endswith("'") and len(raw) > 1:
        return raw[1:-1].replace("''", "'")
    return raw


# ---- pnpm-lock.yaml -------------------------------------------------------------------------
_PNPM_KEY = re.compile(r"^  (['\"]?)(/?.+?)\1:[ \t\r]*$")


def parse_pnpm(path: str, text: str) -> NodeLock:
    """The ``packages:`` keys: ``/name@1.2.3(peer@4.5.6)`` (v6), ``/name/1.2.3_peer@4.5.6`` (v5),
    ``name@1.2.3`` (v9), scoped names alike."""
    found: list[Locked] = []
    problems: list[tuple[int, str]] = []
    in_packages = False
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue  # pnpm 6 and later write a blank line after "packages:" and between entries
        if not line.startswith(" "):
            in_packages = line.rstrip() == "packages:"
            continue
        match = _PNPM_KEY.match(line) if in_packages else None
        if match is None:
            continue
        split = _pnpm_key(match.group(2))
        if split is None:
            continue
        name, version = _entry(*split, number)
        if name is None:
            problems.append((number, version))
        else:
            found.append(Locked(name, version, number))
    return NodeLock(path, tuple(found), None, tuple(problems))


_PNPM_NAME = re.compile(r"(@[^/@]+/[^/@]+|[^/@]+)([@/])(.+)", re.DOTALL)


def _pnpm_key(key: str) -> tuple[str, str] | None:
    """(name, version as written) of a package key; None for one that is not from the registry
    (a tarball URL, a git host, a local folder)."""
    match = _PNPM_NAME.fullmatch(key.removeprefix("/").split("(", 1)[0])
    if match is None:
        return None
    name, separator, version = match.groups()
    if separator == "/":  # v5: peers follow an underscore, which no version holds
        version = version.split("_", 1)[0]
    if _NOT_REGISTRY.search(version):
        return None
    return name, version
