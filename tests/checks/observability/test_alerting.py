from pathlib import Path

import pytest

from readiness.model import CheckResult, Outcome
from tests.support import locations, run_check, write_tree

RULES = "observability/alert-rules"
METADATA = "observability/alert-metadata"


def where(result: CheckResult) -> list[tuple[str | None, int | None]]:
    if result.outcome is Outcome.FAIL:
        return locations(result)
    return [(e.path, e.line) for e in result.evidence]


GOOD_RULES = """
groups:
  - name: bidder
    rules:
      - record: job:bid_requests:rate5m
        expr: sum(rate(bid_requests_total[5m]))
      - alert: BidderHighErrorRate
        expr: sum(rate(bid_errors_total[5m])) / sum(rate(bid_requests_total[5m])) > 0.02
        for: 10m
        labels:
          severity: page
        annotations:
          runbook_url: docs/runbooks/bidder-errors.md
      - alert: BidderSlow
        expr: histogram_quantile(0.99, sum by (le) (rate(bid_duration_seconds_bucket[5m]))) > 0.1
        for: 5m
        labels: {severity: ticket}
        annotations:
          runbook: ../docs/runbooks/bidder-latency.md
      - alert: RedisDown
        expr: up{job="redis"} == 0
        for: 2m
        labels: {severity: page}
        annotations:
          runbook_url: https://github.com/acme/platform-runbooks/blob/main/redis-down.md
"""

# {project} is replaced by the fixture directory's name, which is the default project name.
BAD_RULES = """
groups:
  - name: bidder
    rules:
      - alert: BidderErrors
        expr: bid_errors_total > 0
        for: 5m
        labels:
          severity: page
        annotations:
          runbook_url: https://github.com/acme/{project}/blob/main/docs/runbooks/gone.md
      - alert: BidderDown
        expr: up{job="bidder"} == 0
        for: 0m
        labels:
          severity: page
        annotations:
          runbook_url: https://github.com/acme/{project}/blob/main/docs/runbooks/bidder-errors.md
"""

PROMETHEUS_RULE = """
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: bidder
spec:
  groups:
    - name: bidder
      rules:
        - alert: BidderNoBids
          expr: sum(rate(bids_total[5m])) == 0
"""

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: bidder
spec:
  template:
    spec:
      containers:
        - name: bidder
          image: bidder:1.0
"""

RECORDING_ONLY = """
groups:
  - name: recording
    rules:
      - record: job:up:sum
        expr: sum(up)
