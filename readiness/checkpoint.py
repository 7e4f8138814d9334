"""Checkpoints: the assessment's progress, saved after each category, so a scan can resume.

Two files side by side: the Markdown one a person reads (timestamp, completed categories and
their scores, key findings, next steps) and a JSON one holding the machine state. Raw check
results are stored, not findings: policy (severity overrides, waivers and their expiry) is
applied afresh on every run, so a stale checkpoint can't carry a waiver past its date.

A category's saved results are reused only when its fingerprint (readiness version, config,
file listing, check ids, scanner versions) and the digest of every file it read are unchanged.
Anything unreadable, foreign or inconsistent is ignored with a warning: at worst a checkpoint
makes a scan slower, it never turns a finding into a pass.

Digests alone prove nothing: anyone can hash a public tree and write a checkpoint of passes with
the right digests, and commit it where ``--resume`` looks (``.claude/checkpoints/`` of the tree
under review). So every checkpoint readiness writes carries an HMAC-SHA256 over its JSON content,
keyed with a secret that lives outside the scanned tree: 32 random bytes created on first use
(mode 0600) at ``$XDG_CACHE_HOME/readiness/checkpoint.key`` (default
``~/.cache/readiness/checkpoint.key``; ``READINESS_STATE_KEY_FILE`` overrides it). :func:`load`
accepts only a checkpoint whose HMAC verifies with this machine's key; a key file that resolves to
a path inside the scanned tree is refused. State that comes from elsewhere and is authenticated
by other means (a workflow artifact whose provenance the Action checked) is parsed with
:func:`parse` and re-signed with :func:`sign` before the engine reads it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from readiness import redact, seed
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
KEY_FILE_ENV = "READINESS_STATE_KEY_FILE"
KEY_BYTES = 32
SIGNATURE = "hmac"  # the JSON member holding "hmac-sha256:<hex>" over the rest of the document
_SCHEME = "hmac-sha256:"
_DOMAIN = b"readiness-checkpoint-hmac\n"  # keeps this key's MACs from meaning anything elsewhere

log = logging.getLogger(__name__)
_WARNED: set[tuple[Path, str]] = set()


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


# What a malformed document raises: CheckpointError from the shape checks, ValueError from the
# model's constructors (an unknown category, outcome or severity; evidence of the wrong type).
_PARSE_ERRORS = (CheckpointError, ValueError)


class KeyUnavailable(Exception):
    """This machine's checkpoint key can't be used (the reason is the message)."""


@dataclass(frozen=True)
class StateKey:
    """The secret that authenticates the checkpoints written on this machine."""

    path: Path
    secret: bytes = field(repr=False)

    def mac(self, document: Mapping[str, Any]) -> str:
        """The HMAC of ``document`` without its signature member, over a canonical encoding (the
        content, not the whitespace, is what is signed)."""
        content = {k: v for k, v in document.items() if k != SIGNATURE}
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return _SCHEME + hmac.new(self.secret, _DOMAIN + canonical.encode(), hashlib.sha256).hexdigest()

    def verifies(self, document: Mapping[str, Any]) -> bool:
        claimed = document.get(SIGNATURE)
        return isinstance(claimed, str) and hmac.compare_digest(claimed, self.mac(document))


def json_path_for(markdown_path: Path) -> Path:
    return markdown_path.with_suffix(".json")


def key_file(env: Mapping[str, str] | None = None) -> Path:
    """Where this machine's checkpoint key lives: READINESS_STATE_KEY_FILE, else the user's cache
    directory (``$XDG_CACHE_HOME``, an absolute path, or ``~/.cache``)."""
    env = os.environ if env is None else env
    override = env.get(KEY_FILE_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    cache = env.get("XDG_CACHE_HOME", "").strip()
    if not cache or not os.path.isabs(cache):  # the XDG spec says to ignore a relative path
        try:
            cache = str(Path.home() / ".cache")
        except RuntimeError as error:
            raise KeyUnavailable(f"no home directory to keep the checkpoint key in ({error})") from None
    return Path(cache) / "readiness" / "checkpoint.key"


def state_key(root: Path, env: Mapping[str, str] | None = None) -> StateKey:
    """This machine's checkpoint key, created on first use. Refused when the key file resolves to a
    path inside the scanned tree ``root`` (the tree under review could then supply it)."""
    path = key_file(env)
    resolved = path.resolve()
    if resolved.is_relative_to(root.resolve()):
        raise KeyUnavailable(f"the checkpoint key {path} lies inside the scanned tree {root}: it is not used")
    try:
        if not resolved.exists():
            _create_key(resolved)
        info = resolved.stat()
        if not stat.S_ISREG(info.st_mode):
            raise KeyUnavailable(f"the checkpoint key {path} is not a regular file")
        if os.name == "posix" and info.st_mode & 0o077:
            raise KeyUnavailable(
                f"the checkpoint key {path} can be read or changed by other users "
                f"(mode {stat.S_IMODE(info.st_mode):o}; chmod 600 it)"
            )
        secret = resolved.read_bytes()
    except OSError as error:
        raise KeyUnavailable(f"the checkpoint key {path} cannot be used ({error})") from None
    if len(secret) != KEY_BYTES:
        raise KeyUnavailable(f"the checkpoint key {path} is not {KEY_BYTES} bytes long")
    return StateKey(path, secret)


def _create_key(path: Path) -> None:
    """32 random bytes, mode 0600, published atomically: a concurrent scan creating it too reads
    one whole key or the other, and both then use the one that won."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".checkpoint-key.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:  # mkstemp creates it 0600
            stream.write(secrets.token_bytes(KEY_BYTES))
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.link(temporary, path)  # fails if another scan got there first: keep theirs
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: exclusive creation, written in place
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(Path(temporary).read_bytes())
    finally:
        Path(temporary).unlink(missing_ok=True)


