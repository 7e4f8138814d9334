"""The dependency-vulnerability checks over fixture trees, fed with what the adapters make of
the real tools' recorded outputs (tests/scanners/recorded/); the tools themselves run in
tests/scanners/test_real_tools.py."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from readiness import config as config_module
from readiness import registry, results
from readiness.context import CheckContext
from readiness.engine import run_check as engine_run_check
from readiness.facts import dependencies
from readiness.model import CheckResult, Outcome, Severity
from readiness.parsers import gomod, node_locks
from readiness.repo import Repo
from readiness.scanners import govulncheck, npm_audit, pip_audit
from readiness.scanners import python_report as layered
from readiness.scanners.base import NOT_ASSESSED, SKIPPED, ScanOutput
from tests.support import locations, run_check, write_tree

SCANNERS = Path(__file__).resolve().parents[2] / "scanners"
RECORDED = SCANNERS / "recorded"
FIXTURES = SCANNERS / "fixtures"


def recorded(case: str, exit_code: int) -> tuple[str, str, int]:
    tool, name = case.split("/")
    return (
        (RECORDED / tool / f"{name}.out").read_text(),
        (RECORDED / tool / f"{name}.err").read_text(),
        exit_code,
    )


def severities(result: CheckResult) -> list[Severity | None]:
    return [failure.severity for failure in result.failures]


def python_report(
    root: Path, advisories: dict[tuple[str, str], list[results.Advisory]]
) -> results.DependencyReport:
    """What the pip-audit adapter hands the check: the manifests of ``root`` with ``advisories``."""
    repo = Repo(root)
    return layered.report("pip-audit", dependencies.manifests(repo), advisories)


VULNERABLE = {
    "api/requirements.txt": """
        # production pins
        django==2.0
        requests==2.19.0
        urllib3==1.24.1
        flask==2.3.3
        """,
    "api/requirements-dev.txt": "requests==2.19.0\n",
}


# ---- security/python-vulnerabilities --------------------------------------------------------
def test_each_vulnerable_pin_is_a_finding_at_its_line(tmp_path: Path) -> None:
    write_tree(tmp_path, VULNERABLE)
    advisories = pip_audit.parse(*recorded("pip-audit/vulnerable", 1)).advisories
    # The adapter reads CVSS vectors from the OSV service; here one advisory has one.
    advisories[("urllib3", "1.24.1")] = [
        replace(a, band="high", score=8.1) if a.id == "PYSEC-2023-192" else a
        for a in advisories[("urllib3", "1.24.1")]
    ]
    result = run_check(
        "security/python-vulnerabilities",
        tmp_path,
        scanner_results={"pip-audit": python_report(tmp_path, advisories)},
    )
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [
        ("api/requirements-dev.txt", 1),
        ("api/requirements.txt", 2),
        ("api/requirements.txt", 3),
        ("api/requirements.txt", 4),
    ]
    assert severities(result) == [Severity.RECOMMENDATION, Severity.RISK, Severity.RISK, Severity.BLOCKER]
    dev, django, requests, urllib3 = (failure.message for failure in result.failures)
    assert dev.endswith("(development dependency, not shipped)")
    assert requests == (
        "requests 2.19.0 (api/requirements.txt) has 2 known vulnerabilities: "
        "PYSEC-2018-28 (CVE-2018-18074, GHSA-x84v-xcm2-53pg; fixed in 2.20.0; severity unknown); "
        "PYSEC-2023-74 (CVE-2023-32681, GHSA-j8r2-6x86-q33q; fixed in 2.31.0; severity unknown); "
        "upgrade to 2.31.0 or later"
    )
    assert django.startswith(
        "django 2.0 (api/requirements.txt) has 7 known vulnerabilities: "
        "PYSEC-2018-2 (CVE-2018-14574, GHSA-5hg3-6c2f-f3wr; fixed in 2.0.8; severity unknown); "
    )
    # The lowest fix per advisory is in the installed 2.0 line; closing all of them needs 2.2.24.
    assert django.endswith(
        "PYSEC-2021-98 (CVE-2021-33203, GHSA-68w8-qjq3-2gfm; fixed in 2.2.24; severity unknown); "
        "upgrade to 2.2.24 or later"
    )
    assert (
        "PYSEC-2023-192 (CVE-2023-43804, GHSA-v845-jxx5-vc9f; fixed in 1.26.17; severity high 8.1)" in urllib3
    )
    assert result.failures[1].evidence[0].snippet == "django==2.0"


def test_clean_pins_pass_with_the_manifests_as_evidence(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"requirements.txt": "flask==2.3.3\n", "pyproject.toml": '[project]\ndependencies = ["flask>=2"]\n'},
    )
    report = python_report(tmp_path, pip_audit.parse(*recorded("pip-audit/clean", 0)).advisories)
    report = replace(
        report, notes=("pyproject.toml: ranges, pinned by a lock or requirements file beside it",)
    )
    result = run_check("security/python-vulnerabilities", tmp_path, scanner_results={"pip-audit": report})
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [("requirements.txt", None)]
    assert result.summary == (
        "no known vulnerabilities in the pinned Python dependencies: "
        "requirements.txt: 1 package(s), 0 vulnerable; "
        "pyproject.toml: ranges, pinned by a lock or requirements file beside it"
    )


def test_nothing_pinned_is_not_assessed_and_nothing_declared_is_not_applicable(tmp_path: Path) -> None:
    write_tree(tmp_path / "ranges", {"requirements.txt": "flask>=2\n"})
    result = run_check(
        "security/python-vulnerabilities",
        tmp_path / "ranges",
        scanner_results={"pip-audit": python_report(tmp_path / "ranges", {})},
    )
    assert result.outcome is Outcome.NOT_ASSESSED
    assert result.summary.startswith("no pinned Python requirement to audit")
    write_tree(tmp_path / "empty", {"pyproject.toml": '[project]\nname = "tool"\n'})
    result = run_check(
        "security/python-vulnerabilities",
        tmp_path / "empty",
        scanner_results={"pip-audit": python_report(tmp_path / "empty", {})},
    )
    assert result.outcome is Outcome.NOT_APPLICABLE


def _through_the_engine(check_id: str, root: Path, output: ScanOutput) -> CheckResult:
    spec = registry.get(check_id)
    repo = Repo(root)
    context = CheckContext(
        repo, config_module.default(root.name), {output.name: output.data} if output.ok else {}
    )
    with repo.recording() as recording:
        return engine_run_check(spec, context, recording, {output.name: output})


def test_safety_without_a_key_is_not_applicable_and_a_crash_is_not_assessed(tmp_path: Path) -> None:
    write_tree(tmp_path, VULNERABLE)
    skipped = ScanOutput("safety", SKIPPED, "not run: SAFETY_API_KEY is not set", "3.8.1")
    result = _through_the_engine("security/python-vulnerabilities-safety", tmp_path, skipped)
    assert (result.outcome, result.summary) == (
        Outcome.NOT_APPLICABLE,
        "safety: not run: SAFETY_API_KEY is not set",
    )
    crashed = ScanOutput("safety", NOT_ASSESSED, "safety could not reach the Safety platform", "3.8.1")
    result = _through_the_engine("security/python-vulnerabilities-safety", tmp_path, crashed)
    assert (result.outcome, result.summary) == (
        Outcome.NOT_ASSESSED,
        "safety: safety could not reach the Safety platform",
    )


def test_safety_findings_carry_its_cvss_severity(tmp_path: Path) -> None:
    write_tree(tmp_path, {"requirements.txt": "requests==2.19.0\n"})
    from readiness.scanners import safety

    advisories = safety.parse(*recorded("safety/report", 64))
    report = replace(python_report(tmp_path, advisories), tool="safety")
    result = run_check("security/python-vulnerabilities-safety", tmp_path, scanner_results={"safety": report})
    assert locations(result) == [("requirements.txt", 1)]
    assert severities(result) == [Severity.BLOCKER]  # CVE-2018-18074 is CVSS 9.8
    assert (
        "SAFETY-36546 (CVE-2018-18074; fixed in 2.20.0; severity critical 9.8)" in result.failures[0].message
    )


# ---- security/go-vulnerabilities ------------------------------------------------------------
def _go_tree(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "go-stdlib", tmp_path / "svc"))


def test_reachable_go_advisories_block_and_unreachable_ones_are_grouped_risks(tmp_path: Path) -> None:
    root = _go_tree(tmp_path)
    mod = gomod.parse("go.mod", (root / "go.mod").read_text())
    # The recording was made with the fixture at /tmp/readiness-recording/go-stdlib.
    recorded_root = Path("/tmp/readiness-recording/go-stdlib")
    found, _ = govulncheck.source_vulnerabilities(
        govulncheck.parse(*recorded("govulncheck/legacy-stdlib", 0)), mod, recorded_root, recorded_root
    )
    report = results.DependencyReport("govulncheck", tuple(found), (results.Manifest("go.mod", 1, 1),))
    result = run_check("security/go-vulnerabilities", root, scanner_results={"govulncheck": report})
    assert result.outcome is Outcome.FAIL
    blockers = [f for f in result.failures if f.severity is Severity.BLOCKER]
    risks = [f for f in result.failures if f.severity is Severity.RISK]
    assert len(blockers) == 35 and len(risks) == 1
    tls = next(f for f in blockers if "GO-2026-6090" in f.message)
    assert [(e.path, e.line) for e in tls.evidence] == [("main.go", 12), ("go.mod", 3)]
    assert tls.evidence[0].snippet == '_ = http.ListenAndServe(":8080", nil)'
    assert tls.message.startswith("stdlib go1.19.8 (go.mod): GO-2026-6090 (")
    assert "is reachable from the code" in tls.message
    assert "example.com/fixture.main → net/http.ListenAndServe" in tls.message
    assert tls.message.endswith("upgrade to go1.25.13 or later")
    (grouped,) = risks
    assert [(e.path, e.line) for e in grouped.evidence] == [("go.mod", 3)]
    assert grouped.message.startswith(
        "stdlib go1.19.8 (go.mod): 19 advisories affect the module, but no call path from the code reaches"
    )
    assert "and 7 more" in grouped.message


def test_module_level_matches_are_risks_that_say_reachability_was_not_analysed(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "go.mod": "module example.com/m\n\ngo 1.25.0\n\ntoolchain go1.26.8\n\n"
            + "require golang.org/x/text v0.3.5\n"
        },
    )
    mod = gomod.parse("go.mod", (root / "go.mod").read_text())
    entry = {
        "id": "GO-2021-0113",
        "aliases": ["CVE-2021-38561"],
        "affected": [
            {
                "package": {"name": "golang.org/x/text", "ecosystem": "Go"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "0.3.7"}]}],
            }
        ],
    }

    class Database:
        def entries(self, module: str) -> list[dict[str, object]]:
            return [entry] if module == "golang.org/x/text" else []

    found = govulncheck.module_level(mod, Database())  # type: ignore[arg-type]
    report = results.DependencyReport("govulncheck", tuple(found), (results.Manifest("go.mod", 2, 1),))
    result = run_check("security/go-vulnerabilities", root, scanner_results={"govulncheck": report})
    assert locations(result) == [("go.mod", 7)]
    assert severities(result) == [Severity.RISK]
    assert result.failures[0].message == (
        "golang.org/x/text v0.3.5 (go.mod): 1 advisory match the version in go.mod (module level: whether "
        "the code calls them was not analysed): GO-2021-0113 (CVE-2021-38561); upgrade to v0.3.7 or later"
    )


def test_go_module_without_advisories_passes(tmp_path: Path) -> None:
    root = _go_tree(tmp_path)
    report = results.DependencyReport("govulncheck", (), (results.Manifest("go.mod", 1, 0),))
    result = run_check("security/go-vulnerabilities", root, scanner_results={"govulncheck": report})
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [("go.mod", None)]


# ---- security/node-vulnerabilities ----------------------------------------------------------
def test_locked_node_packages_with_advisories(tmp_path: Path) -> None:
    root = Path(shutil.copytree(FIXTURES / "npm-lock", tmp_path / "web"))
    lock = node_locks.parse("package-lock.json", (root / "package-lock.json").read_text())
    advisories = npm_audit.parse_npm(*recorded("npm/audit-report", 1), lock)
    report = npm_audit._report([lock], advisories)
    result = run_check("security/node-vulnerabilities", root, scanner_results={"npm-audit": report})
    assert locations(result) == [("package-lock.json", 18), ("package-lock.json", 23)]
    assert severities(result) == [Severity.RECOMMENDATION, Severity.BLOCKER]
    assert result.failures[1].message == (
        "lodash 4.17.11 (package-lock.json) has 2 known vulnerabilities: "
        "GHSA-35jh-r3h4-6jhm (npm-1797619; fixed in 4.17.21; severity high 7.2); "
        "GHSA-jf85-cpcp-j695 (npm-1248000; fixed in 4.17.12; severity critical 9.1); "
        "upgrade to 4.17.21 or later"
    )


def test_no_lock_file_is_not_applicable(tmp_path: Path) -> None:
    write_tree(tmp_path, {"package.json": '{"name": "x"}\n'})
    report = results.DependencyReport("npm-audit")
    result = run_check("security/node-vulnerabilities", tmp_path, scanner_results={"npm-audit": report})
    assert result.outcome is Outcome.NOT_APPLICABLE


# ---- security/pinned-dependencies -----------------------------------------------------------
UNPINNED = {
    "api/requirements.txt": """
        django==4.2.16
        requests>=2.31
        -r base.txt
        celery[redis]~=5.3
        ===bad
        """,
    "api/requirements-dev.txt": "pytest\n",
    "api/pyproject.toml": '[project]\ndependencies = ["django>=4"]\n',  # pinned by requirements.txt
    "tool/pyproject.toml": '[project]\nname = "tool"\ndependencies = [\n  "click>=8",\n]\n',
    "web/package.json": '{\n  "name": "web",\n  "dependencies": {"lodash": "^4.17.0"}\n}\n',
    "admin/package.json": '{\n  "name": "admin",\n  "devDependencies": {"vite": "^5"}\n}\n',
    "admin/package-lock.json": '{"lockfileVersion": 3, "packages": {}}\n',
    "empty/package.json": '{"name": "empty", "dependencies": {}}\n',
}


def test_unpinned_requirements_and_unlocked_packages(tmp_path: Path) -> None:
    write_tree(tmp_path, UNPINNED)
    result = run_check("security/pinned-dependencies", tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [
        ("api/requirements-dev.txt", 1),
        ("api/requirements.txt", 5),
        ("api/requirements.txt", 2),
        ("api/requirements.txt", 4),
        ("tool/pyproject.toml", 4),
        ("web/package.json", 3),
    ]
    assert severities(result) == [Severity.RECOMMENDATION, None, None, None, None, None]
    messages = [failure.message for failure in result.failures]
    assert (
        messages[2]
        == "'requests>=2.31' in api/requirements.txt is not pinned to one version, so it is not audited"
    )
    assert messages[1] == "api/requirements.txt: cannot parse requirement '===bad'"
    assert messages[5].startswith("web/package.json declares dependencies but no lock file")


def test_pinned_manifests_pass(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "requirements.txt": "django==4.2.16\n-e .\n",
            "pyproject.toml": '[project]\ndependencies = ["django>=4"]\n',
            "worker/uv.lock": '[[package]]\nname = "redis"\nversion = "5.0.3"\n',
            "ui/package.json": '{"dependencies": {"lodash": "^4.17.21"}}\n',
            "yarn.lock": 'lodash@^4.17.21:\n  version "4.17.21"\n',
        },
    )
    result = run_check("security/pinned-dependencies", tmp_path)
    assert result.outcome is Outcome.PASS
    assert [e.path for e in result.evidence] == ["requirements.txt", "worker/uv.lock", "ui/package.json"]


def test_nothing_to_pin_is_not_applicable(tmp_path: Path) -> None:
    write_tree(tmp_path, {"main.go": "package main\n", "package.json": '{"name": "scripts-only"}\n'})
    assert run_check("security/pinned-dependencies", tmp_path).outcome is Outcome.NOT_APPLICABLE


@pytest.mark.parametrize(
    "check_id",
    [
        "security/python-vulnerabilities",
        "security/python-vulnerabilities-safety",
        "security/go-vulnerabilities",
        "security/node-vulnerabilities",
    ],
)
def test_a_failed_scanner_is_never_a_pass(tmp_path: Path, check_id: str) -> None:
    write_tree(tmp_path, {"requirements.txt": "flask==2.3.3\n"})
    name = registry.get(check_id).scanners[0]
    failed = ScanOutput(name, NOT_ASSESSED, f"{name} timed out after 600 s", "1.0")
    result = _through_the_engine(check_id, tmp_path, failed)
    assert (result.outcome, result.summary) == (Outcome.NOT_ASSESSED, f"{name}: {name} timed out after 600 s")
