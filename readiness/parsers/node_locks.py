"""Node lock files, read as text: every installed package version and the line it is locked on.

package-lock.json / npm-shrinkwrap.json (lockfile versions 1, 2 and 3), yarn.lock (classic and
berry) and pnpm-lock.yaml. A lock file pins the whole tree, so each entry is one exact version
that can be matched against advisories without resolving or installing anything.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

LOCK_NAMES = ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml")


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
    problem: str | None = None

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


def _line_index(text: str) -> dict[str, int]:
    """The first line of each JSON object key written as ``"key": {``."""
    found: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        match = re.match(r'\s*"((?:[^"\\]|\\.)*)"\s*:\s*\{', line)
        if match and match.group(1) not in found:
            found[match.group(1)] = number
    return found


def parse_package_lock(path: str, text: str) -> NodeLock:
    try:
        data = json.loads(text)
    except ValueError as error:
        return NodeLock(path, (), f"invalid JSON: {error}")
    if not isinstance(data, dict):
        return NodeLock(path, (), "expected a JSON object")
    lines = _line_index(text)
    found: list[Locked] = []
    packages = data.get("packages")
    if isinstance(packages, dict):  # lockfile v2 and v3
        for key, body in packages.items():
            if not key or not isinstance(body, dict) or body.get("link") or "node_modules/" not in key:
                continue
            version = body.get("version")
            if not isinstance(version, str) or not version:
                continue
            name = str(body.get("name") or key.rsplit("node_modules/", 1)[-1])
            found.append(Locked(name, version, lines.get(key, 1), bool(body.get("dev")), key))
        return NodeLock(path, tuple(found))
    dependencies = data.get("dependencies")
    if isinstance(dependencies, dict):  # lockfile v1: nested "dependencies"
        _walk_v1(dependencies, lines, found, "node_modules/")
        return NodeLock(path, tuple(found))
    return NodeLock(path, (), "neither packages nor dependencies")


def _walk_v1(dependencies: dict[str, Any], lines: dict[str, int], found: list[Locked], prefix: str) -> None:
    for name, body in dependencies.items():
        if not isinstance(body, dict):
            continue
        version = body.get("version")
        node = prefix + name
        if isinstance(version, str) and not version.startswith(("file:", "link:", "git", "http")):
            found.append(Locked(name, version, lines.get(name, 1), bool(body.get("dev")), node))
        nested = body.get("dependencies")
        if isinstance(nested, dict):
            _walk_v1(nested, lines, found, node + "/node_modules/")


_YARN_HEADER = re.compile(r'^("?)(@?[^@\s"]+)@([^,"]*)\1(?:,|:)')


def parse_yarn(path: str, text: str) -> NodeLock:
    found: list[Locked] = []
    name: str | None = None
    header_line = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            match = _YARN_HEADER.match(line)
            name, header_line = (match.group(2), number) if match else (None, 0)
            # Workspaces, links and local folders are not published packages.
            if match and re.match(r"(npm:)?(workspace|link|portal|file|patch):", match.group(3)):
                name = None
            continue
        version = re.match(r'^\s+version:?\s+"?([^"\s]+)"?\s*$', line)
        if version and name:
            found.append(Locked(name, version.group(1), header_line))
            name = None
    return NodeLock(path, tuple(found))


_PNPM_KEY = re.compile(r"^  '?/?((?:@[^/@'\s]+/)?[^/@'\s(]+)[@/]([0-9][^('\s:_]*)[^:]*'?:\s*$")


def parse_pnpm(path: str, text: str) -> NodeLock:
    found: list[Locked] = []
    in_packages = False
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.startswith(" "):
            in_packages = line.rstrip() == "packages:"
            continue
        if in_packages:
            match = _PNPM_KEY.match(line)
            if match:
                found.append(Locked(match.group(1), match.group(2), number))
    return NodeLock(path, tuple(found))
