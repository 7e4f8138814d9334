"""The adapters' parsers on what the real tools printed (tests/scanners/recorded/), errors included,
and on the garbage a broken tool or proxy could print instead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from readiness import results
from readiness.parsers import gomod, node_locks, versions
from readiness.scanners import govulncheck, npm_audit, osv, pip_audit, safety
from readiness.scanners.base import ScannerError

HERE = Path(__file__).resolve().parent
RECORDED = HERE / "recorded"
CASES = json.loads((RECORDED / "cases.json").read_text())
NPM_LOCK = HERE / "fixtures" / "npm-lock" / "package-lock.json"


def recorded(case: str) -> tuple[str, str, int]:
    tool, name = case.split("/")
    return (
        (RECORDED / tool / f"{name}.out").read_text(),
        (RECORDED / tool / f"{name}.err").read_text(),
        int(CASES[case]["exit"]),
    )


def test_every_recording_is_listed_and_every_listed_case_is_recorded() -> None:
    files = {f"{p.parent.name}/{p.stem}" for p in RECORDED.glob("*/*.out")}
    assert files == set(CASES)
    assert all((RECORDED / f"{case}.err").is_file() for case in CASES)


# ---- pip-audit ------------------------------------------------------------------------------
def test_pip_audit_vulnerable_run_names_advisories_aliases_and_fixes() -> None:
    audit = pip_audit.parse(*recorded("pip-audit/vulnerable"))
    assert set(audit.advisories) == {("django", "2.0"), ("requests", "2.19.0"), ("urllib3", "1.24.1")}
    assert audit.audited == 4 and audit.skipped == {}
    requests = {a.id: a for a in audit.advisories[("requests", "2.19.0")]}
    assert set(requests) == {"PYSEC-2018-28", "PYSEC-2023-74"}
    assert set(requests["PYSEC-2018-28"].aliases) == {"CVE-2018-18074", "GHSA-x84v-xcm2-53pg"}
    assert requests["PYSEC-2018-28"].fixed == ("2.20.0",)
    assert "PYSEC-2018-2" in {a.id for a in audit.advisories[("django", "2.0")]}
    assert "PYSEC-2019-133" in {a.id for a in audit.advisories[("urllib3", "1.24.1")]}


def test_pip_audit_clean_run_has_no_advisories() -> None:
    audit = pip_audit.parse(*recorded("pip-audit/clean"))
    assert audit.advisories == {} and audit.audited == 1


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("pip-audit/duplicate-requirements", "pip-audit failed: package requests has duplicate requirements"),
        ("pip-audit/connection-refused", "vulnerability service unreachable 127.0.0.1:9"),
        ("pip-audit/osv-http-500", "vulnerability service answered 500 Server Error"),
        # The default service offline skips every package and says "No known vulnerabilities
        # found" with exit 0: the one failure that looks like a pass.
        ("pip-audit/default-service-offline", "pip-audit audited none of 1 package(s) (Dependency not found"),
    ],
)
def test_pip_audit_failures_are_one_line_reasons(case: str, reason: str) -> None:
    with pytest.raises(ScannerError) as raised:
        pip_audit.parse(*recorded(case))
    assert reason in str(raised.value)
    assert "\n" not in str(raised.value) and "Traceback" not in str(raised.value)


@pytest.mark.parametrize(
    ("stdout", "returncode", "reason"),
    [
        ("<html>proxy</html>", 0, "pip-audit printed no JSON: <html>proxy</html>"),
        ("", 0, "pip-audit failed"),
        ('{"fixes": []}', 0, "no dependencies list"),
        ('{"dependencies": [{"name": "x", "version": "1"}]}', 0, "no vulns list for x"),
        (
            '{"dependencies": [{"name": "x", "version": "1", "vulns": []}]}',
            1,
            "exited with 1 but reported no",
        ),
        ('{"dependencies": []}', 2, "pip-audit exited with 2"),
    ],
)
def test_pip_audit_garbage_is_not_a_pass(stdout: str, returncode: int, reason: str) -> None:
    with pytest.raises(ScannerError, match=reason):
        pip_audit.parse(stdout, "", returncode)


# ---- safety ---------------------------------------------------------------------------------
def test_safety_report_gives_ids_cves_fixes_and_cvss_severity() -> None:
    found = safety.parse(*recorded("safety/report"))
    advisories = {a.id: a for a in found[("requests", "2.19.0")]}
    assert set(advisories) == {"SAFETY-36546", "SAFETY-58755"}
    assert advisories["SAFETY-36546"].aliases == ("CVE-2018-18074",)
    assert advisories["SAFETY-36546"].fixed == ("2.20.0",)
    assert (advisories["SAFETY-36546"].band, advisories["SAFETY-36546"].score) == ("critical", 9.8)
    assert advisories["SAFETY-58755"].band == "medium"


@pytest.mark.parametrize("case", ["safety/offline-no-key", "safety/offline-with-key"])
def test_safety_offline_crash_is_one_line(case: str) -> None:
    with pytest.raises(ScannerError) as raised:
        safety.parse(*recorded(case))
    message = str(raised.value)
    assert message.startswith("safety could not reach the Safety platform (it needs network at start-up)")
    assert "\n" not in message and "Traceback" not in message


@pytest.mark.parametrize(
    ("stdout", "stderr", "returncode", "reason"),
    [
        ("", "bad key", 65, "the API key was rejected"),
        ("", "", 68, "could not be fetched"),
        ("not json", "", 0, "safety printed no JSON"),
        ('{"report_meta": {}}', "", 64, "no vulnerabilities list"),
        ('{"vulnerabilities": []}', "", 64, "listed none"),
        ('{"vulnerabilities": [{"package_name": "x"}]}', "", 64, "malformed vulnerability"),
    ],
)
def test_safety_garbage_and_exit_codes(stdout: str, stderr: str, returncode: int, reason: str) -> None:
    with pytest.raises(ScannerError, match=reason):
        safety.parse(stdout, stderr, returncode)


# ---- govulncheck ----------------------------------------------------------------------------
def test_govulncheck_legacy_output_has_call_stacks_for_reachable_advisories() -> None:
    findings = govulncheck.parse(*recorded("govulncheck/legacy-stdlib"))
    assert len(findings) == 54
    assert {f.module for f in findings} == {"stdlib"}
    reachable = {f.entry["id"]: f for f in findings if f.reachable}
    assert len(reachable) == 35
    tls = reachable["GO-2026-6090"]
    assert tls.version == "go1.19.8"
    assert tls.frames[0] == govulncheck.Frame(
        "example.com/fixture", "main", "/tmp/readiness-recording/go-stdlib/main.go", 12
    )
    assert tls.frames[-1].name() == "crypto/tls.Conn.HandshakeContext"
    assert not next(f for f in findings if f.entry["id"] == "GO-2026-6218").reachable


def test_govulncheck_v1_stream_folds_the_three_levels_into_one_finding() -> None:
    findings = govulncheck.parse(*recorded("govulncheck/v1-stdlib"))
    by_id = {f.entry["id"]: f for f in findings}
    assert set(by_id) == {"GO-2026-6090", "GO-2026-6089", "GO-2026-5856", "GO-2026-6218", "GO-2026-5038"}
    assert {i for i, f in by_id.items() if f.reachable} == {"GO-2026-6090", "GO-2026-6089", "GO-2026-5856"}
    tls = by_id["GO-2026-6090"]
    assert (tls.module, tls.version, tls.fixed) == ("stdlib", "v1.19.8", "v1.25.13")
    assert tls.frames[0] == govulncheck.Frame("example.com/fixture", "main", "main.go", 12)
    assert tls.frames[-1].name() == "crypto/tls.Conn.HandshakeContext"


def test_both_formats_give_the_same_vulnerabilities_for_the_fixture(tmp_path: Path) -> None:
    root = Path("/tmp/readiness-recording/go-stdlib")
    mod = gomod.parse("go.mod", (HERE / "fixtures" / "go-stdlib" / "go.mod").read_text())
    legacy, _ = govulncheck.source_vulnerabilities(
        govulncheck.parse(*recorded("govulncheck/legacy-stdlib")), mod, root, root
    )
    stream, _ = govulncheck.source_vulnerabilities(
        govulncheck.parse(*recorded("govulncheck/v1-stdlib")), mod, root, root
    )
    wanted = {v.advisories[0].id for v in stream}
    legacy_subset = {v.advisories[0].id: v for v in legacy if v.advisories[0].id in wanted}
    for vulnerability in stream:
        twin = legacy_subset[vulnerability.advisories[0].id]
        assert (vulnerability.reachable, vulnerability.version, vulnerability.fix) == (
            twin.reachable,
            twin.version,
            twin.fix,
        )
        assert (vulnerability.trace_path, vulnerability.trace_line) == (twin.trace_path, twin.trace_line)
    tls = legacy_subset["GO-2026-6090"]
    assert (tls.path, tls.line, tls.trace_path, tls.trace_line) == ("go.mod", 3, "main.go", 12)
    assert tls.advisories[0].aliases and tls.fix == "go1.25.13"


@pytest.mark.parametrize(
    ("case", "kind", "reason"),
    [
        ("govulncheck/legacy-packages-not-loaded", govulncheck.PackagesNotLoaded, "missing go.sum entry"),
        ("govulncheck/legacy-newer-go-mod", govulncheck.PackagesNotLoaded, "invalid go version '1.25.0'"),
        ("govulncheck/legacy-db-unreachable", ScannerError, "could not reach its vulnerability database"),
    ],
)
def test_govulncheck_failures(case: str, kind: type[ScannerError], reason: str) -> None:
    with pytest.raises(ScannerError) as raised:
        govulncheck.parse(*recorded(case))
    assert type(raised.value) is kind
    assert reason in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("stdout", "returncode", "reason"),
    [
        ("segmentation fault", 0, "govulncheck printed no JSON"),
        ('{"Vulns": [{"Modules": []}]}', 0, "without its OSV entry"),
        ('{"Vulns": [', 0, "malformed JSON"),
        ('{"finding": {"osv": "GO-1", "trace": []}}', 0, "no trace or no OSV entry"),
        ('{"config": {}}\n[1]', 0, "not a message"),
        ("", 2, "govulncheck exited with 2"),
    ],
)
def test_govulncheck_garbage(stdout: str, returncode: int, reason: str) -> None:
    with pytest.raises(ScannerError, match=reason):
        govulncheck.parse(stdout, "", returncode)


# ---- npm audit ------------------------------------------------------------------------------
def test_npm_audit_report_maps_advisories_to_locked_versions() -> None:
    lock = node_locks.parse("package-lock.json", NPM_LOCK.read_text())
    found = npm_audit.parse_npm(*recorded("npm/audit-report"), lock)
    lodash = {a.id: a for a in found[("lodash", "4.17.11")]}
    assert set(lodash) == {"GHSA-jf85-cpcp-j695", "GHSA-35jh-r3h4-6jhm"}
    assert (lodash["GHSA-jf85-cpcp-j695"].band, lodash["GHSA-jf85-cpcp-j695"].fixed) == (
        "critical",
        ("4.17.12",),
    )
    assert lodash["GHSA-35jh-r3h4-6jhm"].score == 7.2
    babel = found[("@babel/traverse", "7.23.0")][0]
    assert (babel.id, babel.band, babel.fixed) == (
        "GHSA-67hx-6x53-jw92",
        "critical",
        ("7.23.2", "8.0.0-alpha.4"),
    )
    assert ("ms", "2.1.3") not in found


def test_npm_audit_refused_by_the_registry() -> None:
    lock = node_locks.parse("package-lock.json", NPM_LOCK.read_text())
    with pytest.raises(ScannerError, match="npm audit failed \\(exit 1\\): 405 Method Not Allowed"):
        npm_audit.parse_npm(*recorded("npm/registry-refuses-audit"), lock)


@pytest.mark.parametrize(
    ("stdout", "reason"),
    [
        ("npm ERR! network", "npm audit printed no JSON"),
        ('{"error": {"code": "ENOAUDIT", "summary": "no audit endpoint"}}', "no audit endpoint"),
        ('{"auditReportVersion": 1}', "report version 1 is not supported"),
        (
            json.dumps(
                {
                    "auditReportVersion": 2,
                    "vulnerabilities": {"x": {"via": [{}], "nodes": ["node_modules/x"]}},
                }
            ),
            "nodes the lock file does not have",
        ),
    ],
)
def test_npm_audit_garbage(stdout: str, reason: str) -> None:
    lock = node_locks.parse("package-lock.json", NPM_LOCK.read_text())
    with pytest.raises(ScannerError, match=reason):
        npm_audit.parse_npm(stdout, "", 1, lock)


# ---- shared OSV reading ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("vector", "score", "band"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "critical"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, "high"),
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N", 6.1, "medium"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "medium"),
        ("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.8, "low"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, None),
        ("CVSS:3.1/AV:N/AC:L", None, None),
    ],
)
def test_cvss3_base_score(vector: str, score: float | None, band: str | None) -> None:
    assert osv.cvss3_score(vector) == score
    assert (results.band(score) if score is not None else None) == band


def test_severity_prefers_cvss_then_the_advisory_word() -> None:
    assert osv.severity_of({"severity": [{"type": "CVSS_V2", "score": "AV:N/AC:L/Au:N/C:P/I:P/A:P"}]}) == (
        "high",
        7.5,
    )
    assert osv.severity_of({"database_specific": {"severity": "MODERATE"}}) == ("medium", None)
    assert osv.severity_of({"severity": [{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N"}]}) == (None, None)


@pytest.mark.parametrize(
    ("version", "events", "inside"),
    [
        (
            "1.19.8",
            [{"introduced": "0"}, {"fixed": "1.25.13"}, {"introduced": "1.26.0-0"}, {"fixed": "1.26.6"}],
            True,
        ),
        (
            "1.26.6",
            [{"introduced": "0"}, {"fixed": "1.25.13"}, {"introduced": "1.26.0-0"}, {"fixed": "1.26.6"}],
            False,
        ),
        (
            "1.26.0",
            [{"introduced": "0"}, {"fixed": "1.25.13"}, {"introduced": "1.26.0-0"}, {"fixed": "1.26.6"}],
            True,
        ),
        (
            "1.25.13",
            [{"introduced": "0"}, {"fixed": "1.25.13"}, {"introduced": "1.26.0-0"}, {"fixed": "1.26.6"}],
            False,
        ),
        ("2.0.0", [{"introduced": "1.0.0"}, {"last_affected": "2.0.0"}], True),
        ("2.0.1", [{"introduced": "1.0.0"}, {"last_affected": "2.0.0"}], False),
        (
            "0.0.0-20200823014737-9f7001d12a5f",
            [{"introduced": "0"}, {"fixed": "0.0.0-20210101000000-abcdef"}],
            True,
        ),
    ],
)
def test_semver_ranges(version: str, events: list[dict[str, str]], inside: bool) -> None:
    assert versions.affected(version, [{"type": "SEMVER", "events": events}]) is inside


def test_go_versions_become_semver() -> None:
    assert [versions.go_semver(v) for v in ("go1.22", "go1.19.8", "1.21rc2", "go1.27rc3")] == [
        "1.22.0",
        "1.19.8",
        "1.21.0-rc.2",
        "1.27.0-rc.3",
    ]


@pytest.mark.parametrize(
    ("go_mod", "kept", "dropped"),
    [
        ("module example.com/fixture\n\ngo 1.19\n", 54, 0),
        # The local go1.19.8 can't build a module that needs go1.26.8: its standard library is
        # not what ships, and nothing in the database affects go1.26.8.
        ("module example.com/fixture\n\ngo 1.25.0\n\ntoolchain go1.26.8\n", 0, 54),
    ],
)
def test_standard_library_advisories_below_the_go_mod_minimum_are_left_out(
    go_mod: str, kept: int, dropped: int
) -> None:
    root = Path("/tmp/readiness-recording/go-stdlib")
    mod = gomod.parse("go.mod", go_mod)
    found, note = govulncheck.source_vulnerabilities(
        govulncheck.parse(*recorded("govulncheck/legacy-stdlib")), mod, root, root
    )
    assert len(found) == kept
    assert note == (
        f"{dropped} standard-library advisories of the older local toolchain left out" if dropped else ""
    )


def test_semgrep_matches_carry_what_the_metavariables_captured() -> None:
    from readiness.scanners import semgrep

    output = {
        "results": [
            {
                "check_id": "readiness.rules.reliability.go-http-route",
                "path": "main.go",
                "start": {"line": 12},
                "end": {"line": 12},
                "extra": {"message": "route /readyz handled by s.ready", "metadata": {}},
            },
            {
                "check_id": "readiness.rules.reliability.untemplated",
                "path": "main.go",
                "start": {"line": 14},
                "end": {"line": 14},
                "extra": {"message": "no metavariables here", "metadata": {}},
            },
        ],
        "errors": [],
    }
    templates = {"go-http-route": "route $PATH handled by $H", "untemplated": "plain prose"}
    (route, plain), errors = semgrep.parse(json.dumps(output), templates)
    assert errors == []
    assert route.rule == "go-http-route"
    assert route.captures == {"$PATH": "/readyz", "$H": "s.ready"}
    assert route.capture("PATH") == "/readyz" and route.capture("$H") == "s.ready"
    assert plain.captures == {}


def test_semgrep_captures_are_decoded_only_when_the_message_fits_its_template() -> None:
    from readiness.scanners.semgrep import captures_from

    assert captures_from("pool size $N for $NAME", "pool size 40 for orders") == {
        "$N": "40",
        "$NAME": "orders",
    }
    # A metavariable used twice must bind the same text both times.
    assert captures_from("$X equals $X", "a equals a") == {"$X": "a"}
    assert captures_from("$X equals $X", "a equals b") == {}
    # A message that does not fit (the rule was edited, or semgrep could not interpolate).
    assert captures_from("route $PATH handled by $H", "something else entirely") == {}
    assert captures_from(None, "route / handled by h") == {}


def test_semgrep_message_templates_are_read_from_the_rule_files(tmp_path: Path) -> None:
    from readiness.scanners.semgrep import message_templates

    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "rules.yaml").write_text(
        "rules:\n"
        "  - id: pool-size\n"
        "    message: pool size $N\n"
        "    languages: [go]\n"
        "    severity: INFO\n"
        "    pattern: pool($N)\n",
        encoding="utf-8",
    )
    assert message_templates(tmp_path) == {"pool-size": "pool size $N"}
