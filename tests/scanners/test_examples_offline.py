"""End to end, offline: the bundled examples scanned through the CLI with --osv-url pointing at
the local OSV server and --go-vulndb at the local Go database: the real pip-audit and
govulncheck, their findings placed on the manifest lines, their versions in the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from readiness import cli
from tests.scanners.osv_server import OsvServer

pytestmark = pytest.mark.slow
EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"
CHECKS = (
    "security/python-vulnerabilities",
    "security/python-vulnerabilities-safety",
    "security/go-vulnerabilities",
    "security/node-vulnerabilities",
    "security/pinned-dependencies",
)


def scan(
    example: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, osv: OsvServer, go_db: Path, *extra: str
) -> tuple[int, dict[str, Any]]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SAFETY_API_KEY", raising=False)
    argv = [
        "scan",
        str(EXAMPLES / example),
        "--json",
        "a.json",
        "--no-checkpoint",
        "--categories",
        "security",
        *extra,
    ]
    code = cli.main([*argv, "--osv-url", osv.url, "--go-vulndb", str(go_db)])
    return code, json.loads((tmp_path / "a.json").read_text())


def outcomes(data: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["outcome"] for c in data["checks"] if c["id"] in CHECKS}


def findings(data: dict[str, Any], check: str) -> list[tuple[str, str | None, int | None, str]]:
    return [
        (f["severity"], f["evidence"][0]["path"], f["evidence"][0]["line"], f["message"])
        for f in data["findings"]
        if f["check_id"] == check
    ]


def test_adtech_exchange_shows_real_python_and_go_advisories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, osv: OsvServer, go_db: Path
) -> None:
    code, data = scan("adtech-exchange", tmp_path, monkeypatch, osv, go_db)
    assert code == cli.EXIT_NO_GO
    assert outcomes(data) == {
        "security/python-vulnerabilities": "fail",
        "security/python-vulnerabilities-safety": "not-applicable",
        "security/go-vulnerabilities": "fail",
        "security/node-vulnerabilities": "not-applicable",
        "security/pinned-dependencies": "pass",
    }
    python = findings(data, "security/python-vulnerabilities")
    assert [(severity, path, line) for severity, path, line, _ in python] == [
        ("risk", "idr/requirements.txt", 7),  # requests 2.20.0: no CVSS in the advisory
        ("blocker", "idr/requirements.txt", 8),  # urllib3 1.24.1: PYSEC-2023-192 is CVSS 8.1
        ("blocker", "idr/requirements.txt", 9),  # idna 2.7: PYSEC-2024-60 is CVSS 7.5
        ("risk", "idr/requirements.txt", 11),  # certifi 2018.10.15
    ]
    assert python[0][3].startswith(
        "requests 2.20.0 (idr/requirements.txt) has 1 known vulnerability: PYSEC-2023-74 "
        "(CVE-2023-32681, GHSA-j8r2-6x86-q33q; fixed in 2.31.0; severity unknown); upgrade to 2.31.0 or later"
    )
    assert "PYSEC-2024-60 (CVE-2024-3651; fixed in 3.7; severity high 7.5)" in python[2][3]
    go = {(severity, path, line) for severity, path, line, _ in findings(data, "security/go-vulnerabilities")}
    assert go == {
        ("risk", "bidder/go.mod", 3),  # the standard library at go 1.22
        ("risk", "bidder/go.mod", 6),  # pgx v5.5.5
        ("risk", "bidder/go.mod", 8),  # go-redis v9.5.1
        ("risk", "bidder/go.mod", 21),  # x/crypto v0.17.0
        ("risk", "bidder/go.mod", 23),  # x/sys v0.16.0
        ("risk", "bidder/go.mod", 24),  # x/text v0.14.0
        ("risk", "bidder/go.mod", 25),  # protobuf v1.32.0
    }
    scanners = {s["name"]: s for s in data["scanners"]}
    assert scanners["pip-audit"]["version"] == "2.10.1"
    assert scanners["pip-audit"]["detail"].endswith(
        "idr/requirements.txt: 13 package(s), 4 vulnerable; "
        "idr/pyproject.toml: ranges, pinned by a lock or requirements file beside it"
    )
    assert scanners["govulncheck"]["status"] == "ok"
    assert scanners["safety"]["status"] == "skipped"


def test_ready_service_has_no_dependency_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, osv: OsvServer, go_db: Path
) -> None:
    code, data = scan("ready-service", tmp_path, monkeypatch, osv, go_db)
    assert code == cli.EXIT_GO
    assert outcomes(data) == {
        "security/python-vulnerabilities": "pass",
        "security/python-vulnerabilities-safety": "not-applicable",
        # Go 1.19 can't read this go.mod (go 1.25.0, toolchain go1.26.8): module level, no match.
        "security/go-vulnerabilities": "pass",
        "security/node-vulnerabilities": "not-applicable",
        "security/pinned-dependencies": "pass",
    }
    assert not [f for f in data["findings"] if f["check_id"] in CHECKS]


def test_a_scan_that_could_not_look_is_not_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, osv: OsvServer, go_db: Path
) -> None:
    """ready-service is Go; with semgrep missing its blocker-level code checks are not assessed,
    and the verdict says No-Go (incomplete), naming semgrep, unless the gap is accepted."""
    monkeypatch.setenv("READINESS_SEMGREP", str(tmp_path / "no-such-semgrep"))
    code, data = scan("ready-service", tmp_path, monkeypatch, osv, go_db)
    assert code == cli.EXIT_NO_GO
    assert data["verdict"] == "no-go"
    assert data["justification"].startswith("No-Go (incomplete): ")
    assert "semgrep: semgrep is not installed" in data["justification"]
    assert "--allow-incomplete" in data["justification"]

    code, data = scan("ready-service", tmp_path, monkeypatch, osv, go_db, "--allow-incomplete")
    assert code == cli.EXIT_GO
    assert "INCOMPLETE, accepted with --allow-incomplete" in data["justification"]
    assert "semgrep: semgrep is not installed" in data["justification"]
