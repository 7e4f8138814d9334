from __future__ import annotations

from pathlib import Path

import pytest

from readiness.config import Config, Traffic
from readiness.model import Outcome, Severity
from tests.support import locations, run_check, write_tree

LOAD_TESTS = "load-validation/load-tests"
PEAK = "load-validation/peak-2x"

K6_CONSTANT = """
import http from 'k6/http';

export const options = {
  scenarios: {
    bids: {
      executor: 'constant-arrival-rate',
      rate: 3000,
      timeUnit: '1s',
      duration: '10m',
      preAllocatedVUs: 500,
    },
  },
};

export default function () {
  http.post('https://staging/openrtb2/auction', '{}');
}
"""

K6_RAMPING_PER_MINUTE = """
import http from "k6/http";
export const options = {
  scenarios: {
    ramp: {
      executor: "ramping-arrival-rate",
      startRate: 60000,
      timeUnit: "1m",
      preAllocatedVUs: 1000,
      stages: [
        { target: 300000, duration: "5m" },
        { target: 720_000, duration: "10m" }, // 12000 rps
        { target: 0, duration: "1m" },
      ],
    },
  },
};
export default function () { http.get("https://staging/"); }
"""

K6_TWO_PARALLEL_SCENARIOS = """
import http from 'k6/http';
export const options = {
  scenarios: {
    bids: { executor: 'constant-arrival-rate', rate: 6000, duration: '5m', preAllocatedVUs: 100 },
    wins: { executor: 'constant-arrival-rate', rate: 4000, duration: '5m', preAllocatedVUs: 100 },
    spike: {
      executor: 'constant-arrival-rate', rate: 8000, startTime: '5m', duration: '1m', preAllocatedVUs: 100,
    },
  },
};
export default function () { http.get('https://staging/'); }
"""

K6_VUS = """
import http from 'k6/http';
export const options = { vus: 200, duration: '10m' };
export default function () { http.get('https://staging/'); }
"""

K6_FROM_ENV = """
import http from 'k6/http';
export const options = {
  scenarios: {
    bids: {
      executor: 'constant-arrival-rate', rate: Number(__ENV.RATE), duration: '5m', preAllocatedVUs: 10,
    },
  },
};
"""

VEGETA = """
#!/bin/sh
set -eu
echo "POST http://staging/openrtb2/auction" | vegeta attack \\
  -duration=5m \\
  -rate=600000/1m | vegeta report
"""

LOCUST = """
from locust import HttpUser, task


class Bidder(HttpUser):
    @task
    def bid(self):
        self.client.post("/openrtb2/auction", json={})
"""

GATLING = "package sim\n\nimport io.gatling.core.Predef._\n\nclass BidSimulation extends Simulation {}\n"
JMETER = '<?xml version="1.0"?>\n<jmeterTestPlan version="1.2">\n</jmeterTestPlan>\n'
ARTILLERY = """
config:
  target: https://staging
  phases:
    - duration: 600
      arrivalRate: 50
scenarios:
  - flow: []
"""
MAKEFILE = "load:\n\t# wrk is not used any more\n\twrk -t8 -c400 -d60s http://staging/healthz\n"

FOUND_CASES = [
    ("k6", {"loadtest/bid.js": K6_CONSTANT}, [("loadtest/bid.js", 1, "k6")]),
    ("locust", {"load/locustfile.py": LOCUST}, [("load/locustfile.py", 1, "Locust")]),
    (
        "gatling",
        {"src/test/scala/BidSimulation.scala": GATLING},
        [("src/test/scala/BidSimulation.scala", 3, "Gatling")],
    ),
    ("jmeter", {"perf/plan.jmx": JMETER}, [("perf/plan.jmx", 2, "JMeter")]),
    ("artillery", {"perf/artillery.yml": ARTILLERY}, [("perf/artillery.yml", 3, "Artillery")]),
    ("vegeta", {"scripts/load.sh": VEGETA}, [("scripts/load.sh", 3, "vegeta")]),
    ("wrk in a Makefile, comment skipped", {"Makefile": MAKEFILE}, [("Makefile", 3, "wrk")]),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in FOUND_CASES], ids=[c[0] for c in FOUND_CASES])
def test_load_tests_found(
    tmp_path: Path, files: dict[str, str], expected: list[tuple[str, int, str]]
) -> None:
    result = run_check(LOAD_TESTS, write_tree(tmp_path, files))
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line, e.note) for e in result.evidence] == expected


@pytest.mark.parametrize(
    "files",
    [
        {"README.md": "We should load test with k6 some day.\n"},
        {"src/app.js": "import http from 'http';\n// import http from 'k6/http';\n"},
        {"perf/notes.jmx.md": "<jmeterTestPlan> is what a plan looks like\n"},
        {"scripts/run.sh": "# vegeta attack -rate=100\necho nothing\n"},
    ],
    ids=["mention in prose", "commented-out k6 import", "not a .jmx", "commented-out vegeta"],
)
def test_load_tests_absent(tmp_path: Path, files: dict[str, str]) -> None:
    result = run_check(LOAD_TESTS, write_tree(tmp_path, files))
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [(None, None)]
    assert "k6, Locust" in (result.failures[0].evidence[0].note or "")


def traffic(peak: float | None) -> Config:
    return Config(project="x", traffic=Traffic(expected_peak_rps=peak, p99_latency_ms=100))


