"""Rollback: can a bad deploy be reverted in minutes, by a procedure someone wrote down?"""

from __future__ import annotations

import re

from readiness import seed
from readiness.checks._documents import find_documents, missing_document, workflow_jobs
from readiness.context import CheckContext
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YMap
from readiness.registry import check

_SERVING_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Rollout"}
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
)
def rollback(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    workloads = [w for w in repo.workloads() if w.kind in _SERVING_KINDS]
    jobs = workflow_jobs(repo)
    deploy_jobs = [
        job
        for job, commands in jobs
        if "deploy" in job.id.lower() or any(_DEPLOY_COMMAND.search(c.text) for c in commands)
    ]
    charts = repo.named("Chart.yaml")
    if not workloads and not charts and not deploy_jobs:
        return CheckResult.not_applicable("no Kubernetes workload, Helm chart or deploy workflow found")
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
        failures.append(
            Failure(
                "no rollback procedure: nothing written down, and no workflow or script runs "
                "`kubectl rollout undo`/`helm rollback`",
                (*absent, Evidence.absent("no workflow job or script running a rollback command")),
            )
        )
    return CheckResult.from_failures(failures, "rollbacks are possible and written down", *procedures)
