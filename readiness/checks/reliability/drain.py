"""Graceful shutdown in code: does a Go server drain its connections when it is told to stop?"""

from __future__ import annotations

from readiness import seed
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP, matches
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check
from readiness.repo import Service


@check(
    id="reliability/graceful-shutdown",
    question=seed.GRACEFUL_SHUTDOWN,
    title="Go servers drain in-flight requests on SIGTERM",
    severity=Severity.BLOCKER,
    rationale="""
        Kubernetes sends SIGTERM before every rollout, scale-down and node drain. A Go server
        that only calls ListenAndServe dies at once: every in-flight bid request fails and
        every keep-alive connection is cut, on every deploy. Draining means catching SIGTERM,
        then calling Server.Shutdown (or GracefulStop for gRPC) with a deadline below the pod's
        terminationGracePeriodSeconds.
    """,
    looks_at="""
        Go source of each Go service (semgrep): where servers start (net/http, gin, echo,
        fiber, grpc-go), whether SIGTERM is caught (signal.Notify / signal.NotifyContext), and
        whether Shutdown/GracefulStop is called; os.Exit or log.Fatal straight after the
        signal is flagged as well.
    """,
    remediation="""
        Start the server in a goroutine, wait on `signal.NotifyContext(ctx, syscall.SIGTERM,
        os.Interrupt)`, then call `srv.Shutdown(ctx)` with a timeout (e.g. 25 s, below the pod's
        grace period) and close pools after it returns. For gRPC call `GracefulStop()`.
    """,
    example="""
        ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
        defer stop()
        go func() { _ = srv.ListenAndServe() }()
        <-ctx.Done()
        shutdownCtx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
        defer cancel()
        _ = srv.Shutdown(shutdownCtx)
    """,
    scanners=(SEMGREP,),
    core=True,
    rules=(
        "go-exit-on-signal",
        "go-http-serve",
        "go-server-shutdown",
        "go-termination-signal",
    ),
)
def graceful_shutdown(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    serving = [
        (s, starts)
        for s in repo.services()
        if s.language == "go"
        if (starts := _own(ctx, s, "go-http-serve"))
    ]
    if not serving:
        return CheckResult.not_applicable("no Go service starts a server")
    failures: list[Failure] = []
    drained: list[Evidence] = []
    for service, starts in serving:
        name = service.name
        signals = _own(ctx, service, "go-termination-signal")
        shutdowns = _own(ctx, service, "go-server-shutdown")
        if not signals:
            message = f"Go service {name!r} starts a server but never catches SIGTERM"
            failures.append(
                Failure(f"{message}: in-flight requests are dropped on every deploy", (starts[0],))
            )
        elif not shutdowns:
            message = f"Go service {name!r} catches SIGTERM but never calls Shutdown/GracefulStop"
            failures.append(Failure(message + ": connections are not drained", (starts[0], signals[0])))
        else:
            drained += [signals[0], shutdowns[0]]
        failures += [
            Failure(
                f"Go service {name!r} exits straight from its signal handler, dropping in-flight requests",
                (exit_,),
                Severity.RISK,
            )
            for exit_ in _own(ctx, service, "go-exit-on-signal")
        ]
    result = CheckResult.from_failures(failures, f"{len(serving)} Go service(s) drain on SIGTERM", *drained)
    return result.partly(bool(drained))


def _own(ctx: CheckContext, service: Service, *rules: str) -> list[Evidence]:
    """Evidence of the rules' matches in the service's own files."""
    return [
        ctx.repo.evidence(m.path, m.line) for m in matches(ctx, *rules) if ctx.repo.owner(m.path) == service
    ]
