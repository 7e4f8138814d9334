"""Data durability: what is lost when a pod or node dies mid-request?"""

from __future__ import annotations

import re
from typing import Any

from readiness import seed
from readiness.checks.reliability._code import evidence, facts, within
from readiness.checks.reliability._deploy import Site, compose_is_deployment, compose_sites, k8s_sites
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP
from readiness.facts.datastores import is_datastore
from readiness.facts.images import short_name as image_name
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YList, YMap
from readiness.registry import check
from readiness.repo import Repo
from readiness.results import Match

# Where each data store image keeps its data; None: depends on flags, any persistent mount will do.
_DATA_DIRS: dict[str, str | None] = {
    "redis": "/data", "redis-stack": "/data", "redis-stack-server": "/data", "valkey": "/data",
    "keydb": "/data", "dragonfly": "/data",
    "postgres": "/var/lib/postgresql/data", "timescaledb": "/var/lib/postgresql/data",
    "postgis": "/var/lib/postgresql/data", "timescaledb-ha": "/home/postgres/pgdata",
    "postgresql": None, "mysql": "/var/lib/mysql", "mariadb": "/var/lib/mysql", "percona": "/var/lib/mysql",
    "mongo": "/data/db", "mongodb": None, "cassandra": "/var/lib/cassandra", "scylla": "/var/lib/scylla",
    "clickhouse-server": "/var/lib/clickhouse", "elasticsearch": "/usr/share/elasticsearch/data",
    "opensearch": "/usr/share/opensearch/data", "rabbitmq": "/var/lib/rabbitmq",
    "cockroach": "/cockroach/cockroach-data", "kafka": None, "zookeeper": None, "nats": None, "etcd": None,
    "minio": None,
}  # fmt: skip
_CACHES = {"memcached"}


def _data_dir(site: Site) -> str | None:
    name = image_name(site.image)
    if site.image.split("/")[-2:-1] == ["bitnami"]:
        return "/bitnami"
    directory = _DATA_DIRS.get(name)
    # Postgres images keep the cluster in $PGDATA when it is set (often a subdirectory).
    pgdata = site.env().get("PGDATA")
    return pgdata if pgdata and directory == "/var/lib/postgresql/data" else directory


def _is_cache(site: Site) -> bool:
    """Memcached, or a Redis told to evict any key: losing it costs a warm-up, not data."""
    if image_name(site.image) in _CACHES:
        return True
    command = " ".join(str(site.spec.get(key) or "") for key in ("command", "args"))
    return "allkeys-" in command


def _covers(mount: str, directory: str | None) -> bool:
    if directory is None:
        return True
    mount = mount.rstrip("/") or "/"
    return directory == mount or directory.startswith(mount.rstrip("/") + "/")


def _k8s_volume(site: Site, name: Any) -> tuple[str, int]:
    """What backs a mounted volume: 'pvc', 'emptyDir', 'hostPath', 'other' or 'missing', and its line."""
    assert site.workload is not None
    spec = site.workload.body.get("spec")
    templates = spec.get("volumeClaimTemplates") if isinstance(spec, YMap) else None
    for template in templates if isinstance(templates, YList) else []:
        metadata = template.get("metadata") if isinstance(template, YMap) else None
        if isinstance(metadata, YMap) and metadata.get("name") == name:
            return "pvc", template.line
    pod = site.workload.pod_spec() or YMap()
    volumes = pod.get("volumes")
    for volume in volumes if isinstance(volumes, YList) else []:
        if not isinstance(volume, YMap) or volume.get("name") != name:
            continue
        for kind in ("persistentVolumeClaim", "ephemeral", "emptyDir", "hostPath"):
            if kind in volume:
                backing = {"persistentVolumeClaim": "pvc", "ephemeral": "emptyDir"}.get(kind, kind)
                return backing, volume.line_of(kind)
        return "other", volume.line
    return "missing", site.line


