"""Health check endpoints: does every service have one, does it test its dependencies, and do
the probes call endpoints that exist?"""

from __future__ import annotations

from readiness import seed
from readiness.checks.reliability._code import (
    Route,
    data_dependencies,
    evidence,
    facts,
    is_health_path,
    is_liveness_path,
    is_readiness_path,
    routes,
    server_starts,
)
from readiness.checks.reliability._deploy import Probe, http_probes, python_launches
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check
from readiness.repo import Service


def network_services(ctx: CheckContext) -> dict[Service, Evidence]:
    """Services that serve over the network, with where they start (or create) their server.

    A Python app may be created in code (FastAPI(), Flask()) or only named on a server's
    command line (`gunicorn app:create_app()`): either makes it a network service."""
    repo = ctx.repo
    found: dict[Service, Evidence] = {}
    for service in repo.services():
        starts = server_starts(ctx, service)
        if starts:
            found[service] = evidence(repo, starts[0])
    for launch in python_launches(repo):
        if launch.service is not None and launch.service not in found:
            found[launch.service] = repo.evidence(launch.path, launch.line)
    return found


def _health_routes(ctx: CheckContext, service: Service) -> list[Route]:
    return [route for route in routes(ctx, service) if is_health_path(route.path)]


@check(
    id="reliability/health-endpoint",
    question=seed.HEALTH_CHECKS,
    title="Every network service exposes a health endpoint",
    severity=Severity.BLOCKER,
    rationale="""
        Without a health endpoint neither Kubernetes, the load balancer nor Compose can tell a
        pod that is up from one that is wedged, still starting or cut off from its database:
        traffic keeps flowing to it and nothing restarts it. Probes need something to call.
    """,
    looks_at="""
        Source of each Go, Python and Node service that starts a server (net/http, gin, echo,
        chi, fiber, gRPC; FastAPI, Starlette, Flask, Django, aiohttp, or a uvicorn/gunicorn/
        hypercorn command line; Express, Fastify) for a route whose last path segment is a
        health name (`/health`, `/healthz`, `/ready`, `/readyz`, `/livez`, `/ping`, `/status`,
        `/health/...`), or the gRPC health service (`grpc_health_v1.RegisterHealthServer`).
        Only routes registered with a literal or constant path are seen.
    """,
    remediation="""
        Serve a liveness endpoint that only says the process is up (`/livez`) and a readiness
        endpoint that checks the dependencies the service cannot serve without (`/readyz`:
        ping the database and Redis with a short timeout), and point the probes at them. gRPC
        services register `grpc.health.v1` (`health.NewServer()`).
    """,
    example="""
        mux.HandleFunc("GET /livez", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) })
        mux.HandleFunc("GET /readyz", s.handleReady) // pings Postgres and Redis
    """,
    scanners=(SEMGREP,),
    core=True,
    rules=(
        "go-dependency-call",
        "go-grpc-health",
        "go-http-handler",
        "go-http-route",
        "go-http-serve",
        "js-dependency-call",
        "js-http-route",
        "js-listen",
        "py-asgi-app",
        "py-dependency-call",
        "py-http-route",
        "py-uvicorn-run",
        "py-wsgi-app",
    ),
)
def health_endpoint(ctx: CheckContext) -> CheckResult:
    serving = network_services(ctx)
    if not serving:
        return CheckResult.not_applicable("no service starts a network server")
    probes = http_probes(ctx.repo)
    failures: list[Failure] = []
    found: list[Evidence] = []
    for service, start in serving.items():
        health = _health_routes(ctx, service)
        grpc = facts(ctx, service, "go-grpc-health")
        if health or grpc:
            found.append(evidence(ctx.repo, health[0].registration if health else grpc[0]))
            continue
        probed = [p for p in probes if p.service == service]
        if probed:
            # Something answers the probe, presumably: a route registered in a way the rules
            # cannot read (a path from a variable, a router from a library). Not a blocker.
            failures.append(
                Failure(
                    f"{service.language} service {service.name!r} registers no health route that could be "
                    f"read, although {probed[0].owner} probes {probed[0].path}: check that the route exists "
                    "and is registered with a literal path",
                    (start, ctx.repo.evidence(probed[0].file, probed[0].line)),
                    Severity.RISK,
                )
            )
            continue
        failures.append(
            Failure(
                f"{service.language} service {service.name!r} serves traffic but registers no health "
                "endpoint: probes and load balancers cannot tell whether it can serve",
                (start,),
            )
        )
    return CheckResult.from_failures(
        failures, f"{len(found)} network service(s) expose a health endpoint", *found
    )


