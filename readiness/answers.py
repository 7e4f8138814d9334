"""The review's answers: one per seed question, derived from the checks behind it.

A reviewer does not read 84 check outcomes; they read "Graceful shutdown: partial — 3 of 5
services drain on SIGTERM". This module turns the raw results of a question's checks into that
answer, with the evidence and one sentence of reasoning.

How a question's checks combine (pure; no policy: a waiver gates, it doesn't change the facts):

- a check that passed says *yes*; one that could not look (or was disabled) says *unknown*; one
  that does not apply says nothing;
- a failed *core* check (``@check(core=True)``: it answers the question by itself) makes the
  answer *no*; a failed other check is a gap, and one that failed only with recommendations is a
  minor gap that still allows *yes*; a check may state its own answer (*partial* when it failed
  in some services only);
- all yes → *yes*; yes and unknown → *unknown*; anything else → *partial*: without a failed
  core check, what failed are aspects of a control that exists in some form;
- when no check applies, the question is *n/a* only with positive evidence that the component it
  is about is absent (no database anywhere, say); otherwise nothing of what it asks for was found
  and the answer is *no*.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from readiness import policy
from readiness.facts import datastores
from readiness.facts.production import is_production
from readiness.model import Answer, CheckResult, Evidence, Outcome, QuestionAnswer, Severity
from readiness.registry import CheckSpec
from readiness.repo import Repo
from readiness.seed import Component, Question

# How a question's checks make its answer, as users read it (README, `readiness explain lights`).
ANSWER_RULES: tuple[tuple[str, str], ...] = (
    ("yes", "every check that applies passed (recommendation-level gaps aside)"),
    ("partial", "the control exists but a check found gaps, or it exists in some services only"),
    ("no", "a core check failed (the control is absent), or nothing the question asks for was found"),
    ("n/a", "no check applies and the component the question is about is provably absent"),
    ("unknown", "a check could not look (a scanner missing or failed, a check disabled) and none failed"),
)
_MAX_EVIDENCE = 6
_MAX_PART = 220


class _Vote(Enum):
    YES = "yes"
    MINOR = "minor"  # failed with recommendations only: still production-grade
    GAP = "gap"
    NO = "no"  # a core check failed: the control is absent
    PARTIAL = "partial"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class _Said:
    spec: CheckSpec
    result: CheckResult
    vote: _Vote


@dataclass(frozen=True)
class Presence:
    """Whether the repository has the component a question is about, and what shows it."""

    present: bool
    evidence: tuple[Evidence, ...]
    looked_at: str


def presence(repo: Repo, about: Component) -> Presence:
    """Positive evidence for or against the component (memoised: every category asks)."""
    return repo.memo(("answers.presence", about), lambda: _presence(repo, about))


_STORES = {
    Component.DATABASE: (
        datastores.databases,
        "no database driver, image, chart or cloud database resource in the production files",
    ),
    Component.REDIS: (
        datastores.redis,
        "no Redis client, image, chart, configuration or cloud instance in the production files",
    ),
}


def _presence(repo: Repo, about: Component) -> Presence:
    if about in _STORES:
        find, looked_at = _STORES[about]
        found = find(repo)
        return Presence(bool(found), tuple(u.evidence for u in found[:3]), looked_at)
    services = repo.services()
    deployables = [*repo.dockerfile_paths(), *(c.path for c in repo.compose_files())]
    deployables += [w.path for w in repo.workloads()]
    deployables += [
        p for p in repo.paths if p.rsplit("/", 1)[-1].lower() in _OTHER_LANGUAGES and is_production(p)
    ]
    present = bool(services or deployables)
    evidence = tuple(
        Evidence(path=s.path if s.path != "." else None, note=f"service {s.name}") for s in services[:3]
    )
    return Presence(
        present, evidence, "no service code or build file, Dockerfile, compose file or Kubernetes workload"
    )


# Build files of languages whose code no check analyses (Go, Python and Node are).
_OTHER_LANGUAGES = {
    "pom.xml": "Java", "build.gradle": "Java/Kotlin", "build.gradle.kts": "Kotlin", "composer.json": "PHP",
    "gemfile": "Ruby", "cargo.toml": "Rust", "mix.exs": "Elixir",
}  # fmt: skip


def unreadable(repo: Repo) -> list[str]:
    """What the repository holds in a form the checks can't read, with what it would take."""
    return repo.memo("answers.unreadable", lambda: _unreadable(repo))


