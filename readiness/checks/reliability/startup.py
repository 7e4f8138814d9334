"""Startup: are slow starters protected by a startup probe, and does a service wait for its
dependencies instead of crashing when they are not up yet?"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from readiness import seed
from readiness.checks.reliability._code import data_dependencies, declared, evidence, facts
from readiness.checks.reliability._deploy import Site, k8s_sites
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP
from readiness.facts.deploy import SERVING_KINDS
from readiness.facts.images import image_name
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YMap
from readiness.registry import check
from readiness.repo import Repo, Service

# A liveness probe that starts this late is usually a workaround for a slow start.
SLOW_DELAY_SECONDS = 30
_JVM_IMAGE = re.compile(
    r"(^|[/:-])(openjdk|eclipse-temurin|temurin|amazoncorretto|corretto|ibmjava|ibm-semeru-runtimes|jre|jdk"
    r"|tomcat|jetty|wildfly|keycloak|sbt|maven|gradle|elasticsearch|opensearch|kafka|zookeeper)([/:-]|$)",
    re.IGNORECASE,
)
# Python libraries whose import or model load takes tens of seconds before the app can serve.
_MODEL_LIBRARIES = {
    "torch", "tensorflow", "tensorflow-cpu", "transformers", "sentence-transformers", "onnxruntime",
    "onnxruntime-gpu", "spacy", "jax", "keras", "vllm", "xgboost", "lightgbm", "catboost",
}  # fmt: skip


def _delay(probe: Any) -> int:
    value = probe.get("initialDelaySeconds") if isinstance(probe, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _slow_reason(repo: Repo, site: Site) -> tuple[str, Evidence] | None:
    """Why this container is likely to take long to start, with the evidence, or None."""
    spec = site.spec
    for key in ("livenessProbe", "readinessProbe"):
        probe = spec.get(key)
        if _delay(probe) > SLOW_DELAY_SECONDS:
            assert isinstance(probe, YMap)
            line = probe.line_of("initialDelaySeconds")
            return f"its {key} waits {_delay(probe)}s before the first check", repo.evidence(site.path, line)
    if _JVM_IMAGE.search(site.image):
        return "it runs on the JVM", repo.evidence(site.path, spec.line_of("image"))
    # The Dockerfile the image is built from: the service's own, or (for languages that are not
    # detected as services, such as Java) one in a directory named like the image.
    name = image_name(site.image).rsplit("/", 1)[-1]
    for dockerfile in repo.dockerfiles():
        directory = PurePosixPath(dockerfile.path).parent
        if not (
            (site.service is not None and repo.owner(dockerfile.path) == site.service)
            or directory.name == name
        ):
            continue
        for instruction in dockerfile.find("FROM", final_stage_only=True):
            if _JVM_IMAGE.search(instruction.arguments.split()[0] if instruction.arguments else ""):
                return "its image runs on the JVM", repo.evidence(dockerfile.path, instruction.line)
    if site.service is not None and site.service.language == "python":
        models = [where for lib, where in declared(repo, site.service) if lib in _MODEL_LIBRARIES]
        if models:
            return "it loads machine-learning libraries or models", models[0]
    return None


@check(
    id="reliability/startup-probe",
    question=seed.STARTUP_PROBES,
    title="Slow-starting containers have a startup probe",
    severity=Severity.RISK,
    rationale="""
        A container that takes long to start (a JVM warming up, a Python service loading a
        model) is killed by its liveness probe before it is ready, and then again, in a crash
        loop that looks like a bug and gets worse under load. Raising initialDelaySeconds hides
        it but also delays detecting real hangs for the pod's whole life. A startupProbe holds
        liveness off only until the first success.
    """,
    looks_at="""
        Serving containers (Deployments, StatefulSets, DaemonSets, Rollouts) that have a
        livenessProbe and no startupProbe, and show a sign of a slow start: a liveness or
        readiness initialDelaySeconds above 30, a JVM image (or a JVM base image in the
        Dockerfile of the service the image is built from), or a Python service that depends on
        torch, tensorflow, transformers, onnxruntime, spacy and similar. Containers without a
        livenessProbe are not at risk of being killed while starting.
    """,
    remediation="""
        Add a `startupProbe` on the same endpoint as readiness with `failureThreshold x
        periodSeconds` above the worst start time, and bring the liveness probe's
        initialDelaySeconds back to a few seconds.
    """,
    example="""
        startupProbe:
          httpGet: {path: /readyz, port: http}
          periodSeconds: 5
          failureThreshold: 36     # up to 3 minutes to load the model
        livenessProbe:
          httpGet: {path: /livez, port: http}
    """,
)
def startup_probe(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    sites = [site for site in k8s_sites(repo, SERVING_KINDS) if "livenessProbe" in site.spec]
    if not sites:
        return CheckResult.not_applicable("no serving container declares a livenessProbe")
    failures: list[Failure] = []
    protected: list[Evidence] = []
    for site in sites:
        if "startupProbe" in site.spec:
            protected.append(repo.evidence(site.path, site.spec.line_of("startupProbe")))
            continue
        slow = _slow_reason(repo, site)
        if slow is None:
            continue
        reason, proof = slow
        failures.append(
            Failure(
                f"{site.owner} has a livenessProbe but no startupProbe although {reason}: it can be "
                "killed before it finishes starting",
                (repo.evidence(site.path, site.spec.line_of("livenessProbe")), proof),
            )
        )
    return CheckResult.from_failures(
        failures,
        f"{len(sites)} container(s) with a liveness probe: slow starters are protected by a startup probe",
        *protected,
    )


# Libraries that retry with backoff; a service that uses one has a retry policy somewhere.
_GO_RETRY = ("github.com/cenkalti/backoff", "github.com/avast/retry-go", "github.com/sethvargo/go-retry",
             "github.com/hashicorp/go-retryablehttp", "github.com/failsafe-go/failsafe-go")  # fmt: skip
_PY_RETRY = {"tenacity", "backoff", "retrying", "stamina", "retry", "retry2"}


def _retry_evidence(repo: Repo, service: Service) -> Evidence | None:
    retry = [
        where
        for name, where in declared(repo, service)
        if (name.startswith(_GO_RETRY) if service.language == "go" else name in _PY_RETRY)
    ]
    return retry[0] if retry else None


@check(
    id="reliability/dependency-retry",
    question=seed.STARTUP_PROBES,
    title="Services retry their first connection instead of exiting",
    severity=Severity.RISK,
    rationale="""
        Dependencies are not always up first: after a node failure, a cluster restart or a
        Redis failover every pod starts at once. A service that exits on the first failed
        connect crash-loops; Kubernetes backs off exponentially (up to five minutes between
        attempts), so it stays down long after the database is back. Retrying with backoff, or
        a pool that connects lazily and a readiness probe that reports the dependency, lets it
        recover by itself as soon as the dependency does.
    """,
    looks_at="""
        Code of services that declare a database, Redis or broker driver (semgrep): `log.Fatal`,
        `panic` or `os.Exit` straight after a failed `Connect`/`Dial`/`Ping` in Go, and
        `sys.exit`/`SystemExit` in the `except` of a `try` that connects or pings in Python,
        unless a loop or a tenacity/backoff decorator retries it. Retry libraries declared in
        go.mod or the Python requirements are reported as evidence of a retry policy.
    """,
    remediation="""
        Retry the first connection with capped exponential backoff (or let the pool connect
        lazily, as pgxpool and redis clients do), report the dependency in the readiness
        endpoint, and only give up after a deadline long enough to ride out a failover.
    """,
    example="""
        var db *pgxpool.Pool
        err := backoff.Retry(func() (err error) {
            db, err = pgxpool.New(ctx, url)
            if err == nil { err = db.Ping(ctx) }
            return err
        }, backoff.WithMaxRetries(backoff.NewExponentialBackOff(), 10))
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-exit-on-connect-error",
        "py-exit-on-connect-error",
    ),
)
def dependency_retry(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    services = [s for s in repo.services() if data_dependencies(repo, s)]
    if not services:
        return CheckResult.not_applicable("no service declares a database, Redis or broker driver")
    failures: list[Failure] = []
    found: list[Evidence] = []
    for service in services:
        exits = facts(ctx, service, "go-exit-on-connect-error", "py-exit-on-connect-error")
        for exit_ in exits:
            failures.append(
                Failure(
                    f"service {service.name!r} exits when its first connection attempt fails: if the "
                    "dependency is not up yet it crash-loops with growing back-off instead of retrying",
                    (evidence(repo, exit_),),
                )
            )
        retry = _retry_evidence(repo, service)
        if retry is not None and not exits:
            found.append(retry)
    return CheckResult.from_failures(
        failures, f"{len(services)} service(s) with data stores do not exit on a failed first connect", *found
    )
