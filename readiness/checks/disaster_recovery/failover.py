"""Failover: does the service survive losing a node, a zone, a database instance or a region?"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from readiness import seed
from readiness.context import CheckContext
from readiness.facts import deploy
from readiness.facts.datastores import Family, image_family, is_datastore
from readiness.facts.deploy import REPLICATED_KINDS
from readiness.facts.documents import (
    DocMatch,
    as_list,
    containers,
    find_documents,
    k8s_api_group,
    missing_document,
)
from readiness.facts.production import is_production
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YMap
from readiness.registry import check
from readiness.repo import K8sObject, Repo

_ZONE_KEYS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
_HOST_KEY = "kubernetes.io/hostname"
_STRATEGY = re.compile(
    r"\b(disaster recovery|dr|failover|fail over|multi ?region|regions?|regional|business continuity)\b"
)
_RECOVERY_PLAN = re.compile(
    r"\b(disaster recovery|dr|failover|fail over|restore|restoring|recovery|regions?)\b"
)
_OBJECTIVES = re.compile(r"\bRTO\b|\bRPO\b|recovery (time|point) objective", re.I)
_FAMILY_WORDS = {
    "redis": re.compile(r"\b(redis|valkey|keydb|sentinel)\b", re.I),
    "postgres": re.compile(r"\b(postgres\w*|timescale\w*|database|pg_\w+|patroni)\b", re.I),
}
# Replication configured for a family of data stores, wherever it is written.
_REDIS_REPLICATION = re.compile(
    r"^\s*(replicaof|slaveof|sentinel\s+monitor|cluster-enabled\s+yes)\b", re.I | re.M
)
_POSTGRES_REPLICATION = re.compile(r"^\s*primary_conninfo\s*=", re.I | re.M)
_REPLICATED_IMAGES = {
    "redis": ("redis-sentinel", "redis-cluster"),
    "postgres": ("timescaledb-ha", "spilo", "patroni", "postgresql-repmgr"),
}
_REPLICATION_ENV = {"REDIS_REPLICATION_MODE": "redis", "POSTGRESQL_REPLICATION_MODE": "postgres"}
_REPLICATION_FLAGS = re.compile(r"--(replicaof|slaveof|sentinel)\b|--cluster-enabled\s+yes")
# Operator clusters: (kind, API group, family, how many instances the spec asks for).
_OPERATORS: list[tuple[str, str, str]] = [
    ("Cluster", "postgresql.cnpg.io", "postgres"),
    ("postgresql", "acid.zalan.do", "postgres"),
    ("PostgresCluster", "postgres-operator.crunchydata.com", "postgres"),
    ("RedisFailover", "databases.spotahome.com", "redis"),
    ("RedisCluster", "redis.redis.opstreelabs.in", "redis"),
    ("RedisReplication", "redis.redis.opstreelabs.in", "redis"),
    ("RedisSentinel", "redis.redis.opstreelabs.in", "redis"),
]


@dataclass(frozen=True)
class Datastore:
    name: str
    family: str  # "redis", "postgres" or "other"
    instances: int
    evidence: Evidence


def _family(image: str) -> str:
    """`redis`, `postgres` or `other`, by the one image table in readiness.facts.datastores."""
    family = image_family(image)
    return family.value if family in (Family.REDIS, Family.POSTGRES) else "other"


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _min_replicas(repo: Repo) -> dict[tuple[str, str], int]:
    """(kind, name) of each autoscaled workload -> the HPA's minReplicas (the floor it keeps)."""
    found: dict[tuple[str, str], int] = {}
    for obj in repo.k8s_objects():
        spec = obj.body.get("spec")
        target = (
            spec.get("scaleTargetRef")
            if obj.kind == "HorizontalPodAutoscaler" and isinstance(spec, YMap)
            else None
        )
        if isinstance(spec, YMap) and isinstance(target, YMap):
            found[(str(target.get("kind")), str(target.get("name")))] = _int(spec.get("minReplicas"), 1)
    return found


def _replicas(
    repo: Repo, workload: K8sObject, autoscaled: dict[tuple[str, str], int]
) -> tuple[int, Evidence]:
    spec = workload.body.get("spec")
    spec = spec if isinstance(spec, YMap) else YMap()
    line = spec.line_of("replicas") if "replicas" in spec else workload.line
    count = _int(spec.get("replicas"), 1)
    floor = autoscaled.get((workload.kind, workload.name))
    return (max(count, floor) if floor is not None else count), repo.evidence(workload.path, line)


