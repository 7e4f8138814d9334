"""Secrets in image builds and compose stacks: every Dockerfile ENV/ARG and compose `environment:`
entry that names a secret, and what is wrong with it, found once for the checks that judge them.

`security/no-hardcoded-secrets` reports the literals (a password written in an ENV line is a
hardcoded secret like any other); `security/no-secrets-in-images` reports what only an image or
a stack can get wrong: a secret build argument of the shipped stage (recorded in the image's
history) and a well-known default a deployment runs with. Neither check calls the other, so
disabling one never hides what the other finds.

A Setting keeps the value in memory only, to fingerprint and cut it; nothing built from it
renders the value.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any

from readiness.facts.credentials import WELL_KNOWN_PASSWORDS, Leak, placeholder, value_leak
from readiness.facts.secret_names import assignments, leak, secret_name
from readiness.parsers.dockerfile import stage_chain
from readiness.parsers.yaml_lines import YList, YMap
from readiness.repo import Repo

# Compose files that only ever run on a laptop or in CI: a literal password for a throwaway local
# database there is a recommendation, not a launch blocker.
_LOCAL_COMPOSE = re.compile(
    r"[.-](dev|develop|development|local|override|test|tests|ci|e2e)[.-]", re.IGNORECASE
)
_INTERPOLATION = re.compile(r"^\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<default>[^}]*))?\}$")


class Kind(StrEnum):
    LITERAL = "literal"  # a secret written out: a hardcoded secret
    BUILD_ARG = "build-arg"  # a secret build argument of the shipped stage: in the image history
    DEFAULT = "default"  # a well-known default the deployment runs with


@dataclass(frozen=True)
class Setting:
    path: str
    line: int  # the line the value (or the name) is written on
    lines: tuple[int, ...]  # every line the instruction or entry spans (a Dockerfile continuation)
    owner: str  # "ENV DB_PASSWORD", "compose service 'db': POSTGRES_PASSWORD"
    name: str
    kind: Kind
    problem: str  # "is set to a literal value", "contains a URL with an embedded password", …
    local: bool = False  # a development or CI compose file
    leak: Leak | None = None  # the literal, located on its line (LITERAL only)
    default_from: str = ""  # where a DEFAULT's value comes from, without the value

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.leak.value.encode()).hexdigest() if self.leak else ""


def settings(repo: Repo) -> list[Setting]:
    """Every secret-named build or stack setting with a problem, in path and line order."""
    return repo.memo("facts.secrets.settings", lambda: _settings(repo))


def _settings(repo: Repo) -> list[Setting]:
    found = [*_dockerfile_settings(repo), *_compose_settings(repo)]
    return sorted(found, key=lambda s: (s.path, s.line))


def _dockerfile_settings(repo: Repo) -> list[Setting]:
    found: list[Setting] = []
    for dockerfile in repo.dockerfiles():
        shipped = {stage[0].stage for stage in stage_chain(dockerfile) if stage}
        starts = [i.line for i in dockerfile.instructions]
        total = len(repo.lines(dockerfile.path))
        for instruction in dockerfile.instructions:
            if instruction.keyword not in ("ENV", "ARG"):
                continue
            following = [start for start in starts if start > instruction.line]
            span = tuple(range(instruction.line, (min(following) if following else total + 1)))
            for name, value in assignments(instruction.arguments):
                owner = f"{instruction.keyword} {name}"
                problem = _problem(name, value)
                if problem is not None:
                    line, located = _locate(repo, dockerfile.path, span, name, str(value))
                    found.append(
                        Setting(dockerfile.path, line, span, owner, name, Kind.LITERAL, problem, leak=located)
                    )
                elif (
                    instruction.keyword == "ARG"
                    and value is None
                    and secret_name(name)
                    and instruction.stage in shipped  # a builder stage's history is not shipped
                ):
                    problem = "takes a secret as a build argument of the shipped stage"
                    found.append(
                        Setting(dockerfile.path, instruction.line, span, owner, name, Kind.BUILD_ARG, problem)
                    )
    return found


def _compose_settings(repo: Repo) -> list[Setting]:
    found: list[Setting] = []
    for compose in repo.compose_files():
        local = bool(_LOCAL_COMPOSE.search("." + PurePosixPath(compose.path).name))
        dotenv = dotenv_values(repo, compose.path)
        for service_name, service in compose.services.items():
            for name, value, line in compose_environment(service.get("environment")):
                owner = f"compose service {service_name!r}: {name}"
                default = None if local else default_credential(name, value, dotenv)
                if default is not None:
                    why = "resolves to a well-known default"
                    setting = Setting(compose.path, line, (line,), owner, name, Kind.DEFAULT, why, local)
                    found.append(dataclasses.replace(setting, default_from=default))
                    continue
                literal = _problem(name, value)
                if literal is not None:
                    _, located = _locate(repo, compose.path, (line,), name, str(value))
                    found.append(
                        Setting(
                            compose.path, line, (line,), owner, name, Kind.LITERAL, literal, local, located
                        )
                    )
    return found


def _problem(name: str, value: Any) -> str | None:
    """A secret set to a literal, unless the literal stands for one (`changethis`, `<token>`)."""
    if value is not None and placeholder(str(value).strip().strip("\"'")):
        return None
    return leak(name, value)


def _locate(repo: Repo, path: str, span: tuple[int, ...], name: str, value: str) -> tuple[int, Leak]:
    """The line of ``span`` the value is written on, and the value located there."""
    lines = repo.lines(path)
    for number in span:
        text = lines[number - 1] if 0 < number <= len(lines) else ""
        if value.strip("\"'") and value.strip("\"'") in text:
            found = value_leak(text, name, value, any_literal=True)
            if found is not None:
                return number, found
            start = text.find(value.strip("\"'"))
            return number, Leak("secret", start, start + len(value.strip("\"'")), value.strip("\"'"))
    first = span[0] if span else 1
    text = lines[first - 1] if 0 < first <= len(lines) else ""
    return first, Leak("secret", len(text), len(text), value)


def compose_environment(environment: Any) -> list[tuple[str, Any, int]]:
    """(name, value, line) of both spellings of `environment:`; `- NAME` alone passes the host's value."""
    if isinstance(environment, YMap):
        return [(str(name), value, environment.line_of(name)) for name, value in environment.items()]
    if isinstance(environment, YList):
        found: list[tuple[str, Any, int]] = []
        for index, item in enumerate(environment):
            name, separator, value = str(item).partition("=")
            found.append((name, value if separator else None, environment.line_of(index)))
        return found
    return []


