"""Versions as each ecosystem orders them: semver for Go and npm, PEP 440 for Python.

Pure functions, shared by the scanners (which match advisories) and the checks (which name the
lowest version that fixes them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from packaging.version import InvalidVersion, Version


def normalise(name: str, ecosystem: str) -> str:
    """Package names as the ecosystem compares them (PEP 503 for PyPI)."""
    if ecosystem == "PyPI":
        return re.sub(r"[-_.]+", "-", name).lower()
    return name


# ---- semantic versions (Go modules, npm) ----------------------------------------------------
_SEMVER = re.compile(
    r"^v?(?P<major>0|[1-9]\d*)(?:\.(?P<minor>\d+))?(?:\.(?P<patch>\d+))?"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)
SemverKey = tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]

# Semantic Versioning 2.0.0 as written, ASCII only (``\d`` would take other scripts' digits, which
# ``int`` then reads): three numbers without leading zeros, dot-separated pre-release identifiers
# (numeric ones without leading zeros), build metadata. The one grammar behind the canonical
# forms below; :data:`_SEMVER` stays lenient because it reads advisory data, not the tree.
_NUMBER = r"(?:0|[1-9][0-9]*)"
_IDENTIFIER = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_STRICT_SEMVER = re.compile(
    rf"(?P<major>{_NUMBER})\.(?P<minor>{_NUMBER})\.(?P<patch>{_NUMBER})"
    rf"(?:-(?P<pre>{_IDENTIFIER}(?:\.{_IDENTIFIER})*))?"
    r"(?:\+(?P<build>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?",
    re.ASCII,
)
_NPM_PREFIX = re.compile(r"=?v?")
_LONGEST = 256  # node-semver refuses longer versions; no Go module version comes near it


def canonical_semver(raw: object) -> str | None:
    """An npm lock-file version as npm reads it (``MAJOR.MINOR.PATCH[-pre]``), None when npm's
    strict grammar would not take it.

    Spaces and tabs around it are dropped and so is one leading ``=`` and ``v`` (``v1.2.3``,
    ``=1.2.3``: node-semver's ``clean``), as is build metadata (npm compares without it).
    Anything else is refused rather than guessed: leading zeros (``04.17.4``), a partial version
    (``4.17``, which npm would read as a range), whitespace or a newline inside, a non-string,
    more than 256 characters."""
    if not isinstance(raw, str) or len(raw) > _LONGEST:
        return None
    text = raw.strip(" \t")
    if not text or not text.isprintable():  # a newline, a control character
        return None
    prefix = _NPM_PREFIX.match(text)
    match = _STRICT_SEMVER.fullmatch(text, prefix.end() if prefix else 0)
    if match is None:
        return None
    release = f"{match.group('major')}.{match.group('minor')}.{match.group('patch')}"
    return f"{release}-{match.group('pre')}" if match.group("pre") else release


def canonical_go_version(raw: object) -> str | None:
    """A Go module version in the canonical form the go command writes and, reading a go.mod
    without changing it (``-mod=readonly``), accepts: ``vMAJOR.MINOR.PATCH[-pre][+incompatible]``
    (pseudo-versions such as ``v0.0.0-20230101120000-abcdefabcdef`` are pre-releases). None for
    anything else: no ``v``, leading zeros, a short form (``v1.2``), other build metadata,
    whitespace. Unlike :func:`canonical_semver` nothing is repaired: the go command would refuse
    the file, so a non-canonical version is the file's problem, not a spelling to translate."""
    if not isinstance(raw, str) or not raw.startswith("v") or len(raw) > _LONGEST:
        return None
    match = _STRICT_SEMVER.fullmatch(raw, 1)
    if match is None or match.group("build") not in (None, "incompatible"):
        return None
    return raw


def semver_key(version: str) -> SemverKey | None:
    """A sort key for a semantic version (``v`` prefix and build metadata ignored, missing
    minor/patch read as 0), None when it is not one. Pre-releases sort before the release."""
    match = _SEMVER.match(version.strip())
    if match is None:
        return None
    pre = match.group("pre")
    identifiers: tuple[tuple[int, int | str], ...] = ()
    if pre:
        identifiers = tuple((0, int(p)) if p.isdigit() else (1, p) for p in pre.split("."))
    return (
        int(match.group("major")),
        int(match.group("minor") or 0),
        int(match.group("patch") or 0),
        0 if pre else 1,
        identifiers,
    )


def go_semver(version: str) -> str:
    """A Go toolchain version (``go1.22``, ``go1.21rc2``, ``1.19.8``) as semver (``1.21.0-rc.2``)."""
    match = re.match(r"^(?:go)?(\d+)\.(\d+)(?:\.(\d+))?(?:(alpha|beta|rc)(\d+))?", version.strip())
    if match is None:
        return version
    major, minor, patch, kind, number = match.groups()
    text = f"{major}.{minor}.{patch or 0}"
    return f"{text}-{kind}.{number}" if kind else text


def affected(version: str, ranges: Iterable[Mapping[str, Any]], key: Any = semver_key) -> bool:
    """Whether ``version`` lies in any of an OSV entry's ranges (introduced/fixed/last_affected).

    The events of a range are walked in version order; each one at or below the version
    switches it in (introduced) or out (fixed; last_affected when strictly below). Events whose
    version can't be read are ignored rather than guessed.
    """
    current = key(version)
    if current is None:
        return False
    for event_range in ranges:
        if event_range.get("type") not in ("SEMVER", "ECOSYSTEM"):
            continue
        events: list[tuple[int, Any, str]] = []
        for event in event_range.get("events") or ():
            if not isinstance(event, Mapping):
                continue
            for kind in ("introduced", "fixed", "last_affected"):
                if kind in event:
                    value = str(event[kind])
                    bound = None if kind == "introduced" and value == "0" else key(value)
                    if bound is not None or (kind == "introduced" and value == "0"):
                        events.append((0, (), kind) if bound is None else (1, bound, kind))
        inside = False
        for order, bound, kind in sorted(events, key=lambda e: (e[0], e[1])):
            below = order == 0 or bound <= current
            if kind == "introduced" and below:
                inside = True
            elif (kind == "fixed" and below) or (kind == "last_affected" and order == 1 and bound < current):
                inside = False
        if inside:
            return True
    return False


def lowest_fix(installed: str, fixes: Iterable[str], key: Any = semver_key) -> str | None:
    """The smallest fixed version above ``installed``: the upgrade that closes one advisory."""
    current = key(installed)
    candidates = [
        (k, fix) for fix in fixes if (k := key(fix)) is not None and (current is None or k > current)
    ]
    return min(candidates)[1] if candidates else None


def combined_fix(fixes: Sequence[str | None], key: Any = semver_key) -> str | None:
    """The version that closes every advisory (the highest of their lowest fixes), None when
    one of them has no fix."""
    if not fixes or any(fix is None for fix in fixes):
        return None
    known = [(k, fix) for fix in fixes if fix is not None and (k := key(fix)) is not None]
    return max(known)[1] if known else None


# ---- an OSV-compatible API ------------------------------------------------------------------


def pep440_key(version: str) -> Version | None:
    try:
        return Version(version)
    except InvalidVersion:
        return None
