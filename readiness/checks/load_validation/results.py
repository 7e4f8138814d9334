"""Load-test results: were the tests run, and did p99 latency hold under load?"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from readiness import seed
from readiness.checks.load_validation._scripts import fmt, load_scripts
from readiness.context import CheckContext
from readiness.facts.documents import document_paths, normalise
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check
from readiness.repo import Repo

_ABOUT_LOAD = re.compile(
    r"\b(load ?tests?|loadtests?|loadtesting|perf|performance|soak|stress|k6|locust|gatling|benchmarks?)\b"
)
_ABOUT_RESULTS = re.compile(r"\b(results?|summary|summaries|reports?|runs?)\b")
_P99 = re.compile(r"\bp\(?99\)?\b|\b99(th)? ?(percentile|pct)\b", re.I)
# A latency in a results line, unless it is the threshold it was compared with (`< 80 ms`).
_LATENCY = re.compile(r"(?<![<≤=\d.])(?<!<\s)(?<!≤\s)(?<!<=\s)\b(\d+(?:\.\d+)?)\s*(ms|s)\b")


_OTHER_STATISTIC = re.compile(r"\b(p\(?\d+(\.\d+)?\)?|max|min|avg|mean|median)\b", re.I)


@dataclass(frozen=True)
class Observed:
    path: str
    line: int
    p99_ms: float


def _result_paths(repo: Repo) -> list[str]:
    """Documents and JSON files whose path says they hold load-test results."""
    candidates = document_paths(repo) + repo.with_suffix(".json")
    return [p for p in candidates if _ABOUT_LOAD.search(normalise(p)) and _ABOUT_RESULTS.search(normalise(p))]


def _from_prose(repo: Repo, path: str) -> list[Observed]:
    """p99 latencies stated in prose or tables: the values after a p99 mention, up to the next statistic
    (`p99 41.2 ms, max 612 ms` is 41.2), thresholds left out (`| p99 | < 80 ms | 41.2 ms |` is 41.2)."""
    found = []
    for number, text in enumerate(repo.lines(path), start=1):
        for mention in _P99.finditer(text):
            rest = text[mention.end() :]
            end = _OTHER_STATISTIC.search(rest)
            segment = rest[: end.start()] if end else rest
            values = [float(v) * (1000 if unit == "s" else 1) for v, unit in _LATENCY.findall(segment)]
            found += [Observed(path, number, max(values))] if values else []
    return found


def _k6_summary(repo: Repo, path: str) -> tuple[bool, list[Observed], list[tuple[int, str]]]:
    """A k6 JSON summary (`handleSummary` data or `--summary-export`): is it one, its p99 values, and
    the thresholds it reports as failed (handleSummary marks each with `ok`)."""
    try:
        data = json.loads(repo.text(path))
    except ValueError:
        return False, [], []
    metrics = data.get("metrics") if isinstance(data, dict) else None
    if not isinstance(metrics, dict) or not any(str(k).startswith("http_req_duration") for k in metrics):
        return False, [], []
    lines = repo.lines(path)

    def line_of(text: str) -> int:
        return next((n for n, t in enumerate(lines, start=1) if text in t), 1)

    observed: list[Observed] = []
    failed: list[tuple[int, str]] = []
    for name, metric in metrics.items():
        if not str(name).startswith("http_req_duration") or not isinstance(metric, dict):
            continue
        values: Any = metric.get("values", metric)
        p99 = values.get("p(99)") if isinstance(values, dict) else None
        if isinstance(p99, int | float):
            observed.append(Observed(path, line_of('"p(99)"'), float(p99)))
        thresholds = metric.get("thresholds")
        for expression, outcome in thresholds.items() if isinstance(thresholds, dict) else []:
            if isinstance(outcome, dict) and outcome.get("ok") is False:
                failed.append((line_of(expression), f"{name}: {expression}"))
    return True, observed, failed


@check(
    id="load-validation/results",
    question=seed.LATENCY_UNDER_LOAD,
    title="Load-test results are committed and show p99 latency within the objective",
    severity=Severity.RECOMMENDATION,
    rationale="""
        A load test in the repository proves it can be run, not that it was, nor what it
        showed. Committed results (the k6 summary, or a short write-up with the numbers) show the
        thresholds held at the tested rate, give the next run a baseline to compare with, and
        show a p99 above the objective before users do.
    """,
    looks_at="""
        Files whose path names load/perf/soak/stress/k6/locust tests and results/summary/report:
        k6 JSON summaries (`handleSummary` output or `--summary-export`: `http_req_duration`
        `p(99)`, thresholds marked not ok) and Markdown/text write-ups (lines naming p99 with a
        latency in ms, thresholds like `< 80 ms` ignored). The values are compared with
        `traffic.p99_latency_ms` from `.readiness.yml`.
    """,
    remediation="""
        After each load or soak run, commit its summary (`handleSummary` writing JSON, or a
        results page with the rate, duration, error rate and p50/p95/p99 latency) under
        `loadtest/results/`, and fix the regression when p99 exceeds the objective.
    """,
    example="""
        export function handleSummary(data) {
          return {'loadtest/results/latest.json': JSON.stringify(data)};
        }
    """,
    tests_are_subject=True,
)
def results(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    paths = _result_paths(repo)
    if not load_scripts(repo) and not paths:
        return CheckResult.not_applicable("no load tests (load-validation/load-tests reports it)")
    observed: list[Observed] = []
    failed: list[tuple[str, int, str]] = []
    reports: list[str] = []
    for path in paths:
        if path.endswith(".json"):
            is_summary, found, broken = _k6_summary(repo, path)
            reports += [path] if is_summary else []
            observed += found
            failed += [(path, line, what) for line, what in broken]
        else:
            reports.append(path)
            observed += _from_prose(repo, path)
    if not reports:
        note = "no file whose path names load-test results/summary/report (e.g. loadtest/results/*.md)"
        message = "no load-test results are committed: nothing shows the thresholds held when the tests ran"
        return CheckResult.failed([Failure(message, (Evidence.absent(note),))])
    failures: list[Failure] = []
    for path, line, what in failed:
        message = f"the committed k6 summary reports a failed threshold ({what})"
        failures.append(Failure(message, (repo.evidence(path, line),), Severity.RISK))
    objective = ctx.config.traffic.p99_latency_ms
    if not observed:
        note = f"no line naming p99 with a latency in {', '.join(reports[:3])}"
        message = "the committed load-test results don't state p99 latency"
        failures.append(Failure(message, (repo.evidence(reports[0], 1), Evidence.absent(note))))
    elif objective is not None:
        for result in observed:
            if result.p99_ms > objective:
                message = (
                    f"load-test results show p99 {fmt(result.p99_ms)} ms, above the {fmt(objective)} ms "
                    "objective (traffic.p99_latency_ms): latency does not hold under load"
                )
                failures.append(Failure(message, (repo.evidence(result.path, result.line),), Severity.RISK))
    worst = max(observed, key=lambda o: o.p99_ms, default=None)
    summary = (
        f"load-test results committed; worst p99 {fmt(worst.p99_ms)} ms"
        + (f" within the {fmt(objective)} ms objective" if objective is not None else "")
        if worst
        else "load-test results committed"
    )
    evidence = [repo.evidence(o.path, o.line, note=f"p99 {fmt(o.p99_ms)} ms") for o in observed[:4]]
    return CheckResult.from_failures(failures, summary, *evidence)