def _unreadable(repo: Repo) -> list[str]:
    reasons: list[str] = []
    workloads = [w for w in repo.workloads() if is_production(w.path)]
    charts = sorted(
        {c.rsplit("/", 1)[0] if "/" in c else "." for c in repo.named("Chart.yaml") if is_production(c)}
    )
    if charts and not workloads:
        reasons.append(
            f"the Kubernetes workloads are Helm templates ({', '.join(charts[:3])}), which readiness "
            "does not render: render them (`helm template`) into a folder and scan that"
        )
    if not repo.services():
        languages = sorted(
            {
                language
                for path in repo.paths
                if is_production(path) and (language := _OTHER_LANGUAGES.get(path.rsplit("/", 1)[-1].lower()))
            }
        )
        if languages:
            reasons.append(
                f"the services are written in {', '.join(languages)}, whose code readiness does not analyse: "
                "answer this question by hand"
            )
    return reasons


def for_questions(
    questions: Sequence[Question],
    specs: Sequence[CheckSpec],
    results: Mapping[str, CheckResult],
    repo: Repo,
    disabled: frozenset[str] = frozenset(),
    test_paths: tuple[str, ...] = (),
) -> tuple[QuestionAnswer, ...]:
    """The answer to each question, from the raw results of its checks."""
    return tuple(
        answer(
            question,
            [s for s in specs if s.question.key == question.key],
            results,
            repo,
            disabled,
            test_paths,
        )
        for question in questions
    )


def answer(
    question: Question,
    specs: Sequence[CheckSpec],
    results: Mapping[str, CheckResult],
    repo: Repo,
    disabled: frozenset[str] = frozenset(),
    test_paths: tuple[str, ...] = (),
) -> QuestionAnswer:
    said: list[_Said] = []
    silent: list[tuple[CheckSpec, CheckResult]] = []
    for spec in specs:
        result = results.get(spec.id)
        if result is None:
            continue
        if spec.id in disabled:
            said.append(_Said(spec, CheckResult.not_assessed("disabled in the configuration"), _Vote.UNKNOWN))
            continue
        judged = result if spec.tests_are_subject else _production_only(result, test_paths)
        vote = _vote(spec, judged)
        if vote is None:
            silent.append((spec, result))
        else:
            said.append(_Said(spec, result, vote))
    ids = tuple(spec.id for spec in specs if spec.id in results)

    if not said:
        found = presence(repo, question.about)
        if not found.present:
            return _make(question, Answer.NOT_APPLICABLE, ids, _sentence([found.looked_at]), ())
        blind = unreadable(repo)
        if blind:
            # The component is there in a form no check reads: saying "no" would be a guess.
            return _make(question, Answer.UNKNOWN, ids, "Could not be determined: " + _sentence(blind), ())
        reasons = "; ".join(_clip(result.summary) for _, result in silent[:2] if result.summary)
        what = f" ({reasons})" if reasons else ""
        return _make(
            question,
            Answer.NO,
            ids,
            f"Nothing this question asks for was found{what}.",
            found.evidence,
        )

    votes = {s.vote for s in said}
    if _Vote.NO in votes:
        value = Answer.NO
    elif votes <= {_Vote.YES, _Vote.MINOR}:
        value = Answer.YES
    elif _Vote.UNKNOWN in votes and votes - {_Vote.UNKNOWN} <= {_Vote.YES, _Vote.MINOR}:
        value = Answer.UNKNOWN
    else:
        value = Answer.PARTIAL
    return _make(question, value, ids, _reasoning(value, said), _evidence(said))


