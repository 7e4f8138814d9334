"""Semgrep's targets are named on the command line in batches, so a tree of any size is scanned
(a single command line of 12,000 paths was "Argument list too long"), within one time budget."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from readiness import cli
from readiness.repo import Repo
from readiness.scanners.semgrep import MAX_ARGUMENT_BYTES, Semgrep, batches

RULE = """rules:
  - id: go-tls-insecure-skip-verify
    languages: [go]
    severity: ERROR
    message: TLS verification disabled
    pattern: "InsecureSkipVerify: true"
"""


def test_batches_keep_order_and_fit_the_limit() -> None:
    files = [f"pkg/{index:05d}.go" for index in range(10)]  # 14 bytes each with the NUL
    cut = batches(files, limit=30)
    assert cut == [files[0:2], files[2:4], files[4:6], files[6:8], files[8:10]]
    assert batches(["a-name-longer-than-the-limit.go"], limit=4) == [["a-name-longer-than-the-limit.go"]]
    assert batches([]) == []


@pytest.mark.slow
def test_a_tree_of_50000_files_is_scanned_whole(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "tls.yaml").write_text(RULE)
    root = tmp_path / "tree"
    planted = {7, 12_345, 25_000, 49_999}
    for index in range(50_000):
        folder = root / f"pkg{index // 500:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        body = "package main\n" + (
            "var c = &tls.Config{InsecureSkipVerify: true}\n" if index in planted else ""
        )
        (folder / f"handler_with_a_descriptive_name_{index:05d}.go").write_text(body)
    repo = Repo(root, use_git=False)
    files = Semgrep(rules).inputs(repo)
    assert len(files) == 50_000 and len(batches(files)) > 1  # more than one command line's worth
    assert sum(len(p) + 1 for p in files) > MAX_ARGUMENT_BYTES

    output = Semgrep(rules).run(repo, timeout=900)

    assert output.ok, output.detail
    found = sorted((m.rule, m.path, m.line) for m in output.data)
    assert found == sorted(
        ("go-tls-insecure-skip-verify", f"pkg{i // 500:03d}/handler_with_a_descriptive_name_{i:05d}.go", 2)
        for i in planted
    )
    assert output.detail == "4 match(es) in 50000 file(s)"


@pytest.mark.parametrize("value", ["0", "-5", "abc", "inf", "nan", "90000"])
def test_a_bad_timeout_is_a_usage_error(
    tmp_path: Path, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "main.go").write_text("package main\n")
    assert cli.main(["scan", str(tmp_path), "--no-checkpoint", "--timeout", value]) == cli.EXIT_USAGE
    assert "readiness: error: --timeout: timeout" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("semgrep") is None, reason="semgrep is not installed")
def test_a_scanner_that_runs_out_of_time_is_not_assessed_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "main.go").write_text("package main\n\nfunc main() {}\n")
    monkeypatch.chdir(tmp_path)
    arguments = ["scan", str(root), "--no-checkpoint", "--categories", "reliability", "--json", "a.json"]
    assert cli.main([*arguments, "--timeout", "0.05"]) == cli.EXIT_NO_GO
    report = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    (semgrep,) = [s for s in report["scanners"] if s["name"] == "semgrep"]
    assert (semgrep["status"], semgrep["detail"]) == ("not-assessed", "semgrep timed out after 0.05 s")
