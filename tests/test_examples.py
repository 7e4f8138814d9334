"""End to end: the bundled examples scanned through the CLI, with the real semgrep."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from readiness import cli
from tests.scanners.osv_server import OsvServer

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def offline_data(osv_server: OsvServer, go_db: Path) -> list[str]:
    """The dependency scanners' local data: without it they are honestly not assessed offline."""
    return ["--osv-url", osv_server.url, "--go-vulndb", str(go_db)]


def scan(
    example: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offline_data: list[str]
) -> tuple[int, dict[str, Any], str]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SAFETY_API_KEY", raising=False)
    # no checkpoint: it would land under the scanned root, inside the repository
    code = cli.main(
        ["scan", str(EXAMPLES / example), "--json", "assessment.json", "--no-checkpoint", *offline_data]
    )
    data = json.loads((tmp_path / "assessment.json").read_text())
    (report,) = (tmp_path / "reports").glob("*-production-readiness.md")
    return code, data, report.read_text()


def located(data: dict[str, Any]) -> set[tuple[str, str, str | None, int | None]]:
    """(check id, severity, path, line) of every evidence of every unwaived finding."""
    return {
        (f["check_id"], f["severity"], e["path"], e["line"])
        for f in data["findings"]
        if not f["waived"]
        for e in f["evidence"]
    }


@pytest.mark.slow
def test_adtech_exchange_is_no_go_with_its_known_gaps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offline_data: list[str]
) -> None:
    code, data, report = scan("adtech-exchange", tmp_path, monkeypatch, offline_data)
    assert code == cli.EXIT_NO_GO and data["verdict"] == "no-go"
    lights = {row["category"]: row["light"] for row in data["scorecard"]}
    assert lights["reliability"] == lights["security"] == lights["disaster-recovery"] == "red"
    assert all(row["not_assessed"] == 0 for row in data["scorecard"]), data["scorecard"]
    expected = {
        ("reliability/graceful-shutdown", "blocker", "bidder/main.go", 44),
        ("reliability/readiness-probe", "blocker", "deploy/k8s/bidder-deployment.yaml", 20),
        ("reliability/exec-form-entrypoint", "risk", "bidder/Dockerfile", 15),
        ("security/no-hardcoded-secrets", "blocker", "bidder/Dockerfile", 13),
        ("security/pinned-images", "risk", "bidder/Dockerfile", 8),
        ("disaster-recovery/redis-persistence", "blocker", "deploy/k8s/redis.yaml", 20),
        ("disaster-recovery/database-backups", "blocker", "deploy/k8s/timescaledb.yaml", 20),
        ("compliance/retention", "blocker", "db/migrations/001_init.sql", 17),
        ("scalability/no-sticky-sessions", "risk", "deploy/k8s/idr-service.yaml", 10),
        ("observability/alert-metadata", "risk", "monitoring/prometheus/rules.yml", 4),
        ("operational-readiness/rolling-deploys", "risk", "deploy/k8s/bidder-deployment.yaml", 10),
        ("load-validation/peak-2x", "risk", "loadtest/k6/bid.js", 11),
    }
    assert expected <= located(data), expected - located(data)
    (waived,) = [f for f in data["findings"] if f["waived"]]
    assert waived["check_id"] == "operational-readiness/codeowners"
    assert waived["waiver"]["owner"] == "@adtech-platform"
    assert "ENV REDIS_PASSWORD" in report and "changeme-s3cr3t-for-demo-only" not in report
    assert "changeme-s3cr3t-for-demo-only" not in json.dumps(data)


@pytest.mark.slow
def test_ready_service_is_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offline_data: list[str]
) -> None:
    code, data, report = scan("ready-service", tmp_path, monkeypatch, offline_data)
    assert code == cli.EXIT_GO and data["verdict"] == "go"
    blockers = [f for f in data["findings"] if f["severity"] == "blocker" and not f["waived"]]
    assert blockers == []
    assert all(row["light"] in ("green", "amber") for row in data["scorecard"])
    assert all(row["not_assessed"] == 0 for row in data["scorecard"]), data["scorecard"]
    outcomes = {c["id"]: c["outcome"] for c in data["checks"]}
    assert outcomes["reliability/graceful-shutdown"] == "pass"
    assert outcomes["disaster-recovery/database-backups"] == "pass"
    assert "**Verdict: ✅ GO**" in report
