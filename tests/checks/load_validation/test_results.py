from __future__ import annotations

import json
from pathlib import Path

from readiness.config import Config, Traffic
from readiness.model import Outcome, Severity
from tests.support import locations, run_check, write_tree

CHECK = "load-validation/results"

K6 = "import http from 'k6/http';\nexport default function () { http.get('http://localhost/'); }\n"

REPORT = """
# Load test: 2026-11-01

| metric | threshold | result |
|---|---|---|
| p95 latency | < 40 ms | 17.8 ms |
| p99 latency | < 80 ms | 41.2 ms |
| max latency | | 612 ms |

Soak: p99 38.9 ms at hour 1, max 700 ms.
"""

SLOW_REPORT = """
# Perf results

Peak 2000 rps: p99 was 180 ms (threshold p(99)<100 failed), p95 90 ms.
"""

NO_NUMBERS = """
# Load test summary

We ran the load test and it looked fine.
Nothing fell over.
"""


def summary(p99: float, ok: bool) -> str:
    data = {
        "metrics": {
            "http_req_duration": {
                "type": "trend",
                "values": {"avg": 20.1, "p(95)": 35.0, "p(99)": p99},
                "thresholds": {"p(99)<100": {"ok": ok}},
            },
            "http_reqs": {"type": "counter", "values": {"count": 1000}},
        }
    }
    return json.dumps(data, indent=2) + "\n"


def config(p99: float | None) -> Config:
    return Config(project="x", traffic=Traffic(p99_latency_ms=p99))


def test_results_within_the_objective_pass(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "loadtest/bid.js": K6,
            "loadtest/results/2026-11-01.md": REPORT,
            "loadtest/results/summary.json": summary(48.5, ok=True),
        },
    )
    result = run_check(CHECK, tmp_path, config(100))
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line, e.note) for e in result.evidence] == [
        ("loadtest/results/2026-11-01.md", 6, "p99 41.2 ms"),
        ("loadtest/results/2026-11-01.md", 9, "p99 38.9 ms"),
        ("loadtest/results/summary.json", 8, "p99 48.5 ms"),
    ]
    assert result.summary == "load-test results committed; worst p99 48.5 ms within the 100 ms objective"


def test_p99_above_the_objective_and_failed_thresholds_are_risks(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "loadtest/bid.js": K6,
            "docs/perf-results.md": SLOW_REPORT,
            "loadtest/results/summary.json": summary(130, ok=False),
        },
    )
    result = run_check(CHECK, tmp_path, config(100))
    assert locations(result) == [
        ("loadtest/results/summary.json", 11),
        ("docs/perf-results.md", 3),
        ("loadtest/results/summary.json", 8),
    ]
    assert all(f.severity is Severity.RISK for f in result.failures)
    assert "p99 180 ms, above the 100 ms objective" in result.failures[1].message


def test_missing_or_silent_results_are_recommendations(tmp_path: Path) -> None:
    write_tree(tmp_path / "none", {"loadtest/bid.js": K6})
    result = run_check(CHECK, tmp_path / "none", config(100))
    assert locations(result) == [(None, None)]
    assert result.failures[0].severity is None  # the check's default: a recommendation
    write_tree(tmp_path / "silent", {"loadtest/bid.js": K6, "loadtest/results/summary.md": NO_NUMBERS})
    result = run_check(CHECK, tmp_path / "silent", config(100))
    assert locations(result) == [("loadtest/results/summary.md", 1)]
    assert "don't state p99" in result.failures[0].message
    write_tree(tmp_path / "nothing", {"README.md": "# x\n"})
    assert run_check(CHECK, tmp_path / "nothing").outcome is Outcome.NOT_APPLICABLE
