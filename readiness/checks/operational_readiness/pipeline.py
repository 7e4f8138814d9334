"""Deployment pipeline: does a release pass a gate (an approval, a manual trigger, a canary) first?"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from readiness import seed
from readiness.context import CheckContext
from readiness.facts.documents import as_list, k8s_api_group
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers.yaml_lines import YList, YMap
from readiness.registry import check
from readiness.repo import Repo

# Commands that change what runs in an environment (not `kubectl kustomize`, `helm template`...).
_DEPLOY_COMMAND = re.compile(
    r"^(?!\s*#).*\b("
    r"kubectl\s+(\S+\s+)*?(apply|create|replace|set\s+image|rollout\s+restart|patch)\b"
    r"|helm\s+(\S+\s+)*?(upgrade|install)\b|helmfile\s+(\S+\s+)*?(apply|sync)\b"
    r"|argocd\s+app\s+(sync|set)\b|flux\s+reconcile\b|kubectl\s+argo\s+rollouts\s+(promote|set\s+image)\b"
    r"|skaffold\s+(run|deploy)\b|gcloud\s+(run|app)\s+deploy\b|aws\s+ecs\s+update-service\b"
    r"|aws\s+deploy\b|fly\s+deploy\b|(serverless|sls)\s+deploy\b|terraform\s+apply\b|pulumi\s+up\b"
    r"|cdk\s+deploy\b)",
    re.M,
)
# A script kept in the repository whose name says it deploys (`./deploy/rollout.sh`, `scripts/deploy.sh`).
_DEPLOY_SCRIPT = re.compile(r"^(?!\s*#).*?([\w./-]*(deploy|rollout|release)[\w./-]*\.(sh|bash|py))\b", re.M)
_DEPLOY_ACTIONS = re.compile(
    r"^(azure/k8s-deploy|azure/webapps-deploy|aws-actions/amazon-ecs-deploy-task-definition"
    r"|google-github-actions/deploy-cloudrun|google-github-actions/deploy-appengine"
    r"|deliverybot/helm|bitovi/github-actions-deploy)@",
    re.I,
)
_ROLLBACK = re.compile(r"roll ?back|revert|undo", re.I)
_GITLAB_RESERVED = {
    "stages", "variables", "default", "include", "workflow", "image", "services", "before_script",
    "after_script", "cache", "pages",
}  # fmt: skip


@dataclass(frozen=True)
class DeployJob:
    path: str
    line: int
    name: str
    proof: Evidence  # the step that deploys
    gate: Evidence | None  # an environment (approvals live there) or a manual trigger
    automatic: Evidence | None  # what starts it without a person: a push to a branch, a schedule


def _triggers(repo: Repo, path: str, document: YMap) -> Evidence | None:
    """The trigger that deploys without a person deciding to: a push to branches, or a schedule.

    `workflow_dispatch`, `release`, and pushes of tags only are decisions someone takes.
    """
    key = "on" if "on" in document else True  # YAML 1.1 reads an unquoted `on:` as true
    triggers = document.get(key)
    line = document.line_of(key) if key in document else 1
    if isinstance(triggers, str):
        triggers = YList([triggers])
    if isinstance(triggers, list):
        names = [str(t) for t in triggers]
        return repo.evidence(path, line) if "push" in names or "schedule" in names else None
    if not isinstance(triggers, YMap):
        return None
    if "schedule" in triggers:
        return repo.evidence(path, triggers.line_of("schedule"))
    if "push" in triggers:
        push = triggers.get("push")
        tags_only = isinstance(push, YMap) and ("tags" in push) and "branches" not in push
        if not tags_only:
            return repo.evidence(path, triggers.line_of("push"))
    return None


def _github_jobs(repo: Repo) -> list[DeployJob]:
    found: list[DeployJob] = []
    for path in repo.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
        for document in repo.yaml(path)[:1]:
            if not isinstance(document, YMap) or not isinstance(document.get("jobs"), YMap):
                continue
            automatic = _triggers(repo, path, document)
            jobs: YMap = document["jobs"]
            for job_id, job in jobs.items():
                if not isinstance(job, YMap) or _ROLLBACK.search(f"{job_id} {job.get('name', '')}"):
                    continue  # a rollback job restores the last release; it is judged by disaster-recovery
                proof = _deploy_step(repo, path, job)
                if proof is None:
                    continue
                gate = None
                if job.get("environment"):
                    gate = repo.evidence(path, job.line_of("environment"), note="GitHub environment")
                found.append(DeployJob(path, jobs.line_of(job_id), str(job_id), proof, gate, automatic))
    return found


def _deploy_step(repo: Repo, path: str, job: YMap) -> Evidence | None:
    for step in as_list(job.get("steps")):
        if not isinstance(step, YMap):
            continue
        run, uses = step.get("run"), step.get("uses")
        if isinstance(run, str) and (_DEPLOY_COMMAND.search(run) or _DEPLOY_SCRIPT.search(run)):
            return repo.evidence(path, step.line_of("run"))
        if isinstance(uses, str) and _DEPLOY_ACTIONS.match(uses):
            return repo.evidence(path, step.line_of("uses"))
    return None


def _gitlab_jobs(repo: Repo) -> list[DeployJob]:
    found: list[DeployJob] = []
    for path in repo.named(".gitlab-ci.yml"):
        for document in repo.yaml(path)[:1]:
            if not isinstance(document, YMap):
                continue
            for job_id, job in document.items():
                if (
                    str(job_id) in _GITLAB_RESERVED
                    or str(job_id).startswith(".")
                    or not isinstance(job, YMap)
                ):
                    continue
                if _ROLLBACK.search(str(job_id)):
                    continue
                script = job.get("script")
                lines = [str(s) for s in as_list(script)] if isinstance(script, list) else [str(script or "")]
                text = "\n".join(lines)
                if not (_DEPLOY_COMMAND.search(text) or _DEPLOY_SCRIPT.search(text)):
                    continue
                manual = job.get("when") == "manual" or any(
                    isinstance(rule, YMap) and rule.get("when") == "manual"
                    for rule in as_list(job.get("rules"))
                )
                gate = None
                if job.get("environment") or manual:
                    key = "environment" if job.get("environment") else ("when" if "when" in job else "rules")
                    gate = repo.evidence(path, job.line_of(key), note="GitLab environment or manual job")
                proof = repo.evidence(path, job.line_of("script"))
                automatic = None if manual else repo.evidence(path, document.line_of(job_id))
                found.append(DeployJob(path, document.line_of(job_id), str(job_id), proof, gate, automatic))
    return found


def _progressive(repo: Repo) -> list[Evidence]:
    """Canary and blue/green rollouts: a bad release reaches a slice of traffic, then stops."""
    found: list[Evidence] = []
    for obj in repo.k8s_objects():
        spec = obj.body.get("spec")
        if obj.kind == "Rollout" and k8s_api_group(obj) == "argoproj.io" and isinstance(spec, YMap):
            strategy = spec.get("strategy")
            for kind in ("canary", "blueGreen"):
                if isinstance(strategy, YMap) and kind in strategy:
                    note = f"Argo Rollout {obj.name!r}: {kind}"
                    found.append(repo.evidence(obj.path, strategy.line_of(kind), note=note))
        elif obj.kind == "Canary" and k8s_api_group(obj) == "flagger.app":
            found.append(repo.evidence(obj.path, obj.line, note=f"Flagger canary {obj.name!r}"))
    return found


def _gitops(repo: Repo) -> list[Evidence]:
    """Pull-based delivery: Argo CD Applications and Flux Kustomizations/HelmReleases."""
    kinds = {
        ("Application", "argoproj.io"),
        ("ApplicationSet", "argoproj.io"),
        ("Kustomization", "kustomize.toolkit.fluxcd.io"),
        ("HelmRelease", "helm.toolkit.fluxcd.io"),
    }
    return [
        repo.evidence(o.path, o.line, note=f"{o.kind} {o.name!r}")
        for o in repo.k8s_objects()
        if (o.kind, k8s_api_group(o)) in kinds
    ]


@check(
    id="operational-readiness/deploy-pipeline",
    question=seed.DEPLOY_PIPELINE,
    title="Production deploys pass a gate: an approval, a manual trigger or a canary",
    severity=Severity.RISK,
    rationale="""
        A workflow that deploys every push to main puts each merged change in front of all the
        traffic with nobody deciding to: a bad merge at 5pm is an outage at 5:05pm. A GitHub
        environment (with required reviewers and branch rules), a manual release trigger, or a
        canary/blue-green rollout that stops on bad metrics puts a decision or a small blast
        radius between a merge and the whole fleet.
    """,
    looks_at="""
        GitHub workflow jobs (and GitLab CI jobs) that deploy: steps running `kubectl apply/set
        image`, `helm upgrade/install`, `argocd app sync`, `flux reconcile`, cloud deploy
        commands, deploy actions, or a repository script named deploy/rollout/release; the job's
        `environment:` and the workflow's triggers (push to branches, schedule vs
        workflow_dispatch, release, tags). Argo Rollouts with a canary/blueGreen strategy and
        Flagger Canaries; Argo CD Applications and Flux objects when no workflow deploys.
    """,
    remediation="""
        Give each deploy job an environment (`environment: production`) and configure required
        reviewers and a deployment branch rule on it in the repository settings; deploy staging
        first. Or trigger production deploys by hand (`workflow_dispatch`, a release) or roll them
        out as a canary (Argo Rollouts, Flagger) with automatic analysis.
    """,
    example="""
        jobs:
          deploy-production:
            needs: deploy-staging
            environment: production     # required reviewers configured on the environment
            steps:
              - run: ./deploy/rollout.sh "$VERSION"
    """,
)
def deploy_pipeline(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    jobs = _github_jobs(repo) + _gitlab_jobs(repo)
    progressive = _progressive(repo)
    if not jobs:
        gitops = _gitops(repo)
        if gitops or progressive:
            return CheckResult.passed(
                "deploys are pulled by GitOps or rolled out progressively; no CI job pushes them",
                *gitops,
                *progressive,
            )
        return CheckResult.not_applicable(
            "no CI job deploys and no Argo CD/Flux object: the deploy pipeline is not in this repository"
        )
    failures: list[Failure] = []
    evidence: list[Evidence] = []
    for job in jobs:
        where = repo.evidence(job.path, job.line, note=f"job {job.name!r}")
        if job.gate is not None:
            evidence.append(job.gate)
        elif job.automatic is None:
            evidence.append(repo.evidence(job.path, job.line, note=f"job {job.name!r} is started by hand"))
        else:
            trigger = PurePosixPath(job.path).name
            if progressive:
                message = (
                    f"job {job.name!r} ({trigger}) deploys automatically with no environment or approval; "
                    "the canary/blue-green rollout limits the blast radius, but nobody decides to release"
                )
                failures.append(
                    Failure(message, (where, job.automatic, progressive[0]), Severity.RECOMMENDATION)
                )
            else:
                message = (
                    f"job {job.name!r} ({trigger}) deploys on every push with no environment, approval or "
                    "canary: each merged change goes straight to all production traffic"
                )
                failures.append(Failure(message, (where, job.automatic, job.proof)))
    return CheckResult.from_failures(
        failures,
        f"{len(jobs)} deploy job(s), each behind an environment or a manual trigger",
        *evidence,
        *progressive,
    )
