"""The real tools, offline: pip-audit and the npm lock-file match against the local OSV server
(PyPA snapshot), govulncheck against a file:// database built from the Go snapshot, npm audit
with the local server as its registry, safety without network. Nothing here reaches the
internet: every URL is 127.0.0.1."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from readiness import results
from readiness.repo import Repo
from readiness.scanners.base import NOT_ASSESSED, OK, SKIPPED
from readiness.scanners.govulncheck import Govulncheck
from readiness.scanners.npm_audit import NpmAudit
from readiness.scanners.pip_audit import PipAudit
from readiness.scanners.safety import Safety
from tests.scanners import offline
from tests.scanners.conftest import FIXTURES
from tests.scanners.osv_server import OsvServer
from tests.support import write_tree

pytestmark = pytest.mark.slow
CLOSED = "http://127.0.0.1:9/v1/query"  # the discard port: nothing listens, the connection is refused


def fixture(tmp_path: Path, name: str) -> Path:
    return Path(shutil.copytree(FIXTURES / name, tmp_path / name))


def by_package(report: results.DependencyReport) -> dict[str, results.Vulnerability]:
    return {v.package: v for v in report.vulnerabilities}


# ---- pip-audit ------------------------------------------------------------------------------
def test_pip_audit_finds_real_advisories_for_old_pins(tmp_path: Path, osv: OsvServer) -> None:
    output = PipAudit(osv.url).run(Repo(fixture(tmp_path, "python-vulnerable")), timeout=300)
    assert output.status == OK, output.detail
    assert output.version == "2.10.1"
    assert output.detail.endswith("requirements.txt: 4 package(s), 3 vulnerable")
    found = by_package(output.data)
    assert set(found) == {"django", "requests", "urllib3"}  # flask==2.3.3 has none
    assert (found["django"].version, found["django"].line) == ("2.0", 2)
    assert "PYSEC-2018-2" in {a.id for a in found["django"].advisories}
    requests = {a.id: a for a in found["requests"].advisories}
    assert set(requests["PYSEC-2018-28"].aliases) == {"CVE-2018-18074", "GHSA-x84v-xcm2-53pg"}
    assert (found["requests"].line, found["requests"].fix) == (3, "2.31.0")
    urllib3 = {a.id: a for a in found["urllib3"].advisories}
    assert "PYSEC-2019-133" in urllib3 and found["urllib3"].line == 4
    # pip-audit's JSON has no severity: the CVSS vector comes from the same OSV service.
    assert (urllib3["PYSEC-2023-192"].band, urllib3["PYSEC-2023-192"].score) == ("high", 8.1)
    assert urllib3["PYSEC-2019-133"].band is None
    assert osv.requests and all(r == "POST /v1/query" for r in osv.requests)


def test_pip_audit_passes_fixed_pins(tmp_path: Path, osv: OsvServer) -> None:
    output = PipAudit(osv.url).run(Repo(fixture(tmp_path, "python-clean")), timeout=300)
    assert output.status == OK, output.detail
    assert output.data.vulnerabilities == ()
    assert output.detail.endswith("requirements.txt: 1 package(s), 0 vulnerable")


def test_pip_audit_audits_each_version_when_manifests_disagree(tmp_path: Path, osv: OsvServer) -> None:
    write_tree(
        tmp_path,
        {
            "api/requirements.txt": "requests==2.19.0\nflask>=2\n",
            "worker/poetry.lock": '[[package]]\nname = "requests"\nversion = "2.32.3"\n',
            "worker/pyproject.toml": '[project]\ndependencies = ["requests>=2"]\n',
        },
    )
    output = PipAudit(osv.url).run(Repo(tmp_path), timeout=300)
    assert output.status == OK, output.detail
    assert [(v.path, v.package, v.version, v.line) for v in output.data.vulnerabilities] == [
        ("api/requirements.txt", "requests", "2.19.0", 1)
    ]
    assert output.detail == (
        f"OSV at {osv.url}: api/requirements.txt: 1 package(s), 1 vulnerable (1 unpinned not audited); "
        "worker/poetry.lock: 1 package(s), 0 vulnerable; "
        "worker/pyproject.toml: ranges, pinned by a lock or requirements file beside it"
    )


@pytest.mark.parametrize(
    ("mode", "url", "reason"),
    [
        ("error", None, "pip-audit failed: vulnerability service answered 500 Server Error"),
        ("garbage", None, "pip-audit failed"),
        (
            "ok",
            CLOSED,
            "pip-audit failed: vulnerability service unreachable 127.0.0.1:9",
        ),
    ],
)
def test_pip_audit_service_failures_are_not_assessed(
    tmp_path: Path, osv: OsvServer, mode: str, url: str | None, reason: str
) -> None:
    osv.mode = mode
    output = PipAudit(url or osv.url).run(Repo(fixture(tmp_path, "python-vulnerable")), timeout=300)
    assert output.status == NOT_ASSESSED
    assert output.detail.startswith(reason) and "\n" not in output.detail


# ---- safety ---------------------------------------------------------------------------------
def test_safety_without_a_key_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAFETY_API_KEY", raising=False)
    output = Safety().run(Repo(fixture(tmp_path, "python-vulnerable")), timeout=300)
    assert (output.status, output.version) == (SKIPPED, "3.8.1")
    assert output.detail == "not run: SAFETY_API_KEY is not set and no local safety database is configured"


def test_safety_with_a_key_but_no_network_is_not_assessed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFETY_API_KEY", "not-a-real-key")
    output = Safety().run(Repo(fixture(tmp_path, "python-vulnerable")), timeout=300)
    assert output.status == NOT_ASSESSED
    assert (
        output.detail.startswith("safety ") and "\n" not in output.detail and "Traceback" not in output.detail
    )


# ---- govulncheck ----------------------------------------------------------------------------
@offline.REQUIRES_REAL_GO
def test_govulncheck_finds_reachable_standard_library_advisories(tmp_path: Path, go_db: Path) -> None:
    root = fixture(tmp_path, "go-stdlib")
    output = Govulncheck(f"file://{go_db}").run(Repo(root), timeout=600)
    assert output.status == OK, output.detail
    assert output.version is not None and "go1." in output.version
    found = {v.advisories[0].id: v for v in output.data.vulnerabilities}
    assert {v.package for v in found.values()} == {"stdlib"}
    assert len(found) >= 40
    tls = found["GO-2026-6090"]
    assert (tls.reachable, tls.path, tls.line, tls.trace_path, tls.trace_line) == (
        True,
        "go.mod",
        3,
        "main.go",
        12,
    )
    assert tls.trace.startswith("example.com/fixture.main → net/http.ListenAndServe")
    assert found["GO-2026-6218"].reachable is False  # net/url: imported, not called
    assert all(v.version.startswith("go1.") for v in found.values())


def test_govulncheck_falls_back_to_module_level_when_packages_cannot_load(
    tmp_path: Path, go_db: Path
) -> None:
    output = Govulncheck(str(go_db)).run(Repo(fixture(tmp_path, "go-missing-module")), timeout=600)
    assert output.status == OK, output.detail
    assert "module-level match, packages not loaded: packages could not be loaded offline" in output.detail
    text = [v for v in output.data.vulnerabilities if v.package == "golang.org/x/text"]
    assert {v.advisories[0].id for v in text} >= {"GO-2021-0113"}
    assert {(v.version, v.line, v.reachable) for v in text} == {("v0.3.5", 5, None)}
    stdlib = [v for v in output.data.vulnerabilities if v.package == "stdlib"]
    assert stdlib and {(v.version, v.line) for v in stdlib} == {("go1.19", 3)}


def test_govulncheck_without_a_local_database_cannot_fall_back(tmp_path: Path) -> None:
    output = Govulncheck().run(Repo(fixture(tmp_path, "go-missing-module")), timeout=600)
    assert output.status == NOT_ASSESSED
    assert output.detail.startswith("go.mod: packages could not be loaded offline (")
    assert output.detail.endswith(
        "module-level matching needs a local Go vulnerability database (--go-vulndb)"
    )


def test_govulncheck_database_unreachable_is_not_assessed(tmp_path: Path) -> None:
    output = Govulncheck("http://127.0.0.1:9").run(Repo(fixture(tmp_path, "go-stdlib")), timeout=600)
    assert output.status == NOT_ASSESSED
    assert output.detail.startswith("govulncheck could not reach its vulnerability database")


# ---- npm ------------------------------------------------------------------------------------
def _check_npm_result(report: results.DependencyReport) -> None:
    found = by_package(report)
    assert set(found) == {"lodash", "@babel/traverse"}
    lodash = found["lodash"]
    assert (lodash.path, lodash.line, lodash.version, lodash.fix, lodash.dev) == (
        "package-lock.json",
        23,
        "4.17.11",
        "4.17.21",
        False,
    )
    assert {a.id for a in lodash.advisories} == {"GHSA-jf85-cpcp-j695", "GHSA-35jh-r3h4-6jhm"}
    assert results.worst(lodash.advisories).value == "blocker"
    assert (found["@babel/traverse"].line, found["@babel/traverse"].dev) == (18, True)


def test_lock_file_match_through_the_osv_service(tmp_path: Path, osv: OsvServer) -> None:
    output = NpmAudit(osv.url).run(Repo(fixture(tmp_path, "npm-lock")), timeout=300)
    assert output.status == OK, output.detail
    assert output.detail.endswith("package-lock.json: 3 package(s), 2 vulnerable")
    _check_npm_result(output.data)
    assert osv.requests[0] == "POST /v1/querybatch"
    assert sorted(osv.requests[1:]) == [
        "GET /v1/vulns/GHSA-35jh-r3h4-6jhm",
        "GET /v1/vulns/GHSA-67hx-6x53-jw92",
        "GET /v1/vulns/GHSA-jf85-cpcp-j695",
    ]


def test_real_npm_audit_against_a_registry_with_an_audit_endpoint(
    tmp_path: Path, osv: OsvServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READINESS_NPM_REGISTRY", osv.base + "/")
    output = NpmAudit().run(Repo(fixture(tmp_path, "npm-lock")), timeout=300)
    assert output.status == OK, output.detail
    assert output.version is not None and output.version.startswith("npm ")
    _check_npm_result(output.data)
    # npm posts the locked versions to the bulk endpoint, then asks for packuments to compute
    # fixes (the local server has none: it answers 404 and npm reports fixAvailable false).
    assert osv.requests[0] == "POST /-/npm/v1/security/advisories/bulk"
    assert all(request.startswith("GET /") for request in osv.requests[1:])


def test_npm_audit_with_an_unreachable_registry_is_not_assessed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READINESS_NPM_REGISTRY", "http://127.0.0.1:9/")
    output = NpmAudit().run(Repo(fixture(tmp_path, "npm-lock")), timeout=300)
    assert output.status == NOT_ASSESSED
    assert output.detail.startswith("npm audit failed (exit 1): ") and "\n" not in output.detail


@pytest.mark.parametrize("mode", ["error", "garbage"])
def test_lock_file_match_with_a_failing_osv_service(tmp_path: Path, osv: OsvServer, mode: str) -> None:
    osv.mode = mode
    output = NpmAudit(osv.url).run(Repo(fixture(tmp_path, "npm-lock")), timeout=300)
    assert output.status == NOT_ASSESSED
    expected = "answered HTTP 500" if mode == "error" else "answered with no JSON"
    assert expected in output.detail


def test_yarn_lock_needs_the_osv_service(tmp_path: Path) -> None:
    write_tree(tmp_path, {"yarn.lock": 'lodash@^4.17.0:\n  version "4.17.11"\n'})
    output = NpmAudit().run(Repo(tmp_path), timeout=60)
    assert output.status == NOT_ASSESSED
    assert "npm audit reads package-lock.json only" in output.detail
