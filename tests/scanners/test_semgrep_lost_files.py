"""A file semgrep cannot parse is not a clean file: the checks whose rules read its language are
*not assessed*, naming it, unless what semgrep did read already failed them; the scanner's status
says how many files were lost. Real semgrep, a real syntax error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from readiness import registry
from readiness.config import Config
from readiness.engine import ScanRequest, assess
from readiness.model import Category, Outcome
from readiness.scanners.base import rules_root
from readiness.scanners.semgrep import Semgrep, rule_suffixes
from tests.support import write_tree

VERIFIED = """package main

import "net/http"

var client = &http.Client{}

func main() { _, _ = client.Get("https://partner.example/bid") }
"""
INSECURE = """package main

import (
	"crypto/tls"
	"net/http"
)

var insecure = &http.Client{
	Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
}
"""
BROKEN = "package main\n\nfunc main( {\n\tif x := ; {\n"


def scan(root: Path) -> tuple[dict[str, tuple[Outcome, str]], str]:
    assessment = assess(
        ScanRequest(
            root=root,
            config=Config(project="p"),
            categories=frozenset({Category.SECURITY}),
            scanners=[Semgrep()],
            today=dt.date(2026, 12, 3),
        )
    )
    checks = {c.check_id: (c.outcome, c.summary) for cat in assessment.categories for c in cat.checks}
    (run,) = assessment.scanners
    return checks, run.detail


@pytest.mark.slow
def test_a_lost_go_file_leaves_the_go_checks_not_assessed(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "bidder/go.mod": "module example.com/bidder\n\ngo 1.22\n",
            "bidder/client.go": VERIFIED,
            "bidder/broken.go": BROKEN,
        },
    )
    checks, detail = scan(root)
    outcome, summary = checks["security/tls-verification"]
    assert outcome is Outcome.NOT_ASSESSED
    assert summary.startswith("semgrep could not analyse 1 file(s) (bidder/broken.go: ")
    assert "; 1 file(s) not analysed (bidder/broken.go: " in detail
    # Only checks with a Go rule lost something: a Python- or JavaScript-only check is unaffected.
    suffixes = rule_suffixes(rules_root())
    blinded = {c for c, (_, why) in checks.items() if why.startswith("semgrep could not analyse")}
    assert blinded and all(
        any(".go" in suffixes[rule] for rule in registry.get(check).rules) for check in blinded
    )

    # Failed on what semgrep did read: the failure stands.
    write_tree(root, {"bidder/client.go": INSECURE})
    checks, _ = scan(root)
    assert checks["security/tls-verification"][0] is Outcome.FAIL


def test_only_files_in_a_rules_language_blind_its_check() -> None:
    from readiness.engine import unanalysed_for
    from readiness.results import MatchList

    go_only = registry.get("reliability/acknowledged-writes")
    lost = MatchList([], {"idr/app.py": "Syntax error", "bidder/main.go": "Timeout"})
    assert unanalysed_for(go_only, lost) == [("bidder/main.go", "Timeout")]
    assert unanalysed_for(go_only, MatchList([], {"idr/app.py": "Syntax error"})) == []
    assert unanalysed_for(go_only, []) == []  # recorded or hand-made match lists lose nothing


def test_a_rule_timeout_loses_only_that_rule_and_lost_tests_only_test_checks() -> None:
    from readiness.engine import unanalysed_for
    from readiness.results import MatchList

    timeout = "Timeout when running readiness.rules.security.go-handler-validation on a/client.go:"
    lost = MatchList([], {"a/client.go": timeout, "a/client_test.go": "Syntax error"})
    body = registry.get("security/input-validation")
    assert "go-handler-validation" in body.rules
    assert unanalysed_for(body, lost) == [("a/client.go", timeout)]
    # Another Go check reads neither the timed-out rule's matches nor tests.
    assert unanalysed_for(registry.get("reliability/acknowledged-writes"), lost) == []
