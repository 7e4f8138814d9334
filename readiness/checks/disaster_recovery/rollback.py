"""Rollback: can a bad deploy be reverted in minutes, by a procedure someone wrote down?"""

from __future__ import annotations

import dataclasses
import re

from readiness import seed
from readiness.context import CheckContext
from readiness.facts.deploy import SERVING_KINDS
from readiness.facts.documents import find_documents, missing_document, workflow_jobs
from readiness.facts.production import is_production
from readiness.model import Answer, CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YMap
from readiness.registry import check
from readiness.repo import K8sObject, Repo

_ROLLBACK_SUBJECT = re.compile(r"\b(roll ?backs?|rolling back|revert(ing)? (a )?(bad )?deploy(ment)?s?)\b")
# Commented-out commands don't roll anything back.
_ROLLBACK_COMMAND = re.compile(
    r"^(?!\s*#).*\b(kubectl\s+(argo\s+)?rollouts?\s+undo|helm\s+rollback|argocd\s+app\s+rollback)\b",
    re.M,  # a workflow step's `run: |` holds several lines
)
_DEPLOY_COMMAND = re.compile(
    r"\b(kubectl\s+(apply|set\s+image)|helm\s+(upgrade|install)|argocd\s+app\s+sync)\b"
)


@check(
    id="disaster-recovery/rollback",
    question=seed.ROLLBACK,
    title="A bad deploy can be rolled back, and the procedure is written down",
    severity=Severity.RISK,
    rationale="""
        The fastest fix for most incidents after a deploy is to put the previous version back.
        That only takes minutes when the previous revision still exists (`revisionHistoryLimit`
        above 0) and the steps are written down or scripted, so nobody has to work out
        `kubectl rollout undo` or `helm rollback` during an outage.
    """,
    looks_at="""
        Deployments and Argo Rollouts (`revisionHistoryLimit: 0` throws old ReplicaSets away);
        documents or sections whose path or heading names rollback, with content; GitHub
        workflow jobs named rollback or running `kubectl rollout undo`, `helm rollback` or
        `argocd app rollback`; shell scripts and Makefiles running them. Applies when the
        repository deploys something (Kubernetes workloads, a Helm chart or a deploy workflow).
    """,
    remediation="""
        Keep `revisionHistoryLimit` at its default (10) or at least 3. Write a rollback runbook
        with the exact commands and how to verify the result, and ideally add a manually
        triggered workflow that runs `helm rollback <release>` or `kubectl rollout undo`.
    """,
    example="""
        # docs/runbooks/rollback.md
        ## Roll back the bidder
        kubectl -n bidder rollout undo deployment/bidder
        kubectl -n bidder rollout status deployment/bidder --timeout=5m
    """,
    core=True,
)
def rollback(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    workloads = [w for w in repo.workloads() if w.kind in SERVING_KINDS and is_production(w.path)]
    jobs = workflow_jobs(repo)
    deploy_jobs = [
        job
        for job, commands in jobs
        if "deploy" in job.id.lower() or any(_DEPLOY_COMMAND.search(c.text) for c in commands)
    ]
    charts = [c for c in repo.named("Chart.yaml") if is_production(c)]
    releases = _versioned_releases(repo)
    if not workloads and not charts and not deploy_jobs and not releases:
        return CheckResult.not_applicable(
            "no Kubernetes workload, Helm chart, deploy workflow or versioned release found"
        )
    failures: list[Failure] = []
    for workload in workloads:
        spec = workload.body.get("spec")
        if isinstance(spec, YMap) and spec.get("revisionHistoryLimit") == 0:
            failures.append(
                Failure(
                    f"{workload.kind} {workload.name!r} keeps no old revisions (revisionHistoryLimit: 0): "
                    "`kubectl rollout undo` has nothing to go back to",
                    (repo.evidence(workload.path, spec.line_of("revisionHistoryLimit")),),
                )
            )
    documents = find_documents(repo, _ROLLBACK_SUBJECT, any_heading=True)
    procedures = [m.evidence(repo) for m in documents if m.substantial]
    for job, commands in jobs:
        scripted = [c for c in commands if _ROLLBACK_COMMAND.search(c.text)]
        if scripted or "rollback" in f"{job.id} {job.name}".lower():
            line = scripted[0].line_of(repo, _ROLLBACK_COMMAND) if scripted else job.line
            procedures.append(repo.evidence(job.path, line, note=f"workflow job {job.id!r}"))
    scripts = repo.with_suffix(".sh", ".bash") + repo.named("Makefile", "*.mk", "justfile")
    procedures += [repo.evidence(m.path, m.line) for m in repo.search(_ROLLBACK_COMMAND, scripts)]
    if not procedures:
        absent = missing_document(repo, "rollback document or section", documents)
        mechanism = _mechanism(repo, workloads, charts) + releases
        if mechanism:
            # The previous version can be put back (a revision to undo to, a versioned image to
            # redeploy), but nobody wrote down how: a partial answer.
            failures.append(
                Failure(
                    "a previous version can be redeployed (versioned images, revisions to undo to), but no "
                    "rollback procedure is written down or scripted",
                    (*mechanism[:3], *absent),
                )
            )
            return dataclasses.replace(CheckResult.failed(failures), answer=Answer.PARTIAL)
        failures.append(
            Failure(
                "no rollback procedure: nothing written down, no workflow or script runs "
                "`kubectl rollout undo`/`helm rollback`, and the images are not versioned",
                (*absent, Evidence.absent("no workflow job or script running a rollback command")),
            )
        )
    return CheckResult.from_failures(failures, "rollbacks are possible and written down", *procedures)


# Tags that move to each new build: redeploying them brings back nothing older.
_MOVING_TAGS = {"", "latest", "main", "master", "dev", "develop", "edge", "nightly", "stable"}
_IMAGE_VALUE = re.compile(r"^\s*(?:tag|version|imageTag|image_tag)\s*:\s*[\"']?([^\s\"'#]*)")
# A release workflow that pushes images tagged by version: each release can be redeployed.
_VERSION_TAGGING = re.compile(
    r"type=semver|type=ref,event=tag|github\.ref_name|GITHUB_REF_NAME|refs/tags/|github\.event\.release\.tag_name"
)
_IMAGE_PUSH = re.compile(r"docker/build-push-action|docker\s+push|buildah\s+push|ko\s+publish|goreleaser|jib")


def _tag(image: str) -> str:
    name = image.split("@", 1)[0].rsplit("/", 1)[-1]
    return name.partition(":")[2]


def _mechanism(repo: Repo, workloads: list[K8sObject], charts: list[str]) -> list[Evidence]:
    """Where an earlier version can be put back from: Deployments running versioned images
    (`kubectl rollout undo`), Helm charts whose values pin an image version (`helm rollback`)."""
    found: list[Evidence] = []
    for workload in workloads:
        for container in workload.containers():
            image = container.get("image")
            if isinstance(image, str) and ("@" in image or _tag(image).lower() not in _MOVING_TAGS):
                found.append(repo.evidence(workload.path, container.line_of("image")))
                break
    for chart in charts:
        values = chart.rsplit("/", 1)[0] + "/values.yaml" if "/" in chart else "values.yaml"
        if not repo.exists(values):
            continue
        for match in repo.search(_IMAGE_VALUE, [values]):
            value = _IMAGE_VALUE.match(match.text)
            if value is not None and value.group(1).lower() not in _MOVING_TAGS:
                found.append(repo.evidence(values, match.line))
                break
    return found


def _versioned_releases(repo: Repo) -> list[Evidence]:
    workflows = [p for p in repo.glob(".github/workflows/*.yml", ".github/workflows/*.yaml")]
    found = []
    for path in workflows:
        text = repo.text(path)
        if _IMAGE_PUSH.search(text) and (tagged := repo.search(_VERSION_TAGGING, [path])):
            found.append(repo.evidence(path, tagged[0].line, note="release images tagged by version"))
    return found[:2]
