"""`readiness doctor` and the first line of a scan whose scanners are missing.

The doctor's rows come from the adapters' own discovery (PATH, then beside sys.executable) and
version detection; its semgrep self-test is a real scan of a two-line file. "Nothing installed"
is a PATH pointing at an empty folder and a sys.executable in a folder without the scanners:
otherwise .venv/bin, where the scanners extra puts them, would be found."""

from __future__ import annotations

import os
import re
import shutil
import stat
import sys
from pathlib import Path

import pytest

from readiness import cli, config, doctor, pipeline
from readiness.model import Category
from readiness.scanners import default_scanners
from readiness.scanners.semgrep import Semgrep
from tests.support import write_tree

OVERRIDES = (
    "READINESS_SEMGREP",
    "READINESS_PIP_AUDIT",
    "READINESS_SAFETY",
    "READINESS_GOVULNCHECK",
    "READINESS_NPM",
)
EVERY_SCANNER = ["semgrep", "pip-audit", "safety", "govulncheck", "npm-audit"]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Versions are remembered per executable file; the fake tools here must not join the user's cache.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def nothing_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No scanner anywhere readiness looks; returns the fake interpreter's (empty) folder."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    interpreter = tmp_path / "env" / "bin"
    interpreter.mkdir(parents=True)
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(sys, "executable", str(interpreter / "python"))
    for variable in OVERRIDES:
        monkeypatch.delenv(variable, raising=False)
    return interpreter


