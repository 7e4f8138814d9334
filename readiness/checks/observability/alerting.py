"""Alerting: what alerts exist, and would they page the right person with something to act on?"""

from __future__ import annotations

import posixpath
import re

from readiness import seed
from readiness.checks.observability._rules import Alert, alerts
from readiness.context import CheckContext
from readiness.facts.deploy import SERVING_KINDS
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check

_ZERO_DURATION = re.compile(r"(0+(ms|s|m|h|d|w|y)?)+")
# `.../<repo>/blob/<ref>/<path>` on GitHub, `.../<repo>/-/blob/<ref>/<path>` on GitLab.
_REPO_LINK = re.compile(r"/([^/]+?)(?:\.git)?/(?:-/)?(?:blob|tree)/[^/]+/([^?#]+)")
_COUNTER = re.compile(r"\b([A-Za-z_:][\w:]*_total)\b")
_COUNTER_FUNCTION = re.compile(r"\b(?:i?rate|increase|resets|changes)\s*\(")


@check(
    id="observability/alert-rules",
    question=seed.ALERTING,
    title="Alerting rules exist for the deployed services",
    severity=Severity.RISK,
    rationale="""
        Dashboards only help someone who is already looking. Without alerting rules an outage is
        discovered by a publisher's support ticket or by revenue dropping, hours after it began.
    """,
    looks_at="""
        Prometheus rule files (YAML with a top-level `groups:` whose rules have `alert:`) and
        PrometheusRule objects. Judged only when the repository deploys something: Kubernetes
        workloads, compose services, or Go/Python/Node projects.
    """,
    remediation="""
        Add rule files (or PrometheusRule objects) next to the deployment, starting with the
        symptoms users feel: error ratio, p99 latency, saturation, and "target down" for each
        service. Keep them in the repository so they are reviewed and deployed with the code.
    """,
    example="""
        groups:
          - name: bidder
            rules:
              - alert: BidderHighErrorRate
                expr: sum(rate(http_requests_total{job="bidder",code=~"5.."}[5m]))
                  / sum(rate(http_requests_total{job="bidder"}[5m])) > 0.02
                for: 10m
    """,
    core=True,
)
def alert_rules(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    found = alerts(repo)
    if found:
        names = ", ".join(alert.name for alert in found[:10]) + (" ..." if len(found) > 10 else "")
        return CheckResult.passed(
            f"{len(found)} alerting rule(s): {names}", *(repo.evidence(a.path, a.line) for a in found)
        )
    deployables = (
        len([w for w in repo.workloads() if w.kind in SERVING_KINDS])
        + sum(len(compose.services) for compose in repo.compose_files())
        + len(repo.services())
    )
    if not deployables:
        return CheckResult.not_applicable("nothing deployable: no workloads, compose services or projects")
    absent = Evidence.absent("no Prometheus rule file with `alert:` rules and no PrometheusRule object")
    message = (
        f"the repository deploys {deployables} workload(s), compose service(s) or project(s) but defines "
        "no alerting rule: nobody is paged when they fail"
    )
    return CheckResult.failed([Failure(message, (absent,))])


def _runbook_problem(ctx: CheckContext, alert: Alert, url: str) -> str | None:
    """Why a runbook link that points into this repository is broken, or None."""
    if "{{" in url:
        return None  # templated per alert instance: cannot be resolved statically
    if "://" in url:
        link = _REPO_LINK.search(url)
        own_names = {ctx.config.project.lower(), ctx.repo.root.name.lower()}
        if link is None or link.group(1).lower() not in own_names:
            return None  # a wiki or another repository: not ours to verify
        target = link.group(2)
    else:
        target = url.split("#", 1)[0].split("?", 1)[0]
    # A relative link may be meant from the repository root or from the rule file's folder.
    candidates = {
        posixpath.normpath(target.lstrip("/")),
        posixpath.normpath(posixpath.join(posixpath.dirname(alert.path), target)),
    }
    for candidate in candidates:
        if ctx.repo.exists(candidate) or any(p.startswith(candidate + "/") for p in ctx.repo.paths):
            return None
    return f"runbook {target!r} does not exist in this repository"


def _problems(ctx: CheckContext, alert: Alert) -> list[str]:
    rule = alert.rule
    problems: list[str] = []
    if _ZERO_DURATION.fullmatch(str(rule.get("for", "0")).strip()):
        problems.append("no `for:` duration, so a single bad evaluation pages someone")
    labels, annotations = rule.get("labels"), rule.get("annotations")
    if not (isinstance(labels, dict) and labels.get("severity")):
        problems.append("no `severity` label, so it cannot be routed to a pager or a ticket queue")
    if not isinstance(annotations, dict):
        annotations = {}
    runbook = annotations.get("runbook_url") or annotations.get("runbook")
    if not runbook:
        problems.append("no `runbook_url` annotation, so whoever is paged starts from nothing")
    elif (broken := _runbook_problem(ctx, alert, str(runbook))) is not None:
        problems.append(broken)
    expr = str(rule.get("expr", ""))
    counter = _COUNTER.search(expr)
    if counter and ">" in expr and not _COUNTER_FUNCTION.search(expr):
        problems.append(
            f"compares the counter `{counter.group(1)}` to a threshold without rate()/increase(): "
            "counters only grow, so once past the threshold it fires until the process restarts"
        )
    return problems


@check(
    id="observability/alert-metadata",
    question=seed.ALERTING,
    title="Alerts have a duration, a severity, a runbook and a sensible threshold",
    severity=Severity.RISK,
    rationale="""
        An alert without `for:` fires on one bad scrape and trains people to ignore pages. Without
        a `severity` label Alertmanager cannot decide between waking someone and opening a ticket.
        Without a runbook the person paged at 3am starts from nothing, and a runbook link that
        points at a file that was moved or never written is worse. A raw counter compared to a
        threshold (`errors_total > 0`) fires forever after the first error.
    """,
    looks_at="""
        Every alerting rule found (rule files and PrometheusRule objects): `for`,
        `labels.severity`, `annotations.runbook_url` (or `runbook`) and `expr`. Runbook links
        that are relative paths, or GitHub/GitLab links into this repository, must resolve to a
        file in the repository; other URLs are not fetched.
    """,
    remediation="""
        Give each alert a `for:` of a few minutes, a `severity` label your Alertmanager routes
        on, and a `runbook_url` that exists. Alert on `rate()`/`increase()` of counters, ideally
        as a ratio of errors to requests.
    """,
    example="""
        - alert: BidderHighErrorRate
          expr: sum(rate(bid_errors_total[5m])) / sum(rate(bid_requests_total[5m])) > 0.02
          for: 10m
          labels: {severity: page}
          annotations:
            runbook_url: docs/runbooks/bidder-errors.md
    """,
)
def alert_metadata(ctx: CheckContext) -> CheckResult:
    found = alerts(ctx.repo)
    if not found:
        return CheckResult.not_applicable("no alerting rule found")
    failures: list[Failure] = []
    for alert in found:
        problems = _problems(ctx, alert)
        if problems:
            evidence = ctx.repo.evidence(alert.path, alert.line)
            failures.append(Failure(f"alert {alert.name!r}: " + "; ".join(problems), (evidence,)))
    return CheckResult.from_failures(
        failures,
        f"{len(found)} alert(s) have a duration, a severity and a runbook",
        *(ctx.repo.evidence(alert.path, alert.line) for alert in found),
    )
