"""Answers to the review's questions: how a question's checks combine, and when n/a is earned.

The combination is table-tested over raw results built in memory (no scanners); presence of the
component a question is about is read from small fixture trees.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from readiness import answers, registry, seed
from readiness.model import Answer, CheckResult, Evidence, Failure, Severity
from readiness.registry import CheckSpec
from readiness.repo import Repo
from tests.support import write_tree


def spec(
    check_id: str, question: seed.Question, *, core: bool = False, severity: Severity = Severity.RISK
) -> CheckSpec:
    return CheckSpec(
        id=check_id,
        question=question,
        title=f"title of {check_id}",
        severity=severity,
        rationale="",
        looks_at="",
        remediation="",
        example="",
        function=lambda ctx: CheckResult.passed("unused"),
        core=core,
    )


def failed(
    message: str, path: str = "src/main.go", line: int = 7, severity: Severity | None = None
) -> CheckResult:
    return CheckResult.failed([Failure(message, (Evidence(path, line, "code"),), severity)])


QUESTION = seed.GRACEFUL_SHUTDOWN
CORE = spec("reliability/core-thing", QUESTION, core=True)
ASPECT = spec("reliability/aspect-thing", QUESTION)
MINOR = spec("reliability/minor-thing", QUESTION, severity=Severity.RECOMMENDATION)


@pytest.fixture
def service_repo(tmp_path: Path) -> Repo:
    return Repo(write_tree(tmp_path, {"go.mod": "module example.com/svc\n", "main.go": "package main\n"}))


CASES = [
    (
        "every check passes",
        {CORE.id: CheckResult.passed("drains"), ASPECT.id: CheckResult.passed("ok")},
        Answer.YES,
    ),
    ("a core check fails", {CORE.id: failed("never drains"), ASPECT.id: CheckResult.passed("ok")}, Answer.NO),
    (
        "an aspect fails",
        {CORE.id: CheckResult.passed("drains"), ASPECT.id: failed("no deadline")},
        Answer.PARTIAL,
    ),
    (
        "only aspects apply, and fail",
        {CORE.id: CheckResult.not_applicable("-"), ASPECT.id: failed("x")},
        Answer.PARTIAL,
    ),
    ("a minor gap only", {CORE.id: CheckResult.passed("drains"), MINOR.id: failed("nit")}, Answer.YES),
    (
        "the check says partial",
        {CORE.id: CheckResult(failed("2 of 5").outcome, failed("2 of 5").failures, answer=Answer.PARTIAL)},
        Answer.PARTIAL,
    ),
    (
        "pass and not assessed",
        {CORE.id: CheckResult.passed("drains"), ASPECT.id: CheckResult.not_assessed("no semgrep")},
        Answer.UNKNOWN,
    ),
    (
        "fail and not assessed",
        {CORE.id: failed("never drains"), ASPECT.id: CheckResult.not_assessed("x")},
        Answer.NO,
    ),
    ("nothing applies, the service exists", {CORE.id: CheckResult.not_applicable("no server")}, Answer.NO),
    (
        "a failure only in tests says nothing",
        {
            CORE.id: failed("never drains", path="internal/storagetest/fake.go"),
            ASPECT.id: CheckResult.passed("ok"),
        },
        Answer.YES,
    ),
]


@pytest.mark.parametrize(("results", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_how_checks_combine(service_repo: Repo, results: dict[str, CheckResult], expected: Answer) -> None:
    found = answers.answer(QUESTION, [CORE, ASPECT, MINOR], results, service_repo)
    assert found.answer is expected
    assert found.question == "reliability.graceful-shutdown"
    assert set(found.checks) == set(results)


def test_the_reasoning_names_what_failed_and_where(service_repo: Repo) -> None:
    found = answers.answer(
        QUESTION,
        [CORE, ASPECT],
        {
            CORE.id: CheckResult.passed("2 Go service(s) drain on SIGTERM"),
            ASPECT.id: failed("bidder sets no deadline"),
        },
        service_repo,
    )
    assert found.reasoning == "2 Go service(s) drain on SIGTERM; but bidder sets no deadline (src/main.go:7)."
    assert [(e.path, e.line) for e in found.evidence] == [("src/main.go", 7)]


def test_a_disabled_check_leaves_the_question_unknown(service_repo: Repo) -> None:
    found = answers.answer(
        QUESTION,
        [CORE],
        {CORE.id: CheckResult.not_applicable("disabled")},
        service_repo,
        frozenset({CORE.id}),
    )
    assert found.answer is Answer.UNKNOWN
    assert "disabled in the configuration" in found.reasoning


def test_test_paths_of_the_policy_count_as_tests(service_repo: Repo) -> None:
    results = {CORE.id: failed("never drains", path="qa/fake.go"), ASPECT.id: CheckResult.passed("ok")}
    assert answers.answer(QUESTION, [CORE, ASPECT], results, service_repo).answer is Answer.NO
    assert (
        answers.answer(QUESTION, [CORE, ASPECT], results, service_repo, test_paths=("qa/",)).answer
        is Answer.YES
    )


# ---- n/a is earned: positive evidence that the component is absent ---------------------------

DB_SPEC = spec("disaster-recovery/backs-up", seed.DB_BACKUPS, core=True)
REDIS_SPEC = spec("disaster-recovery/persists", seed.REDIS_PERSISTENCE, core=True)
NOT_HERE = CheckResult.not_applicable("no Postgres found")

PRESENCE = [
    ("no database anywhere", seed.DB_BACKUPS, DB_SPEC, {"main.go": "package main\n"}, Answer.NOT_APPLICABLE),
    (
        "a MySQL driver in go.mod",
        seed.DB_BACKUPS,
        DB_SPEC,
        {"go.mod": "module m\n\nrequire github.com/go-sql-driver/mysql v1.7.1\n"},
        Answer.NO,
    ),
    (
        "a database image in compose",
        seed.DB_BACKUPS,
        DB_SPEC,
        {"docker-compose.yml": "services:\n  db:\n    image: mongo:7\n"},
        Answer.NO,
    ),
    (
        "a database only in a test compose file",
        seed.DB_BACKUPS,
        DB_SPEC,
        {
            "tests/docker-compose.yml": "services:\n  db:\n    image: postgres:16\n",
            "main.go": "package main\n",
        },
        Answer.NOT_APPLICABLE,
    ),
    (
        "no Redis anywhere",
        seed.REDIS_PERSISTENCE,
        REDIS_SPEC,
        {"app.py": "print(1)\n"},
        Answer.NOT_APPLICABLE,
    ),
    (
        "redis in requirements",
        seed.REDIS_PERSISTENCE,
        REDIS_SPEC,
        {"requirements.txt": "flask==3.0.0\nredis==5.0.1\n"},
        Answer.NO,
    ),
    (
        "a JVM Redis client the code never names",
        seed.REDIS_PERSISTENCE,
        REDIS_SPEC,
        {
            "svc/pom.xml": "<dependency><artifactId>lettuce-core</artifactId></dependency>\n",
            "svc/src/main/java/App.java": 'class App { String db = "jdbc:postgresql://db/app"; }\n',
        },
        Answer.NOT_APPLICABLE,
    ),
]


@pytest.mark.parametrize(
    ("question", "check", "files", "expected"), [c[1:] for c in PRESENCE], ids=[c[0] for c in PRESENCE]
)
def test_not_applicable_needs_the_component_to_be_absent(
    tmp_path: Path, question: seed.Question, check: CheckSpec, files: dict[str, str], expected: Answer
) -> None:
    repo = Repo(write_tree(tmp_path, files))
    found = answers.answer(question, [check], {check.id: NOT_HERE}, repo)
    assert found.answer is expected
    if expected is Answer.NOT_APPLICABLE:
        assert found.reasoning.startswith("No ")
    else:
        assert found.evidence, "a 'no' for a present component cites where the component is"


def test_every_seed_question_is_answered_once(service_repo: Repo) -> None:
    specs = registry.all_checks()
    results = {s.id: CheckResult.not_applicable("-") for s in specs}
    answered = [
        a
        for c in {s.category for s in specs}
        for a in answers.for_questions(seed.of(c), specs, results, service_repo)
    ]
    assert sorted(a.question for a in answered) == sorted(q.key for q in seed.ALL)


UNREADABLE = [
    (
        "a Helm chart and no plain manifests",
        {
            "main.go": "package main\n",
            "go.mod": "module m\n",
            "chart/Chart.yaml": "name: app\n",
            "chart/templates/deployment.yaml": "kind: Deployment\n",
        },
        "the Kubernetes workloads are Helm templates (chart)",
    ),
    (
        "services only in a language no check analyses",
        {"ledger/pom.xml": "<project/>\n", "ledger/src/main/java/App.java": "class App {}\n"},
        "the services are written in Java",
    ),
]


@pytest.mark.parametrize(("files", "reason"), [c[1:] for c in UNREADABLE], ids=[c[0] for c in UNREADABLE])
def test_a_component_in_a_form_no_check_reads_is_unknown_not_no(
    tmp_path: Path, files: dict[str, str], reason: str
) -> None:
    repo = Repo(write_tree(tmp_path, files))
    found = answers.answer(QUESTION, [CORE], {CORE.id: CheckResult.not_applicable("no server")}, repo)
    assert found.answer is Answer.UNKNOWN
    assert found.reasoning.startswith("Could not be determined: " + reason[0].upper() + reason[1:])


def test_a_repository_that_ships_no_service_answers_service_questions_not_applicable(tmp_path: Path) -> None:
    repo = Repo(write_tree(tmp_path, {"README.md": "# notes\n", "docs/guide.md": "# guide\n"}))
    found = answers.answer(QUESTION, [CORE], {CORE.id: CheckResult.not_applicable("no server")}, repo)
    assert found.answer is Answer.NOT_APPLICABLE
    assert found.reasoning == (
        "No service code or build file, Dockerfile, compose file or Kubernetes workload."
    )