def _production_only(result: CheckResult, test_paths: tuple[str, ...]) -> CheckResult:
    """The result without failures that only name tests, fixtures, examples or dev files: those
    are reported (downgraded), but they say nothing about what ships."""
    if result.outcome is not Outcome.FAIL:
        return result
    kept = tuple(f for f in result.failures if not policy.only_outside_production(f, test_paths))
    if kept == result.failures:
        return result
    if not kept:
        # Everything the check judged is a test, example or dev file: it says nothing about
        # what ships (the question's other checks, or its component's presence, decide).
        return dataclasses.replace(result, outcome=Outcome.NOT_APPLICABLE, failures=(), answer=None)
    return dataclasses.replace(result, failures=kept)


def _vote(spec: CheckSpec, result: CheckResult) -> _Vote | None:
    if result.answer is not None:
        return {
            Answer.YES: _Vote.YES,
            Answer.PARTIAL: _Vote.PARTIAL,
            Answer.NO: _Vote.NO if spec.core else _Vote.GAP,
            Answer.UNKNOWN: _Vote.UNKNOWN,
            Answer.NOT_APPLICABLE: None,
        }[result.answer]
    if result.outcome is Outcome.PASS:
        return _Vote.YES
    if result.outcome is Outcome.NOT_ASSESSED:
        return _Vote.UNKNOWN
    if result.outcome is Outcome.NOT_APPLICABLE:
        return None
    if spec.core:
        return _Vote.NO
    severities = {failure.severity or spec.severity for failure in result.failures}
    return _Vote.MINOR if severities == {Severity.RECOMMENDATION} else _Vote.GAP


def _reasoning(value: Answer, said: Sequence[_Said]) -> str:
    good = [s for s in said if s.vote in (_Vote.YES, _Vote.MINOR)]
    bad = [s for s in said if s.vote in (_Vote.NO, _Vote.GAP, _Vote.PARTIAL)]
    unknown = [s for s in said if s.vote is _Vote.UNKNOWN]
    if value is Answer.YES:
        return _sentence(_clip(_pass_text(s)) for s in good[:2])
    if value is Answer.UNKNOWN:
        return "Could not be determined: " + _sentence(
            f"{s.spec.id} {_clip(s.result.summary)}" for s in unknown[:2]
        )
    core_no = [s for s in bad if s.vote is _Vote.NO]
    lead = core_no or bad
    failed = _sentence(_clip(_fail_text(s)) for s in lead[:2])
    if value is Answer.NO or not good:
        return failed
    return _sentence([_clip(_pass_text(good[0])), "but " + failed[0].lower() + failed[1:]])


def _pass_text(said: _Said) -> str:
    return said.result.summary or said.spec.title


def _fail_text(said: _Said) -> str:
    result = said.result
    if result.failures:
        first = result.failures[0]
        where = f" ({first.evidence[0].location()})" if first.evidence and first.evidence[0].path else ""
        more = f" (+{len(result.failures) - 1} more)" if len(result.failures) > 1 else ""
        return first.message.rstrip(".") + where + more
    return result.summary or said.spec.title


def _evidence(said: Sequence[_Said]) -> tuple[Evidence, ...]:
    picked: list[Evidence] = []
    ordered = sorted(said, key=lambda s: s.vote in (_Vote.YES, _Vote.MINOR))  # failures first
    for s in ordered:
        for failure in s.result.failures[:2]:
            picked += list(failure.evidence[:1])
        picked += list(s.result.evidence[:1])
    return tuple(dict.fromkeys(picked))[:_MAX_EVIDENCE]


def _sentence(parts: Iterable[str]) -> str:
    text = "; ".join(p for p in parts if p).strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_PART else text[: _MAX_PART - 1].rstrip() + "…"


def _make(
    question: Question,
    value: Answer,
    checks: tuple[str, ...],
    reasoning: str,
    evidence: tuple[Evidence, ...],
) -> QuestionAnswer:
    return QuestionAnswer(
        question=question.key,
        category=question.category,
        text=question.text,
        answer=value,
        checks=checks,
        reasoning=reasoning,
        evidence=evidence,
    )


def by_key(answers: Sequence[QuestionAnswer]) -> dict[str, QuestionAnswer]:
    return {a.question: a for a in answers}
