"""Compose stacks as `docker compose -f base -f overlay` sees them: overlays merged onto their base.

A production stack is often a base file plus an environment overlay (`compose.yml` +
`compose.deploy.yml`, `docker-compose.yml` + `docker-compose.prod.yml`): the restart policy, the
ports or the replicas of a service may live in either. Judging each file alone reports what the
overlay already fixes. Development overlays (`compose.override.yml`, `*.dev.yml`) are not
production files, so they are never merged in.

Merging follows Compose's rules for a service: mappings merge key by key, a scalar or a sequence
in the overlay replaces the base's (ports, volumes and environment entries are combined). Each
merged key remembers the file and line it came from, so evidence points at the right place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from readiness.facts.production import is_production
from readiness.parsers.yaml_lines import YList, YMap
from readiness.repo import ComposeFile, Repo

_BASE = re.compile(r"^(docker-)?compose\.ya?ml$")
_OVERLAY = re.compile(r"^(?P<stem>(docker-)?compose)\.(?P<env>[\w-]+)\.ya?ml$")
# Keys whose entries Compose combines instead of replacing.
_COMBINED = frozenset({"ports", "expose", "volumes", "environment", "labels", "extra_hosts", "dns"})


@dataclass(frozen=True)
class MergedService:
    """One service of a stack: its merged spec and where each top-level key was written."""

    name: str
    spec: YMap  # line_of(key) is the line in the file origin(key) names
    origins: dict[str, str]
    base: str  # the file that declares the service first

    def origin(self, key: str) -> str:
        return self.origins.get(key, self.base)


def overlays(repo: Repo) -> dict[str, list[str]]:
    """Production overlay files by the base file they apply to (same folder, same stem)."""
    return repo.memo("facts.compose.overlays", lambda: _overlays(repo))


def _overlays(repo: Repo) -> dict[str, list[str]]:
    files = [c.path for c in repo.compose_files() if is_production(c.path)]
    found: dict[str, list[str]] = {}
    for path in files:
        pure = PurePosixPath(path)
        overlay = _OVERLAY.match(pure.name)
        if overlay is None or _BASE.match(pure.name):
            continue
        folder = pure.parent.as_posix()
        candidates = [
            f
            for f in files
            if PurePosixPath(f).parent.as_posix() == folder and _BASE.match(PurePosixPath(f).name)
        ]
        base = next((c for c in candidates if PurePosixPath(c).stem == overlay.group("stem")), None) or next(
            iter(candidates), None
        )
        if base is not None:
            found.setdefault(base, []).append(path)
    return {base: sorted(paths) for base, paths in found.items()}


def services(repo: Repo, compose: ComposeFile) -> dict[str, MergedService]:
    """The services of the stack ``compose`` is the base of, with its overlays merged in."""
    by_path = {c.path: c for c in repo.compose_files()}
    layers = [compose, *(by_path[p] for p in overlays(repo).get(compose.path, []) if p in by_path)]
    merged: dict[str, MergedService] = {}
    for layer in layers:
        for name, spec in layer.services.items():
            if name not in merged:
                merged[name] = MergedService(
                    name, _copy(spec), dict.fromkeys(map(str, spec), layer.path), layer.path
                )
                continue
            current = merged[name]
            for key, value in spec.items():
                _merge_key(current.spec, str(key), value, spec.line_of(key))
                current.origins[str(key)] = layer.path
    return merged


def is_overlay(repo: Repo, path: str) -> bool:
    return any(path in paths for paths in overlays(repo).values())


def _copy(spec: YMap) -> YMap:
    copy = YMap(spec)
    copy.line = spec.line
    copy.key_lines = dict(spec.key_lines)
    return copy


def _merge_key(target: YMap, key: str, value: Any, line: int) -> None:
    current = target.get(key)
    if isinstance(current, YMap) and isinstance(value, YMap):
        combined = _copy(current)
        for inner, inner_value in value.items():
            combined[inner] = inner_value
            combined.key_lines[inner] = value.line_of(inner)
        target[key] = combined
    elif key in _COMBINED and isinstance(current, YList) and isinstance(value, YList):
        joined = YList([*current, *(v for v in value if v not in current)])
        joined.line = value.line
        target[key] = joined
    else:
        target[key] = value
    target.key_lines[key] = line
