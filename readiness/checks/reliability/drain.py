"""Graceful shutdown in code: does a Go server drain its connections when it is told to stop?"""

from __future__ import annotations

from readiness import seed
from readiness.checks._semgrep import SEMGREP, matches
from readiness.context import CheckContext
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check


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
)
def graceful_shutdown(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    services = [s for s in repo.services() if s.language == "go"]
    serving = [(s, [m for m in matches(ctx, "go-http-serve") if repo.owner(m.path) == s]) for s in services]
    serving = [(service, starts) for service, starts in serving if starts]
    if not serving:
        return CheckResult.not_applicable("no Go service starts a server")
    failures: list[Failure] = []
    drained: list[Evidence] = []
    for service, starts in serving:
        def own(*rules: str) -> list[Evidence]:
            return [repo.evidence(m.path, m.line) for m in matches(ctx, *rules) if repo.owner(m.path) == service]  # noqa: B023

        start = repo.evidence(starts[0].path, starts[0].line)
        signals, shutdowns, exits = own("go-termination-signal"), own("go-server-shutdown"), own("go-exit-on-signal")
        if not signals:
            failures.append(Failure(
                f"Go service {service.name!r} starts a server but never catches SIGTERM: in-flight requests "
                "are dropped on every deploy", (start,)))
        elif not shutdowns:
            failures.append(Failure(
                f"Go service {service.name!r} catches SIGTERM but never calls Shutdown/GracefulStop: "
                "connections are not drained", (start, signals[0])))
        else:
            drained += [signals[0], shutdowns[0]]
        failures += [
            Failure(f"Go service {service.name!r} exits straight from its signal handler, dropping in-flight "
                    "requests", (exit_,), Severity.RISK)
            for exit_ in exits
        ]
    return CheckResult.from_failures(failures, f"{len(serving)} Go service(s) drain on SIGTERM", *drained)
