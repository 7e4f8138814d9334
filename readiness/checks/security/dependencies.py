"""Dependency vulnerabilities: is what runs in production the image that was scanned?"""

from __future__ import annotations

from readiness import seed
from readiness.checks.security._images import image_uses, tag_problem
from readiness.context import CheckContext
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check


@check(
    id="security/pinned-images",
    question=seed.DEPENDENCY_VULNS,
    title="Container images are pinned to a version or digest",
    severity=Severity.RISK,
    rationale="""
        An image without a tag, or tagged `latest`, is a different image on every pull: the
        vulnerability scan, the load test and the review all looked at something else than what
        a node pulls after a restart. A new base release can break the service or reintroduce a
        fixed CVE with no change in the repository, and a rollback does not roll it back.
    """,
    looks_at="""
        Images in Dockerfile `FROM` lines (not `scratch` and not earlier build stages; global
        ARG defaults are substituted), Kubernetes containers and init containers of every
        workload, and compose services that pull an image rather than build one. A reference
        whose tag is still a build variable cannot be judged and is skipped.
    """,
    remediation="""
        Pin every image to a version tag, better to a digest (`redis:7.2.4@sha256:...`), and let
        Renovate or Dependabot propose the updates so they are reviewed, scanned and rolled out
        like any other change.
    """,
    example="""
        FROM golang:1.22.5-bookworm@sha256:<digest> AS build
        FROM gcr.io/distroless/static-debian12:nonroot
    """,
)
def pinned_images(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    # An unresolved build variable (`FROM $BASE`) says nothing about the tag it will get.
    uses = [use for use in image_uses(repo) if "$" not in use.image]
    if not uses:
        return CheckResult.not_applicable("no container image referenced")
    failures: list[Failure] = []
    pinned: list[Evidence] = []
    for use in uses:
        problem = tag_problem(use.image)
        evidence = repo.evidence(use.path, use.line)
        if problem is None:
            pinned.append(evidence)
        else:
            failures.append(Failure(f"{use.where} image {use.image!r} {problem}", (evidence,)))
    return CheckResult.from_failures(failures, f"{len(pinned)} image reference(s) are pinned", *pinned)
