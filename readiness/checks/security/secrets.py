"""Secrets management: are secrets injected at run time rather than written into images and files?"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import PurePosixPath
from typing import Any

from readiness import seed
from readiness.checks.security._credentials import WELL_KNOWN_PASSWORDS, placeholder
from readiness.checks.security._images import from_image, global_args, resolve
from readiness.checks.security._secrets import assignments, leak, secret_name
from readiness.context import CheckContext
from readiness.model import Answer, CheckResult, Evidence, Failure, Severity
from readiness.parsers.dockerfile import Dockerfile, nearest, stage_chain
from readiness.parsers.yaml_lines import YList, YMap
from readiness.registry import check
from readiness.repo import Repo

# Compose files that only ever run on a laptop or in CI (`override` is merged automatically by a
# local `docker compose up`): a literal password for a throwaway local database there is a
# recommendation, not a launch blocker.
_LOCAL_COMPOSE = re.compile(
    r"[.-](dev|develop|development|local|override|test|tests|ci|e2e)[.-]", re.IGNORECASE
)


def _compose_environment(environment: Any) -> list[tuple[str, Any, int]]:
    """(name, value, line) of both spellings of `environment:`; `- NAME` alone passes the host's value."""
    if isinstance(environment, YMap):
        return [(str(name), value, environment.line_of(name)) for name, value in environment.items()]
    if isinstance(environment, YList):
        found: list[tuple[str, Any, int]] = []
        for index, item in enumerate(environment):
            name, separator, value = str(item).partition("=")
            found.append((name, value if separator else None, environment.line_of(index)))
        return found
    return []