def _liveness_only(route: Route, probes: list[Probe]) -> bool:
    """A route that is liveness by name, or that only livenessProbes call: it must stay constant."""
    if is_liveness_path(route.path):
        return True
    callers = [p for p in probes if p.service == route.service and route.matches_path(p.path)]
    return bool(callers) and all(p.kind == "livenessProbe" for p in callers)


@check(
    id="reliability/health-checks-dependencies",
    question=seed.HEALTH_CHECKS,
    title="Readiness endpoints test the dependencies the service needs",
    severity=Severity.RISK,
    rationale="""
        A health endpoint that always answers 200 tells Kubernetes a pod is ready while its
        database or Redis is unreachable: the pod keeps receiving traffic and fails every
        request, and a rollout proceeds onto pods that cannot serve. A readiness endpoint has
        to touch what the service cannot serve without. Liveness is the exception: it must stay
        constant, or a dependency outage restarts every pod at once.
    """,
    looks_at="""
        Health routes of each network service whose manifests (go.mod, requirements*.txt,
        pyproject.toml, package.json) declare a database, Redis or broker driver. A handler
        tests a dependency when its body, or a function it calls directly, calls Ping /
        PingContext / Exec / Query, `redis.ping()`, `execute("SELECT 1")`, acquires a pool
        connection, or makes an HTTP request downstream. Routes named like liveness (`/livez`,
        `/ping`, `/health/live`) or called only by livenessProbes are exempt. Handlers whose
        code could not be followed (other modules, factories) are not judged.
    """,
    remediation="""
        Give the service a readiness endpoint that pings each hard dependency with a short
        timeout (well below the probe's timeoutSeconds) and answers 503 when one fails; point
        the readinessProbe at it and keep the livenessProbe on a constant endpoint.
    """,
    example="""
        func (s *service) handleReady(w http.ResponseWriter, r *http.Request) {
            ctx, cancel := context.WithTimeout(r.Context(), 500*time.Millisecond)
            defer cancel()
            if err := s.db.Ping(ctx); err != nil { w.WriteHeader(503); return }
            if err := s.rdb.Ping(ctx).Err(); err != nil { w.WriteHeader(503); return }
            w.WriteHeader(200)
        }
    """,
    scanners=(SEMGREP,),
    core=True,
    rules=(
        "go-dependency-call",
        "go-http-handler",
        "go-http-route",
        "go-http-serve",
        "js-dependency-call",
        "js-http-route",
        "js-listen",
        "py-asgi-app",
        "py-dependency-call",
        "py-http-route",
        "py-uvicorn-run",
        "py-wsgi-app",
    ),
)
def health_checks_dependencies(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    probes = http_probes(repo)
    judged = 0
    failures: list[Failure] = []
    testing: list[Evidence] = []
    for service in network_services(ctx):
        health = _health_routes(ctx, service)
        dependencies = data_dependencies(repo, service)
        if not health or not dependencies:
            continue
        reaching = [route for route in health if route.reaches is not None]
        constant = [route for route in health if route.reaches is None and route.followed]
        if not reaching and not constant:
            continue  # no handler could be followed: nothing to judge
        if not reaching and any(is_readiness_path(r.path) and not r.followed for r in health):
            continue  # the readiness endpoint could not be followed: the others may be liveness
        judged += 1
        for route in constant:
            # A readiness probe pointed at a constant handler, while another route tests deps.
            callers = [
                p
                for p in probes
                # Startup probes may rightly sit on a constant endpoint: they only hold liveness off.
                if p.service == service
                and p.kind not in ("livenessProbe", "startupProbe")
                and route.matches_path(p.path)
            ]
            if reaching and callers:
                failures.append(
                    Failure(
                        f"{callers[0].owner} {callers[0].kind} calls {route.path}, which answers without "
                        f"touching a dependency, while {reaching[0].path} does test them",
                        (
                            repo.evidence(callers[0].file, callers[0].line),
                            evidence(repo, route.handler_evidence),
                        ),
                    )
                )
        if reaching:
            assert reaching[0].reaches is not None
            testing.append(evidence(repo, reaching[0].reaches))
            continue
        judged_routes = [route for route in constant if not _liveness_only(route, probes)]
        if not judged_routes:
            # Only liveness endpoints (by name or by use), rightly constant: what is missing is a
            # readiness endpoint, so the finding points at the first of them.
            failures.append(
                Failure(
                    f"service {service.name!r} depends on {_driver_note(dependencies)} but none of its "
                    f"health endpoints ({', '.join(r.path for r in constant)}) touches a dependency: they "
                    "suit liveness only, and no endpoint takes pods out of rotation when a dependency is "
                    "unreachable",
                    _route_evidence(ctx, constant[0]),
                )
            )
        for route in judged_routes:
            failures.append(
                Failure(
                    f"service {service.name!r} depends on {_driver_note(dependencies)} but its health "
                    f"endpoint {route.path} answers without touching any of them: pods stay ready while "
                    "their database or Redis is unreachable",
                    _route_evidence(ctx, route),
                )
            )
    if not judged:
        return CheckResult.not_applicable(
            "no network service with a health route declares a data store driver"
        )
    return CheckResult.from_failures(
        failures, f"{len(testing)} service(s) test their dependencies in a health endpoint", *testing
    )


def _route_evidence(ctx: CheckContext, route: Route) -> tuple[Evidence, ...]:
    handler = evidence(ctx.repo, route.handler_evidence)
    if route.handler_evidence is route.registration:
        return (handler,)
    return (handler, evidence(ctx.repo, route.registration))


def _driver_note(dependencies: list[Evidence]) -> str:
    first = dependencies[0]
    return f"a data store ({first.location()}: {first.snippet})"


@check(
    id="reliability/probe-paths-exist",
    question=seed.HEALTH_CHECKS,
    title="Probe and healthcheck paths are routes the service serves",
    severity=Severity.RISK,
    rationale="""
        A probe that calls a path the service does not serve gets 404 forever: a readiness or
        startup probe then never lets the pod take traffic (or a rollout stalls), and a
        liveness probe restarts the container in a loop. It happens after a route is renamed
        or when a manifest is copied from another service.
    """,
    looks_at="""
        httpGet paths of liveness, readiness and startup probes in Kubernetes manifests, URLs in
        compose `healthcheck.test` and Dockerfile HEALTHCHECK commands, matched against the
        routes registered in the code of the service the container runs (image name or compose
        build context; any service's routes when that is unclear). Path parameters, subtree
        patterns and router prefixes are allowed for. Services whose routes could not be read
        are not judged.
    """,
    remediation="""
        Point the probe at a route the service registers (or add the route), and test probe
        paths in CI, for example by requesting them from the built container.
    """,
    example="""
        readinessProbe:
          httpGet: {path: /readyz, port: http}   # mux.HandleFunc("GET /readyz", ...) in the service
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-dependency-call",
        "go-http-handler",
        "go-http-route",
        "js-dependency-call",
        "js-http-route",
        "py-dependency-call",
        "py-http-route",
    ),
)
def probe_paths_exist(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    probes = http_probes(repo)
    if not probes:
        return CheckResult.not_applicable("no HTTP probe or healthcheck URL found")
    table: dict[Service, list[Route]] = {service: routes(ctx, service) for service in repo.services()}
    everything = [route for found in table.values() for route in found]
    judged = 0
    failures: list[Failure] = []
    served: list[Evidence] = []
    for probe in probes:
        known = table.get(probe.service, []) if probe.service is not None else everything
        if not known:
            continue  # the service's routes could not be read: nothing to compare with
        judged += 1
        route = next((route for route in known if route.matches_path(probe.path)), None)
        if route is not None:
            served.append(evidence(repo, route.registration))
            continue
        where = f"service {probe.service.name!r}" if probe.service else "any service"
        failures.append(
            Failure(
                f"{probe.owner} {probe.kind} calls {probe.path}, which no route of {where} serves: "
                "the probe fails on every attempt",
                (repo.evidence(probe.file, probe.line),),
            )
        )
    if not judged:
        return CheckResult.not_applicable("no probed service registers routes that could be read")
    return CheckResult.from_failures(
        failures, f"{judged} probe path(s) are routes the service serves", *dict.fromkeys(served)
    )