def _k8s_storage(repo: Repo, site: Site, directory: str | None) -> tuple[str, Evidence]:
    mounts = site.spec.get("volumeMounts")
    best: tuple[str, Evidence] = ("none", repo.evidence(site.path, site.line))
    for mount in mounts if isinstance(mounts, YList) else []:
        if not isinstance(mount, YMap) or not _covers(str(mount.get("mountPath", "")), directory):
            continue
        if mount.get("readOnly") is True:
            continue
        backing, line = _k8s_volume(site, mount.get("name"))
        if backing == "pvc":
            return "pvc", repo.evidence(site.path, mount.line_of("mountPath"))
        if backing in ("emptyDir", "hostPath"):
            best = (backing, repo.evidence(site.path, line))
    return best


def _compose_storage(repo: Repo, site: Site, directory: str | None) -> tuple[str, Evidence]:
    volumes = site.spec.get("volumes")
    for index, volume in enumerate(volumes if isinstance(volumes, YList) else []):
        if isinstance(volume, YMap):
            source, target = volume.get("source"), str(volume.get("target", ""))
        else:
            parts = str(volume).split(":")
            source, target = (parts[0], parts[1]) if len(parts) > 1 else (None, parts[0])
        if source and _covers(target, directory):
            assert isinstance(volumes, YList)
            return "pvc", repo.evidence(site.path, volumes.line_of(index))
    return "none", repo.evidence(site.path, site.line)


def _pvc_volumes(site: Site) -> bool:
    assert site.workload is not None
    spec = site.workload.body.get("spec")
    if isinstance(spec, YMap) and spec.get("volumeClaimTemplates"):
        return True
    volumes = (site.workload.pod_spec() or YMap()).get("volumes")
    return any(isinstance(v, YMap) and "persistentVolumeClaim" in v for v in volumes or [])


