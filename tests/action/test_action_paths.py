"""The Action writes its reports into the workspace, which is the checkout under review: a
committed symlink there is refused (exit 2) before the scan, and nothing is written through it."""

from __future__ import annotations

from pathlib import Path

import pytest

from readiness import action
from tests.action.test_action_e2e import Runner
from tests.github.fake_github import FakeGitHub


@pytest.mark.parametrize("planted", ["reports", "reports/checkpoint", "reports/comment.md"])
def test_a_symlink_planted_where_the_reports_go_is_refused(
    tmp_path: Path, fake_github: FakeGitHub, planted: str
) -> None:
    runner = Runner(tmp_path, fake_github)
    outside = tmp_path / "outside"
    outside.mkdir()
    link = runner.workspace / planted
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside)

    run = runner()

    assert run.code == action.EXIT_USAGE
    assert (
        f"::error::readiness: cannot write the reports: {link} is a symlink inside the scanned tree"
        in run.log
    )
    assert list(outside.iterdir()) == []
    assert fake_github.check_runs == {}
