"""Python dependency manifests: which files say what gets installed, and what they pin.

Pure text parsing, shared by the pip-audit and safety adapters
(which audit the pinned requirements) and by the ``security/pinned-dependencies`` check (which
reports the unpinned ones). Nothing here installs, builds or resolves anything: a requirement
is audited only when the manifest itself names one exact version.

Per directory, the install manifests are its lock files (poetry.lock, uv.lock, Pipfile.lock,
pdm.lock) and requirements files; ``pyproject.toml`` dependencies are the install manifest only
when neither exists beside it (ranges there are normal when a lock or a compiled requirements
file pins them).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PackagingRequirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

PINNED, UNPINNED, DIRECT = "pinned", "unpinned", "direct"
LOCK_FILES = ("poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock")
_REQUIREMENTS_NAME = re.compile(r"^(.*[-_.])?requirements([-_.].*)?\.txt$", re.IGNORECASE)
# Manifests and groups for development, tests, docs or linting: not shipped to production.
_DEV_WORD = re.compile(
    r"(^|[-_./\[])(dev|develop|development|tests?|testing|lint|docs?|typing|ci)([-_.\]]|$)", re.I
)


@dataclass(frozen=True)
class Requirement:
    name: str  # as written
    line: int
    text: str  # the requirement as written (without comments and options)
    kind: str  # pinned, unpinned or direct (a URL, VCS or local path: not auditable by version)
    version: str | None = None  # the exact version when pinned
    dev: bool = False

    @property
    def key(self) -> str:
        return canonicalize_name(self.name)


@dataclass(frozen=True)
class PythonManifest:
    path: str
    kind: str  # "requirements", "pyproject", or the lock file's name
    requirements: tuple[Requirement, ...]
    problems: tuple[tuple[int, str], ...] = ()  # (line, why) of entries that could not be read
    dev: bool = False  # the whole file is for development

    @property
    def pinned(self) -> list[Requirement]:
        return [r for r in self.requirements if r.kind == PINNED]

    @property
    def unpinned(self) -> list[Requirement]:
        return [r for r in self.requirements if r.kind == UNPINNED]

    @property
    def direct(self) -> list[Requirement]:
        return [r for r in self.requirements if r.kind == DIRECT]

    def pinned_lines(self) -> str:
        """The pinned requirements as ``name==version`` lines: the audit input. Extras and
        environment markers are dropped so every pinned package is audited on every platform."""
        return "".join(f"{r.key}=={r.version}\n" for r in self.pinned)


def _normalising(parse: Callable[[str, str], PythonManifest]) -> Callable[[str, str], PythonManifest]:
    """Every parser's pins leave with their version in PEP 440's normal form, so a finding maps
    back whatever the spelling: ``01.24.1``, ``1.24.01`` and ``v1.24.1`` are the 1.24.1 pip
    installs. A pinned version that is not a version (whitespace, a newline, anything PEP 440
    rejects) is a problem on its line and never reaches a scanner's input file."""

    @functools.wraps(parse)
    def parse_and_normalise(path: str, text: str) -> PythonManifest:
        manifest = parse(path, text)
        kept: list[Requirement] = []
        problems = list(manifest.problems)
        for requirement in manifest.requirements:
            if requirement.kind != PINNED or requirement.version is None:
                kept.append(requirement)
                continue
            if not _NAME.fullmatch(requirement.name):
                # A name is written into the scanner's requirements file as it is: a newline in a
                # lock file's name would add a line of pip options ("x\n-e .", "-r /etc/passwd").
                shown = requirement.name[:40]
                problems.append((requirement.line, f"{shown!r} is not a valid package name"))
                continue
            normal = normal_version(requirement.version)
            if normal is None:
                shown = requirement.version[:40]
                problems.append((requirement.line, f"{requirement.name}: {shown!r} is not a valid version"))
                continue
            kept.append(dataclasses.replace(requirement, version=normal))
        return dataclasses.replace(manifest, requirements=tuple(kept), problems=tuple(problems))

    return parse_and_normalise


