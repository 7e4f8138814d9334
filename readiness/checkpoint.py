"""Checkpoints: the assessment's progress, saved after each category, so a scan can resume.

Two files side by side: the Markdown one a person reads (timestamp, completed categories and
their scores, key findings, next steps) and a JSON one holding the machine state. Raw check
results are stored, not findings: policy (severity overrides, waivers and their expiry) is
applied afresh on every run, so a stale checkpoint can't carry a waiver past its date.

A category's saved results are reused only when its fingerprint (readiness version, config,
file listing, check ids, scanner versions) and the digest of every file it read are unchanged.
Anything unreadable, foreign or inconsistent is ignored with a warning: at worst a checkpoint
makes a scan slower, it never turns a finding into a pass.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readiness import seed
from readiness.model import (
    Answer,
    Category,
    CategoryResult,
    CheckResult,
    Evidence,
    Failure,
    Outcome,
    QuestionAnswer,
    Severity,
)

FORMAT = "readiness-checkpoint"
VERSION = 2  # 2: answers per review question


@dataclass(frozen=True)
class CategoryState:
    fingerprint: str
    inputs: dict[str, str]  # path -> sha256 of the bytes the category's checks read
    completed_at: str
    light: str
    results: dict[str, CheckResult]
    answers: tuple[QuestionAnswer, ...] = ()


class CheckpointError(ValueError):
    pass


def json_path_for(markdown_path: Path) -> Path:
    return markdown_path.with_suffix(".json")


def load(markdown_path: Path, project: str) -> tuple[dict[Category, CategoryState], list[str]]:
    """The saved category states, and warnings for whatever had to be ignored."""
    path = json_path_for(markdown_path)
    if not path.exists():
        return {}, []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _parse(data, project), []
    except (
        OSError,
        UnicodeDecodeError,
        json.JSONDecodeError,
        CheckpointError,
        ValueError,
        KeyError,
        TypeError,
    ) as error:
        return {}, [f"ignoring checkpoint {path}: {error}"]


def _parse(data: Any, project: str) -> dict[Category, CategoryState]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError("not a readiness checkpoint")
    if data.get("version") != VERSION:
        raise CheckpointError(f"checkpoint format version {data.get('version')!r} is not {VERSION}")
    if data.get("project") != project:
        raise CheckpointError(f"it belongs to project {data.get('project')!r}, not {project!r}")
    states: dict[Category, CategoryState] = {}
    for name, raw in (data.get("categories") or {}).items():
        category = Category(name)
        inputs = raw["inputs"]
        if not isinstance(inputs, dict) or not all(isinstance(v, str) for v in inputs.values()):
            raise CheckpointError(f"category {name}: malformed inputs")
        states[category] = CategoryState(
            fingerprint=str(raw["fingerprint"]),
            inputs=dict(inputs),
            completed_at=str(raw["completed_at"]),
            light=str(raw["light"]),
            results={str(k): result_from_dict(v) for k, v in raw["results"].items()},
            answers=_answers_from(category, raw.get("answers")),
        )
    return states


def _answers_from(category: Category, data: Any) -> tuple[QuestionAnswer, ...]:
    """The category's answers; none when the state recorded none (the engine then won't reuse it)."""
    if not isinstance(data, list):
        raise CheckpointError(f"category {category.value}: malformed answers")
    questions = {q.key: q for q in seed.of(category)}
    found = []
    for item in data:
        if not isinstance(item, dict) or item.get("question") not in questions:
            raise CheckpointError(f"category {category.value}: answer to an unknown question")
        found.append(QuestionAnswer.from_dict(item, category, questions[item["question"]].text))
    if found and {a.question for a in found} != set(questions):
        raise CheckpointError(f"category {category.value}: answers do not cover its questions")
    return tuple(found)


def result_to_dict(result: CheckResult) -> dict[str, Any]:
    return {
        "outcome": result.outcome.value,
        "summary": result.summary,
        "failures": [
            {
                "message": f.message,
                "severity": f.severity.value if f.severity else None,
                "evidence": [e.to_dict() for e in f.evidence],
            }
            for f in result.failures
        ],
        "evidence": [e.to_dict() for e in result.evidence],
        "answer": result.answer.value if result.answer else None,
    }


def result_from_dict(data: Any) -> CheckResult:
    if not isinstance(data, dict):
        raise CheckpointError("malformed check result")
    outcome = Outcome(data["outcome"])
    failures = tuple(
        Failure(
            message=str(f["message"]),
            evidence=tuple(Evidence.from_dict(e) for e in f["evidence"]),
            severity=Severity(f["severity"]) if f.get("severity") else None,
        )
        for f in data["failures"]
    )
    if (outcome is Outcome.FAIL) != bool(failures):
        raise CheckpointError("a check result's outcome disagrees with its failures")
    return CheckResult(
        outcome=outcome,
        failures=failures,
        evidence=tuple(Evidence.from_dict(e) for e in data["evidence"]),
        summary=str(data["summary"]),
        answer=Answer(data["answer"]) if data.get("answer") else None,
    )


def save(
    markdown_path: Path,
    *,
    project: str,
    readiness_version: str,
    started_at: dt.datetime,
    states: Mapping[Category, CategoryState],
    completed: Sequence[CategoryResult],
    remaining: Sequence[Category],
) -> None:
    """Rewrite both files atomically: a scan killed mid-write leaves the previous checkpoint whole."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    data = {
        "format": FORMAT,
        "version": VERSION,
        "project": project,
        "readiness_version": readiness_version,
        "started_at": started_at.isoformat(),
        "updated_at": now.isoformat(),
        "categories": {
            category.value: {
                "fingerprint": state.fingerprint,
                "inputs": state.inputs,
                "completed_at": state.completed_at,
                "light": state.light,
                "results": {k: result_to_dict(v) for k, v in state.results.items()},
                "answers": [a.to_dict() for a in state.answers],
            }
            for category, state in states.items()
        },
        "remaining": [category.value for category in remaining],
    }
    _atomic_write(json_path_for(markdown_path), json.dumps(data, indent=1) + "\n")
    _atomic_write(markdown_path, _markdown(project, now, completed, remaining))


def _markdown(
    project: str, now: dt.datetime, completed: Sequence[CategoryResult], remaining: Sequence[Category]
) -> str:
    lines = [
        f"# Production readiness checkpoint: {project}",
        "",
        f"Saved: {now.isoformat()}",
        "",
        "## Completed categories",
        "",
        "| Category | Score | Blockers | Risks | Not assessed |",
        "|---|---|---|---|---|",
    ]
    for result in completed:
        lines.append(
            f"| {result.category.label} | {result.light.value.title()} | {result.count(Severity.BLOCKER)} "
            f"| {result.count(Severity.RISK)} | {result.not_assessed} |"
        )
    lines += ["", "## Key findings so far", ""]
    key = [
        f
        for result in completed
        for f in result.findings()
        if not f.waived and f.severity in (Severity.BLOCKER, Severity.RISK)
    ]
    key.sort(key=lambda f: -f.severity.rank)
    lines += [
        f"- **{f.severity.value}** `{f.check_id}`: {f.message}"
        + (f" ({f.evidence[0].location()})" if f.evidence else "")
        for f in key
    ] or ["- none"]
    lines += ["", "## Next steps", ""]
    if remaining:
        lines.append("Assess the remaining categories: " + ", ".join(c.label for c in remaining) + ".")
        lines.append("Resume with `readiness scan --resume`.")
    else:
        lines.append("All categories are complete; the final report holds the verdict.")
    return "\n".join(lines) + "\n"


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
