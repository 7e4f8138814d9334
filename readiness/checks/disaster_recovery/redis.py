"""Redis persistence: does a Redis that holds state survive a restart with its data?"""

from __future__ import annotations

from readiness import seed
from readiness.context import CheckContext
from readiness.facts.documents import Container
from readiness.facts.redis_config import Directive, persistent_mount, redis_setups
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check
from readiness.repo import Repo


def _judge(
    repo: Repo, where: str, container: Container | None, directives: list[Directive]
) -> tuple[list[Failure], list[Evidence]]:
    last = {d.name: d for d in directives}  # the last occurrence wins; flags come after the file
    policy, maxmemory = last.get("maxmemory-policy"), last.get("maxmemory")
    if policy and policy.value.lower().startswith("allkeys-"):
        if maxmemory and maxmemory.value not in ("", "0"):
            note = (
                f"{where} is a cache (maxmemory {maxmemory.value}, {policy.value}): persistence not required"
            )
            return [], [repo.evidence(policy.path, policy.line, note=note)]
        message = (
            f"{where} evicts with {policy.value} but sets no maxmemory: "
            "it never evicts and grows until it is OOM-killed"
        )
        return [Failure(message, (repo.evidence(policy.path, policy.line),), Severity.RISK)], []
    aof, save = last.get("appendonly"), last.get("save")
    aof_on = aof is not None and aof.value.split()[:1] == ["yes"]
    rdb_on = save is None or save.value.strip("\"' ") != ""  # no `save` at all: Redis's default snapshots
    if not aof_on and not rdb_on:
        # `--save "" --appendonly no` on one line is one piece of evidence, not two.
        off = tuple(dict.fromkeys(repo.evidence(d.path, d.line) for d in (save, aof) if d is not None))
        message = (
            f'{where} stores data with persistence off (no AOF, RDB disabled by `save ""`): '
            "a restart loses every key"
        )
        return [Failure(message, off)], []
    if aof_on and aof:
        found = [repo.evidence(aof.path, aof.line, note="AOF on")]
    elif save is not None:
        found = [
            repo.evidence(
                save.path, save.line, note="RDB snapshots on, AOF off: minutes of writes can be lost"
            )
        ]
    else:
        path, line = (container.path, container.image_line) if container else (where, None)
        found = [repo.evidence(path, line, note="no `save` override: Redis's default RDB snapshots apply")]
    if container is None:
        return [], found
    directory = (
        last["dir"].value
        if "dir" in last
        else ("/bitnami/redis/data" if container.image_name.endswith("bitnami/redis") else "/data")
    )
    mount = persistent_mount(repo, container, directory)
    if mount is None:
        message = (
            f"{where} persists to {directory} but no persistent volume is mounted there: "
            "its AOF/RDB files vanish when the container or pod is replaced"
        )
        return [Failure(message, (repo.evidence(container.path, container.line),), Severity.RISK)], found
    return [], [*found, mount]


@check(
    id="disaster-recovery/redis-persistence",
    question=seed.REDIS_PERSISTENCE,
    title="Redis that stores state persists it (AOF or RDB) on a persistent volume",
    severity=Severity.BLOCKER,
    rationale="""
        A Redis with neither AOF nor RDB snapshots starts empty after every restart, OOM kill or
        node loss: budgets, frequency caps, sessions or queues kept in it are gone. Persistence
        also needs a volume that outlives the pod. A Redis used purely as a cache (an `allkeys-*`
        eviction policy) needs no persistence, but it needs `maxmemory`, or it never evicts and
        grows until the kernel kills it.
    """,
    looks_at="""
        Containers whose image is `redis`, `bitnami/redis` or `redis/redis-stack*` (any registry)
        in Kubernetes manifests and compose files: their command/args flags (`--appendonly`,
        `--save`, `--maxmemory*`, `--dir`, `REDIS_ARGS`, bitnami's `REDIS_AOF_ENABLED`), the
        redis.conf they load (a file or a ConfigMap key), and standalone `redis*.conf` files; for
        stores, the volume over the data directory (PVC, volumeClaimTemplate, compose named volume
        or bind mount).
    """,
    remediation="""
        For a store: enable AOF (`appendonly yes`, `appendfsync everysec`), keep RDB snapshots,
        and mount a PersistentVolumeClaim (StatefulSet `volumeClaimTemplates`) at `/data`. For a
        cache: set `maxmemory` with an `allkeys-lru`/`allkeys-lfu` policy, and make sure the
        application tolerates an empty cache.
    """,
    example="""
        containers:
          - name: redis
            image: redis:7.2
            args: ["--appendonly", "yes", "--appendfsync", "everysec"]
            volumeMounts: [{name: data, mountPath: /data}]   # from volumeClaimTemplates
    """,
    core=True,
)
def redis_persistence(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    failures: list[Failure] = []
    evidence: list[Evidence] = []
    setups = redis_setups(repo)
    for setup in setups:
        found = _judge(repo, setup.where, setup.container, list(setup.directives))
        failures += found[0]
        evidence += found[1]
    if not setups:
        return CheckResult.not_applicable("no Redis container or redis.conf found")
    total = len(setups)
    # Several deployments can share one redis.conf: cite each line once.
    unique = list(dict.fromkeys(evidence))
    return CheckResult.from_failures(
        failures, f"{total} Redis deployment(s) persist their data or are caches", *unique
    )
