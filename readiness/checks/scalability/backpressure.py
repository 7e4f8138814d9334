"""Backpressure: what happens when a service is overwhelmed or a dependency slows down?

Three things decide it: outbound calls that give up (client timeouts), servers that drop slow
clients (server timeouts), and a bound on work in flight so excess load is refused quickly
instead of queueing until memory or latency gives out (load shedding).
"""

from __future__ import annotations

import re

from readiness import seed
from readiness.checks.scalability._code import Fact, facts, network_services
from readiness.checks.scalability._fleet import (
    command_line,
    deployments,
    gunicorn_config,
    k8s_workloads,
    unplaced,
)
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP
from readiness.facts.exposure import annotations_of, routes_to
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check
from readiness.repo import Repo, Service

_NO_TIMEOUT = {
    "go-client-no-timeout": "an http.Client without a Timeout",
    "go-default-client": "a call through http.DefaultClient (http.Get/Post/...), which has no timeout",
    "py-client-no-timeout": "an outbound HTTP call without a timeout",
}


@check(
    id="scalability/client-timeouts",
    question=seed.BACKPRESSURE,
    title="Outbound HTTP calls have timeouts",
    severity=Severity.RISK,
    rationale="""
        A call without a timeout waits as long as the other side lets it. When a demand partner
        or an internal service slows down, every request that calls it piles up: goroutines,
        threads, sockets and memory grow until the service itself stops answering, and the
        slowdown spreads upstream. Go's http.DefaultClient, requests and urllib have no timeout
        at all by default.
    """,
    looks_at="""
        Source (semgrep): Go `http.Client{}` literals without `Timeout` (unless set right after),
        `http.Get/Post/Head/PostForm` and `http.DefaultClient`; Python `requests` calls without
        `timeout=`, `urllib.request.urlopen` without a timeout, `aiohttp.ClientSession` without
        a ClientTimeout, and `timeout=None` given to httpx or requests (httpx's own default of
        5 s is accepted). Test files are ignored.
    """,
    remediation="""
        Give every client a timeout below the caller's own deadline (an OpenRTB auction has
        `tmax`, typically 100-300 ms): `&http.Client{Timeout: 200 * time.Millisecond}` plus
        `http.NewRequestWithContext` with the request's context; `requests.post(url,
        timeout=(0.1, 0.3))`; `aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.3))`.
    """,
    example="""
        client := &http.Client{Timeout: 200 * time.Millisecond}
        req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, body)
        resp, err := client.Do(req)
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-client-no-timeout",
        "go-client-with-timeout",
        "go-default-client",
        "py-client-no-timeout",
        "py-client-with-timeout",
    ),
)
def client_timeouts(ctx: CheckContext) -> CheckResult:
    unbounded = facts(ctx, *_NO_TIMEOUT)
    bounded = facts(ctx, "go-client-with-timeout", "py-client-with-timeout")
    if not unbounded and not bounded:
        return CheckResult.not_applicable("no outbound HTTP client found")
    failures = [
        Failure(
            f"{fact.service.name}: {_NO_TIMEOUT[fact.match.rule]}: a slow upstream holds the request, its "
            "goroutine or worker and its socket for as long as it likes",
            (fact.evidence,),
        )
        for fact in unbounded
    ]
    return CheckResult.from_failures(
        failures,
        f"{len(bounded)} outbound HTTP client(s) or call(s), all with timeouts",
        *(f.evidence for f in bounded),
    )


# ---- server timeouts -------------------------------------------------------------------------

_FIELD = re.compile(r"\b(ReadHeaderTimeout|ReadTimeout|WriteTimeout|IdleTimeout)\s*[:=]")


def _server_fields(repo: Repo, fact: Fact) -> set[str]:
    """Timeout fields set in the literal, or assigned later in the same file (`srv.WriteTimeout = ...`)."""
    lines = repo.lines(fact.path)
    literal = lines[fact.line - 1 : fact.match.end_line]
    later = [line for line in lines[fact.match.end_line :] if re.search(r"\.\s*\w+Timeout\s*=", line)]
    return {m.group(1) for line in [*literal, *later] for m in _FIELD.finditer(line)}


@check(
    id="scalability/server-timeouts",
    question=seed.BACKPRESSURE,
    title="Go HTTP servers set read-header, write and idle timeouts",
    severity=Severity.RISK,
    rationale="""
        Go's http.Server has no timeouts unless you set them, and http.ListenAndServe uses one
        with none. A client that sends headers slowly (slowloris), reads the response slowly or
        keeps idle connections open holds a goroutine and a file descriptor each, without limit:
        a few thousand slow or stuck connections exhaust the pod long before CPU does.
    """,
    looks_at="""
        Go source (semgrep): `http.ListenAndServe`/`ListenAndServeTLS`/`Serve` and gin's `Run` /
        echo's `Start` (servers with no timeouts), and every `http.Server{...}` literal with the
        timeout fields it sets (in the literal or assigned later in the same file). A server
        needs ReadHeaderTimeout (or ReadTimeout), WriteTimeout, and IdleTimeout (or ReadTimeout,
        which Go uses when IdleTimeout is zero).
    """,
    remediation="""
        Build an `http.Server` with `ReadHeaderTimeout` (2-5 s), `ReadTimeout`, `WriteTimeout`
        (above the slowest handler) and `IdleTimeout` (e.g. 120 s), and call its
        `ListenAndServe`. Streaming endpoints that need no WriteTimeout can use
        `http.ResponseController` to extend deadlines per request.
    """,
    example="""
        srv := &http.Server{
            Addr: ":8080", Handler: mux,
            ReadHeaderTimeout: 2 * time.Second, ReadTimeout: 5 * time.Second,
            WriteTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
        }
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-http-server-config",
        "go-serve-without-timeouts",
    ),
)
def server_timeouts(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    bare = facts(ctx, "go-serve-without-timeouts")
    configured = facts(ctx, "go-http-server-config")
    if not bare and not configured:
        return CheckResult.not_applicable("no Go HTTP server found")
    failures = [
        Failure(
            f"{fact.service.name}: serves with an http.Server that has no timeouts at all: slow or idle "
            "clients hold goroutines and connections without limit",
            (fact.evidence,),
        )
        for fact in bare
    ]
    passed: list[Evidence] = []
    for fact in configured:
        fields = _server_fields(repo, fact)
        missing = []
        if not fields & {"ReadHeaderTimeout", "ReadTimeout"}:
            missing.append("ReadHeaderTimeout")
        if "WriteTimeout" not in fields:
            missing.append("WriteTimeout")
        if not fields & {"IdleTimeout", "ReadTimeout"}:
            missing.append("IdleTimeout")
        if missing:
            failures.append(
                Failure(
                    f"{fact.service.name}: http.Server without {', '.join(missing)}: slow or idle clients "
                    "hold goroutines and connections without limit",
                    (fact.evidence,),
                )
            )
        else:
            passed.append(fact.evidence)
    failures.sort(key=lambda f: (f.evidence[0].path or "", f.evidence[0].line or 0))
    return CheckResult.from_failures(failures, f"{len(passed)} Go HTTP server(s) set their timeouts", *passed)


# ---- load shedding ---------------------------------------------------------------------------

_WORKER_CLASS = re.compile(r"""^worker_class\s*=\s*["']([\w.:]+)["']""")
_WORKER_CLASS_FLAG = re.compile(r"(?:^|\s)(?:-k|--worker-class)(?:=|\s+)(\S+)")
_LIMIT_CONCURRENCY = re.compile(r"--limit-concurrency(?:=|\s+)\d+")
_BOUNDED_WORKERS = ("sync", "gthread")
_GREEN_WORKERS = ("gevent", "eventlet")


def _python_server_limits(repo: Repo, service: Service) -> list[Evidence]:
    """gunicorn's sync/gthread workers serve at most workers × threads requests at once (the rest
    wait in the listen backlog and are refused when it is full); gevent/eventlet workers stop at
    worker_connections (1000 by default); uvicorn only with --limit-concurrency."""
    found: list[Evidence] = []
    for deployment in deployments(repo, service) or [unplaced(service)]:
        command, where = command_line(repo, service, deployment)
        if _LIMIT_CONCURRENCY.search(command) and where is not None:
            found.append(Evidence(where.path, where.line, where.snippet, "uvicorn --limit-concurrency"))
        if "gunicorn" not in command:
            continue
        worker, worker_where = "sync", where
        if (flag := _WORKER_CLASS_FLAG.search(command)) is not None:
            worker = flag.group(1).strip("\"'")
        for path in gunicorn_config(repo, service, command):
            for number, line in enumerate(repo.lines(path), start=1):
                if (setting := _WORKER_CLASS.match(line.strip())) is not None:
                    worker, worker_where = setting.group(1), repo.evidence(path, number)
        short = worker.rsplit(".", 1)[-1].lower()
        if (short in _BOUNDED_WORKERS or short in _GREEN_WORKERS) and worker_where is not None:
            note = (
                f"gunicorn {short} workers: at most workers × threads requests in flight"
                if short in _BOUNDED_WORKERS
                else f"gunicorn {short} workers: at most worker_connections per worker"
            )
            found.append(Evidence(worker_where.path, worker_where.line, worker_where.snippet, note))
    return found


def _ingress_connection_limits(repo: Repo, service: Service) -> list[Evidence]:
    found = []
    for route in routes_to(repo, k8s_workloads(repo, service)):
        notes = annotations_of(route)
        key = "nginx.ingress.kubernetes.io/limit-connections"
        if key in notes:
            found.append(repo.evidence(route.path, notes.line_of(key), note=f"{route.kind} {route.name!r}"))
    return found


@check(
    id="scalability/load-shedding",
    question=seed.BACKPRESSURE,
    title="Services bound the work in flight and shed excess load",
    severity=Severity.RISK,
    rationale="""
        Past its capacity a service without a bound on concurrent work keeps accepting: requests
        queue in memory, latency climbs past every caller's deadline (an auction's tmax), and the
        pod is OOM-killed or stops answering health checks, which moves its load onto the
        remaining pods. Refusing excess work quickly (503 with Retry-After) keeps the requests
        it does accept fast. A goroutine per request that nothing bounds, or a channel with a
        huge buffer, is the same problem inside the process.
    """,
    looks_at="""
        Each service that accepts traffic. Limits (semgrep): x/sync/semaphore, a buffered
        channel used as a semaphore with a `select`/`default` that rejects when full,
        netutil.LimitListener, grpc MaxConcurrentStreams, errgroup SetLimit, chi Throttle;
        uvicorn `limit_concurrency`/`--limit-concurrency`; gunicorn sync/gthread workers (bounded
        by workers × threads) or gevent/eventlet `worker_connections`; @fastify/under-pressure,
        toobusy-js; ingress-nginx `limit-connections`. Unbounded work: goroutines started inside
        request handlers without a semaphore, and channels with buffers of 100000 or more.
    """,
    remediation="""
        Put an in-flight limit in front of the handlers (a buffered-channel semaphore that
        answers 503 with Retry-After when full, or uvicorn `--limit-concurrency`), size it from a
        load test, and export the number of shed requests. Move fire-and-forget work from
        handlers to a bounded worker pool fed by a bounded queue that drops (and counts) when full.
    """,
    example="""
        slots := make(chan struct{}, maxInFlight)
        select {
        case slots <- struct{}{}:
            defer func() { <-slots }()
            next.ServeHTTP(w, r)
        default:
            http.Error(w, "overloaded", http.StatusServiceUnavailable)
        }
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-concurrency-limit",
        "go-goroutine-per-request",
        "go-network-server",
        "go-unbounded-queue",
        "js-concurrency-limit",
        "js-network-server",
        "py-concurrency-limit",
        "py-network-server",
    ),
)
def load_shedding(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    servers = network_services(ctx)
    if not servers:
        return CheckResult.not_applicable("no service accepts network traffic")
    limits = facts(ctx, "go-concurrency-limit", "py-concurrency-limit", "js-concurrency-limit")
    failures: list[Failure] = []
    evidence: list[Evidence] = []
    bounded: list[str] = []
    for service, start in servers.items():
        found = [f.evidence for f in limits if f.service == service]
        if service.language == "python":
            found += _python_server_limits(repo, service)
        found += _ingress_connection_limits(repo, service)
        if found:
            bounded.append(service.name)
            evidence += found
            continue
        failures.append(
            Failure(
                f"{service.name} accepts traffic with no bound on requests in flight: when overwhelmed it "
                "queues without limit (memory and latency grow) instead of refusing the excess quickly",
                (start.evidence,),
            )
        )
    failures += [
        Failure(
            f"{fact.service.name}: a request handler starts a goroutine that nothing bounds: under load they "
            "pile up without limit, and their work is lost if the pod dies",
            (fact.evidence,),
        )
        for fact in facts(ctx, "go-goroutine-per-request")
    ]
    failures += [
        Failure(
            f"{fact.service.name}: a channel buffer of {fact.capture('$SIZE')} is effectively unbounded: "
            "it hides overload as memory growth instead of pushing back",
            (fact.evidence,),
        )
        for fact in facts(ctx, "go-unbounded-queue")
    ]
    failures.sort(key=lambda f: (f.evidence[0].path or "", f.evidence[0].line or 0))
    summary = f"concurrency is bounded in {', '.join(bounded)}" if bounded else "no concurrency limit found"
    if failures:
        return CheckResult.failed(failures, summary)
    return CheckResult.passed(summary, *evidence)
