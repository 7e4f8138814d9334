"""Secrets management: are secrets injected at run time rather than written into images and files?"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from readiness import seed
from readiness.checks.security._images import from_image, global_args, resolve
from readiness.context import CheckContext
from readiness.facts import secrets
from readiness.facts.deploy import SERVING_KINDS
from readiness.model import Answer, CheckResult, Evidence, Failure, Severity
from readiness.parsers.dockerfile import Dockerfile, nearest, stage_chain
from readiness.parsers.yaml_lines import YMap
from readiness.registry import check

# Compose files that only ever run on a laptop or in CI (`override` is merged automatically by a
# local `docker compose up`): a literal password for a throwaway local database there is a
# recommendation, not a launch blocker.
_LOCAL_COMPOSE = re.compile(
    r"[.-](dev|develop|development|local|override|test|tests|ci|e2e)[.-]", re.IGNORECASE
)


@check(
    id="security/no-secrets-in-images",
    question=seed.SECRETS,
    title="No secret is baked into an image's history or left at a well-known default",
    severity=Severity.BLOCKER,
    rationale="""
        A password in an `ENV` or `ARG` is in the Git history forever and in every copy of the
        image: anyone who can pull it reads it with `docker inspect` or `docker history`.
        Build arguments are recorded in the image history too, so `ARG NPM_TOKEN` in the final
        stage leaks whatever was passed at build time. Rotating such a secret means rebuilding
        and redeploying everything, so in practice it is never rotated.
    """,
    looks_at="""
        `ARG` instructions of the shipped stage of every Dockerfile whose name looks like a secret
        (PASSWORD, SECRET, TOKEN, API_KEY, ...), and `environment:` of every compose service whose
        secret-named value resolves to a well-known default (a placeholder such as `changeme`, an
        image's default password), written out, as a `${VAR:-default}` fallback or from the
        committed `.env` compose interpolates. Literal secrets in ENV lines and compose files are
        security/no-hardcoded-secrets' findings. Values are never shown in the report.
    """,
    remediation="""
        Remove the value and rotate the secret (it is compromised). Inject it at run time from a
        Kubernetes Secret, a secret manager or `env_file` kept out of Git; at build time, use
        `RUN --mount=type=secret,id=npm_token` instead of a build argument.
    """,
    example="""
        # Dockerfile
        RUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci
        # compose
        environment:
          REDIS_PASSWORD: ${REDIS_PASSWORD:?set REDIS_PASSWORD}
    """,
    core=True,
)
def no_secrets_in_images(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    dockerfiles, composes = repo.dockerfiles(), repo.compose_files()
    if not dockerfiles and not composes:
        return CheckResult.not_applicable("no Dockerfile or compose file found")
    failures: list[Failure] = []
    found = secrets.settings(repo)
    # Evidence is built by hand throughout: repo.evidence() quotes the line, which holds the secret.
    for setting in found:
        if setting.kind is secrets.Kind.BUILD_ARG:
            failures.append(
                Failure(
                    f"{setting.owner} {setting.problem}, and the image history records build arguments; "
                    "use RUN --mount=type=secret instead",
                    (Evidence(setting.path, setting.line, setting.owner),),
                    Severity.RISK,
                )
            )
        elif setting.kind is secrets.Kind.DEFAULT:
            failures.append(
                Failure(
                    f"{setting.owner} {setting.problem} ({setting.default_from}): the deployment runs with "
                    "a credential anyone can guess",
                    (Evidence(setting.path, setting.line, f"{setting.name}: <redacted>"),),
                    Severity.RISK,
                )
            )
    literals = sum(1 for s in found if s.kind is secrets.Kind.LITERAL)
    summary = (
        f"no secret build argument or default credential in {len(dockerfiles)} Dockerfile(s) and "
        f"{len(composes)} compose file(s)"
    )
    if literals:
        summary += f"; {literals} literal secret(s) there are security/no-hardcoded-secrets' findings"
    result = CheckResult.from_failures(
        failures,
        summary,
        *(Evidence(path) for path in [d.path for d in dockerfiles] + [c.path for c in composes]),
    )
    if failures and all(s.kind is secrets.Kind.DEFAULT for s in found if s.kind is not secrets.Kind.LITERAL):
        # Secrets are injected, not written in; what ships is a guessable default: partial.
        return dataclasses.replace(result, answer=Answer.PARTIAL)
    return result


_INTERPOLATION = re.compile(r"^\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<default>[^}]*))?\}$")


_ROOT = {"root", "0"}


def _dockerfile_runs_as_root(dockerfile: Dockerfile) -> tuple[bool, int, str] | None:
    """(runs as root?, line to point at, why) for the shipped stage, or None for an empty file.
    Without a USER the base image decides: distroless `:nonroot` tags run as uid 65532."""
    chain = stage_chain(dockerfile)
    user = nearest(chain, "USER")
    if user is not None:
        root = user.arguments.split(":", 1)[0].strip().lower() in _ROOT
        return root, user.line, f"USER {user.arguments}"
    final_from = next((i for i in chain[0] if i.keyword == "FROM"), None) if chain else None
    base = next((i for i in chain[-1] if i.keyword == "FROM"), None) if chain else None
    if final_from is None or base is None:
        return None
    image = resolve(from_image(base)[0], global_args(dockerfile))
    root = "nonroot" not in image.rsplit("/", 1)[-1].partition(":")[2]
    why = f"no USER, and base image {image} is assumed to run as root" if root else f"{image} is non-root"
    return root, final_from.line, why


def _security_context_user(context: Any) -> bool | None:
    """True for non-root, False for root, None when the context does not say. An explicit
    runAsUser decides over runAsNonRoot (with uid 0 the kubelet refuses to start the pod)."""
    if not isinstance(context, dict):
        return None
    user = context.get("runAsUser")
    if isinstance(user, int) and not isinstance(user, bool):
        return user != 0
    non_root = context.get("runAsNonRoot")
    return non_root if isinstance(non_root, bool) else None


@check(
    id="security/non-root",
    question=seed.SECRETS,
    title="Containers do not run as root",
    severity=Severity.RISK,
    rationale="""
        A process running as root inside the container reads every secret mounted into the pod,
        can rewrite its own binaries, and turns any container-escape bug into root on the node,
        where the other services' secrets live. Running as an unprivileged user is the cheapest
        containment there is for a remote-code-execution bug in a parser.
    """,
    looks_at="""
        The shipped (final) stage of each Dockerfile: its effective `USER`, or a distroless
        `:nonroot` base image. Separately, each container of Deployments, StatefulSets,
        DaemonSets and Rollouts: `securityContext.runAsNonRoot: true` or a non-zero `runAsUser`
        on the container or its pod. Kubernetes is judged on its own because only
        `runAsNonRoot` makes the kubelet refuse an image that would run as root.
    """,
    remediation="""
        Create an unprivileged user in the image and end the final stage with `USER 10001`
        (or build on `gcr.io/distroless/*:nonroot`), and set `runAsNonRoot: true` in the pod's
        securityContext so a root image is refused instead of started.
    """,
    example="""
        securityContext:
          runAsNonRoot: true
          runAsUser: 10001
    """,
)
def non_root(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    dockerfiles = repo.dockerfiles()
    workloads = [w for w in repo.workloads() if w.kind in SERVING_KINDS]
    if not dockerfiles and not workloads:
        return CheckResult.not_applicable("no Dockerfile and no serving Kubernetes workload found")
    failures: list[Failure] = []
    unprivileged: list[Evidence] = []
    for dockerfile in dockerfiles:
        verdict = _dockerfile_runs_as_root(dockerfile)
        if verdict is None:
            continue
        root, line, why = verdict
        if not root:
            unprivileged.append(repo.evidence(dockerfile.path, line))
            continue
        failures.append(
            Failure(
                f"{dockerfile.path}: the final stage runs as root ({why})",
                (repo.evidence(dockerfile.path, line),),
            )
        )
    for workload in workloads:
        pod = workload.pod_spec()
        pod_context = pod.get("securityContext") if pod is not None else None
        for container in workload.containers():
            # The container's own securityContext wins over the pod's; a pod-wide runAsNonRoot
            # covers every container that says nothing itself.
            context = container.get("securityContext")
            if _security_context_user(context) is None:
                context = pod_context
            non_root_user = _security_context_user(context)
            if non_root_user and isinstance(context, YMap):
                unprivileged.append(repo.evidence(workload.path, context.line))
                continue
            how = "runs as root (runAsUser: 0 or runAsNonRoot: false)"
            if non_root_user is None:
                how = "may run as root: neither it nor its pod sets runAsNonRoot or runAsUser"
            name = container.get("name", "?")
            failures.append(
                Failure(
                    f"{workload.kind} {workload.name!r} container {name!r} {how}",
                    (repo.evidence(workload.path, container.line),),
                )
            )
    return CheckResult.from_failures(
        failures, f"{len(unprivileged)} image(s) and container(s) run as a non-root user", *unprivileged
    )
