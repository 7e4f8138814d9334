"""A scanner's output as JSON and back, and the merge of one scanner's outputs over slices of a tree.

Two things need a scanner's output outside the run that made it: a per-file cache kept for the
next run, and ``readiness scan --shard K/N`` (each shard writes its scanners' outputs; ``readiness
merge`` reads them all back and combines them). The round trip is lossless —
``output_from_dict(output_to_dict(x)) == x`` — so what the checks judge after a merge is exactly
what they would have judged in the run that scanned.

What is read back is untrusted: a part is a file anyone could have written or truncated. Every
member is checked for its type and range before it is used, every key must be there and no other
may be, and anything wrong is a :class:`SerializeError` naming where it is
(``outputs.semgrep.data.matches[3].line: not an integer``) — never a KeyError, a TypeError or a
RecursionError from deep inside, and never a value of the wrong type handed on to a check.

The scanner's ``state`` (what it keeps for its own next run) is not part of the format: its own
module writes and reads it, under the checkpoint's signature.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from readiness.results import Advisory, DependencyReport, Manifest, Match, MatchList, Vulnerability
from readiness.scanners.base import NOT_ASSESSED, OK, SKIPPED, ScanOutput

MATCHES, DEPENDENCIES, NONE = "matches", "dependencies", "none"
STATUSES = (OK, NOT_ASSESSED, SKIPPED)
# Integers JSON carries exactly everywhere (a double's 53 bits): a line or count beyond that is
# not a line or a count.
MAX_INTEGER = 2**53 - 1
# Rule metadata is the only free-form JSON here; semgrep's is two or three levels deep. A bound
# keeps a hostile document from making anything downstream (==, json.dumps) recurse without end.
MAX_DEPTH = 32

_T = TypeVar("_T")
_OUTPUT_KEYS = ("name", "status", "detail", "version", "seconds", "data")
_MATCHES_KEYS = ("kind", "matches", "unanalysed", "skipped")
_MATCH_KEYS = ("rule", "path", "line", "end_line", "message", "metadata", "captures")
_DEPENDENCIES_KEYS = ("kind", "tool", "vulnerabilities", "manifests", "notes")
_VULNERABILITY_KEYS = (
    "ecosystem",
    "package",
    "version",
    "path",
    "line",
    "advisories",
    "fix",
    "dev",
    "reachable",
    "trace",
    "trace_path",
    "trace_line",
    "note",
)
_ADVISORY_KEYS = ("id", "aliases", "summary", "fixed", "band", "score")
_MANIFEST_KEYS = ("path", "packages", "vulnerable", "note", "unit")


class SerializeError(ValueError):
    """A document that is not a scanner output this module wrote; the message says where and why."""


# ---- encoding ---------------------------------------------------------------------------------


def output_to_dict(output: ScanOutput) -> dict[str, Any]:
    """``output`` as JSON-ready values. A TypeError for anything :func:`output_from_dict` would not
    read back as an equal output: data that is not a MatchList, a DependencyReport or None, a
    ``state`` (not part of the format), a field of the wrong type, metadata that is not JSON."""
    if not isinstance(output, ScanOutput):
        raise TypeError(f"not a scanner output: {type(output).__name__}")
    if output.state is not None:
        raise TypeError(f"{output.name}: its state is kept by the scanner's own module, not serialized")
    try:
        document = {
            "name": output.name,
            "status": output.status,
            "detail": output.detail,
            "version": output.version,
            "seconds": output.seconds,
            "data": _data_to_dict(output.data, f"{output.name}.data"),
        }
        # What is written must read back, and as what was written: the reader is the one
        # definition of a valid document (a list where a tuple belongs would come back unequal).
        back = output_from_dict(document, where=str(output.name))
    except SerializeError as error:
        raise TypeError(f"cannot be serialized: {error}") from None
    if back != output:
        raise TypeError(f"{output.name}: would not read back as an equal output (a field of the wrong type)")
    return document


def _data_to_dict(data: Any, where: str) -> dict[str, Any]:
    if data is None:
        return {"kind": NONE}
    if isinstance(data, MatchList):
        return {
            "kind": MATCHES,
            "matches": [_match_to_dict(m, f"{where}.matches[{i}]") for i, m in enumerate(data)],
            "unanalysed": dict(data.unanalysed),
            "skipped": dict(data.skipped),
        }
    if isinstance(data, DependencyReport):
        return {
            "kind": DEPENDENCIES,
            "tool": data.tool,
            "vulnerabilities": [
                _vulnerability_to_dict(v, f"{where}.vulnerabilities[{i}]")
                for i, v in enumerate(data.vulnerabilities)
            ],
            "manifests": [
                dataclasses.asdict(_instance(m, Manifest, f"{where}.manifests[{i}]"))
                for i, m in enumerate(data.manifests)
            ],
            "notes": list(data.notes),
        }
    raise TypeError(f"{where}: a {type(data).__name__} is not scanner data this format knows")


def _match_to_dict(match: Match, where: str) -> dict[str, Any]:
    _instance(match, Match, where)
    return {
        "rule": match.rule,
        "path": match.path,
        "line": match.line,
        "end_line": match.end_line,
        "message": match.message,
        "metadata": _json(match.metadata, f"{where}.metadata"),  # a copy: the match keeps its own
        "captures": dict(match.captures),
    }


def _vulnerability_to_dict(vulnerability: Vulnerability, where: str) -> dict[str, Any]:
    _instance(vulnerability, Vulnerability, where)
    # Field by field rather than dataclasses.asdict: tuples become lists, as JSON has them.
    document = {key: getattr(vulnerability, key) for key in _VULNERABILITY_KEYS}
    document["advisories"] = [
        _advisory_to_dict(_instance(a, Advisory, f"{where}.advisories[{i}]"))
        for i, a in enumerate(vulnerability.advisories)
    ]
    return document


def _advisory_to_dict(advisory: Advisory) -> dict[str, Any]:
    return {**dataclasses.asdict(advisory), "aliases": list(advisory.aliases), "fixed": list(advisory.fixed)}


def _instance(value: Any, kind: type[_T], where: str) -> _T:
    if not isinstance(value, kind):
        raise TypeError(f"{where}: a {type(value).__name__} is not a {kind.__name__}")
    return value


# ---- decoding ---------------------------------------------------------------------------------


def output_from_dict(data: object, *, where: str = "output") -> ScanOutput:
    """The output :func:`output_to_dict` wrote, from untrusted JSON values; ``where`` names the
    document in messages (``outputs.semgrep``). Raises SerializeError, and nothing else."""
    document = _object(data, where, _OUTPUT_KEYS)
    status = _text(document["status"], f"{where}.status")
    if status not in STATUSES:
        raise SerializeError(f"{where}.status: unknown status {_shown(status)}")
    return ScanOutput(
        name=_text(document["name"], f"{where}.name"),
        status=status,
        detail=_text(document["detail"], f"{where}.detail"),
        version=_optional_text(document["version"], f"{where}.version"),
        seconds=_seconds(document["seconds"], f"{where}.seconds"),
        data=_data_from(document["data"], f"{where}.data"),
    )


def _data_from(value: object, where: str) -> MatchList | DependencyReport | None:
    if not isinstance(value, dict):
        raise SerializeError(f"{where}: not an object")
    if "kind" not in value:
        raise SerializeError(f"{where}.kind: missing")
    kind = _text(value["kind"], f"{where}.kind")
    if kind == NONE:
        _object(value, where, ("kind",))
        return None
    if kind == MATCHES:
        document = _object(value, where, _MATCHES_KEYS)
        return MatchList(
            [
                _match_from(m, f"{where}.matches[{i}]")
                for i, m in enumerate(_list(document["matches"], f"{where}.matches"))
            ],
            unanalysed=_text_map(document["unanalysed"], f"{where}.unanalysed"),
            skipped=_count_map(document["skipped"], f"{where}.skipped"),
        )
    if kind == DEPENDENCIES:
        document = _object(value, where, _DEPENDENCIES_KEYS)
        vulnerabilities = _list(document["vulnerabilities"], f"{where}.vulnerabilities")
        manifests = _list(document["manifests"], f"{where}.manifests")
        return DependencyReport(
            tool=_text(document["tool"], f"{where}.tool"),
            vulnerabilities=tuple(
                _vulnerability_from(v, f"{where}.vulnerabilities[{i}]") for i, v in enumerate(vulnerabilities)
            ),
            manifests=tuple(_manifest_from(m, f"{where}.manifests[{i}]") for i, m in enumerate(manifests)),
            notes=_texts(document["notes"], f"{where}.notes"),
        )
    raise SerializeError(f"{where}.kind: unknown kind {_shown(kind)}")


def _match_from(value: object, where: str) -> Match:
    document = _object(value, where, _MATCH_KEYS)
    metadata = _json(document["metadata"], f"{where}.metadata")
    if not isinstance(metadata, dict):
        raise SerializeError(f"{where}.metadata: not an object")
    return Match(
        rule=_text(document["rule"], f"{where}.rule"),
        path=_text(document["path"], f"{where}.path"),
        line=_integer(document["line"], f"{where}.line"),
        end_line=_integer(document["end_line"], f"{where}.end_line"),
        message=_text(document["message"], f"{where}.message"),
        metadata=metadata,
        captures=_text_map(document["captures"], f"{where}.captures"),
    )


def _vulnerability_from(value: object, where: str) -> Vulnerability:
    document = _object(value, where, _VULNERABILITY_KEYS)
    advisories = _list(document["advisories"], f"{where}.advisories")
    return Vulnerability(
        ecosystem=_text(document["ecosystem"], f"{where}.ecosystem"),
        package=_text(document["package"], f"{where}.package"),
        version=_text(document["version"], f"{where}.version"),
        path=_text(document["path"], f"{where}.path"),
        line=_optional_integer(document["line"], f"{where}.line"),
        advisories=tuple(_advisory_from(a, f"{where}.advisories[{i}]") for i, a in enumerate(advisories)),
        fix=_optional_text(document["fix"], f"{where}.fix"),
        dev=_boolean(document["dev"], f"{where}.dev"),
        reachable=None
        if document["reachable"] is None
        else _boolean(document["reachable"], f"{where}.reachable"),
        trace=_text(document["trace"], f"{where}.trace"),
        trace_path=_optional_text(document["trace_path"], f"{where}.trace_path"),
        trace_line=_optional_integer(document["trace_line"], f"{where}.trace_line"),
        note=_text(document["note"], f"{where}.note"),
    )


def _advisory_from(value: object, where: str) -> Advisory:
    document = _object(value, where, _ADVISORY_KEYS)
    score = document["score"]
    return Advisory(
        id=_text(document["id"], f"{where}.id"),
        aliases=_texts(document["aliases"], f"{where}.aliases"),
        summary=_text(document["summary"], f"{where}.summary"),
        fixed=_texts(document["fixed"], f"{where}.fixed"),
        band=_optional_text(document["band"], f"{where}.band"),
        score=None if score is None else _number(score, f"{where}.score"),
    )


def _manifest_from(value: object, where: str) -> Manifest:
    document = _object(value, where, _MANIFEST_KEYS)
    return Manifest(
        path=_text(document["path"], f"{where}.path"),
        packages=_integer(document["packages"], f"{where}.packages"),
        vulnerable=_integer(document["vulnerable"], f"{where}.vulnerable"),
        note=_text(document["note"], f"{where}.note"),
        unit=_text(document["unit"], f"{where}.unit"),
    )


# Each reader takes the value and its JSON path, and returns the value with its Python type or
# raises SerializeError naming the path.
def _object(value: object, where: str, keys: Sequence[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SerializeError(f"{where}: not an object")
    for key in keys:
        if key not in value:
            raise SerializeError(f"{where}.{key}: missing")
    if len(value) != len(keys):
        extra = sorted((k for k in value if k not in keys), key=repr)
        raise SerializeError(f"{where}: unexpected key {_shown(extra[0])}")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise SerializeError(f"{where}: not a list")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise SerializeError(f"{where}: not a string")
    return value


def _optional_text(value: object, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise SerializeError(f"{where}: not a string or null")
    return value


def _texts(value: object, where: str) -> tuple[str, ...]:
    return tuple(_text(item, f"{where}[{i}]") for i, item in enumerate(_list(value, where)))


def _integer(value: object, where: str) -> int:
    # bool is an int to Python, never a line number to anyone else.
    if not isinstance(value, int) or isinstance(value, bool):
        raise SerializeError(f"{where}: not an integer")
    if not 0 <= value <= MAX_INTEGER:
        raise SerializeError(f"{where}: {value} is out of range (0 to {MAX_INTEGER})")
    return value


def _optional_integer(value: object, where: str) -> int | None:
    return None if value is None else _integer(value, where)


def _boolean(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise SerializeError(f"{where}: not a boolean")
    return value


def _number(value: object, where: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise SerializeError(f"{where}: not a number")
    number = float(value) if isinstance(value, float) or abs(value) <= MAX_INTEGER else math.inf
    if not math.isfinite(number):
        raise SerializeError(f"{where}: not a finite number")
    return number


def _seconds(value: object, where: str) -> float:
    seconds = _number(value, where)
    if seconds < 0:
        raise SerializeError(f"{where}: negative")
    return seconds


def _text_map(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise SerializeError(f"{where}: not an object")
    for key, item in value.items():
        if not isinstance(key, str):
            raise SerializeError(f"{where}: key {_shown(key)} is not a string")
        _text(item, f"{where}[{_shown(key)}]")
    return dict(value)


def _count_map(value: object, where: str) -> dict[str, int]:
    if not isinstance(value, dict):
        raise SerializeError(f"{where}: not an object")
    for key, item in value.items():
        if not isinstance(key, str):
            raise SerializeError(f"{where}: key {_shown(key)} is not a string")
        _integer(item, f"{where}[{_shown(key)}]")
    return dict(value)


def _json(value: object, where: str) -> Any:
    """A copy of ``value`` made only of JSON's values (objects with string keys, arrays, strings,
    finite numbers, booleans, null), at most MAX_DEPTH containers deep. Walked with a stack, not
    by recursion, so no depth makes it raise anything but SerializeError."""
    holder: list[Any] = [None]
    stack: list[tuple[object, str, int, Any, Any]] = [(value, where, 0, holder, 0)]
    while stack:
        item, path, depth, parent, slot = stack.pop()
        if item is None or isinstance(item, (bool, str)):
            parent[slot] = item
        elif isinstance(item, int):
            parent[slot] = _json_integer(item, path)
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise SerializeError(f"{path}: not a finite number")
            parent[slot] = item
        elif isinstance(item, (dict, list)):
            if depth >= MAX_DEPTH:
                raise SerializeError(f"{path}: nested more than {MAX_DEPTH} levels deep")
            if isinstance(item, dict):
                copy: Any = {}
                for key, member in item.items():
                    if not isinstance(key, str):
                        raise SerializeError(f"{path}: key {_shown(key)} is not a string")
                    copy[key] = None  # the copy keeps the original's key order
                    stack.append((member, f"{path}[{_shown(key)}]", depth + 1, copy, key))
            else:
                copy = [None] * len(item)
                stack += [(member, f"{path}[{i}]", depth + 1, copy, i) for i, member in enumerate(item)]
            parent[slot] = copy
        else:
            raise SerializeError(f"{path}: a {type(item).__name__} is not a JSON value")
    return holder[0]


def _json_integer(value: int, where: str) -> int:
    if abs(value) > MAX_INTEGER:
        raise SerializeError(f"{where}: {value} is out of range")
    return int(value)  # an IntEnum or other int subclass is read back as a plain int


def _shown(value: object) -> str:
    """A key or value from the document, quoted for a message: escaped, and never very long."""
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


# ---- merging ----------------------------------------------------------------------------------


def merge_outputs(parts: Sequence[ScanOutput]) -> ScanOutput:
    """One scanner's outputs over disjoint slices of one tree, as one output over the whole tree.

    Any part not assessed makes the whole not assessed (its reasons joined): a slice nobody read
    is not a clean slice. Parts that skipped (nothing of theirs to scan) add nothing; when every
    part skipped, the whole is skipped. Parts that ran different versions of the tool are not one
    scan. Otherwise the data is the union of the parts', in an order that depends only on what
    the parts hold — never on the order they were given in — so merge(a, b) == merge(b, a).

    A single part is returned as it is. ValueError for no part or parts of different scanners;
    TypeError for data this module does not know."""
    if not parts:
        raise ValueError("no scanner output to merge")
    names = sorted({part.name for part in parts})
    if len(names) > 1:
        raise ValueError(f"cannot merge the outputs of different scanners: {', '.join(names)}")
    if len(parts) == 1:
        return parts[0]
    name, seconds = names[0], max(part.seconds for part in parts)
    # One canonical order of the parts, so that whatever keeps the order it met things in (the
    # joined details, the notes, matches that sort equal) comes out the same for any given order.
    ordered = sorted(parts, key=_canonical)
    counted = [part for part in ordered if part.status != SKIPPED]
    if not counted:
        versions = sorted({part.version for part in ordered if part.version is not None})
        version = versions[0] if len(versions) == 1 else None
        return ScanOutput(name, SKIPPED, _joined(part.detail for part in ordered), version, seconds)
    # A part with no file of the tool's languages ran no tool and has no version: it disagrees
    # with nobody.
    versions = sorted({part.version for part in counted if part.version is not None})
    version = versions[0] if len(versions) == 1 else None
    failures = [part.detail for part in counted if part.status != OK]
    if len(versions) > 1:
        failures.append(f"scanner versions differ between parts: {', '.join(versions)}")
    if not failures:
        data, problem = _merge_data([part.data for part in counted])
        if not problem:
            return ScanOutput(name, OK, _joined(part.detail for part in counted), version, seconds, data)
        failures.append(problem)
    return ScanOutput(name, NOT_ASSESSED, _joined(failures), version, seconds)


def _canonical(part: ScanOutput) -> tuple[str, str]:
    """A sort key from the part's content alone: its detail, then its whole encoding."""
    data = part.data if part.status == OK else None  # only an OK part's data is ever merged
    try:
        encoded = json.dumps(output_to_dict(dataclasses.replace(part, state=None, data=data)), sort_keys=True)
    except TypeError:
        encoded = repr(dataclasses.replace(part, state=None))  # the merge raises for it below
    return part.detail, encoded


