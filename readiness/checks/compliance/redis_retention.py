"""Retention in Redis: are keys that hold personal data given an expiry?"""

from __future__ import annotations

import re

from readiness import seed
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP
from readiness.facts.redis_writes import RedisWrite, redis_writes
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check
from readiness.repo import Repo

# Words that make a Redis key personal when they name one of its parts (`idr:ip:{ip}`,
# `"profile:" + userID`): device and user identifiers, network addresses, contact data, location.
PERSONAL_WORDS = frozenset(
    {
        "ip", "ips", "ipv6", "ifa", "idfa", "gaid", "aaid", "maid", "device", "deviceid", "uid", "userid",
        "user", "users", "buyeruid", "email", "phone", "cookie", "cookies", "geo", "lat", "lon",
    }
)  # fmt: skip
# A string literal that looks like a Redis key template: at least one `:` between word parts.
_KEY_LITERAL = re.compile(r"""(["'`])([\w{}.$-]*:[\w{}.$:-]*)\1""")
_WORD = re.compile(r"[a-z]+|[A-Z][a-z]+|[A-Z]+(?![a-z])")


def _words(text: str) -> set[str]:
    """`f"idr:ip:{self.device_ip}"` -> {idr, ip, self, device}; camelCase splits: userID -> user, id."""
    return {word.lower() for word in _WORD.findall(text)}


def _personal(words: set[str]) -> list[str]:
    return sorted(words & PERSONAL_WORDS)


def _personal_key(repo: Repo, write: RedisWrite) -> tuple[list[str], Evidence | None]:
    """The personal-data words of the key, from its own expression or, when it is a plain variable,
    from the key templates written in the same file (`keys.append(f"idr:ip:{ip}")` ... `set(key, v)`)."""
    own = _personal(_words(write.key))
    if own:
        return own, None
    words: set[str] = set()
    first: Evidence | None = None
    for number, text in enumerate(repo.lines(write.path), start=1):
        for literal in _KEY_LITERAL.finditer(text):
            found = _personal(_words(literal.group(2)))
            if found and first is None:
                first = repo.evidence(write.path, number, note=f"key template {literal.group(0)}")
            words.update(found)
    return sorted(words), first


@check(
    id="compliance/redis-retention",
    question=seed.RETENTION,
    title="Redis keys holding personal data expire",
    severity=Severity.BLOCKER,
    rationale="""
        Identity graphs, frequency caps and user profiles keep device IDs, IP addresses and user
        IDs in Redis. A key written without an expiry is kept for as long as the Redis runs, or
        for ever when it is persisted: GDPR's storage limitation is broken by default, and nobody
        can say how long the data is kept. An expiry on each key is the retention policy.
    """,
    looks_at="""
        Go (go-redis) and Python (redis-py) production code, with semgrep: writes that leave a
        key without expiry (SET without a TTL, HSET/INCR/LPUSH/SADD without an EXPIRE of the same
        key in the same function). A key is personal when its expression, or the key templates
        built in the same file, name a device, IP, IFA/IDFA, user, e-mail, phone, cookie or geo
        part (`idr:ip:{ip}`, `"profile:" + userID`).
    """,
    remediation="""
        Give every key that holds personal data an expiry that matches the documented retention:
        `SET key value EX 2592000`, or `EXPIRE key 2592000` in the same pipeline as HSET/INCR;
        and note the period in the privacy documentation.
    """,
    example="""
        await redis.set(f"idr:ifa:{ifa}", identity, ex=30 * 24 * 3600)   # 30 days
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-redis-counter-write",
        "go-redis-expiry",
        "go-redis-key-write",
        "go-redis-write-no-ttl",
        "py-redis-expiry",
        "py-redis-key-write",
        "py-redis-write-no-ttl",
    ),
)
def redis_retention(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    writes = redis_writes(ctx)
    if not writes:
        return CheckResult.not_applicable("no Redis writes found in Go (go-redis) or Python (redis-py) code")
    failures: list[Failure] = []
    kept: list[Evidence] = []
    for write in writes:
        words, template = _personal_key(repo, write)
        if not words:
            continue
        if write.expires:
            kept.append(
                repo.evidence(write.path, write.line, note=f"personal key ({', '.join(words)}) expires")
            )
            continue
        message = (
            f"Redis key `{write.key}` holds personal data ({', '.join(words)}) and is written with no expiry "
            f"at {write.path}:{write.line}: it is kept for as long as Redis keeps its data"
        )
        evidence = [repo.evidence(write.path, write.line), *([template] if template else [])]
        failures.append(Failure(message, tuple(evidence)))
    if not failures and not kept:
        return CheckResult.not_applicable(
            f"{len(writes)} Redis write(s), none of whose keys (or key templates) names personal data"
        )
    return CheckResult.from_failures(failures, "every Redis key holding personal data expires", *kept)