def _budgets(repo: Repo) -> list[tuple[K8sObject, dict[str, str]]]:
    found = []
    for obj in repo.k8s_objects():
        spec = obj.body.get("spec")
        selector = (
            spec.get("selector") if obj.kind == "PodDisruptionBudget" and isinstance(spec, YMap) else None
        )
        labels = selector.get("matchLabels") if isinstance(selector, YMap) else None
        if isinstance(labels, YMap) and labels:
            found.append((obj, {str(k): str(v) for k, v in labels.items()}))
    return found


def _spread(repo: Repo, workload: K8sObject) -> tuple[str | None, Evidence | None]:
    """The widest failure domain the pods are spread over ("zone", "node") and where it is said."""
    pod = workload.pod_spec() or YMap()
    keys: list[tuple[str, int]] = []
    constraints = pod.get("topologySpreadConstraints")
    for constraint in as_list(constraints):
        if isinstance(constraint, YMap):
            keys.append((str(constraint.get("topologyKey")), constraint.line_of("topologyKey")))
    affinity = pod.get("affinity")
    anti = affinity.get("podAntiAffinity") if isinstance(affinity, YMap) else None
    if isinstance(anti, YMap):
        for rules in anti.values():
            for rule in as_list(rules):
                term = rule.get("podAffinityTerm", rule) if isinstance(rule, YMap) else None
                if isinstance(term, YMap) and "topologyKey" in term:
                    keys.append((str(term.get("topologyKey")), term.line_of("topologyKey")))
    for wanted, domain in ((_ZONE_KEYS, "zone"), ((_HOST_KEY,), "node")):
        for key, line in keys:
            if key in wanted:
                return domain, repo.evidence(workload.path, line)
    return None, None


def _datastores(repo: Repo, autoscaled: dict[tuple[str, str], int]) -> list[Datastore]:
    found: list[Datastore] = []
    for workload in repo.workloads():
        if workload.kind not in REPLICATED_KINDS or not is_datastore(workload):
            continue
        images = [str(c.get("image", "")) for c in workload.containers()]
        family = next((f for f in map(_family, images) if f != "other"), "other")
        count, where = _replicas(repo, workload, autoscaled)
        found.append(Datastore(f"{workload.kind} {workload.name!r}", family, count, where))
    for obj in repo.k8s_objects():
        for kind, group, family in _OPERATORS:
            if obj.kind == kind and k8s_api_group(obj) == group:
                found.append(
                    Datastore(
                        f"{obj.kind} {obj.name!r}",
                        family,
                        _operator_instances(obj),
                        repo.evidence(obj.path, obj.line),
                    )
                )
    return found


def _operator_instances(obj: K8sObject) -> int:
    spec = obj.body.get("spec")
    spec = spec if isinstance(spec, YMap) else YMap()
    if obj.kind == "Cluster":
        return _int(spec.get("instances"), 1)
    if obj.kind == "postgresql":
        return _int(spec.get("numberOfInstances"), 1)
    if obj.kind == "PostgresCluster":
        return (
            sum(_int(i.get("replicas"), 1) for i in as_list(spec.get("instances")) if isinstance(i, YMap))
            or 1
        )
    if obj.kind == "RedisCluster":
        return _int(spec.get("clusterSize"), 3)
    return 2  # RedisFailover, RedisReplication, RedisSentinel: replicated by definition


def _replication(repo: Repo) -> dict[str, list[Evidence]]:
    """Replication per family: config files, container flags and environment, images, chart values."""
    found: dict[str, list[Evidence]] = {"redis": [], "postgres": []}
    for path in repo.named("*.conf"):
        for family, pattern in (("redis", _REDIS_REPLICATION), ("postgres", _POSTGRES_REPLICATION)):
            found[family] += [repo.evidence(m.path, m.line) for m in repo.search(pattern, [path])][:1]
    for obj in repo.k8s_objects():
        data = obj.body.get("data") if obj.kind == "ConfigMap" else None
        if isinstance(data, YMap):
            for key, value in data.items():
                for family, pattern in (("redis", _REDIS_REPLICATION), ("postgres", _POSTGRES_REPLICATION)):
                    if isinstance(value, str) and pattern.search(value):
                        found[family].append(
                            repo.evidence(obj.path, data.line_of(key), note=f"ConfigMap key {key}")
                        )
    for container in containers(repo):
        family = _family(container.image)
        if family == "other":
            continue
        if any(container.image_name.endswith(image) for image in _REPLICATED_IMAGES[family]):
            found[family].append(repo.evidence(container.path, container.image_line, note="replicated image"))
        for line, item in container.command_items():
            if _REPLICATION_FLAGS.search(item):
                found[family].append(repo.evidence(container.path, line))
        for name, (line, _) in container.environment().items():
            if _REPLICATION_ENV.get(name) == family:
                found[family].append(repo.evidence(container.path, line))
    for path in repo.named("values*.yaml", "values*.yml"):
        for document in repo.yaml(path)[:1]:
            if isinstance(document, YMap):
                found["redis"] += _helm_replication(repo, path, document, redis=True)
                found["postgres"] += _helm_replication(repo, path, document, redis=False)
    return found


