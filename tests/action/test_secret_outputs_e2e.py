"""An OSV URL with basic-auth credentials never reaches an output: the scanner table of the report,
the JSON and the Action's job summary show it with the password cut (redacted where the scanner's
status is recorded, readiness/scanners/base.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from readiness import action, cli
from readiness.secret_formats import REDACTED
from tests.action.test_action_e2e import EXAMPLES, Runner
from tests.github.fake_github import FakeGitHub
from tests.scanners.osv_server import OsvServer

PASSWORD = "osv-basic-planted-fake"


def _with_credentials(url: str) -> str:
    return url.replace("http://", f"http://scanuser:{PASSWORD}@", 1)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_HTTP_BACKOFF", "0.001")


@pytest.mark.slow
def test_the_osv_password_is_cut_from_the_action_outputs(
    tmp_path: Path, fake_github: FakeGitHub, osv_server: OsvServer
) -> None:
    runner = Runner(tmp_path, fake_github, example="ready-service")
    run = runner(osv_url=_with_credentials(osv_server.url))
    assert run.code in (action.EXIT_PASS, action.EXIT_FAIL)
    report = (run.workspace / run.outputs["report-path"]).read_text(encoding="utf-8")
    scanner_rows = [line for line in report.splitlines() if line.startswith("| pip-audit |")]
    assert len(scanner_rows) == 1
    assert f"scanuser:{REDACTED}@" in scanner_rows[0].replace("&lt;", "<").replace("&gt;", ">")
    texts = {"summary": run.summary, "report": report, "log": run.log}
    texts |= {str(p): p.read_text(encoding="utf-8") for p in run.workspace.rglob("*.json")}
    texts |= {str(p): p.read_text(encoding="utf-8") for p in run.workspace.rglob("*.sarif")}
    for comment in fake_github.comments(2):
        texts["comment"] = comment.body
    for check in fake_github.check_runs.values():
        texts["check run"] = f"{check.summary}\n{check.text}"
    assert [where for where, text in texts.items() if PASSWORD in text] == []


@pytest.mark.slow
def test_the_osv_password_is_cut_from_the_cli_report_and_json(
    tmp_path: Path, osv_server: OsvServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    # a copy: the checkpoint lands under the scanned root, and is checked for the password too
    scanned = shutil.copytree(EXAMPLES / "ready-service" / "floors", tmp_path / "floors")
    code = cli.main(
        [
            "scan",
            str(scanned),
            "--osv-url",
            _with_credentials(osv_server.url),
            "--json",
            "out/assessment.json",
            "--format",
            "markdown",
        ]
    )
    captured = capsys.readouterr()
    assert code in (cli.EXIT_GO, cli.EXIT_NO_GO)
    report = json.loads((tmp_path / "out/assessment.json").read_text(encoding="utf-8"))
    (pip_audit,) = [s for s in report["scanners"] if s["name"] == "pip-audit"]
    assert f"scanuser:{REDACTED}@127.0.0.1" in pip_audit["detail"]
    written = [p.read_text(encoding="utf-8") for p in tmp_path.rglob("*") if p.is_file()]
    assert [text for text in [captured.out, captured.err, *written] if PASSWORD in text] == []