# PEP 508's names: letters, digits and ``._-`` inside, a letter or digit at both ends.
_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")


def normal_version(raw: str) -> str | None:
    """``raw`` in PEP 440 normal form, or None when it is not a version (or holds whitespace)."""
    if not raw or any(character.isspace() for character in raw):
        return None
    try:
        return str(Version(raw))
    except InvalidVersion:
        return None


def is_dev_name(path: str) -> bool:
    """``requirements-dev.txt``, ``requirements/test.txt``, ``docs/requirements.txt``, ``[lint]``."""
    pure = PurePosixPath(path)
    return bool(_DEV_WORD.search(pure.name.rsplit(".", 1)[0]) or _DEV_WORD.fullmatch(pure.parent.name))


def is_requirements_file(path: str) -> bool:
    pure = PurePosixPath(path)
    return bool(_REQUIREMENTS_NAME.match(pure.name)) or (
        pure.suffix == ".txt" and pure.parent.name == "requirements"
    )


_OPTION = re.compile(r"\s+--?[A-Za-z]")  # per-requirement options such as --hash=...
_URL_ONLY = re.compile(r"^(?:[a-z+]+://|git\+|\.{0,2}/|file:)", re.IGNORECASE)
_EGG = re.compile(r"#egg=([A-Za-z0-9._-]+)")


