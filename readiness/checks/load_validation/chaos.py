"""Chaos testing: is it known what breaks when Redis dies, or when a bidder stops answering in time?"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from readiness import seed
from readiness.checks.load_validation._scripts import shell_sources
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP, matches
from readiness.facts.documents import containers, is_test_path, k8s_api_group
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YList, YMap
from readiness.registry import check
from readiness.repo import K8sObject, Repo

REDIS_DOWN_RULES = ("go-test-redis-down", "py-test-redis-down")
SLOW_UPSTREAM_RULES = ("go-test-slow-upstream", "py-test-upstream-timeout")
_REDIS = re.compile(r"redis|valkey|keydb", re.I)
_DATASTORE = re.compile(r"redis|valkey|keydb|postgres|timescale|mysql|mongo|kafka|etcd", re.I)
_KILL_ACTIONS = {"pod-kill", "pod-failure", "container-kill", "partition", "loss", "abort"}
_LITMUS_KILL = re.compile(r"pod-delete|container-kill|pod-network-loss|pod-network-partition|node-drain")
_LITMUS_DELAY = re.compile(r"pod-network-latency|pod-http-latency")
_GREMLIN = re.compile(r"^(?!\s*#).*\bgremlin\s+attack(-container)?\b(.*)$")
_REDIS_CLIENT = re.compile(
    r'"github\.com/(redis/go-redis|go-redis/redis|gomodule/redigo)|^\s*(import|from)\s+(redis|aioredis)\b'
    r"|require\(['\"](ioredis|redis)['\"]\)|from\s+['\"](ioredis|redis)['\"]",
    re.M,
)


@dataclass(frozen=True)
class Experiment:
    evidence: Evidence
    redis_down: bool
    slow_upstream: bool


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _chaos_mesh(repo: Repo, obj: K8sObject) -> Experiment | None:
    spec = obj.body.get("spec")
    if not isinstance(spec, YMap):
        return None
    kind = obj.kind
    if kind == "Schedule" and isinstance(spec.get("type"), str):
        # A Schedule embeds the experiment under its type: {type: PodChaos, podChaos: {...}}.
        kind = str(spec["type"])
        inner = spec.get(kind[0].lower() + kind[1:])
        spec = inner if isinstance(inner, YMap) else spec
    target = str(_plain(spec.get("selector")))
    action = str(spec.get("action", ""))
    redis = bool(_REDIS.search(target))
    note = f"Chaos Mesh {kind} {obj.name!r}: {action or 'fault'}"
    where = repo.evidence(obj.path, obj.line, note=note)
    if kind in ("PodChaos", "NetworkChaos", "IOChaos", "DNSChaos") and action in _KILL_ACTIONS | {
        "bandwidth"
    }:
        return Experiment(where, redis and action != "bandwidth", False)
    if kind in ("NetworkChaos", "HTTPChaos") and (action in ("delay", "netem") or "delay" in spec):
        return Experiment(where, False, not _DATASTORE.search(target))
    return Experiment(where, False, False)


def _litmus(repo: Repo, obj: K8sObject) -> Experiment:
    text = str(_plain(obj.body.get("spec")))
    experiments = " ".join(str(e.get("name")) for e in _experiments(obj))
    where = repo.evidence(obj.path, obj.line, note=f"Litmus ChaosEngine {obj.name!r}: {experiments}")
    return Experiment(
        where,
        bool(_REDIS.search(text) and _LITMUS_KILL.search(experiments)),
        bool(_LITMUS_DELAY.search(experiments) and not _DATASTORE.search(text)),
    )


def _experiments(obj: K8sObject) -> list[YMap]:
    spec = obj.body.get("spec")
    items = spec.get("experiments") if isinstance(spec, YMap) else None
    return [e for e in items if isinstance(e, YMap)] if isinstance(items, YList) else []


def _istio_faults(repo: Repo, obj: K8sObject) -> list[Experiment]:
    spec = obj.body.get("spec")
    routes = spec.get("http") if isinstance(spec, YMap) else None
    found = []
    for route in routes if isinstance(routes, YList) else []:
        fault = route.get("fault") if isinstance(route, YMap) else None
        if not isinstance(route, YMap) or not isinstance(fault, YMap):
            continue
        hosts = str(_plain(route.get("route"))) + str(
            _plain(spec.get("hosts") if isinstance(spec, YMap) else "")
        )
        where = repo.evidence(obj.path, route.line_of("fault"), note=f"Istio fault injection in {obj.name!r}")
        found.append(Experiment(where, False, "delay" in fault and not _DATASTORE.search(hosts)))
    return found


def _experiments_in(ctx: CheckContext) -> list[Experiment]:
    repo = ctx.repo
    found: list[Experiment] = []
    for obj in repo.k8s_objects():
        group = k8s_api_group(obj)
        if group == "chaos-mesh.org":
            experiment = _chaos_mesh(repo, obj)
            found += [experiment] if experiment else []
        elif group == "litmuschaos.io" and obj.kind == "ChaosEngine":
            found.append(_litmus(repo, obj))
        elif group == "networking.istio.io" and obj.kind == "VirtualService":
            found += _istio_faults(repo, obj)
    for match in repo.search(_GREMLIN, shell_sources(repo)):
        args = match.text
        where = repo.evidence(match.path, match.line, note="Gremlin attack")
        kill = re.search(r"\b(shutdown|blackhole|process)\b", args) is not None
        found.append(Experiment(where, kill and bool(_REDIS.search(args)), "latency" in args))
    for fact in matches(ctx, *REDIS_DOWN_RULES, tests=True):
        found.append(
            Experiment(repo.evidence(fact.path, fact.line, note="test: Redis goes away"), True, False)
        )
    for fact in matches(ctx, *SLOW_UPSTREAM_RULES, tests=True):
        note = "test: an upstream answers too slowly"
        found.append(Experiment(repo.evidence(fact.path, fact.line, note=note), False, True))
    return found


def _uses_redis(ctx: CheckContext) -> Evidence | None:
    repo = ctx.repo
    for container in containers(repo):
        if _REDIS.search(container.image_name):
            return repo.evidence(container.path, container.image_line, note=container.owner)
    code = [p for p in repo.with_suffix(".go", ".py", ".js", ".ts") if not is_test_path(ctx.config, p)]
    for match in repo.search(_REDIS_CLIENT, code)[:1]:
        return repo.evidence(match.path, match.line, note="Redis client")
    return None


@check(
    id="load-validation/chaos-tests",
    question=seed.CHAOS,
    title="Chaos experiments cover Redis dying and an upstream (bidder) timing out",
    severity=Severity.RISK,
    rationale="""
        The two failures an exchange meets every week are a Redis that disappears (failover,
        eviction storm, node loss) and a bidder that stops answering within the auction's tmax.
        Whether the service then degrades (no frequency cap, the bidder skipped) or falls over
        (every request waits on Redis, goroutines pile up behind a slow bidder) is only known
        when someone has made it happen on purpose, in a test or in staging.
    """,
    looks_at="""
        Chaos Mesh experiments (PodChaos, NetworkChaos, HTTPChaos... and Schedules) and Litmus
        ChaosEngines, with what they select; Istio VirtualService fault injection; `gremlin attack`
        in scripts; and, with semgrep, tests that take Redis away (miniredis `Close`/`SetError`,
        testcontainers `Stop`, a toxiproxy proxy disabled, redis-py connection errors, fakeredis
        disconnected) or make an upstream slow (an httptest server that sleeps, a latency toxic,
        an HTTP client timeout raised by a mock).
    """,
    remediation="""
        Add a Chaos Mesh `PodChaos` (pod-kill) selecting the Redis pods and a `NetworkChaos`
        delay above the bidder timeout towards a bidder/upstream, run them in staging under load
        and write down what happened; in unit tests, close the miniredis server mid-test and
        serve bids from an httptest server that sleeps past the timeout.
    """,
    example="""
        apiVersion: chaos-mesh.org/v1alpha1
        kind: PodChaos
        spec: {action: pod-kill, mode: one, selector: {labelSelectors: {app.kubernetes.io/name: redis}}}
    """,
    scanners=(SEMGREP,),
    core=True,
    tests_are_subject=True,
    rules=(
        "go-test-redis-down",
        "go-test-slow-upstream",
        "py-test-redis-down",
        "py-test-upstream-timeout",
    ),
)
def chaos_tests(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    if not repo.services() and not repo.workloads():
        return CheckResult.not_applicable("no service or workload to break")
    experiments = _experiments_in(ctx)
    redis = _uses_redis(ctx)
    failures: list[Failure] = []
    evidence: list[Evidence] = []
    tooling = [e.evidence for e in experiments][:2]
    scenarios = [
        ("Redis dies", "redis_down", [redis] if redis else None, "nothing kills, disconnects or fails Redis"),
        ("a bidder/upstream times out", "slow_upstream", [], "nothing delays an upstream past its timeout"),
    ]
    for name, attribute, context, absent in scenarios:
        if context is None:
            continue
        covering = [e.evidence for e in experiments if getattr(e, attribute)]
        if covering:
            evidence += covering[:2]
            continue
        message = f"no chaos experiment or test covers what happens when {name}"
        note = f"{absent}: no chaos manifest selecting it, no fault injection, no test simulating it"
        failures.append(Failure(message, (*context, *tooling, Evidence.absent(note))))
    summary = "chaos experiments cover " + (
        "Redis dying and upstream timeouts" if redis else "upstream timeouts (no Redis in use)"
    )
    return CheckResult.from_failures(failures, summary, *evidence)
