"""Outputs inside the scanned tree go only where its author can't redirect them: no write through
a committed symlink, nothing replaced that is not a regular file, and no folder the tree names
is dropped from the scan because readiness writes there."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from readiness import cli, config, pipeline, safe_paths
from readiness.model import Category
from readiness.options import output_excludes
from readiness.repo import Repo
from tests.support import write_tree

COMPLIANCE = ["--categories", "compliance"]


def test_a_committed_reports_symlink_is_not_written_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    root = write_tree(tmp_path / "svc", {"main.go": "package main\n"})
    (root / "reports").symlink_to(outside)
    monkeypatch.chdir(root)  # `readiness scan .` from the checkout, the usual way
    assert cli.main(["scan", ".", *COMPLIANCE, "--no-checkpoint"]) == cli.EXIT_USAGE
    assert f"--output-dir: {root}/reports is a symlink inside the scanned tree" in capsys.readouterr().err
    assert list(outside.iterdir()) == []


def test_a_machine_output_through_a_symlinked_folder_in_the_tree_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_tree(tmp_path / "svc", {"main.go": "package main\n"})
    (root / "out").symlink_to(tmp_path)
    arguments = ["scan", str(root), *COMPLIANCE, "--no-checkpoint", "--output-dir", str(tmp_path / "r")]
    assert cli.main([*arguments, "--json", str(root / "out" / "a.json")]) == cli.EXIT_USAGE
    assert f"--json: {root}/out is a symlink inside the scanned tree" in capsys.readouterr().err
    assert not (tmp_path / "a.json").exists()


def test_a_fifo_where_the_report_goes_is_refused_without_blocking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_tree(tmp_path / "svc", {"main.go": "package main\n"})
    (root / "reports").mkdir()
    day = dt.datetime.now(dt.UTC).date().isoformat()
    os.mkfifo(root / "reports" / f"{day}-production-readiness.md")
    arguments = ["scan", str(root), *COMPLIANCE, "--no-checkpoint", "--output-dir", str(root / "reports")]
    assert cli.main(arguments) == cli.EXIT_USAGE
    assert "exists and is not a regular file; not replaced" in capsys.readouterr().err


def test_write_refuses_a_symlink_planted_after_the_check(tmp_path: Path) -> None:
    (tmp_path / "target").write_text("precious\n")
    (tmp_path / "report.md").symlink_to(tmp_path / "target")
    with pytest.raises(safe_paths.UnsafePath, match="is a symlink; not written through it"):
        safe_paths.write_text(tmp_path / "report.md", "# report\n")
    assert (tmp_path / "target").read_text() == "precious\n"


def test_the_configured_checkpoint_lands_under_the_scanned_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    root = write_tree(tmp_path / "svc", {".readiness.yml": "checkpoint:\n  path: state/{project}.md\n"})
    monkeypatch.chdir(elsewhere)
    arguments = ["scan", str(root), *COMPLIANCE, "--output-dir", str(tmp_path / "r")]
    assert cli.main(arguments) in (cli.EXIT_GO, cli.EXIT_NO_GO)
    assert sorted(p.name for p in (root / "state").iterdir()) == ["svc.json", "svc.md"]
    assert list(elsewhere.iterdir()) == []


def test_a_checkpoint_folder_named_by_the_config_is_still_scanned(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "svc",
        {".readiness.yml": "checkpoint:\n  path: services/cp.md\n", "services/main.go": "package main\n"},
    )
    policy = config.load(root, known_checks=set())
    checkpoint = root / policy.checkpoint_file()
    request = pipeline.request(
        root,
        policy,
        pipeline.Outputs(tmp_path / "r"),
        categories=frozenset({Category.COMPLIANCE}),
        checkpoint_path=checkpoint,
    )
    assert request.exclude == ("/services/cp.md", "/services/cp.json")
    assert "services/main.go" in Repo(root, ignore=request.exclude, use_git=False).paths


def test_code_in_the_report_folder_is_still_scanned(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "svc",
        {
            "reports/main.go": "package main\n",
            "reports/2026-12-04-production-readiness.md": "# old report\n",
            "reports/checkpoint/svc-production-readiness.json": "{}\n",
            "reports/comment.md": "<!-- readiness -->\n",
        },
    )
    ignored = output_excludes(root, [], reports=root / "reports")
    assert Repo(root, ignore=ignored, use_git=False).paths == ("reports/main.go",)