@_normalising
def parse_requirements(path: str, text: str) -> PythonManifest:
    dev = is_dev_name(path)
    found: list[Requirement] = []
    problems: list[tuple[int, str]] = []
    for number, line in _logical_lines(text):
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if not line:
            continue
        if line.startswith(("-e ", "--editable")):
            target = line.split(None, 1)[1] if " " in line else line.split("=", 1)[-1]
            egg = _EGG.search(target)
            found.append(Requirement(egg.group(1) if egg else target, number, line, DIRECT, dev=dev))
            continue
        if line.startswith("-"):  # -r, -c, --index-url, ...: options, not requirements
            continue
        requirement_text = _OPTION.split(line, maxsplit=1)[0].strip()
        if _URL_ONLY.match(requirement_text):
            egg = _EGG.search(requirement_text)
            name = egg.group(1) if egg else requirement_text
            found.append(Requirement(name, number, requirement_text, DIRECT, dev=dev))
            continue
        requirement = _requirement(requirement_text, number, dev)
        if requirement is None:
            problems.append((number, f"cannot parse requirement {requirement_text[:80]!r}"))
        else:
            found.append(requirement)
    return PythonManifest(path, "requirements", tuple(found), tuple(problems), dev)


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Lines with backslash continuations joined, numbered by the line they start on."""
    pending, start = "", 0
    for number, raw in enumerate(text.split("\n"), start=1):
        raw = raw.removesuffix("\r")
        if not pending:
            start = number
        if raw.endswith("\\"):
            pending += raw[:-1] + " "
            continue
        yield start, pending + raw
        pending = ""
    if pending:
        yield start, pending


def _requirement(text: str, line: int, dev: bool) -> Requirement | None:
    try:
        parsed = PackagingRequirement(text)
    except InvalidRequirement:
        return None
    if parsed.url:
        return Requirement(parsed.name, line, text, DIRECT, dev=dev)
    specifiers = list(parsed.specifier)
    if len(specifiers) == 1 and specifiers[0].operator in ("==", "===") and "*" not in specifiers[0].version:
        return Requirement(parsed.name, line, text, PINNED, specifiers[0].version, dev)
    return Requirement(parsed.name, line, text, UNPINNED, dev=dev)


# ---- pyproject.toml -------------------------------------------------------------------------
@_normalising
def parse_pyproject(path: str, text: str) -> PythonManifest:
    data, problem = _toml(text)
    if problem is not None:
        return PythonManifest(path, "pyproject", (), (problem,))
    lines = text.split("\n")
    found: list[Requirement] = []
    problems: list[tuple[int, str]] = []

    def add(requirement_text: str, dev: bool) -> None:
        line = _line_containing(lines, f'"{requirement_text}"', f"'{requirement_text}'")
        requirement = _requirement(requirement_text, line, dev)
        if requirement is None:
            problems.append((line, f"cannot parse requirement {requirement_text[:80]!r}"))
        else:
            found.append(requirement)

    # Any member may be of any type in a file the pull request wrote: read only the expected ones.
    project = _table(data, "project")
    for item in _array(project, "dependencies"):
        if isinstance(item, str):
            add(item, False)
    for extra, items in _table(project, "optional-dependencies").items():
        for item in items if isinstance(items, list) else ():
            if isinstance(item, str):
                add(item, is_dev_name(f"[{extra}]"))
    for items in _table(data, "dependency-groups").values():
        for item in items if isinstance(items, list) else ():
            if isinstance(item, str):
                add(item, True)  # dependency groups are never installed by default
    poetry = _table(_table(data, "tool"), "poetry")
    if poetry:
        found += _poetry_dependencies(poetry.get("dependencies"), lines, False)
        found += _poetry_dependencies(poetry.get("dev-dependencies"), lines, True)
        for group, body in _table(poetry, "group").items():
            if isinstance(body, dict):
                found += _poetry_dependencies(body.get("dependencies"), lines, is_dev_name(f"[{group}]"))
    return PythonManifest(path, "pyproject", tuple(found), tuple(problems))


def _toml(text: str) -> tuple[dict[str, Any], tuple[int, str] | None]:
    """The TOML document, or the problem that makes it unreadable. tomllib recurses into nested
    arrays and inline tables: ``a = [[[[…]]]]`` raises RecursionError, not a TOMLDecodeError."""
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as error:
        return {}, (_toml_error_line(error), f"invalid TOML: {error}")
    except RecursionError:
        return {}, (1, "invalid TOML: nested too deeply to read")


def _table(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _array(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def _poetry_dependencies(table: Any, lines: list[str], dev: bool) -> list[Requirement]:
    found: list[Requirement] = []
    for name, value in (table or {}).items() if isinstance(table, dict) else ():
        if name.lower() == "python":
            continue
        line = _line_starting(lines, name)
        if isinstance(value, dict):
            if any(key in value for key in ("git", "path", "url")):
                found.append(Requirement(name, line, f"{name} = {value}", DIRECT, dev=dev))
                continue
            value = value.get("version", "*")
        constraint = str(value).strip()
        # Poetry reads a bare version as an exact pin; ^, ~, *, >= and friends are ranges.
        exact = re.fullmatch(r"(?:==)?\s*([0-9][0-9A-Za-z.+!-]*)", constraint)
        if exact:
            found.append(Requirement(name, line, f"{name} = {constraint}", PINNED, exact.group(1), dev))
        else:
            found.append(Requirement(name, line, f"{name} = {constraint}", UNPINNED, dev=dev))
    return found


def _line_containing(lines: list[str], *needles: str) -> int:
    for number, text in enumerate(lines, start=1):
        if any(needle in text for needle in needles):
            return number
    return 1


def _line_starting(lines: list[str], key: str) -> int:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number, text in enumerate(lines, start=1):
        if pattern.match(text):
            return number
    return 1


def _toml_error_line(error: tomllib.TOMLDecodeError) -> int:
    match = re.search(r"line (\d+)", str(error))
    return int(match.group(1)) if match else 1


# ---- lock files -----------------------------------------------------------------------------
@_normalising
def parse_toml_lock(path: str, text: str) -> PythonManifest:
    """poetry.lock, uv.lock and pdm.lock: ``[[package]]`` tables with a name and a version."""
    kind = PurePosixPath(path).name
    data, problem = _toml(text)
    if problem is not None:
        return PythonManifest(path, kind, (), (problem,))
    packages = [p for p in _array(data, "package") if isinstance(p, dict)]
    name_lines = _package_name_lines(text)
    found: list[Requirement] = []
    problems: list[tuple[int, str]] = []
    for index, package in enumerate(packages):
        line = name_lines[index] if index < len(name_lines) else 1
        name, version = package.get("name"), package.get("version")
        if not isinstance(name, str):
            problems.append((line, "package without a name"))
            continue
        source: dict[str, Any] = package["source"] if isinstance(package.get("source"), dict) else {}
        # The project itself (editable, virtual, a directory) is not a published package.
        if any(key in source for key in ("editable", "virtual", "directory", "path")) or (
            source.get("type") in ("directory", "file")
        ):
            continue
        if any(key in source for key in ("git", "url")) or source.get("type") in ("git", "url"):
            found.append(Requirement(name, line, f"{name} ({source})", DIRECT))
            continue
        if "editable" in package or "path" in package or "git" in package:
            continue
        if not isinstance(version, str):
            problems.append((line, f"{name} has no version"))
            continue
        groups = package.get("groups")
        named = [groups] if isinstance(groups, str) else groups if isinstance(groups, list) else []
        dev = package.get("category") == "dev" or bool({str(g) for g in named} - {"default", "main"})
        found.append(Requirement(name, line, f"{name}=={version}", PINNED, version, dev))
    return PythonManifest(path, kind, tuple(found), tuple(problems))


def _package_name_lines(text: str) -> list[int]:
    """The line of each ``[[package]]`` table's ``name = `` key, in table order."""
    result: list[int] = []
    in_package = False
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_package = stripped == "[[package]]"
            if in_package:
                result.append(number)
            continue
        if in_package and re.match(r"name\s*=", stripped):
            result[-1] = number
            in_package = False
    return result


