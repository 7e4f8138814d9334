"""Inline suppression comments are waivers nobody approved: found with their line, reported,
and honoured only for a check the gating policy lists in ``inline_suppressions``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest

from readiness import engine, policy, registry
from readiness.config import Config
from readiness.engine import ScanRequest, assess
from readiness.model import Category, CheckResult, Evidence, Failure, Severity
from readiness.repo import Repo
from readiness.scanners.semgrep import Semgrep
from readiness.suppressions import InlineSuppression, find
from tests.support import write_tree

TODAY = dt.date(2026, 12, 3)
TLS = "security/tls-verification"
FIXTURE = Path(__file__).parent / "fixtures" / TLS / "fail_a_nosemgrep_comment_suppresses_nothing"


def test_comments_are_found_in_every_language_with_their_rule_ids(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "a.go": "x := f() // nosemgrep\n",
            "b.py": "# nosemgrep: py-tls-verify-disabled, readiness.rules.other\nget(u, verify=False)\n",
            "c.js": "/* NOSEM */ fetch(u)\n",
            "d.yaml": "key: value\n",
            "e.py": "print('nosemgrep is only a word here')\n",
        },
    )
    assert find(Repo(root)) == [
        InlineSuppression("a.go", 1, (), own_line=False),
        InlineSuppression("b.py", 1, ("py-tls-verify-disabled", "readiness.rules.other"), own_line=True),
        InlineSuppression("c.js", 1, (), own_line=True),
    ]


def test_a_comment_covers_its_line_and_on_a_line_of_its_own_the_next() -> None:
    trailing = InlineSuppression("a.go", 10, (), own_line=False)
    # Semgrep's own ids carry the rule file's dotted path; the catalogue declares bare ones.
    above = InlineSuppression("a.go", 9, ("readiness.rules.go-tls-insecure-skip-verify",), own_line=True)
    rules = registry.get(TLS).rules
    at = Evidence("a.go", 10)
    assert trailing.covers(at, rules) and not trailing.covers(Evidence("a.go", 11), rules)
    assert above.covers(at, rules)
    assert not above.covers(at, ("py-tls-verify-disabled",))
    assert not trailing.covers(Evidence("b.go", 10), rules)


@pytest.fixture(autouse=True, scope="module")
def _catalogue() -> None:
    engine.load_catalogue()


FAILURE = Failure("verification off", (Evidence("bidder/client.go", 10),))
COMMENT = InlineSuppression("bidder/client.go", 10, (), own_line=False)


def test_an_unapproved_comment_suppresses_nothing_and_says_so() -> None:
    spec = registry.get(TLS)
    (finding,) = policy.apply(
        spec, CheckResult.failed([FAILURE]), Config(project="p"), TODAY, [COMMENT]
    ).findings
    assert (finding.severity, finding.waived) == (Severity.BLOCKER, False)
    assert finding.message == (
        "verification off (the nosemgrep comment at bidder/client.go:10 suppresses nothing: the gating "
        "policy allows no inline suppression of this check)"
    )


def test_an_allowed_comment_waives_visibly() -> None:
    spec = registry.get(TLS)
    allowed = Config(project="p", inline_suppressions=frozenset({TLS}))
    (finding,) = policy.apply(spec, CheckResult.failed([FAILURE]), allowed, TODAY, [COMMENT]).findings
    assert finding.waived_by == COMMENT.waiver(TLS)
    assert (
        finding.waived_by.reason == "nosemgrep comment at bidder/client.go:10, allowed by inline_suppressions"
    )
    # No waivers at all under the gating policy: the comment can't waive either.
    closed = dataclasses.replace(allowed, allow_waivers=False)
    (finding,) = policy.apply(spec, CheckResult.failed([FAILURE]), closed, TODAY, [COMMENT]).findings
    assert not finding.waived


def test_a_check_without_semgrep_ignores_the_comment() -> None:
    spec = registry.get("reliability/readiness-probe")
    failure = Failure("no probe", (Evidence("deploy/a.yaml", 3),))
    comment = InlineSuppression("deploy/a.yaml", 3, (), own_line=False)
    allowed = Config(project="p", inline_suppressions=frozenset({spec.id}))
    (finding,) = policy.apply(spec, CheckResult.failed([failure]), allowed, TODAY, [comment]).findings
    assert not finding.waived and finding.message == "no probe"


@pytest.mark.slow
def test_the_scan_reports_each_comment_at_its_line(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    shutil.copytree(FIXTURE, root)

    def scan(config: Config) -> tuple[bool, tuple[str, ...]]:
        assessment = assess(
            ScanRequest(
                root=root,
                config=config,
                categories=frozenset({Category.SECURITY}),
                scanners=[Semgrep()],
                today=TODAY,
            )
        )
        (check,) = [c for cat in assessment.categories for c in cat.checks if c.check_id == TLS]
        assert check.findings, (check, assessment.scanners)
        (finding,) = check.findings
        return finding.waived, assessment.policy_notes

    assert scan(Config(project="p")) == (
        False,
        ("bidder/client.go:10: a nosemgrep comment, an unapproved waiver: it suppresses nothing",),
    )
    assert scan(Config(project="p", inline_suppressions=frozenset({TLS}))) == (
        True,
        (f"bidder/client.go:10: a nosemgrep comment waives {TLS} (inline_suppressions)",),
    )
