"""The pipeline both front ends share: options → scan → report files."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from readiness import config, pipeline
from readiness.model import Category
from tests.support import write_tree


def test_outputs_inside_the_tree_are_left_out_and_every_file_asked_for_is_written(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "svc", {"README.md": "# svc\n", "out/old.json": "{}\n"})
    outputs = pipeline.Outputs(
        root / "reports", json=root / "out" / "a.json", sarif=tmp_path / "a.sarif", junit=tmp_path / "j.xml"
    )
    options = {"categories": frozenset({Category.COMPLIANCE}), "checkpoint_path": root / ".state" / "svc.md"}
    request = pipeline.request(root, config.default("svc"), outputs, **options)
    # the tool's own files inside the tree are not read: the checkpoint and the JSON output, and
    # in the report folder the names readiness writes there (not the folder: it may hold code)
    assert sorted(request.exclude) == [
        "/.state/svc.json",
        "/.state/svc.md",
        "/out/a.json",
        "/reports/**/*-production-readiness.json",
        "/reports/**/*-production-readiness.md",
        "/reports/**/partial-*-of-*.json",
        "/reports/comment.md",
    ]
    assessment = pipeline.scan(root, config.default("svc"), outputs, **options)
    written = pipeline.write(assessment, outputs)

    day = assessment.generated_at.astimezone(dt.UTC).date().isoformat()
    assert written.report == root / "reports" / f"{day}-production-readiness.md"
    assert written.report.read_text(encoding="utf-8").startswith("# ")
    assert set(written.machine) == {"json", "sarif", "junit"}
    assert json.loads((root / "out" / "a.json").read_text(encoding="utf-8"))["project"] == "svc"
    assert json.loads((tmp_path / "a.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert ET.parse(tmp_path / "j.xml").getroot().tag == "testsuites"