@check(
    id="security/no-secrets-in-images",
    question=seed.SECRETS,
    title="No secret is written into a Dockerfile or a compose file",
    severity=Severity.BLOCKER,
    rationale="""
        A password in an `ENV` or `ARG` is in the Git history forever and in every copy of the
        image: anyone who can pull it reads it with `docker inspect` or `docker history`.
        Build arguments are recorded in the image history too, so `ARG NPM_TOKEN` in the final
        stage leaks whatever was passed at build time. Rotating such a secret means rebuilding
        and redeploying everything, so in practice it is never rotated.
    """,
    looks_at="""
        `ENV` and `ARG` instructions of every Dockerfile and `environment:` of every compose
        service: names that look like secrets (PASSWORD, SECRET, TOKEN, API_KEY, PRIVATE_KEY,
        ACCESS_KEY, CREDENTIALS...) with a literal value, and any value holding a URL with a
        password (`postgres://user:pass@db`). `${VAR}` references and `*_FILE` paths are fine.
        Compose files named for dev, local, test or CI are graded as recommendations. Values
        are never shown in the report.
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
    grouped: dict[tuple[str, str, bool], list[Evidence]] = {}
    defaults = 0
    # Evidence is built by hand throughout: repo.evidence() quotes the line, which holds the secret.
    for dockerfile in dockerfiles:
        image_stages = {stage[0].stage for stage in stage_chain(dockerfile) if stage}
        for instruction in dockerfile.instructions:
            if instruction.keyword not in ("ENV", "ARG"):
                continue
            for name, value in assignments(instruction.arguments):
                where = f"{instruction.keyword} {name}"
                if (problem := _leak(name, value)) is not None:
                    evidence = Evidence(dockerfile.path, instruction.line, f"{where}=<redacted>")
                    failures.append(Failure(f"{where} {problem} (redacted)", (evidence,)))
                elif (
                    where.startswith("ARG")
                    and value is None
                    and secret_name(name)
                    and (
                        instruction.stage in image_stages  # a builder stage's history is not shipped
                    )
                ):
                    failures.append(
                        Failure(
                            f"{where} takes a secret as a build argument of the shipped stage, and the image "
                            "history records build arguments; use RUN --mount=type=secret instead",
                            (Evidence(dockerfile.path, instruction.line, where),),
                            Severity.RISK,
                        )
                    )
    for compose in composes:
        local = bool(_LOCAL_COMPOSE.search("." + PurePosixPath(compose.path).name))
        dotenv = _dotenv(repo, compose.path)
        for service_name, service in compose.services.items():
            for name, value, line in _compose_environment(service.get("environment")):
                default = None if local else _default_credential(name, value, dotenv)
                if default is not None:
                    defaults += 1
                    failures.append(
                        Failure(
                            f"compose service {service_name!r}: {name} resolves to a well-known default "
                            f"({default}): the deployment runs with a credential anyone can guess",
                            (Evidence(compose.path, line, f"{name}: <redacted>"),),
                            Severity.RISK,
                        )
                    )
                    continue
                if (problem := _leak(name, value)) is not None:
                    # The same value in several compose files is one secret to rotate: one finding.
                    key = (name, hashlib.sha256(str(value).encode()).hexdigest(), local)
                    place = Evidence(compose.path, line, f"{name}: <redacted>")
                    if key in grouped:
                        grouped[key].append(place)
                        continue
                    grouped[key] = [place]
                    failures.append(
                        Failure(
                            f"compose service {service_name!r}: {name} {problem} (redacted)",
                            (place,),
                            Severity.RECOMMENDATION if local else None,
                        )
                    )
    failures = [_with_copies(f, grouped) for f in failures]
    result = CheckResult.from_failures(
        failures,
        f"no literal secret in {len(dockerfiles)} Dockerfile(s) and {len(composes)} compose file(s)",
        *(Evidence(path) for path in [d.path for d in dockerfiles] + [c.path for c in composes]),
    )
    if failures and defaults == len(failures):
        # Secrets are injected, not written in; what ships is a guessable default: partial.
        return dataclasses.replace(result, answer=Answer.PARTIAL)
    return result


_INTERPOLATION = re.compile(r"^\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<default>[^}]*))?\}$")


def _dotenv(repo: Repo, compose_path: str) -> dict[str, tuple[str, int]]:
    """`.env` beside a compose file, as compose reads it for interpolation: NAME -> (value, line)."""
    folder = compose_path.rsplit("/", 1)[0] + "/" if "/" in compose_path else ""
    path = folder + ".env"
    if not repo.exists(path):
        return {}
    found: dict[str, tuple[str, int]] = {}
    for number, text in enumerate(repo.lines(path), start=1):
        name, separator, value = text.strip().removeprefix("export ").partition("=")
        if separator and name and not name.startswith("#"):
            found[name.strip()] = (value.strip().strip("\"'"), number)
    return found


def _default_credential(name: str, value: Any, dotenv: dict[str, tuple[str, int]]) -> str | None:
    """Where a secret-named variable gets a well-known value (a placeholder, an image's default):
    written out, as a `${VAR:-default}` fallback, or from the committed `.env` compose interpolates.
    The value is never returned, only where it comes from."""
    if not secret_name(name) or value is None:
        return None
    text = str(value).strip().strip("\"'")
    where = "written in the compose file"
    interpolated = _INTERPOLATION.match(text)
    if interpolated is not None:
        variable = interpolated.group("name")
        if variable in dotenv:
            text, line = dotenv[variable]
            where = f"{variable} in the committed .env, line {line}"
        elif interpolated.group("op") in (":-", "-"):
            text = interpolated.group("default") or ""
            where = f"the fallback of ${{{variable}}}"
        else:
            return None
    if not text or text.startswith("$"):
        return None
    return where if placeholder(text) or text.lower() in WELL_KNOWN_PASSWORDS else None


def _with_copies(failure: Failure, grouped: dict[tuple[str, str, bool], list[Evidence]]) -> Failure:
    places = next((p for p in grouped.values() if p and p[0] == failure.evidence[0]), None)
    if places is None or len(places) == 1:
        return failure
    message = failure.message.replace(" (redacted)", f" in {len(places)} compose files (redacted)")
    return Failure(message, tuple(places), failure.severity)


def _leak(name: str, value: Any) -> str | None:
    """A secret set to a literal, unless the literal stands for one (`changethis`, `<token>`)."""
    if value is not None and placeholder(str(value).strip().strip("\"'")):
        return None
    return leak(name, value)


_SERVING_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Rollout"}
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
    workloads = [w for w in repo.workloads() if w.kind in _SERVING_KINDS]
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
