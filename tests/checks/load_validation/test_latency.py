from __future__ import annotations

from pathlib import Path

import pytest

from readiness.config import Config, Traffic
from readiness.model import Outcome
from tests.support import locations, run_check, write_tree

CHECK = "load-validation/p99-threshold"

P99 = """
import http from 'k6/http';
export const options = {
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{expected_response:true}': [
      'p(95)<80',
      { threshold: 'p(99)<150', abortOnFail: true },
    ],
  },
};
export default function () { http.get('https://staging/'); }
"""

P999 = """
import http from 'k6/http';
export const options = { thresholds: { http_req_duration: ["p(99.9)<90"] } };
"""

P95_ONLY = """
import http from 'k6/http';
export const options = {
  thresholds: {
    http_req_duration: ['p(95)<200', 'avg<50'],
  },
};
"""

NO_THRESHOLDS = """
import http from 'k6/http';
export const options = { vus: 10, duration: '1m' };
"""

HELPER = "import http from 'k6/http';\nexport function bid() { return http.get('https://staging/'); }\n"


def objective(p99: float | None) -> Config:
    return Config(project="x", traffic=Traffic(expected_peak_rps=1000, p99_latency_ms=p99))


CASES = [
    ("p99 within the objective", {"lt/bid.js": P99}, 200, Outcome.PASS, [("lt/bid.js", 7)], ""),
    ("p99.9 counts as p99", {"lt/bid.js": P999}, 100, Outcome.PASS, [("lt/bid.js", 2)], ""),
    ("no objective declared", {"lt/bid.js": P99}, None, Outcome.PASS, [("lt/bid.js", 7)], ""),
    (
        "p99 looser than the objective",
        {"lt/bid.js": P99},
        100,
        Outcome.FAIL,
        [("lt/bid.js", 7)],
        "threshold p(99)<150 allows p99 150 ms > objective 100 ms",
    ),
    (
        "p95 and avg only",
        {"lt/bid.js": P95_ONLY, "lt/lib.js": HELPER},
        100,
        Outcome.FAIL,
        [("lt/bid.js", 3)],
        "has thresholds (p(95)<200, avg<50) but none on p99 latency",
    ),
    (
        "no thresholds anywhere",
        {"lt/smoke.js": NO_THRESHOLDS},
        100,
        Outcome.FAIL,
        [("lt/smoke.js", 1)],
        "k6 load tests have no thresholds",
    ),
    (
        "helper modules without thresholds are ignored",
        {"lt/bid.js": P99, "lt/lib.js": HELPER},
        200,
        Outcome.PASS,
        [("lt/bid.js", 7)],
        "",
    ),
    (
        "locust without a tail limit",
        {"load/locustfile.py": "from locust import HttpUser\n"},
        100,
        Outcome.FAIL,
        [("load/locustfile.py", 1)],
        "assert no p99 latency limit",
    ),
    (
        "locust asserting p99",
        {
            "load/locustfile.py": (
                "from locust import HttpUser, events\n\n"
                "@events.quitting.add_listener\n"
                "def _(environment, **kw):\n"
                "    if environment.stats.total.get_response_time_percentile(0.99) > 120:\n"
                "        environment.process_exit_code = 1\n"
            )
        },
        100,
        Outcome.PASS,
        [("load/locustfile.py", 5)],
        "",
    ),
    ("no load tests", {"README.md": "# app\n"}, 100, Outcome.NOT_APPLICABLE, [], ""),
]


@pytest.mark.parametrize(
    ("files", "p99", "outcome", "expected", "text"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_p99_threshold(
    tmp_path: Path,
    files: dict[str, str],
    p99: float | None,
    outcome: Outcome,
    expected: list[tuple[str, int]],
    text: str,
) -> None:
    result = run_check(CHECK, write_tree(tmp_path, files), config=objective(p99))
    assert result.outcome is outcome
    if outcome is Outcome.FAIL:
        assert locations(result) == expected
        assert text in result.failures[0].message
    else:
        assert [(e.path, e.line) for e in result.evidence] == expected


def test_missing_thresholds_says_where_it_looked(tmp_path: Path) -> None:
    result = run_check(CHECK, write_tree(tmp_path, {"lt/smoke.js": NO_THRESHOLDS}), config=objective(100))
    assert result.failures[0].evidence[-1].note == "no `thresholds` in the k6 options of lt/smoke.js"