@_normalising
def parse_pipfile_lock(path: str, text: str) -> PythonManifest:
    try:
        data = json.loads(text)
    except ValueError as error:
        line = getattr(error, "lineno", 1)
        return PythonManifest(path, "Pipfile.lock", (), ((line, f"invalid JSON: {error}"),))
    except RecursionError:  # ``[[[[…]]]]`` deeper than the interpreter's recursion limit
        return PythonManifest(path, "Pipfile.lock", (), ((1, "invalid JSON: nested too deeply to read"),))
    if not isinstance(data, dict):
        return PythonManifest(path, "Pipfile.lock", (), ((1, "expected a JSON object"),))
    lines = text.split("\n")
    found: list[Requirement] = []
    problems: list[tuple[int, str]] = []
    for section, dev in (("default", False), ("develop", True)):
        packages = data.get(section)
        if not isinstance(packages, Mapping):
            continue
        start = _line_containing(lines, f'"{section}"')
        for name, body in packages.items():
            line = _line_after(lines, start, f'"{name}"')
            if not isinstance(body, Mapping):
                problems.append((line, f"{name}: expected an object"))
                continue
            if any(key in body for key in ("git", "path", "file", "editable")):
                found.append(Requirement(name, line, f"{name} ({section})", DIRECT, dev=dev))
                continue
            version = str(body.get("version", ""))
            if version.startswith("==") and "*" not in version:
                found.append(Requirement(name, line, f"{name}{version}", PINNED, version[2:], dev))
            else:
                found.append(Requirement(name, line, f"{name}{version}", UNPINNED, dev=dev))
    return PythonManifest(path, "Pipfile.lock", tuple(found), tuple(problems))


def _line_after(lines: list[str], start: int, needle: str) -> int:
    for number in range(start, len(lines) + 1):
        if needle in lines[number - 1]:
            return number
    return start


# ---- from manifests to an audit, and back ---------------------------------------------------
