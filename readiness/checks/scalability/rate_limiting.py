"""Rate limiting: is there a limit per publisher (client), a global ceiling, or both?"""

from __future__ import annotations

from dataclasses import dataclass, field

from readiness import seed
from readiness.checks.scalability._code import facts, network_services
from readiness.checks.scalability._fleet import k8s_workloads
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP
from readiness.facts.deploy import pod_labels
from readiness.facts.exposure import annotations_of, external, routes_to
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YMap
from readiness.registry import check
from readiness.repo import K8sObject, Repo, Service

PER_CLIENT_RULES = ("go-rate-limit-per-client", "py-rate-limit-per-client", "js-rate-limit-per-client")
GLOBAL_RULES = ("go-rate-limit-global", "py-rate-limit-global")

# ingress-nginx limits count per client address (global-rate-limit keys on $remote_addr by default).
_NGINX_LIMITS = tuple(
    f"nginx.ingress.kubernetes.io/{name}"
    for name in ("limit-rps", "limit-rpm", "limit-connections", "global-rate-limit")
)
_TRAEFIK_MIDDLEWARES = "traefik.ingress.kubernetes.io/router.middlewares"
_KONG_PLUGINS = "konghq.com/plugins"


@dataclass
class Limits:
    per_client: list[Evidence] = field(default_factory=list)
    global_: list[Evidence] = field(default_factory=list)


def _first_line(repo: Repo, obj: K8sObject, needle: str) -> int:
    lines = repo.lines(obj.path)
    for number in range(obj.line, len(lines) + 1):
        if needle in lines[number - 1]:
            return number
    return obj.line


def _proxy_limits(repo: Repo, workloads: list[K8sObject], limits: Limits) -> None:
    """Limits applied in front of the pods: ingress annotations, Traefik/Kong plugins, Envoy filters."""
    objects = repo.k8s_objects()
    for route in routes_to(repo, workloads):
        notes = annotations_of(route)
        limits.per_client += [
            repo.evidence(route.path, notes.line_of(key), note=f"{route.kind} {route.name!r}")
            for key in _NGINX_LIMITS
            if key in notes
        ]
        referenced = f"{notes.get(_TRAEFIK_MIDDLEWARES, '')},{notes.get(_KONG_PLUGINS, '')}"
        for obj in objects:
            spec = obj.body.get("spec")
            if (
                obj.kind == "Middleware"
                and isinstance(spec, YMap)
                and "rateLimit" in spec
                and obj.name in referenced
            ):
                limits.per_client.append(
                    repo.evidence(obj.path, spec.line_of("rateLimit"), note=f"Middleware {obj.name!r}")
                )
            plugin = obj.body.get("plugin")
            if (
                obj.kind == "KongPlugin"
                and str(plugin).startswith("rate-limiting")
                and obj.name in referenced
            ):
                limits.per_client.append(
                    repo.evidence(obj.path, obj.body.line_of("plugin"), note=f"KongPlugin {obj.name!r}")
                )
    labels = [pod_labels(w) for w in workloads]
    for obj in objects:
        if obj.kind != "EnvoyFilter" or not workloads:
            continue
        spec = obj.body.get("spec")
        selector = spec.get("workloadSelector") if isinstance(spec, YMap) else None
        wanted = selector.get("labels") if isinstance(selector, dict) else None
        if isinstance(wanted, dict) and not any(
            all(pod.get(k) == v for k, v in wanted.items()) for pod in labels
        ):
            continue
        text = repo.text(obj.path)
        if "local_ratelimit" in text:
            # A token bucket per Envoy: one ceiling for every caller of the pod.
            limits.global_.append(
                repo.evidence(
                    obj.path, _first_line(repo, obj, "local_ratelimit"), note=f"EnvoyFilter {obj.name!r}"
                )
            )
        if "envoy.filters.http.ratelimit" in text:
            limits.per_client.append(
                repo.evidence(
                    obj.path,
                    _first_line(repo, obj, "envoy.filters.http.ratelimit"),
                    note=f"EnvoyFilter {obj.name!r}",
                )
            )


def _limits(ctx: CheckContext, service: Service, workloads: list[K8sObject]) -> Limits:
    limits = Limits(
        [f.evidence for f in facts(ctx, *PER_CLIENT_RULES) if f.service == service],
        [f.evidence for f in facts(ctx, *GLOBAL_RULES) if f.service == service],
    )
    _proxy_limits(ctx.repo, workloads, limits)
    return limits


def _cite(found: list[Evidence]) -> str:
    return ", ".join(e.location() for e in found[:3]) + (
        f" and {len(found) - 3} more" if len(found) > 3 else ""
    )


