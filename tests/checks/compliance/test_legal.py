from __future__ import annotations

from pathlib import Path

import pytest

from readiness.model import Outcome
from tests.support import locations, run_check, write_tree

CHECK = "compliance/legal-docs"

TERMS = "# Publisher Terms of Service\n\n1. Payment terms.\n2. Acceptable use.\n3. Liability.\n"
DPA = "# Data Processing Addendum\n\nParties.\nSub-processors.\nSecurity measures.\n"
PRIVACY = "# Privacy Policy\n\nWhat we collect.\nWhy.\nFor how long.\n"


def test_terms_and_dpa_pass(tmp_path: Path) -> None:
    write_tree(tmp_path, {"legal/publisher-terms.md": TERMS, "legal/dpa.md": DPA, "docs/privacy.md": PRIVACY})
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line, e.note) for e in result.evidence] == [
        ("docs/privacy.md", 1, "privacy policy"),
        ("legal/dpa.md", 1, "data processing agreement (DPA)"),
        ("legal/publisher-terms.md", 1, "terms of service"),
    ]


def test_pdfs_count_without_being_read(tmp_path: Path) -> None:
    (tmp_path / "legal").mkdir()
    (tmp_path / "legal" / "DPA.pdf").write_bytes(b"%PDF-1.7\x00\x01")
    write_tree(tmp_path, {"TERMS.md": TERMS})
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [("TERMS.md", 1), ("legal/DPA.pdf", None)]


CASES = [
    (
        "nothing",
        {"README.md": "# Service\n\nGlossary of terms.\nData processing pipeline.\nMore.\n"},
        [(None, None)],
        ["no legal documents for publishers"],
    ),
    (
        "privacy policy only",
        {"privacy-policy.md": PRIVACY},
        [(None, None), (None, None)],
        ["no terms of service found", "no data processing agreement (DPA) found"],
    ),
    (
        "terms without a DPA",
        {"legal/terms.md": TERMS},
        [(None, None)],
        ["no data processing agreement (DPA) found"],
    ),
    (
        "a stub does not count",
        {"legal/terms.md": "# Terms\n\nTBD\n", "legal/dpa.md": DPA},
        [(None, None)],
        ["no terms of service found"],
    ),
]


@pytest.mark.parametrize(("files", "expected", "messages"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_missing_documents(
    tmp_path: Path, files: dict[str, str], expected: list[tuple[None, None]], messages: list[str]
) -> None:
    result = run_check(CHECK, write_tree(tmp_path, files))
    assert result.outcome is Outcome.FAIL
    assert locations(result) == expected
    assert [f.message for f in result.failures] == messages
