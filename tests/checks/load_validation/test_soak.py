from __future__ import annotations

from pathlib import Path

from readiness.model import Outcome
from tests.support import locations, run_check, write_tree

CHECK = "load-validation/soak-test"

SHORT = """
import http from 'k6/http';
export const options = {
  scenarios: {
    peak: {executor: 'constant-arrival-rate', rate: 3000, timeUnit: '1s', duration: '10m'},
    ramp: {
      executor: 'ramping-vus',
      stages: [
        {duration: '5m', target: 100},
        {duration: '1h', target: 100},
        {duration: '5m', target: 0},
      ],
    },
  },
};
export default function () { http.get('http://localhost:8080/healthz'); }
"""

STAGED_DAY = """
import http from 'k6/http';
export const options = {
  stages: [
    {duration: '30m', target: 200},
    {duration: '23h', target: 200},
    {duration: '30m', target: 0},
  ],
};
export default function () { http.get('http://localhost:8080/healthz'); }
"""

MAKEFILE = """
soak:
\tlocust -f loadtest/locustfile.py --headless -u 500 -r 10 --run-time 36h
"""

LOCUSTFILE = """
from locust import HttpUser, task


class Bidder(HttpUser):
    @task
    def auction(self):
        self.client.post("/openrtb2/auction", json={})
"""

SOAK_REPORT = """
# Load test results, 2026-10

## Soak run
1000 rps for 48 hours against staging.
Memory per pod flat after hour 2.
No restarts.
"""


def test_short_runs_fail_with_the_longest_cited(tmp_path: Path) -> None:
    write_tree(tmp_path, {"loadtest/bid.js": SHORT})
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [("loadtest/bid.js", 7)]  # the 70-minute staged ramp
    assert "runs 70 min" in result.failures[0].message


def test_staged_day_command_line_and_documented_runs_pass(tmp_path: Path) -> None:
    write_tree(tmp_path / "staged", {"loadtest/soak.js": STAGED_DAY})
    result = run_check(CHECK, tmp_path / "staged")
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [("loadtest/soak.js", 3)]

    write_tree(tmp_path / "cli", {"Makefile": MAKEFILE, "loadtest/locustfile.py": LOCUSTFILE})
    result = run_check(CHECK, tmp_path / "cli")
    assert [(e.path, e.line, e.note) for e in result.evidence] == [("Makefile", 2, "command line: 36 h")]

    write_tree(tmp_path / "doc", {"loadtest/bid.js": SHORT, "docs/perf/results.md": SOAK_REPORT})
    result = run_check(CHECK, tmp_path / "doc")
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [("docs/perf/results.md", 4)]


def test_no_load_tests_is_not_applicable(tmp_path: Path) -> None:
    write_tree(tmp_path, {"README.md": "# bidder\n"})
    assert run_check(CHECK, tmp_path).outcome is Outcome.NOT_APPLICABLE
