"""Graceful shutdown: does SIGTERM reach the process that has to drain its connections?"""

from __future__ import annotations

from pathlib import PurePosixPath

from readiness import seed
from readiness.context import CheckContext
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.dockerfile import Instruction, nearest, stage_chain
from readiness.registry import check

# Init processes that forward signals to their child and reap zombies (s6-overlay's is /init).
_INITS = {"tini", "tini-static", "dumb-init", "catatonit", "s6-svscan", "init"}
_SHELLS = {"sh", "bash", "ash", "dash", "zsh"}


def _signal_problem(instruction: Instruction) -> str | None:
    """Why SIGTERM would not reach the application, or None when it would."""
    argv = instruction.exec_form()
    if argv is None:
        # `CMD exec app` makes the shell replace itself with the app, which then is PID 1.
        if instruction.arguments.strip().startswith("exec "):
            return None
        return "uses the shell form, so /bin/sh -c is PID 1 and does not forward SIGTERM"
    if not argv or PurePosixPath(argv[0]).name in _INITS:
        return None
    shell_wrapper = PurePosixPath(argv[0]).name in _SHELLS and argv[1:2] == ["-c"]
    if shell_wrapper and not argv[-1].lstrip().startswith("exec "):
        return "is exec form but starts `sh -c`, which does not forward SIGTERM to its child"
    return None


@check(
    id="reliability/exec-form-entrypoint",
    question=seed.GRACEFUL_SHUTDOWN,
    title="Container entrypoints receive SIGTERM (exec form or an init)",
    severity=Severity.RISK,
    rationale="""
        On a rolling deploy or scale-down Kubernetes and Docker send SIGTERM to PID 1 and, after
        the grace period, SIGKILL. With a shell-form CMD or ENTRYPOINT, PID 1 is `/bin/sh -c`,
        which ignores SIGTERM and does not pass it on: the application never starts draining,
        in-flight requests are cut when SIGKILL arrives, and every deploy costs errors and
        30 seconds of waiting.
    """,
    looks_at="""
        The ENTRYPOINT and CMD that take effect in the final stage of each Dockerfile (following
        `FROM <earlier stage>`). An exec-form ENTRYPOINT decides alone (CMD only becomes its
        arguments); an init such as tini, dumb-init or s6 is accepted. Dockerfiles that set
        neither keep the base image's command and are not judged.
    """,
    remediation="""
        Use the exec form (`CMD ["./server"]`), or prefix the shell command with `exec`
        (`CMD exec ./server --port $PORT`), or run an init as the exec-form ENTRYPOINT
        (`ENTRYPOINT ["tini", "--"]`). Then make sure the application handles SIGTERM by
        stopping accepting and finishing in-flight requests.
    """,
    example="""
        ENTRYPOINT ["/sbin/tini", "--"]
        CMD ["/app/bidder", "--listen", ":8080"]
    """,
)
def exec_form_entrypoint(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    judged = 0
    failures: list[Failure] = []
    passing: list[Evidence] = []
    for dockerfile in repo.dockerfiles():
        chain = stage_chain(dockerfile)
        instruction = nearest(chain, "ENTRYPOINT") or nearest(chain, "CMD")
        if instruction is None:
            continue
        judged += 1
        problem = _signal_problem(instruction)
        evidence = repo.evidence(dockerfile.path, instruction.line)
        if problem is None:
            passing.append(evidence)
        else:
            failures.append(Failure(f"{dockerfile.path}: {instruction.keyword} {problem}", (evidence,)))
    if not judged:
        return CheckResult.not_applicable("no Dockerfile sets a CMD or ENTRYPOINT in its final stage")
    return CheckResult.from_failures(
        failures, f"{judged} Dockerfile(s) start their process so that it receives SIGTERM", *passing
    )