def fake_semgrep(directory: Path, scan_output: str) -> Path:
    """A stand-in semgrep: the real one's version answer, then ``scan_output`` for any scan."""
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / "semgrep"
    script.write_text(
        f"#!/bin/sh\nif [ \"$1\" = --version ]; then echo 1.185.0; exit 0; fi\necho '{scan_output}'\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def semgrep_on_path() -> str:
    found = shutil.which("semgrep")
    assert found, "semgrep is not on PATH: run the tests with .tools/bin on PATH (scripts/test.sh)"
    return found


@pytest.mark.slow
def test_the_real_semgrep_works_with_its_version_and_path() -> None:
    found = semgrep_on_path()
    [row] = doctor.rows([Semgrep()])
    assert row.scanner == "semgrep"
    assert row.path == os.path.abspath(found)
    assert row.version is not None and re.fullmatch(r"\d+\.\d+\.\d+", row.version)
    assert row.version == Semgrep().version()  # the adapter's own version detection
    assert (row.status, row.reason, row.missing) == (
        doctor.Status.OK,
        "self-test scan: 1 match, as expected",
        None,
    )
    assert row.works


def test_nothing_installed_every_row_says_what_is_missing_and_how_to_install_it(
    nothing_installed: Path,
) -> None:
    found = {row.scanner: row for row in doctor.rows()}
    assert list(found) == EVERY_SCANNER
    for row in found.values():
        assert (row.version, row.path, row.status, row.reason) == (
            None,
            None,
            doctor.Status.SKIPPED,
            "not installed",
        )
        assert not row.works
    where = f"not on PATH, nor beside readiness's Python in {nothing_installed}"
    for name in ("semgrep", "pip-audit", "safety"):
        assert found[name].missing == f'{name} ({where}); install it with: pip install "readiness[scanners]"'
    assert found["govulncheck"].missing == (
        f"govulncheck ({where}); install it with: go install golang.org/x/vuln/cmd/govulncheck@latest"
    )
    assert found["npm-audit"].missing is not None
    assert found["npm-audit"].missing.startswith(f"npm ({where}); npm comes with Node.js")


def test_doctor_exits_1_and_prints_the_install_commands_when_scanners_are_missing(
    nothing_installed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["doctor"]) == cli.EXIT_NO_GO
    printed = capsys.readouterr().out
    header, *lines = printed.splitlines()
    assert header.split() == ["scanner", "version", "found", "at", "self-test"]
    assert [line.split()[0] for line in lines[:5]] == EVERY_SCANNER
    assert 'install it with: pip install "readiness[scanners]"' in printed
    assert "install it with: go install golang.org/x/vuln/cmd/govulncheck@latest" in printed
    assert printed.rstrip().endswith("0 of 5 scanner(s) work")


def test_doctor_exits_0_when_every_scanner_works(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    working = doctor.Row("semgrep", "1.185.0", "/x/semgrep", doctor.Status.OK, "self-test scan: 1 match")
    monkeypatch.setattr(doctor, "rows", lambda: [working])
    assert cli.main(["doctor"]) == cli.EXIT_GO
    assert "1 of 1 scanner(s) work" in capsys.readouterr().out


def test_an_override_naming_nothing_is_reported_as_such(
    nothing_installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READINESS_SEMGREP", str(tmp_path / "no-such-semgrep"))
    [row] = doctor.rows([Semgrep()])
    assert row.status is doctor.Status.SKIPPED
    assert row.missing == (
        f"semgrep (READINESS_SEMGREP is set to {tmp_path / 'no-such-semgrep'}, which is not an executable "
        'file); install it with: pip install "readiness[scanners]"'
    )


def test_a_semgrep_whose_scan_misses_the_self_test_match_fails(
    nothing_installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Beside the interpreter, as the scanners extra installs it: found there, but it finds nothing.
    fake = fake_semgrep(nothing_installed, '{"results": [], "errors": []}')
    [row] = doctor.rows([Semgrep()])
    assert (row.version, row.path, row.status) == ("1.185.0", str(fake), doctor.Status.FAILED)
    assert row.reason == "self-test scan: 0 match(es) where 1 (app.py line 2) was expected"


def test_a_semgrep_printing_garbage_fails_with_the_adapters_reason(nothing_installed: Path) -> None:
    fake_semgrep(nothing_installed, "<html>captive portal</html>")
    [row] = doctor.rows([Semgrep()])
    assert row.status is doctor.Status.FAILED
    assert row.reason.startswith("self-test scan failed: semgrep printed no JSON")


def test_the_dependency_scanners_self_test_is_their_version(
    nothing_installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tool = nothing_installed / "pip-audit"
    tool.write_text("#!/bin/sh\necho 'pip-audit 2.10.1'\n", encoding="utf-8")
    tool.chmod(0o755)
    [row] = doctor.rows([default_scanners()[1]])
    assert (row.scanner, row.version, row.status) == ("pip-audit", "2.10.1", doctor.Status.OK)
    assert row.reason == "version only (needs the vulnerability database)"


# ---- the first line of a scan ---------------------------------------------------------------
def test_the_missing_line_names_the_programs_and_one_install_command() -> None:
    assert doctor.missing_line([]) is None
    assert doctor.missing_line(["semgrep", "pip-audit"]) == (
        "semgrep, pip-audit not found: checks that need them will be not assessed; "
        'install them with: pip install "readiness[scanners]"'
    )
    assert doctor.missing_line(["govulncheck"]) == (
        "govulncheck not found: checks that need it will be not assessed; "
        "install it with: go install golang.org/x/vuln/cmd/govulncheck@latest"
    )
    assert doctor.missing_line(["safety", "govulncheck", "npm-audit"]) == (
        "safety, govulncheck, npm not found: checks that need them will be not assessed; "
        'install safety with: pip install "readiness[scanners]"; '
        "install govulncheck with: go install golang.org/x/vuln/cmd/govulncheck@latest; "
        "npm comes with Node.js (or give --osv-url to match lock files without npm)"
    )


def test_the_notice_names_only_the_scanners_of_the_selected_categories(
    nothing_installed: Path, tmp_path: Path
) -> None:
    root = write_tree(tmp_path / "svc", {"app.py": "print(1)\n"})
    outputs = pipeline.Outputs(tmp_path / "reports")
    policy = config.default("svc")
    everything = pipeline.request(root, policy, outputs)
    assert doctor.missing(everything.scanners, doctor.needed(everything)) == EVERY_SCANNER
    reliability = pipeline.request(root, policy, outputs, categories=frozenset({Category.RELIABILITY}))
    assert doctor.notice(reliability) == (
        "semgrep not found: checks that need it will be not assessed; "
        'install it with: pip install "readiness[scanners]"'
    )
    # With an OSV service the Node scan needs no npm: npm is not named.
    offline = pipeline.request(root, policy, outputs, osv_url="http://127.0.0.1:9/v1/query")
    assert doctor.missing(offline.scanners, doctor.needed(offline)) == EVERY_SCANNER[:4]


def test_a_scan_with_scanners_missing_says_so_on_its_first_stderr_line(
    nothing_installed: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = write_tree(tmp_path / "svc", {"app.py": "print(1)\n", "requirements.txt": "requests==2.32.3\n"})
    monkeypatch.chdir(tmp_path)
    code = cli.main(["scan", str(root), "--no-checkpoint", "--output-dir", str(tmp_path / "reports")])
    assert code == cli.EXIT_NO_GO  # missing scanners leave blocker checks not assessed: never Go
    first = capsys.readouterr().err.splitlines()[0]
    assert first == (
        "readiness: semgrep, pip-audit, safety, govulncheck, npm not found: checks that need them will be "
        'not assessed; install semgrep, pip-audit, safety with: pip install "readiness[scanners]"; '
        "install govulncheck with: go install golang.org/x/vuln/cmd/govulncheck@latest; "
        "npm comes with Node.js (or give --osv-url to match lock files without npm)"
    )


def _scan_reliability(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan of one category (reliability reads semgrep only) of a one-file service."""
    root = write_tree(tmp_path / "svc", {"app.py": "print(1)\n"})
    monkeypatch.chdir(tmp_path)
    output = ["--no-checkpoint", "--output-dir", str(tmp_path / "r")]
    cli.main(["scan", str(root), *output, "--categories", "reliability"])


def test_a_scan_of_one_category_names_only_its_scanners(
    nothing_installed: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _scan_reliability(tmp_path, monkeypatch)
    assert capsys.readouterr().err.splitlines()[0] == (
        "readiness: semgrep not found: checks that need it will be not assessed; "
        'install it with: pip install "readiness[scanners]"'
    )


def test_a_scan_whose_scanners_are_found_starts_with_no_such_line(
    nothing_installed: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Reliability reads semgrep only, found beside the interpreter (where the extra installs it).
    fake_semgrep(nothing_installed, '{"results": [], "errors": []}')
    _scan_reliability(tmp_path, monkeypatch)
    err = capsys.readouterr().err
    assert "not found" not in err
    assert err.splitlines()[0].startswith("  Reliability: ")