def dotenv_values(repo: Repo, compose_path: str) -> dict[str, tuple[str, int]]:
    """`.env` beside a compose file, as compose reads it for interpolation: NAME -> (value, line)."""
    folder = compose_path.rsplit("/", 1)[0] + "/" if "/" in compose_path else ""
    path = folder + ".env"
    if not repo.exists(path):
        return {}
    found: dict[str, tuple[str, int]] = {}
    for number, text in enumerate(repo.lines(path), start=1):
        name, separator, value = text.strip().removeprefix("export ").partition("=")
        if separator and name and not name.startswith("#"):
            found[name.strip()] = (value.strip().strip("\"'"), number)
    return found


def default_credential(name: str, value: Any, dotenv: dict[str, tuple[str, int]]) -> str | None:
    """Where a secret-named variable gets a well-known value (a placeholder, an image's default):
    written out, as a `${VAR:-default}` fallback, or from the committed `.env` compose interpolates.
    The value is never returned, only where it comes from."""
    if not secret_name(name) or value is None:
        return None
    text = str(value).strip().strip("\"'")
    where = "written in the compose file"
    interpolated = _INTERPOLATION.match(text)
    if interpolated is not None:
        variable = interpolated.group("name")
        if variable in dotenv:
            text, line = dotenv[variable]
            where = f"{variable} in the committed .env, line {line}"
        elif interpolated.group("op") in (":-", "-"):
            text = interpolated.group("default") or ""
            where = f"the fallback of ${{{variable}}}"
        else:
            return None
    if not text or text.startswith("$"):
        return None
    return where if placeholder(text) or text.lower() in WELL_KNOWN_PASSWORDS else None


# ---- files too large for the repository view ----------------------------------------------------
# The repository view skips files over its size limit (so no parser ever holds one), but a secret
# in a 5 MiB bundle or data dump is still a secret: the secrets check reads those line by line, one
# file at a time and up to _OVERSIZED_LIMIT bytes each (the check says where it stopped).
_OVERSIZED_LIMIT = 32 * 1024 * 1024


@dataclass(frozen=True)
class Oversized:
    path: str
    lines: list[str]
    complete: bool  # False: read up to the limit only


def oversized(repo: Repo) -> Iterator[Oversized]:
    """Every text file the repository view skipped for its size, as lines, in path order."""
    for path, reason in sorted(repo.skipped.items()):
        # The view checked these before their size: regular files, no symlink out of the tree.
        if reason.startswith("larger than"):
            read = _read_lines(repo.root / path)
            if read is not None:
                yield Oversized(path, *read)


def _read_lines(full: Path) -> tuple[list[str], bool] | None:
    """A large file's lines (and whether they are all of it), or None for a binary file or one
    that is not a regular file when opened (swapped for a FIFO or a symlink since the walk)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(full, flags)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        data = handle.read(_OVERSIZED_LIMIT)
        complete = not handle.read(1)
    if b"\x00" in data[:8192]:
        return None
    lines = [line.removesuffix("\r") for line in data.decode("utf-8", errors="replace").split("\n")]
    return (lines[:-1] if lines and lines[-1] == "" else lines), complete