def load(
    markdown_path: Path, project: str, *, root: Path, env: Mapping[str, str] | None = None
) -> tuple[dict[Category, CategoryState], list[str]]:
    """The saved category states of a checkpoint signed with this machine's key (see
    :func:`state_key`; ``root`` is the scanned tree), and warnings for whatever had to be ignored."""
    states, _scanners, warnings = load_with_scanners(markdown_path, project, root=root, env=env)
    return states, warnings


def load_with_scanners(
    markdown_path: Path, project: str, *, root: Path, env: Mapping[str, str] | None = None
) -> tuple[dict[Category, CategoryState], dict[str, Any], list[str]]:
    """:func:`load`, and what each scanner kept for the next run (its raw JSON, by scanner name:
    the scanner's own module parses it), from the same authenticated document."""
    path = json_path_for(markdown_path)
    if not path.exists():
        return {}, {}, []
    try:
        data = _decode(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:  # UnicodeDecodeError and CheckpointError are ValueErrors
        return {}, {}, [f"ignoring checkpoint {path}: {error}"]
    try:
        key = state_key(root, env)
    except KeyUnavailable as error:
        return {}, {}, [f"checkpoint {path} cannot be authenticated: not reused ({error})"]
    if not isinstance(data, dict) or not key.verifies(data):
        signed = isinstance(data, dict) and SIGNATURE in data
        why = "its signature does not match" if signed else "it carries no signature"
        return {}, {}, [f"checkpoint {path} is not signed by this machine's key: not reused ({why})"]
    try:
        states = _parse(data, project)
    except _PARSE_ERRORS as error:
        return {}, {}, [f"ignoring checkpoint {path}: {error}"]
    scanners = data.get("scanners")
    return states, dict(scanners) if isinstance(scanners, dict) else {}, []


def parse(data: bytes, project: str) -> dict[Category, CategoryState]:
    """The states of a checkpoint document WITHOUT authenticating it: only for state whose origin
    was established otherwise (a workflow artifact that passed the provenance checks). Raises
    CheckpointError."""
    try:
        return _parse(_decode(data), project)
    except CheckpointError:
        raise
    except _PARSE_ERRORS as error:  # UnicodeDecodeError is a ValueError
        raise CheckpointError(str(error)) from None


def _decode(data: str | bytes) -> Any:
    """The JSON document; CheckpointError when it nests deeper than the interpreter's recursion
    limit (``[[[[…]]]]``: json raises RecursionError there, which is no ValueError)."""
    try:
        return json.loads(data)
    except RecursionError:
        raise CheckpointError("nested too deeply to be a checkpoint") from None


def sign(data: bytes, key: StateKey) -> bytes:
    """The checkpoint document ``data`` signed with ``key`` (replacing any earlier signature)."""
    document = _decode(data)
    if not isinstance(document, dict):
        raise CheckpointError("not a readiness checkpoint")
    return _encode(document, key).encode()


def _encode(document: Mapping[str, Any], key: StateKey | None) -> str:
    content = {k: v for k, v in document.items() if k != SIGNATURE}
    if key is not None:
        content[SIGNATURE] = key.mac(content)
    return json.dumps(content, indent=1) + "\n"


def _parse(data: Any, project: str) -> dict[Category, CategoryState]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError("not a readiness checkpoint")
    if data.get("version") != VERSION:
        raise CheckpointError(f"checkpoint format version {data.get('version')!r} is not {VERSION}")
    if data.get("project") != project:
        raise CheckpointError(f"it belongs to project {data.get('project')!r}, not {project!r}")
    states: dict[Category, CategoryState] = {}
    for name, raw in _object(data.get("categories") or {}, "categories").items():
        category = Category(name)
        raw = _object(raw, f"category {name}")
        inputs = raw.get("inputs")
        if not isinstance(inputs, dict) or not all(isinstance(v, str) for v in inputs.values()):
            raise CheckpointError(f"category {name}: malformed inputs")
        states[category] = CategoryState(
            fingerprint=_text(raw, "fingerprint", f"category {name}"),
            inputs=dict(inputs),
            completed_at=_text(raw, "completed_at", f"category {name}"),
            light=_text(raw, "light", f"category {name}"),
            results={
                str(k): result_from_dict(v)
                for k, v in _object(raw.get("results"), f"category {name}: results").items()
            },
            answers=_answers_from(category, raw.get("answers")),
        )
    return states


# A checkpoint is JSON anyone could have written: every member is checked for its type before it
# is used, so a list where an object belongs is a CheckpointError, not an AttributeError.
def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CheckpointError(f"{what} is not an object")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise CheckpointError(f"{what} is not a list")
    return value


def _text(data: Mapping[str, Any], key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise CheckpointError(f"{what}: {key} is not a string")
    return value


def _answers_from(category: Category, data: Any) -> tuple[QuestionAnswer, ...]:
    """The category's answers; none when the state recorded none (the engine then won't reuse it)."""
    if not isinstance(data, list):
        raise CheckpointError(f"category {category.value}: malformed answers")
    questions = {q.key: q for q in seed.of(category)}
    found = []
    for item in data:
        question = item.get("question") if isinstance(item, dict) else None
        if not isinstance(question, str) or question not in questions:
            raise CheckpointError(f"category {category.value}: answer to an unknown question")
        found.append(QuestionAnswer.from_dict(item, category, questions[question].text))
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
    data = _object(data, "check result")
    outcome = Outcome(data.get("outcome"))
    failures = tuple(_failure_from(f) for f in _list(data.get("failures"), "check result failures"))
    if (outcome is Outcome.FAIL) != bool(failures):
        raise CheckpointError("a check result's outcome disagrees with its failures")
    return CheckResult(
        outcome=outcome,
        failures=failures,
        evidence=_evidence_from(data.get("evidence")),
        summary=_text(data, "summary", "check result"),
        answer=Answer(data["answer"]) if data.get("answer") else None,
    )


def _failure_from(data: Any) -> Failure:
    data = _object(data, "failure")
    return Failure(
        message=_text(data, "message", "failure"),
        evidence=_evidence_from(data.get("evidence")),
        severity=Severity(data["severity"]) if data.get("severity") else None,
    )


def _evidence_from(data: Any) -> tuple[Evidence, ...]:
    return tuple(Evidence.from_dict(_object(e, "evidence")) for e in _list(data, "evidence"))


def save(
    markdown_path: Path,
    *,
    project: str,
    readiness_version: str,
    started_at: dt.datetime,
    states: Mapping[Category, CategoryState],
    completed: Sequence[CategoryResult],
    remaining: Sequence[Category],
    root: Path,
    env: Mapping[str, str] | None = None,
    scanner_state: Mapping[str, Any] | None = None,
) -> None:
    """Rewrite both files atomically: a scan killed mid-write leaves the previous checkpoint whole.

    The JSON is signed with this machine's key (``root``: the scanned tree); when that key can't
    be used the checkpoint is written unsigned, with a logged warning, and no later run reuses it."""
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
                # A token can be a file's name: no path of the artifact shows one. A redacted path
                # is never found again, so the category is assessed afresh rather than reused.
                "inputs": {redact.path(path): digest for path, digest in state.inputs.items()},
                "completed_at": state.completed_at,
                "light": state.light,
                "results": {k: result_to_dict(v) for k, v in state.results.items()},
                "answers": [a.to_dict() for a in state.answers],
            }
            for category, state in states.items()
        },
        "remaining": [category.value for category in remaining],
    }
    if scanner_state:
        # What scanners keep between runs (semgrep's per-file results), under the same signature.
        data["scanners"] = dict(scanner_state)
    try:
        key: StateKey | None = state_key(root, env)
    except KeyUnavailable as error:
        key = None
        if (markdown_path, str(error)) not in _WARNED:  # once, not after every category
            _WARNED.add((markdown_path, str(error)))
            log.warning(
                "checkpoint %s is written unsigned, so no later run reuses it: %s", markdown_path, error
            )
    _atomic_write(json_path_for(markdown_path), _encode(data, key))
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
