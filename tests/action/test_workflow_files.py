"""Outputs, the job summary and annotations: the parts that need no token."""

from __future__ import annotations

import io
import re
from pathlib import Path

from readiness.github import workflow
from readiness.model import Category, Evidence, Finding, Severity


def finding(
    message: str, path: str | None, line: int | None, severity: Severity = Severity.BLOCKER
) -> Finding:
    return Finding(
        "security/x",
        Category.SECURITY,
        severity,
        "q",
        "Title, with: colon",
        message,
        (Evidence(path, line) if path else Evidence.absent("nothing"),),
        "fix",
    )


def test_outputs_use_the_heredoc_form_with_unique_delimiters(tmp_path: Path) -> None:
    target = tmp_path / "output"
    workflow.write_outputs(str(target), {"verdict": "no-go", "multi": "line one\nline two"})
    text = target.read_text()
    blocks = re.findall(r"^(\S+)<<(readiness_[0-9a-f]{32})\n(.*?)\n\2$", text, re.M | re.S)
    assert [(name, value) for name, _, value in blocks] == [
        ("verdict", "no-go"),
        ("multi", "line one\nline two"),
    ]


def test_summary_is_capped_at_one_mebibyte(tmp_path: Path) -> None:
    target = tmp_path / "summary"
    workflow.write_summary(str(target), "x" * (3 * 1024 * 1024), "See reports/r.md.")
    data = target.read_bytes()
    assert len(data) <= workflow.STEP_SUMMARY_LIMIT
    assert data.decode().endswith("cut to fit GitHub's 1 MiB job-summary limit. See reports/r.md.\n")


def test_annotations_escape_and_skip_absence() -> None:
    stream = io.StringIO()
    count = workflow.annotate(
        [
            finding("first line\nsecond 100%", "deploy/web.yaml", 3),
            finding("no file", None, None),
            finding("a risk", "a,b.yaml", None, Severity.RISK),
        ],
        stream,
        prefix="services/api/",
    )
    assert count == 2
    assert stream.getvalue().splitlines() == [
        "::error file=services/api/deploy/web.yaml,line=3,title=Title%2C with%3A colon (security/x)"
        "::first line second 100%25",  # one line: a finding message cannot span two
        "::warning file=services/api/a%2Cb.yaml,title=Title%2C with%3A colon (security/x)::a risk",
    ]