def _helm_replication(repo: Repo, path: str, values: YMap, *, redis: bool) -> list[Evidence]:
    """bitnami-style chart values: `architecture: replication`, `sentinel.enabled`, `replication.enabled`,
    `readReplicas.replicaCount`, read under the chart's own key (`redis:`/`postgresql:`) or at the top."""
    sections = [values] + [
        v
        for k, v in values.items()
        if isinstance(v, YMap) and (("redis" in str(k)) if redis else ("postgres" in str(k)))
    ]
    found = []
    for section in sections:
        if section.get("architecture") == "replication":
            found.append(repo.evidence(path, section.line_of("architecture")))
        for key in ("sentinel", "cluster") if redis else ("replication", "readReplicas"):
            sub = section.get(key)
            if isinstance(sub, YMap) and (sub.get("enabled") is True or _int(sub.get("replicaCount"), 0) > 0):
                found.append(repo.evidence(path, section.line_of(key)))
    return found


def _plan_for(repo: Repo, plans: list[DocMatch], store: Datastore) -> Evidence | None:
    """A substantial recovery/failover document or section that names the data store."""
    words = _FAMILY_WORDS.get(store.family)
    name = store.name.split("'")[1] if "'" in store.name else store.name
    for plan in plans:
        for number, text in plan.lines(repo):
            if (words and words.search(text)) or re.search(rf"\b{re.escape(name)}\b", text, re.I):
                return repo.evidence(plan.path, number, note=f"{store.name}: recovery plan in {plan.path}")
    return None