"""

RUNBOOKS = {"docs/runbooks/bidder-errors.md": "# Errors\n", "docs/runbooks/bidder-latency.md": "# Latency\n"}

RULE_CASES = [
    pytest.param(
        {"monitoring/alerts.yml": GOOD_RULES, "deploy/rules.yaml": PROMETHEUS_RULE, **RUNBOOKS},
        Outcome.PASS,
        [
            ("deploy/rules.yaml", 9),
            ("monitoring/alerts.yml", 6),
            ("monitoring/alerts.yml", 13),
            ("monitoring/alerts.yml", 19),
        ],
        id="rule-file-and-prometheusrule",
    ),
    pytest.param(
        {"deploy/bidder.yaml": DEPLOYMENT}, Outcome.FAIL, [(None, None)], id="workload-without-alerts"
    ),
    pytest.param(
        {
            "bidder/go.mod": "module example.com/bidder\n",
            "docker-compose.yml": "services:\n  redis: {}\n",
            "monitoring/recording.yml": RECORDING_ONLY,
        },
        Outcome.FAIL,
        [(None, None)],
        id="recording-rules-are-not-alerts",
    ),
    pytest.param({"README.md": "# docs only\n"}, Outcome.NOT_APPLICABLE, [], id="nothing-deployable"),
]


@pytest.mark.parametrize(("files", "outcome", "expected"), RULE_CASES)
def test_alert_rules(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str | None, int | None]]
) -> None:
    write_tree(tmp_path, files)
    result = run_check(RULES, tmp_path)
    assert result.outcome is outcome
    assert where(result) == expected


def test_alert_rules_pass_summary_lists_alerts(tmp_path: Path) -> None:
    write_tree(tmp_path, {"monitoring/alerts.yml": GOOD_RULES, **RUNBOOKS})
    result = run_check(RULES, tmp_path)
    assert result.summary == "3 alerting rule(s): BidderHighErrorRate, BidderSlow, RedisDown"


def test_alert_rules_failure_has_absent_evidence(tmp_path: Path) -> None:
    write_tree(tmp_path, {"deploy/bidder.yaml": DEPLOYMENT})
    evidence = run_check(RULES, tmp_path).failures[0].evidence[0]
    assert evidence.note is not None and "no PrometheusRule object" in evidence.note


METADATA_CASES = [
    pytest.param(
        {"monitoring/alerts.yml": GOOD_RULES, **RUNBOOKS},
        Outcome.PASS,
        [("monitoring/alerts.yml", 6), ("monitoring/alerts.yml", 13), ("monitoring/alerts.yml", 19)],
        id="complete-alerts-relative-and-external-runbooks",
    ),
    pytest.param(
        {"monitoring/alerts.yml": BAD_RULES, **RUNBOOKS},
        Outcome.FAIL,
        [("monitoring/alerts.yml", 4), ("monitoring/alerts.yml", 11)],
        id="raw-counter-broken-repo-link-zero-for",
    ),
    pytest.param(
        {"deploy/rules.yaml": PROMETHEUS_RULE},
        Outcome.FAIL,
        [("deploy/rules.yaml", 9)],
        id="prometheusrule-missing-everything",
    ),
    pytest.param({"deploy/bidder.yaml": DEPLOYMENT}, Outcome.NOT_APPLICABLE, [], id="no-alerts"),
]


@pytest.mark.parametrize(("files", "outcome", "expected"), METADATA_CASES)
def test_alert_metadata(
    tmp_path: Path, files: dict[str, str], outcome: Outcome, expected: list[tuple[str, int]]
) -> None:
    files = {path: text.replace("{project}", tmp_path.name) for path, text in files.items()}
    write_tree(tmp_path, files)
    result = run_check(METADATA, tmp_path)
    assert result.outcome is outcome
    assert where(result) == expected


def test_alert_metadata_messages(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "monitoring/alerts.yml": BAD_RULES.replace("{project}", tmp_path.name),
            "deploy/rules.yaml": PROMETHEUS_RULE,
            **RUNBOOKS,
        },
    )
    result = run_check(METADATA, tmp_path)
    by_alert = {failure.message.split(":", 1)[0]: failure.message for failure in result.failures}
    assert set(by_alert) == {"alert 'BidderErrors'", "alert 'BidderDown'", "alert 'BidderNoBids'"}
    errors = by_alert["alert 'BidderErrors'"]
    assert "runbook 'docs/runbooks/gone.md' does not exist" in errors
    assert "counter `bid_errors_total`" in errors
    assert "for:" not in errors
    no_bids = by_alert["alert 'BidderNoBids'"]
    for missing in ("`for:`", "`severity`", "`runbook_url`"):
        assert missing in no_bids
    assert "counter" not in no_bids  # rate() over a counter is the right way to use one


def test_zero_for_duration_is_no_duration(tmp_path: Path) -> None:
    write_tree(tmp_path, {"monitoring/alerts.yml": BAD_RULES.replace("{project}", tmp_path.name), **RUNBOOKS})
    result = run_check(METADATA, tmp_path)
    # BidderDown has `for: 0m` and an existing runbook linked through this repository's URL.
    assert result.failures[-1].message == (
        "alert 'BidderDown': no `for:` duration, so a single bad evaluation pages someone"
    )