def _merge_data(datas: Sequence[Any]) -> tuple[MatchList | DependencyReport | None, str]:
    """The parts' data as one, or (None, why they can't be one)."""
    kinds = sorted({_kind(data) for data in datas})
    if len(kinds) > 1:
        return None, f"the parts hold different kinds of data: {', '.join(kinds)}"
    if kinds == [MATCHES]:
        return _merge_matches(datas), ""
    if kinds == [DEPENDENCIES]:
        tools = sorted({data.tool for data in datas})
        if len(tools) > 1:
            return None, f"the parts come from different tools: {', '.join(tools)}"
        return _merge_reports(tools[0], datas), ""
    return None, ""


def _kind(data: Any) -> str:
    if data is None:
        return NONE
    if isinstance(data, MatchList):
        return MATCHES
    if isinstance(data, DependencyReport):
        return DEPENDENCIES
    raise TypeError(f"cannot merge scanner data of type {type(data).__name__}")


def _merge_matches(lists: Sequence[MatchList]) -> MatchList:
    matches = sorted(
        (match for found in lists for match in found),
        key=lambda m: (m.path, m.line, m.rule, m.end_line, m.message),
    )
    unanalysed: dict[str, str] = {}
    skipped: dict[str, int] = {}
    for found in lists:
        for path, why in found.unanalysed.items():
            # Disjoint slices don't lose one file twice; if they did, both reasons are kept.
            known = unanalysed.get(path)
            unanalysed[path] = why if known is None or known == why else f"{known}; {why}"
        for why, count in found.skipped.items():
            skipped[why] = skipped.get(why, 0) + count
    return MatchList(matches, dict(sorted(unanalysed.items())), dict(sorted(skipped.items())))


def _merge_reports(tool: str, reports: Sequence[DependencyReport]) -> DependencyReport:
    vulnerabilities = sorted(
        (v for report in reports for v in report.vulnerabilities),
        key=lambda v: (v.path, v.line or 0, v.package, v.version),
    )
    manifests = sorted((m for report in reports for m in report.manifests), key=lambda m: m.path)
    notes = _distinct(note for report in reports for note in report.notes)
    return DependencyReport(tool, tuple(vulnerabilities), tuple(manifests), tuple(notes))


def _distinct(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(texts))


def _joined(texts: Iterable[str]) -> str:
    return "; ".join(text for text in _distinct(texts) if text)
