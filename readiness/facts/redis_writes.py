"""How the code writes Redis keys: with an expiry (a cache) or without one (a store).

The semgrep rules in `rules/disaster_recovery/{go,py}-redis-writes.yaml` report each write with
the key expression and the function it sits in ("key|function"). A command that cannot set an
expiry itself (HSET, INCR, LPUSH...) counts as expiring when the same function also gives the same
key an expiry (an EXPIRE in the same pipeline), which is how such keys are normally bounded.

Only files that use a Redis client are read (a Go package importing go-redis, a Python module
importing redis-py), and never tests: a fixture writing keys without a TTL says nothing about the
service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from readiness.context import CheckContext
from readiness.facts.code import matches
from readiness.facts.documents import is_test_path
from readiness.repo import Repo
from readiness.results import Match

NO_TTL_RULES = ("go-redis-write-no-ttl", "py-redis-write-no-ttl")
KEY_WRITE_RULES = ("go-redis-key-write", "go-redis-counter-write", "py-redis-key-write")
EXPIRY_RULES = ("go-redis-expiry", "py-redis-expiry")

_GO_CLIENT = re.compile(r'"github\.com/(redis/go-redis|go-redis/redis)(/v\d+)?"')
_PY_CLIENT = re.compile(r"^\s*(import\s+(redis|aioredis)\b|from\s+(redis|aioredis)(\.\w+)*\s+import\b)", re.M)


@dataclass(frozen=True)
class RedisWrite:
    path: str
    line: int
    key: str  # the key expression as written: `key`, `"fcap:" + identity`, f"idr:ip:{ip}"
    function: str
    expires: bool


def _package(path: str) -> str:
    return PurePosixPath(path).parent.as_posix()


def _uses_redis(repo: Repo, path: str, go_packages: dict[str, str]) -> bool:
    if path.endswith(".go"):
        return bool(_GO_CLIENT.search(_go_package_text(repo, path, go_packages)))
    return bool(_PY_CLIENT.search(repo.text(path)))


def _go_package_text(repo: Repo, path: str, cache: dict[str, str]) -> str:
    """All Go source of the package (directory) holding ``path``: imports and methods are per package."""
    package = _package(path)
    if package not in cache:
        cache[package] = "\n".join(repo.text(p) for p in repo.with_suffix(".go") if _package(p) == package)
    return cache[package]


def _own_method(repo: Repo, path: str, command: str, go_packages: dict[str, str]) -> bool:
    """Whether the code defines a method of that name itself (`func (f *capper) Incr(`, `def set(`):
    a call of it is a call of the wrapper, whose own body is judged where it calls Redis."""
    if path.endswith(".go"):
        text, pattern = _go_package_text(repo, path, go_packages), rf"^func\s*\([^)]*\)\s*{command}\s*\("
    else:
        text, pattern = repo.text(path), rf"^\s*(async\s+)?def\s+{command}\s*\("
    return re.search(pattern, text, re.M) is not None


def redis_writes(ctx: CheckContext) -> list[RedisWrite]:
    """Every Redis write in production code, marked with whether the key gets an expiry."""
    repo = ctx.repo
    go_packages: dict[str, str] = {}
    facts: list[tuple[Match, str, str, str]] = []
    for match in matches(ctx, *NO_TTL_RULES, *KEY_WRITE_RULES, *EXPIRY_RULES):
        command, function = match.capture("$CMD"), match.capture("$F")
        key = " ".join(match.capture("$K").split())
        if (
            not is_test_path(ctx.config, match.path)
            and _uses_redis(repo, match.path, go_packages)
            and not _own_method(repo, match.path, command, go_packages)
        ):
            facts.append((match, command, key, function))
    expiring = {(m.path, key, function) for m, _, key, function in facts if m.rule in EXPIRY_RULES}
    writes: list[RedisWrite] = []
    for match, _, key, function in facts:
        if match.rule in NO_TTL_RULES:
            expires = False
        elif match.rule in KEY_WRITE_RULES:
            expires = (match.path, key, function) in expiring
        else:
            expires = True
        writes.append(RedisWrite(match.path, match.line, key, function, expires))
    return writes
