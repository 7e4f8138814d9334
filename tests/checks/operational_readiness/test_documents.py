"""The document reader behind the on-call, incident, runbook, rollback, restore and privacy checks."""

from __future__ import annotations

import re
from pathlib import Path

from readiness.facts.documents import find_documents, normalise, read_document
from readiness.repo import Repo
from tests.support import write_tree

FRONT_MATTER = """
---
title: not a heading
---
# On-call

Primary rotation in PagerDuty.
```
# a shell comment, not a heading
pd schedule show adtech
```
TODO
"""

SETEXT = "Escalation\n==========\n\nFirst the secondary.\nThen the lead.\nThen the CTO.\n"

RST = """
=========
Incidents
=========

Severity levels
---------------

SEV1 means bidding stopped.
"""

TXT = "Escalation policy\n\nCall the secondary.\nThen the lead.\nThen the CTO.\n"


def test_headings_and_content(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.md": FRONT_MATTER, "b.md": SETEXT, "c.rst": RST, "d.txt": TXT})
    repo = Repo(tmp_path)
    front = read_document(repo, "a.md")
    assert [(h.line, h.level, h.text) for h in front.headings] == [(4, 1, "On-call")]
    assert front.content_lines == (6, 8, 9)  # fence markers, blank lines and "TODO" don't count
    assert [(h.line, h.level) for h in read_document(repo, "b.md").headings] == [(1, 1)]
    assert [(h.line, h.level, h.text) for h in read_document(repo, "c.rst").headings] == [
        (2, 1, "Incidents"),
        (5, 2, "Severity levels"),
    ]
    assert [(h.line, h.text) for h in read_document(repo, "d.txt").headings] == [(1, "Escalation policy")]


def test_find_by_path_title_or_section(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "docs/OnCall.md": "# Rota\n\none\ntwo\nthree\n",
            "docs/guide.md": "# Guide\n\nintro\n\n## Escalation\nfirst\nsecond\n\n## Other\nx\ny\nz\n",
            "CHANGELOG.md": "# On-call rota added\n\none\ntwo\nthree\n",
            "vendor/lib/ONCALL.md": "# On-call\n\none\ntwo\nthree\n",
        },
    )
    repo = Repo(tmp_path)
    subject = re.compile(r"\b(on ?call|escalation)\b")
    by_title = find_documents(repo, subject)
    assert [(m.path, m.line, m.named_by) for m in by_title] == [("docs/OnCall.md", 1, "file name")]
    by_section = find_documents(repo, subject, any_heading=True)
    assert [(m.path, m.line, m.content, m.substantial) for m in by_section] == [
        ("docs/OnCall.md", 1, 3, True),
        ("docs/guide.md", 5, 2, False),  # the section stops at the next "##"
    ]


def test_normalise_reads_paths_as_words() -> None:
    assert normalise("docs/on-call/Escalation_Policy.md") == "docs on call escalation policy md"
    assert normalise("runbooks/PostgreSQL-down.md") == "runbooks postgresql down md"
    assert normalise("PagerDuty") == "pager duty"
