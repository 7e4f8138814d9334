"""Every way a dependency scanner can fail gives *not assessed* with its reason, one by one:
missing binary (a READINESS_<TOOL> path that doesn't exist, or nothing on PATH), a run past the
timeout, garbage on stdout, an undocumented exit code, a network error. The "tools" here are
test doubles of the tool's process: small scripts that answer the version probe like the real
tool and then misbehave."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from readiness.repo import Repo
from readiness.scanners.base import NOT_ASSESSED, Scanner
from readiness.scanners.govulncheck import Govulncheck
from readiness.scanners.npm_audit import NpmAudit
from readiness.scanners.pip_audit import PipAudit
from readiness.scanners.safety import Safety
from tests.support import write_tree


@dataclass(frozen=True)
class Tool:
    executable: str
    variable: str
    make: Callable[[], Scanner]
    probe: str  # shell case pattern of the version probe
    answer: str  # what the real tool prints for it
    tree: dict[str, str]
    network: str  # what the real tool prints when the network is down (stderr)
    network_reason: str


TOOLS = [
    Tool(
        "pip-audit",
        "READINESS_PIP_AUDIT",
        lambda: PipAudit("http://127.0.0.1:9/v1/query"),
        "--version",
        "echo 'pip-audit 2.10.1'",
        {"requirements.txt": "requests==2.19.0\n"},
        "requests.exceptions.ConnectionError: HTTPConnectionPool(host='127.0.0.1', port=9): Max retries "
        'exceeded with url: /v1/query (Caused by NewConnectionError("Failed to establish a new connection: '
        '[Errno 111] Connection refused"))',
        "pip-audit failed: vulnerability service unreachable 127.0.0.1:9 (connection refused or no network)",
    ),
    Tool(
        "safety",
        "READINESS_SAFETY",
        Safety,
        "--version",
        "echo 'safety, version 3.8.1'",
        {"requirements.txt": "requests==2.19.0\n"},
        "httpx.ConnectError: [Errno -2] Name or service not known",
        "safety could not reach the Safety platform (it needs network at start-up): "
        "httpx.ConnectError: [Errno -2] Name or service not known",
    ),
    Tool(
        "govulncheck",
        "READINESS_GOVULNCHECK",
        Govulncheck,
        "-h",
        "echo 'usage: govulncheck [flags] package...' >&2; exit 2",
        {"go.mod": "module example.com/m\n\ngo 1.19\n"},
        'govulncheck: Get "https://vuln.go.dev/index.json": dial tcp: lookup vuln.go.dev: no such host',
        'govulncheck could not reach its vulnerability database: govulncheck: Get "https://vuln.go.dev/'
        'index.json": dial tcp: lookup vuln.go.dev: no such host',
    ),
    Tool(
        "npm",
        "READINESS_NPM",
        NpmAudit,
        "--version",
        "echo '11.19.1'",
        {"package-lock.json": '{"lockfileVersion": 3, "packages": {"node_modules/ms": {"version": "1"}}}'},
        "npm error code ECONNREFUSED\nnpm error errno ECONNREFUSED\n"
        "npm error request to http://127.0.0.1:9/-/npm/v1/security/advisories/bulk failed",
        "npm audit printed no JSON (exit 1): npm error request to http://127.0.0.1:9/-/npm/v1/security/"
        "advisories/bulk failed",
    ),
]
IDS = [tool.executable for tool in TOOLS]


def fake(tmp_path: Path, tool: Tool, behaviour: str) -> Path:
    """A stand-in executable: answers the version probe like the tool, then ``behaviour``."""
    script = tmp_path / "bin" / tool.executable
    script.parent.mkdir(exist_ok=True)
    script.write_text(
        f'#!/bin/sh\ncase "$1" in\n  {tool.probe}) {tool.answer}; exit 0 ;;\nesac\n{behaviour}\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFETY_API_KEY", "test-key")  # so safety runs instead of being skipped


def run(tmp_path: Path, tool: Tool, timeout: float = 30) -> tuple[str, str]:
    repo = write_tree(tmp_path / "repo", tool.tree)
    output = tool.make().run(Repo(repo), timeout)
    assert "\n" not in output.detail
    return output.status, output.detail


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_override_pointing_at_a_missing_file(
    tmp_path: Path, tool: Tool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(tool.variable, str(tmp_path / "no-such-tool"))
    name = "npm-audit" if tool.executable == "npm" else tool.executable
    assert run(tmp_path, tool) == (NOT_ASSESSED, f"{name} is not installed")


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_not_on_path(tmp_path: Path, tool: Tool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(tool.variable, raising=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    # Nor beside the interpreter, where the scanners extra installs them (.venv/bin here).
    monkeypatch.setattr(sys, "executable", str(empty / "python"))
    status, detail = run(tmp_path, tool)
    assert (status, detail.endswith("is not installed")) == (NOT_ASSESSED, True)


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_a_run_past_the_timeout(tmp_path: Path, tool: Tool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(tool.variable, str(fake(tmp_path, tool, "exec sleep 30")))
    status, detail = run(tmp_path, tool, timeout=1)
    assert status == NOT_ASSESSED
    assert detail.endswith("timed out after 1 s")


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_garbage_on_stdout(tmp_path: Path, tool: Tool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(tool.variable, str(fake(tmp_path, tool, "echo '<html>captive portal</html>'; exit 0")))
    status, detail = run(tmp_path, tool)
    assert status == NOT_ASSESSED
    assert "printed no JSON" in detail and "<html>captive portal</html>" in detail


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_an_undocumented_exit_code(tmp_path: Path, tool: Tool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(tool.variable, str(fake(tmp_path, tool, "echo 'something broke' >&2; exit 2")))
    status, detail = run(tmp_path, tool)
    assert status == NOT_ASSESSED
    if tool.executable == "npm":  # npm's errors come as JSON or not at all; no JSON is the reason
        assert detail == "npm audit printed no JSON (exit 2): something broke"
    else:
        assert detail.endswith("exited with 2: something broke") or "exited with 2" in detail


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_a_network_error(tmp_path: Path, tool: Tool, monkeypatch: pytest.MonkeyPatch) -> None:
    printed = tool.network.replace("'", "'\\''")
    monkeypatch.setenv(tool.variable, str(fake(tmp_path, tool, f"printf '%s\\n' '{printed}' >&2; exit 1")))
    assert run(tmp_path, tool) == (NOT_ASSESSED, tool.network_reason)


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_a_broken_version_probe_counts_as_missing(
    tmp_path: Path, tool: Tool, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = Tool(**{**tool.__dict__, "answer": "echo 'Segmentation fault' >&2; exit 139"})
    monkeypatch.setenv(tool.variable, str(fake(tmp_path, broken, "exit 0")))
    status, detail = run(tmp_path, tool)
    assert (status, detail.endswith("is not installed")) == (NOT_ASSESSED, True)


@pytest.mark.slow
def test_the_executable_is_never_given_the_repository_as_a_shell_string(tmp_path: Path) -> None:
    # A hostile file name must reach the tool as one argument at most, never through a shell.
    assert os.sep == "/"
    repo = write_tree(tmp_path / "repo", {"$(touch pwned)/requirements.txt": "requests==2.19.0\n"})
    PipAudit("http://127.0.0.1:9/v1/query").run(Repo(repo), 30)
    assert not (tmp_path / "repo" / "pwned").exists() and not Path("pwned").exists()


def test_pip_audit_reporting_an_empty_dependency_list_has_audited_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Exit 0 and "no known vulnerabilities" over no dependencies at all, for a file that pins two.
    tool = TOOLS[0]
    empty = """echo '{"dependencies": [], "fixes": []}'; exit 0"""
    monkeypatch.setenv(tool.variable, str(fake(tmp_path, tool, empty)))
    repo = write_tree(tmp_path / "repo", {"requirements.txt": "requests==2.19.0\nurllib3==1.24.1\n"})
    output = tool.make().run(Repo(repo), 30)
    assert (output.status, output.detail) == (
        NOT_ASSESSED,
        "pip-audit reported on none of the 2 pinned package(s) it was given (requests, urllib3): "
        "nothing was audited",
    )


def test_pip_audit_leaving_out_a_package_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tool = TOOLS[0]
    one = """echo '{"dependencies": [{"name": "requests", "version": "2.19.0", "vulns": []}]}'; exit 0"""
    monkeypatch.setenv(tool.variable, str(fake(tmp_path, tool, one)))
    repo = write_tree(tmp_path / "repo", {"requirements.txt": "requests==2.19.0\nurllib3==1.24.1\n"})
    output = tool.make().run(Repo(repo), 30)
    assert output.ok
    assert "1 package(s) not audited by pip-audit (urllib3): pip-audit did not report on it" in (
        output.data.notes
    )