@check(
    id="disaster-recovery/failover",
    question=seed.FAILOVER,
    title="Replicas survive a node or zone loss, data stores fail over, and the regional strategy is written",
    severity=Severity.RISK,
    rationale="""
        Replicas only protect a service if they are not all on one node or in one zone, and if a
        node drain cannot evict them all at once (a PodDisruptionBudget). A single database or
        Redis instance is a single point of failure: when its node dies, either a replica takes
        over or someone restores it by hand, which needs a written, rehearsed plan. Losing a
        region needs a decision made in advance: what is restored where, how fast (RTO) and with
        how much data lost (RPO).
    """,
    looks_at="""
        Kubernetes Deployments, StatefulSets and Argo Rollouts (replicas, or an HPA's minReplicas):
        PodDisruptionBudgets selecting their pods, `topologySpreadConstraints` and
        `podAntiAffinity` on `topology.kubernetes.io/zone` or `kubernetes.io/hostname`. Data
        stores (Redis/Postgres/TimescaleDB... images, CloudNativePG/Zalando/Crunchy clusters,
        Redis operators): instance counts and replication (`replicaof`, Sentinel, cluster mode,
        `primary_conninfo`, Patroni/timescaledb-ha images, bitnami replication settings and chart
        values). Documents or sections about disaster recovery, failover or regions, and whether
        they state RTO/RPO.
    """,
    remediation="""
        Run serving workloads with at least 2 replicas, a PodDisruptionBudget (`maxUnavailable:
        1`) and `topologySpreadConstraints` on `topology.kubernetes.io/zone`. Replicate data
        stores (CloudNativePG `instances: 3`, Redis Sentinel) or write and rehearse a restore plan
        for each single instance. Write `docs/disaster-recovery.md`: RTO/RPO per component, the
        standby region and the failover steps.
    """,
    example="""
        topologySpreadConstraints:
          - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule,
             labelSelector: {matchLabels: {app: bidder}}}
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        spec: {maxUnavailable: 1, selector: {matchLabels: {app: bidder}}}
    """,
    core=True,
)
def failover(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    autoscaled = _min_replicas(repo)
    workloads = [w for w in repo.workloads() if w.kind in REPLICATED_KINDS]
    stores = _datastores(repo, autoscaled)
    if not workloads and not stores:
        return CheckResult.not_applicable(
            "no Kubernetes workloads or database clusters: the production deployment is not in this "
            "repository"
        )
    failures: list[Failure] = []
    evidence: list[Evidence] = []
    budgets = _budgets(repo)
    for workload in workloads:
        if is_datastore(workload):
            continue
        count, where = _replicas(repo, workload, autoscaled)
        name = f"{workload.kind} {workload.name!r}"
        if count < 2:
            continue  # one replica has nothing to spread; scalability/autoscaling judges the count
        labels = deploy.pod_labels(workload)
        budget = next((b for b, sel in budgets if sel and sel.items() <= labels.items()), None)
        domain, spread = _spread(repo, workload)
        problems = []
        if budget is None:
            problems.append(
                "no PodDisruptionBudget selects its pods (a node drain may evict them all at once)"
            )
        else:
            evidence.append(repo.evidence(budget.path, budget.line, note=f"{name}: PodDisruptionBudget"))
        if domain is None:
            problems.append(
                "no topology spread or pod anti-affinity (all replicas may share one node or zone)"
            )
        elif domain == "node":
            problems.append("spread across nodes but not zones (a zone outage can take every replica)")
        if spread is not None:
            evidence.append(spread)
        if problems:
            severity = Severity.RECOMMENDATION if budget is not None and domain == "node" else Severity.RISK
            message = f"{name} runs {count} replicas but " + "; ".join(problems)
            failures.append(Failure(message, (where, *([spread] if spread else [])), severity))
    replication = _replication(repo)
    plans = [m for m in find_documents(repo, _RECOVERY_PLAN, any_heading=True) if m.substantial]
    failing_over: list[Evidence] = []  # what does fail over: replicated stores, a managed HA database
    for store in stores:
        replicated = store.instances >= 2 or replication.get(store.family)
        if replicated:
            failing_over.append(store.evidence if store.instances >= 2 else replication[store.family][0])
            continue
        plan = _plan_for(repo, plans, store)
        if plan is not None:
            evidence.append(plan)
            continue
        kind = store.family if store.family != "other" else "data store"
        message = (
            f"{store.name} is a single {kind} instance with no replica to fail over to and no written "
            "restore/failover plan: losing its node is an outage of unknown length"
        )
        note = Evidence.absent(f"no replication for {store.name} and no recovery document naming it")
        failures.append(Failure(message, (store.evidence, note)))
    strategy = [m for m in find_documents(repo, _STRATEGY, any_heading=True) if m.substantial]
    if not strategy:
        candidates = find_documents(repo, _STRATEGY, any_heading=True)
        absent = missing_document(
            repo, "disaster recovery / failover / region document or section", candidates
        )
        failures.append(
            Failure(
                "no failover or regional strategy is written down (what fails over where, RTO/RPO)", absent
            )
        )
    else:
        objectives = next(
            ((m.path, n) for m in strategy for n, text in m.lines(repo) if _OBJECTIVES.search(text)), None
        )
        evidence.append(strategy[0].evidence(repo))
        if objectives is None:
            message = (
                f"{strategy[0].path} states no recovery objectives (RTO/RPO): "
                "nobody knows what the plan must achieve"
            )
            failures.append(Failure(message, (strategy[0].evidence(repo),), Severity.RECOMMENDATION))
        else:
            evidence.append(repo.evidence(*objectives, note="recovery objectives"))
    failing_over += _managed_high_availability(repo)
    evidence += failing_over
    result = CheckResult.from_failures(
        failures,
        "replicas are spread and protected, data stores fail over or have a plan, the strategy is written",
        *dict.fromkeys(evidence),
    )
    if failures:  # what does fail over stays cited beside the gaps
        result = dataclasses.replace(result, evidence=tuple(dict.fromkeys(evidence)))
    # Some failover exists (a protected replica set, a replicated store, a managed HA database):
    # what fails is its reach, not its absence.
    return result.partly(bool(failing_over))


# Managed databases and caches configured for zone failover in Terraform.
_MANAGED_HA = re.compile(
    r"""(?ix)^\s*(availability_type\s*=\s*"REGIONAL"|multi_az\s*=\s*true|automatic_failover_enabled\s*=\s*true|
    zone_redundant\s*=\s*true|high_availability\s*\{|tier\s*=\s*"STANDARD_HA"|replica_count\s*=\s*[1-9])"""
)


def _managed_high_availability(repo: Repo) -> list[Evidence]:
    files = [p for p in repo.with_suffix(".tf") if is_production(p)]
    return [repo.evidence(m.path, m.line, note="managed failover") for m in repo.search(_MANAGED_HA, files)][
        :3
    ]