@check(
    id="scalability/rate-limiting",
    question=seed.RATE_LIMITING,
    title="Services exposed to traffic rate-limit per client and globally",
    severity=Severity.RISK,
    rationale="""
        An exchange's traffic comes from a few large publishers. Without a limit keyed per
        publisher (or API key, or client IP), one misbehaving integration can take the whole
        capacity and starve everyone else; without a global ceiling, many clients each within
        their own limit can still push the fleet past what it (and its database and Redis) can
        serve. Both are needed: per-client for fairness, global for protection.
    """,
    looks_at="""
        Source of each service that accepts traffic (semgrep): golang.org/x/time/rate (a
        limiter stored in a map or sync.Map by key is per-client, a single one global),
        tollbooth, ulule/limiter, go-redis/redis_rate, go-chi/httprate, echo's RateLimiter, uber
        ratelimit (global); slowapi, flask-limiter (key_func per client, application_limits
        global), django-ratelimit, fastapi-limiter, limits, aiolimiter (global);
        express-rate-limit, @fastify/rate-limit, rate-limiter-flexible. In front of the pods:
        ingress-nginx limit-rps/limit-rpm/limit-connections/global-rate-limit annotations,
        Traefik rateLimit middlewares and Kong rate-limiting plugins referenced by the Ingress,
        Istio EnvoyFilters with local (global per pod) or global rate limits. A service only
        reachable inside the cluster (no Ingress, route, LoadBalancer or NodePort) is held to a
        recommendation.
    """,
    remediation="""
        Add a per-publisher limiter (a map of golang.org/x/time/rate limiters keyed by
        publisher id with an idle sweep, or redis_rate for a fleet-wide count) and a global
        limiter sized to what the service and its dependencies can take; answer 429 with
        Retry-After. Ingress annotations (nginx `limit-rps`) are a useful first line but key on
        IP addresses, not publishers.
    """,
    example="""
        if !l.publisher(req.PublisherID()).Allow() || !l.global.Allow() {
            w.Header().Set("Retry-After", "1")
            http.Error(w, "rate limit exceeded", http.StatusTooManyRequests)
            return
        }
    """,
    scanners=(SEMGREP,),
    core=True,
    rules=(
        "go-network-server",
        "go-rate-limit-global",
        "go-rate-limit-per-client",
        "js-network-server",
        "js-rate-limit-per-client",
        "py-network-server",
        "py-rate-limit-global",
        "py-rate-limit-per-client",
    ),
)
def rate_limiting(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    servers = network_services(ctx)
    if not servers:
        return CheckResult.not_applicable("no service accepts network traffic")
    failures: list[Failure] = []
    summaries: list[str] = []
    evidence: list[Evidence] = []
    limited = 0
    for service, start in servers.items():
        workloads = k8s_workloads(repo, service)
        limits = _limits(ctx, service, workloads)
        # Unknown exposure (no Kubernetes workload found) counts as exposed.
        internal = bool(workloads) and not external(repo, workloads)
        name = service.name
        limited += bool(limits.per_client or limits.global_)
        if limits.per_client and limits.global_:
            summaries.append(
                f"{name}: per-client limit ({_cite(limits.per_client)}) "
                f"and global limit ({_cite(limits.global_)})"
            )
            evidence += [limits.per_client[0], limits.global_[0]]
        elif limits.global_:
            summaries.append(f"{name}: global limit only ({_cite(limits.global_)})")
            failures.append(
                Failure(
                    f"{name} has only a global rate limit ({_cite(limits.global_)}): one publisher can use "
                    "the whole budget and starve the others; add a limit keyed per publisher or API key",
                    tuple(limits.global_),
                    Severity.RECOMMENDATION,
                )
            )
        elif limits.per_client:
            summaries.append(f"{name}: per-client limit only ({_cite(limits.per_client)})")
            failures.append(
                Failure(
                    f"{name} limits each client ({_cite(limits.per_client)}) but has no global ceiling: many "
                    "clients within their limits together can still overwhelm it; add a global limit",
                    tuple(limits.per_client),
                    Severity.RECOMMENDATION,
                )
            )
        elif internal:
            summaries.append(f"{name}: no rate limit (internal to the cluster)")
            failures.append(
                Failure(
                    f"{name} has no rate limit; it is reachable only inside the cluster, so it relies on its "
                    "callers' limits and its own backpressure",
                    (start.evidence,),
                    Severity.RECOMMENDATION,
                )
            )
        else:
            summaries.append(f"{name}: no rate limit")
            failures.append(
                Failure(
                    f"{name} accepts traffic with no rate limit, neither per publisher nor global: one "
                    "client or a traffic spike can take all of its capacity",
                    (start.evidence,),
                )
            )
    summary = "; ".join(summaries)
    if failures:
        # Some limit somewhere (per client or global) is a control that exists incompletely.
        return CheckResult.failed(failures, summary).partly(bool(limited))
    return CheckResult.passed(summary, *evidence)