PEAK_CASES = [
    (
        "constant rate below 2x",
        {"loadtest/bid.js": K6_CONSTANT},
        5000,
        Outcome.FAIL,
        [("loadtest/bid.js", 7)],
        "peak 3000 rps < 2 × 5000 = 10000 rps",
    ),
    (
        "constant rate at 2x",
        {"loadtest/bid.js": K6_CONSTANT},
        1500,
        Outcome.PASS,
        [("loadtest/bid.js", 7)],
        "peak 3000 rps ≥ 2 × 1500 = 3000 rps",
    ),
    (
        "ramping per minute, underscores and comments",
        {"lt/ramp.ts": K6_RAMPING_PER_MINUTE},
        6000,
        Outcome.PASS,
        [("lt/ramp.ts", 11)],
        "peak 12000 rps ≥ 2 × 6000 = 12000 rps",
    ),
    (
        "parallel scenarios add up; the delayed one stands alone",
        {"lt/mix.js": K6_TWO_PARALLEL_SCENARIOS},
        5000,
        Outcome.PASS,
        [("lt/mix.js", 4)],
        "peak 10000 rps ≥ 2 × 5000 = 10000 rps",
    ),
    (
        "parallel sum below 2x",
        {"lt/mix.js": K6_TWO_PARALLEL_SCENARIOS},
        6000,
        Outcome.FAIL,
        [("lt/mix.js", 4)],
        "peak 10000 rps < 2 × 6000 = 12000 rps",
    ),
    (
        "vegeta rate per minute",
        {"scripts/load.sh": VEGETA},
        6000,
        Outcome.FAIL,
        [("scripts/load.sh", 5)],
        "peak 10000 rps < 2 × 6000 = 12000 rps",
    ),
]


@pytest.mark.parametrize(
    ("files", "peak", "outcome", "expected", "text"),
    [c[1:] for c in PEAK_CASES],
    ids=[c[0] for c in PEAK_CASES],
)
def test_peak_2x(
    tmp_path: Path,
    files: dict[str, str],
    peak: float,
    outcome: Outcome,
    expected: list[tuple[str, int]],
    text: str,
) -> None:
    result = run_check(PEAK, write_tree(tmp_path, files), config=traffic(peak))
    assert result.outcome is outcome
    if outcome is Outcome.FAIL:
        assert locations(result) == expected
        assert text in result.failures[0].message
        assert result.failures[0].severity is None  # the check's default: risk
    else:
        assert [(e.path, e.line) for e in result.evidence] == expected
        assert result.summary == text


def test_peak_without_declared_traffic_is_a_recommendation(tmp_path: Path) -> None:
    result = run_check(PEAK, write_tree(tmp_path, {"loadtest/bid.js": K6_CONSTANT}), config=traffic(None))
    assert result.outcome is Outcome.FAIL
    assert result.failures[0].severity is Severity.RECOMMENDATION
    assert locations(result) == [(None, None)]
    assert "traffic.expected_peak_rps" in (result.failures[0].evidence[0].note or "")


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"load/locustfile.py": LOCUST}, "no tool here declares a rate"),
        ({"lt/vus.js": K6_VUS}, "no tool here declares a rate"),
        (
            {"lt/env.js": K6_FROM_ENV},
            "lt/env.js:5 k6 scenario 'bids' (constant-arrival-rate): its rate or timeUnit",
        ),
    ],
    ids=["locust", "k6 VUs", "k6 rate from the environment"],
)
def test_peak_not_assessed_when_no_rate_is_readable(
    tmp_path: Path, files: dict[str, str], reason: str
) -> None:
    result = run_check(PEAK, write_tree(tmp_path, files), config=traffic(1000))
    assert result.outcome is Outcome.NOT_ASSESSED
    assert reason in result.summary


def test_peak_not_applicable_without_load_tests(tmp_path: Path) -> None:
    result = run_check(PEAK, write_tree(tmp_path, {"README.md": "# x\n"}), config=traffic(1000))
    assert result.outcome is Outcome.NOT_APPLICABLE


BIDDER_MAIN = """
package main

import "net/http"

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /openrtb2/auction", auction)
	mux.HandleFunc("/v1/publishers/{id}/floor", floor)
	_ = http.ListenAndServe(":8080", mux)
}
"""

K6_TARGETS = """
import http from 'k6/http';
const BASE = __ENV.BASE_URL || 'http://localhost:8080';
export default function () {
  http.post(`${BASE}/openrtb2/auction`, '{}');
  http.get(`${BASE}/v1/publishers/${Math.floor(Math.random() * 9)}/floor`);
}
"""

K6_ELSEWHERE = """
import http from 'k6/http';
export default function () {
  http.post('https://staging.example/v2/bid', '{}');
}
"""


def test_scripts_are_compared_with_the_services_routes(tmp_path: Path) -> None:
    service = {"bidder/go.mod": "module x\n", "bidder/main.go": BIDDER_MAIN}
    write_tree(tmp_path / "ok", {**service, "loadtest/bid.js": K6_TARGETS})
    result = run_check(LOAD_TESTS, tmp_path / "ok")
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line, e.note) for e in result.evidence] == [
        ("loadtest/bid.js", 1, "k6"),
        ("loadtest/bid.js", 4, "targets /openrtb2/auction"),
    ]
    write_tree(tmp_path / "off", {**service, "loadtest/bid.js": K6_ELSEWHERE})
    result = run_check(LOAD_TESTS, tmp_path / "off")
    assert locations(result) == [("loadtest/bid.js", 3)]
    assert result.failures[0].severity is Severity.RECOMMENDATION
    assert "/v2/bid" in result.failures[0].message