@check(
    id="reliability/stateful-storage",
    question=seed.DATA_DURABILITY,
    title="Data stores and StatefulSets keep their data on persistent volumes",
    severity=Severity.BLOCKER,
    rationale="""
        A container's filesystem and an emptyDir volume are deleted with the pod. A database,
        Redis or broker whose data directory lives there loses everything when the pod is
        rescheduled, evicted or its node dies: a routine node upgrade becomes data loss. A
        hostPath ties the data to one node. A StatefulSet without volume claims has the
        stable identity but not the state.
    """,
    looks_at="""
        Containers of Kubernetes workloads whose image is a data store (Postgres, TimescaleDB,
        MySQL, MongoDB, Redis, Kafka, Elasticsearch...): the volume mounted over the image's
        data directory (PGDATA when set) and what backs it (volumeClaimTemplate or
        persistentVolumeClaim, emptyDir, hostPath, nothing). StatefulSets without any volume
        claim. Compose data stores when compose is the deployment (no Kubernetes workloads).
        Caches (memcached, Redis with an `allkeys-*` eviction policy) are left out.
    """,
    remediation="""
        Run data stores as StatefulSets with `volumeClaimTemplates` mounted at the data
        directory (or use a managed database), on a storage class with a retain reclaim policy
        and snapshots.
    """,
    example="""
        volumeMounts:
          - {name: data, mountPath: /var/lib/postgresql/data}
        ...
        volumeClaimTemplates:
          - metadata: {name: data}
            spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 200Gi}}}
    """,
)
def stateful_storage(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    failures: list[Failure] = []
    found: list[Evidence] = []
    judged = 0
    sites = [s for s in k8s_sites(repo) if s.workload and s.workload.kind not in ("Job", "CronJob")]
    stores = [
        s for s in sites if s.workload and is_datastore(s.workload) and image_name(s.image) in _DATA_DIRS
    ]
    if compose_is_deployment(repo):
        stores += [s for s in compose_sites(repo) if image_name(s.image) in _DATA_DIRS]
    for site in stores:
        if _is_cache(site):
            continue
        judged += 1
        directory = _data_dir(site)
        storage, proof = (_k8s_storage if site.workload else _compose_storage)(repo, site, directory)
        where = directory or "its data directory"
        if storage == "pvc":
            found.append(proof)
            continue
        problem = {
            "emptyDir": f"keeps {where} on an emptyDir, deleted with the pod",
            "hostPath": f"keeps {where} on a hostPath, lost with the node",
            "none": f"keeps {where} on the container's own filesystem (no persistent volume mounted there)",
        }[storage]
        failures.append(
            Failure(
                f"{site.owner} ({image_name(site.image)}) {problem}: its data is lost when the pod is "
                "rescheduled or its node dies",
                (proof,),
                Severity.RISK if storage == "hostPath" else None,
            )
        )
    for site in sites:
        assert site.workload is not None
        if site.workload.kind != "StatefulSet" or site in stores:
            continue
        judged += 1
        if _pvc_volumes(site):
            found.append(repo.evidence(site.path, site.line))
            continue
        failures.append(
            Failure(
                f"StatefulSet {site.workload.name!r} has no volumeClaimTemplates or persistent volume: "
                "its pods start empty whenever they are rescheduled",
                (repo.evidence(site.workload.path, site.workload.line),),
                Severity.RISK,
            )
        )
    if not judged:
        return CheckResult.not_applicable("no data store container or StatefulSet found")
    return CheckResult.from_failures(
        failures,
        f"{judged} stateful container(s) keep their data on persistent volumes",
        *dict.fromkeys(found),
    )


# A goroutine that reports back (wg.Done(), a channel send) is waited for by its handler.
_WAITED = re.compile(r"\.Done\(\)|\w\s*<-\s*\S")
_CALLEE = re.compile(r"([A-Za-z_]\w*)\s*\(")


def _first_write(repo: Repo, goroutine: Match, writes: list[Match], writers: set[str]) -> Evidence | None:
    """The first line of the goroutine that writes, directly or by calling a function that does."""
    direct = {write.line for write in writes if within(write, goroutine)}
    lines = repo.lines(goroutine.path)
    for number in range(goroutine.line, min(goroutine.end_line, len(lines)) + 1):
        if number in direct or writers.intersection(_CALLEE.findall(lines[number - 1])):
            return repo.evidence(goroutine.path, number)
    return None


@check(
    id="reliability/acknowledged-writes",
    question=seed.DATA_DURABILITY,
    title="Request handlers finish their writes before they answer",
    severity=Severity.RISK,
    rationale="""
        A handler that answers first and writes from a fire-and-forget goroutine (usually with
        context.Background()) acknowledges data it has not stored. If the pod is killed, OOMs or
        is drained, or the database is slow and the write fails, the record (an impression, a
        billing event, a counter) is silently lost, and nothing bounds how many such goroutines
        pile up under load.
    """,
    looks_at="""
        Go code (semgrep): goroutines started inside HTTP handlers (net/http, gin, echo, fiber)
        that write to a data store, directly (Exec, CopyFrom, SendBatch, Mongo inserts, Redis
        Set/Incr/HSet/XAdd/Publish, Kafka WriteMessages) or through a function of the service
        that does, one call deep. Goroutines the handler waits for (wg.Done(), a channel send)
        are not flagged. Idempotency of the writes is not assessed.
    """,
    remediation="""
        Write before answering, within the request's context and deadline; or hand the record
        to a bounded, durable queue (an outbox table, a Redis stream, Kafka) whose writer is
        drained on shutdown, and count what it drops.
    """,
    example="""
        if err := ex.store.RecordImpression(r.Context(), &req, winner); err != nil {
            http.Error(w, "try again", http.StatusServiceUnavailable)
            return
        }
        json.NewEncoder(w).Encode(resp)
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-dependency-write",
        "go-handler-goroutine",
        "go-http-serve",
    ),
)
def acknowledged_writes(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    services = [s for s in repo.services() if s.language == "go" and facts(ctx, s, "go-http-serve")]
    if not services:
        return CheckResult.not_applicable("no Go service starts an HTTP server")
    failures: list[Failure] = []
    for service in services:
        writes = facts(ctx, service, "go-dependency-write")
        writers = {write.capture("$F") for write in writes}
        for goroutine in facts(ctx, service, "go-handler-goroutine"):
            source = "\n".join(repo.lines(goroutine.path)[goroutine.line - 1 : goroutine.end_line])
            if _WAITED.search(source):
                continue
            write = _first_write(repo, goroutine, writes, writers)
            if write is None:
                continue
            failures.append(
                Failure(
                    f"service {service.name!r} writes to a data store from a goroutine its HTTP handler does "
                    "not wait for: the write happens after the response is acknowledged and is lost if the "
                    "pod dies or the write fails",
                    (evidence(repo, goroutine), write),
                )
            )
    return CheckResult.from_failures(failures, "handlers finish their writes before answering")
