"""Redis as a store or a cache: does its configuration match how the code uses it?"""

from __future__ import annotations

from readiness import seed
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP
from readiness.facts.redis_config import RedisSetup, redis_setups
from readiness.facts.redis_writes import RedisWrite, redis_writes
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check
from readiness.repo import Repo

_SHOWN = 3  # writes cited per finding


def _where(writes: list[RedisWrite]) -> str:
    shown = ", ".join(f"{w.path}:{w.line} (`{w.key}`)" for w in writes[:_SHOWN])
    return shown + (f" and {len(writes) - _SHOWN} more" if len(writes) > _SHOWN else "")


def _setting_evidence(repo: Repo, setup: RedisSetup, *names: str, note: str | None = None) -> list[Evidence]:
    """The lines that set the named directives, or the container (or file) when none is set."""
    found = [
        repo.evidence(d.path, d.line, note=note) for name in names if (d := setup.setting(name)) is not None
    ]
    if found:
        return list(dict.fromkeys(found))
    if setup.container is not None:
        return [repo.evidence(setup.container.path, setup.container.line, note=note or "not set")]
    return [repo.evidence(setup.where, None, note=note or "not set")]


def _judge_store(
    repo: Repo, setup: RedisSetup, unbounded: list[RedisWrite]
) -> tuple[Failure | None, list[Evidence]]:
    why = f"the code writes keys with no expiry at {_where(unbounded)}, so Redis holds the only copy"
    cited = [repo.evidence(w.path, w.line, note="written with no expiry") for w in unbounded[:_SHOWN]]
    policy = setup.setting("maxmemory-policy")
    if not setup.persistent:
        message = (
            f"Redis is used as a store ({why}), but {setup.where} runs with persistence off: "
            "a restart, OOM kill or rescheduled pod loses every one of those keys"
        )
        off = _setting_evidence(repo, setup, "save", "appendonly")
        return Failure(message, (*cited, *off), Severity.BLOCKER), []
    if policy is not None and policy.value.lower().startswith("allkeys-"):
        message = (
            f"Redis is used as a store ({why}), but {setup.where} evicts any key under memory "
            f"pressure ({policy.value}): keys that exist nowhere else are silently dropped"
        )
        return Failure(message, (*cited, repo.evidence(policy.path, policy.line)), Severity.RISK), []
    note = f"{setup.where}: a store, and its data is persisted"
    return None, [*cited[:1], *_setting_evidence(repo, setup, "appendonly", "save", note=note)[:1]]


def _judge_cache(
    repo: Repo, setup: RedisSetup, bounded: list[RedisWrite]
) -> tuple[Failure | None, list[Evidence]]:
    policy, maxmemory = setup.setting("maxmemory-policy"), setup.setting("maxmemory")
    evicts = policy is not None and policy.value.lower().startswith(("allkeys-", "volatile-"))
    capped = maxmemory is not None and maxmemory.value not in ("", "0")
    example = repo.evidence(bounded[0].path, bounded[0].line, note="written with an expiry")
    if evicts and capped and policy is not None and maxmemory is not None:
        note = f"{setup.where}: a cache, maxmemory {maxmemory.value} with {policy.value}"
        return None, [example, repo.evidence(policy.path, policy.line, note=note)]
    if setup.persistent:
        # Expiring keys that are also persisted: a store whose keys age out, bounded by their TTLs.
        note = f"{setup.where}: keys expire, and they are persisted"
        return None, [example, *_setting_evidence(repo, setup, "appendonly", "save", note=note)[:1]]
    missing = "no maxmemory" if not capped else f"maxmemory-policy {policy.value if policy else 'noeviction'}"
    message = (
        f"Redis is used as a cache (every one of the {len(bounded)} write(s) found sets an expiry), but "
        f"{setup.where} has {missing}: a cache must be bounded and evict, or it grows until it is "
        "OOM-killed (or rejects writes when full)"
    )
    lines = _setting_evidence(repo, setup, "maxmemory", "maxmemory-policy")
    return Failure(message, (example, *lines), Severity.RISK), []


@check(
    id="disaster-recovery/redis-usage",
    question=seed.REDIS_PERSISTENCE,
    title="Redis is configured for how the code uses it: a store persists, a cache is bounded",
    severity=Severity.BLOCKER,
    rationale="""
        Whether Redis needs persistence depends on what the code keeps in it. Keys written with
        no expiry (a SET without a TTL, an HSET or INCR never given an EXPIRE) live until someone
        deletes them: Redis is the system of record for them, and a restart with persistence off
        loses them for good (identity links, budgets, frequency caps). When every write sets an
        expiry Redis is a cache: it can start empty, but it must be bounded by `maxmemory` with
        an eviction policy, or it grows until it is killed.
    """,
    looks_at="""
        Go (go-redis) and Python (redis-py) production code, with semgrep: SET/MSET/SETNX with no
        TTL, key-creating commands (HSET, INCR, LPUSH, SADD, ZADD...) with or without an EXPIRE of
        the same key in the same function, SETEX and SET with a TTL. Then every Redis deployment
        (containers, their redis.conf and flags, as in disaster-recovery/redis-persistence):
        AOF/RDB, `maxmemory` and `maxmemory-policy`.
    """,
    remediation="""
        Store: enable AOF (`appendonly yes`) on a persistent volume, keep `maxmemory-policy
        noeviction`, and back it up; or give the keys an expiry if they can be rebuilt. Cache:
        set `maxmemory` with `allkeys-lru` (or `volatile-lru` when every key has a TTL), and make
        sure the application survives an empty cache.
    """,
    example="""
        await redis.set(f"idr:ifa:{ifa}", identity, ex=30 * 24 * 3600)   # expires: a cache
        # redis.conf for a store:  appendonly yes / appendfsync everysec / maxmemory-policy noeviction
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
def redis_usage(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    writes = redis_writes(ctx)
    if not writes:
        return CheckResult.not_applicable("no Redis writes found in Go (go-redis) or Python (redis-py) code")
    unbounded = [w for w in writes if not w.expires]
    bounded = [w for w in writes if w.expires]
    usage = "a store" if unbounded else "a cache"
    setups = redis_setups(repo)
    if not setups:
        return CheckResult.not_applicable(
            f"the code uses Redis as {usage} ({_where(unbounded or bounded)}), but no Redis deployment "
            "is in this repository to check its persistence and eviction settings"
        )
    failures: list[Failure] = []
    evidence: list[Evidence] = []
    for setup in setups:
        failure, found = (
            _judge_store(repo, setup, unbounded) if unbounded else _judge_cache(repo, setup, bounded)
        )
        failures += [failure] if failure else []
        evidence += found
    if unbounded:
        why = f"keys without expiry at {_where(unbounded)}"
    else:
        why = f"all {len(bounded)} write(s) set an expiry"
    return CheckResult.from_failures(
        failures,
        f"Redis is used as {usage} ({why}) and each of {len(setups)} deployment(s) is configured for it",
        *dict.fromkeys(evidence),
    )
