"""Scanner outputs as JSON and back (readiness.scanners.serialize): lossless for what was written,
strict about what was not, and a merge of slices that does not depend on the order of the parts."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readiness.results import Advisory, DependencyReport, Manifest, Match, MatchList, Vulnerability
from readiness.scanners.base import NOT_ASSESSED, OK, SKIPPED, ScanOutput
from readiness.scanners.serialize import (
    MAX_DEPTH,
    SerializeError,
    merge_outputs,
    output_from_dict,
    output_to_dict,
)
from tests.fuzz import fuzz_settings
from tests.fuzz import strategies as s


def _match(path: str, line: int, rule: str = "python-flask-debug", **extra: Any) -> Match:
    return Match(
        rule=rule,
        path=path,
        line=line,
        end_line=extra.pop("end_line", line + 2),
        message=extra.pop("message", f"{rule} at {path}:{line}"),
        metadata=extra.pop(
            "metadata",
            {
                "category": "security",
                "cwe": ["CWE-489"],
                "confidence": "HIGH",
                "x": {"n": [1, 2.5, None, True]},
            },
        ),
        captures=extra.pop("captures", {"$PATH": "/readyz", "$APP": "app"}),
    )


def semgrep_output(*matches: Match, unanalysed: dict[str, str] | None = None, **fields: Any) -> ScanOutput:
    data = MatchList(
        matches or [_match("app/main.py", 10), _match("app/health.py", 3, "readiness-probe", captures={})],
        unanalysed={"app/broken.py": "Syntax error at line 3"} if unanalysed is None else unanalysed,
        skipped={"vendored": 4, "generated": 1},
    )
    return ScanOutput(
        **{
            "name": "semgrep",
            "status": OK,
            "detail": "2 files",
            "version": "1.60.0",
            "seconds": 3.25,
            "data": data,
            **fields,
        }
    )


REQUESTS = Vulnerability(
    ecosystem="PyPI",
    package="requests",
    version="2.19.0",
    path="requirements.txt",
    line=3,
    advisories=(
        Advisory(
            "PYSEC-2018-28",
            aliases=("CVE-2018-18074", "GHSA-x84v-xcm2-53pg"),
            summary="Authorization header sent on redirect to http",
            fixed=("2.20.0",),
            band="high",
            score=7.5,
        ),
        Advisory("GHSA-j8r2-6x86-q33q", summary="Proxy-Authorization leak", fixed=("2.31.0", "3.0.0")),
    ),
    fix="2.31.0",
)
NET = Vulnerability(
    ecosystem="Go",
    package="golang.org/x/net",
    version="v0.7.0",
    path="go.mod",
    line=None,
    advisories=(Advisory("GO-2023-1571", aliases=("CVE-2022-41723",), band="medium", score=5.3),),
    fix="v0.7.1",
    dev=False,
    reachable=True,
    trace="main.serve calls http2.Server.ServeConn",
    trace_path="cmd/api/main.go",
    trace_line=42,
    note="matched by module version",
)
LODASH = dataclasses.replace(
    REQUESTS,
    ecosystem="npm",
    package="lodash",
    version="4.17.15",
    path="web/package-lock.json",
    line=None,
    advisories=(Advisory("GHSA-p6mc-m468-83gw", score=0),),
    fix=None,
    dev=True,
    reachable=False,
)


def dependency_output(*vulnerabilities: Vulnerability, **fields: Any) -> ScanOutput:
    report = DependencyReport(
        tool="pip-audit",
        vulnerabilities=vulnerabilities or (REQUESTS, NET, LODASH),
        manifests=(
            Manifest("requirements.txt", 12, 1),
            Manifest("go.mod", 30, 1, note="2 replace directive(s)", unit="module(s)"),
        ),
        notes=("requirements-dev.txt: 2 unpinned requirement(s) not audited",),
    )
    return ScanOutput(
        **{
            "name": "pip-audit",
            "status": OK,
            "detail": "audited",
            "version": "2.7.3",
            "seconds": 1.5,
            "data": report,
            **fields,
        }
    )


def through_json(output: ScanOutput) -> ScanOutput:
    return output_from_dict(json.loads(json.dumps(output_to_dict(output))))


# ---- round trips ----------------------------------------------------------------------------


def test_a_semgrep_output_comes_back_equal_with_what_a_list_does_not_compare() -> None:
    output = semgrep_output()
    back = through_json(output)
    assert back == output
    assert isinstance(back.data, MatchList)
    # A MatchList compares as a list: what semgrep could not read is checked on its own.
    assert back.data.unanalysed == {"app/broken.py": "Syntax error at line 3"}
    assert back.data.skipped == {"vendored": 4, "generated": 1}
    assert [m.captures for m in back.data] == [{"$PATH": "/readyz", "$APP": "app"}, {}]
    assert back.data[0].capture("PATH") == "/readyz"
    assert back.data[0].metadata["x"] == {"n": [1, 2.5, None, True]}


def test_a_dependency_report_comes_back_equal_with_its_tuples() -> None:
    output = dependency_output()
    back = through_json(output)
    assert back == output
    report = back.data
    assert isinstance(report, DependencyReport)
    assert isinstance(report.vulnerabilities, tuple) and isinstance(report.notes, tuple)
    assert isinstance(report.vulnerabilities[0].advisories, tuple)
    assert report.vulnerabilities[0].advisories[0].aliases == ("CVE-2018-18074", "GHSA-x84v-xcm2-53pg")
    assert report.vulnerabilities[0].advisories[1].fixed == ("2.31.0", "3.0.0")
    assert report.vulnerabilities[1].reachable is True and report.vulnerabilities[1].trace_line == 42
    assert report.vulnerabilities[2].reachable is False and report.vulnerabilities[2].dev is True
    assert report.vulnerabilities[2].advisories[0].score == 0.0
    assert report.manifests[1].unit == "module(s)"


@pytest.mark.parametrize(
    "output",
    [
        ScanOutput("semgrep", NOT_ASSESSED, "semgrep is not installed"),
        ScanOutput("pip-audit", SKIPPED, "nothing to scan"),
        ScanOutput("govulncheck", NOT_ASSESSED, "timed out after 300 s", "1.1.3", 300.0),
        ScanOutput("semgrep", OK, "no file in its languages: nothing matched", data=MatchList()),
        dependency_output(detail="nothing vulnerable", data=DependencyReport("npm audit")),
    ],
)
def test_outputs_without_data_or_with_empty_data_come_back_equal(output: ScanOutput) -> None:
    back = through_json(output)
    assert back == output
    assert type(back.data) is type(output.data)


def test_the_data_kind_is_tagged_and_the_metadata_is_a_copy() -> None:
    output = semgrep_output()
    document = output_to_dict(output)
    assert document["data"]["kind"] == "matches"
    assert output_to_dict(dependency_output())["data"]["kind"] == "dependencies"
    assert output_to_dict(ScanOutput("x", SKIPPED, "nothing"))["data"] == {"kind": "none"}
    document["data"]["matches"][0]["metadata"]["cwe"].append("CWE-1")
    assert output.data[0].metadata["cwe"] == ["CWE-489"]  # encoding did not alias the match's
    back = output_from_dict(document)
    document["data"]["matches"][0]["metadata"]["cwe"].clear()
    assert back.data[0].metadata["cwe"] == ["CWE-489", "CWE-1"]  # nor does decoding the document's


@pytest.mark.parametrize(
    ("output", "message"),
    [
        (ScanOutput("x", OK, "", data={"matches": []}), "x.data: a dict is not scanner data"),
        (ScanOutput("x", OK, "", data=[_match("a.py", 1)]), "x.data: a list is not scanner data"),
        (ScanOutput("x", OK, "", state={"files": {}}), "x: its state is kept by the scanner's own module"),
        (semgrep_output(_match("a.py", 1, metadata={"tags": ("a", "b")})), "a tuple is not a JSON value"),
        (semgrep_output(_match("a.py", 1, metadata={"score": math.nan})), "not a finite number"),
        (
            semgrep_output(Match("r", "a.py", "1", 1, "", {})),  # type: ignore[arg-type]
            "semgrep.data.matches[0].line: not an integer",
        ),
        (
            dependency_output(dataclasses.replace(NET, dev=None)),  # type: ignore[arg-type]
            "vulnerabilities[0].dev: not a boolean",
        ),
        (dependency_output(seconds=math.inf), "pip-audit.seconds: not a finite number"),
        (ScanOutput("x", "passed", ""), "x.status: unknown status 'passed'"),
        (
            dependency_output(dataclasses.replace(NET, advisories=[NET.advisories[0]])),  # type: ignore[arg-type]
            "pip-audit: would not read back as an equal output",
        ),
    ],
)
def test_what_would_not_read_back_is_refused_on_encode(output: ScanOutput, message: str) -> None:
    with pytest.raises(TypeError) as raised:
        output_to_dict(output)
    assert message in str(raised.value)


def test_only_a_scan_output_encodes() -> None:
    with pytest.raises(TypeError, match="not a scanner output"):
        output_to_dict({"name": "semgrep"})  # type: ignore[arg-type]


# ---- malformed documents ----------------------------------------------------------------------


def _set(path: str, value: Any) -> Callable[[Any], None]:
    """An edit of the document: the member at the dotted path (``data.matches.1.line``) set."""

    def edit(document: Any) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node = document
        for part in parents:
            node = node[part]
        node[last] = value

    return edit


def _delete(path: str) -> Callable[[Any], None]:
    def edit(document: Any) -> None:
        *parents, last = path.split(".")
        node = document
        for part in parents:
            node = node[int(part) if part.isdigit() else part]
        del node[last]

    return edit


SEMGREP = "outputs.semgrep"
MALFORMED_MATCHES = [
    (_set("data.matches.1.line", "3"), f"{SEMGREP}.data.matches[1].line: not an integer"),
    (_set("data.matches.0.line", True), f"{SEMGREP}.data.matches[0].line: not an integer"),
    (_set("data.matches.0.end_line", -1), f"{SEMGREP}.data.matches[0].end_line: -1 is out of range"),
    (_set("data.matches.0.line", 2**64), f"{SEMGREP}.data.matches[0].line: {2**64} is out of range"),
    (_set("data.kind", "sarif"), f"{SEMGREP}.data.kind: unknown kind 'sarif'"),
    (_set("data.kind", None), f"{SEMGREP}.data.kind: not a string"),
    (_delete("data.kind"), f"{SEMGREP}.data.kind: missing"),
    (_delete("data.matches.1.captures"), f"{SEMGREP}.data.matches[1].captures: missing"),
    (
        _set("data.matches.0.captures", {"$PATH": 1}),
        f"{SEMGREP}.data.matches[0].captures['$PATH']: not a string",
    ),
    (_set("data.matches.0.metadata", []), f"{SEMGREP}.data.matches[0].metadata: not an object"),
    (_set("data.matches.0.rule", ["r"]), f"{SEMGREP}.data.matches[0].rule: not a string"),
    (_set("data.matches", {}), f"{SEMGREP}.data.matches: not a list"),
    (_set("data.matches.0", "match"), f"{SEMGREP}.data.matches[0]: not an object"),
    (_set("data.unanalysed", {"app/x.py": 3}), f"{SEMGREP}.data.unanalysed['app/x.py']: not a string"),
    (_set("data.skipped", {"vendored": "4"}), f"{SEMGREP}.data.skipped['vendored']: not an integer"),
    (_set("data.verdict", "pass"), f"{SEMGREP}.data: unexpected key 'verdict'"),
    (_set("extra", 1), f"{SEMGREP}: unexpected key 'extra'"),
    (_set("status", "passed"), f"{SEMGREP}.status: unknown status 'passed'"),
    (_delete("version"), f"{SEMGREP}.version: missing"),
    (_set("version", 1.6), f"{SEMGREP}.version: not a string or null"),
    (_set("seconds", "3"), f"{SEMGREP}.seconds: not a number"),
    (_set("seconds", -1), f"{SEMGREP}.seconds: negative"),
    (_set("seconds", math.nan), f"{SEMGREP}.seconds: not a finite number"),
    (_set("seconds", 10**400), f"{SEMGREP}.seconds: not a finite number"),
    (_set("data", None), f"{SEMGREP}.data: not an object"),
]


@pytest.mark.parametrize(("edit", "message"), MALFORMED_MATCHES)
def test_a_malformed_semgrep_output_names_where_it_is_wrong(
    edit: Callable[[Any], None], message: str
) -> None:
    document = output_to_dict(semgrep_output())
    edit(document)
    with pytest.raises(SerializeError) as raised:
        output_from_dict(document, where=SEMGREP)
    assert str(raised.value).startswith(message)


AUDIT = "outputs.pip-audit"
VULNERABILITY = f"{AUDIT}.data.vulnerabilities"
MALFORMED_DEPENDENCIES = [
    (
        _set("data.vulnerabilities.0.advisories.0.score", "7.5"),
        f"{VULNERABILITY}[0].advisories[0].score: not a number",
    ),
    (
        _set("data.vulnerabilities.0.advisories.0.aliases", ["CVE-1", 5]),
        f"{VULNERABILITY}[0].advisories[0].aliases[1]: not a string",
    ),
    (
        _set("data.vulnerabilities.0.advisories.1.fixed", "2.31.0"),
        f"{VULNERABILITY}[0].advisories[1].fixed: not a list",
    ),
    (_delete("data.vulnerabilities.1.advisories.0.band"), f"{VULNERABILITY}[1].advisories[0].band: missing"),
    (_set("data.vulnerabilities.1.reachable", "yes"), f"{VULNERABILITY}[1].reachable: not a boolean"),
    (_set("data.vulnerabilities.0.line", 1.5), f"{VULNERABILITY}[0].line: not an integer"),
    (_set("data.vulnerabilities.1.trace_line", "42"), f"{VULNERABILITY}[1].trace_line: not an integer"),
    (_set("data.vulnerabilities.0.fix", 2), f"{VULNERABILITY}[0].fix: not a string or null"),
    (_set("data.vulnerabilities.2.dev", 1), f"{VULNERABILITY}[2].dev: not a boolean"),
    (_set("data.vulnerabilities.0.advisories", None), f"{VULNERABILITY}[0].advisories: not a list"),
    (
        _set("data.manifests.1.packages", 10**100),
        f"{AUDIT}.data.manifests[1].packages: {10**100} is out of range",
    ),
    (_set("data.manifests.0", ["requirements.txt", 12]), f"{AUDIT}.data.manifests[0]: not an object"),
    (_set("data.notes", "x"), f"{AUDIT}.data.notes: not a list"),
    (_set("data.tool", None), f"{AUDIT}.data.tool: not a string"),
]


@pytest.mark.parametrize(("edit", "message"), MALFORMED_DEPENDENCIES)
def test_a_malformed_dependency_report_names_where_it_is_wrong(
    edit: Callable[[Any], None], message: str
) -> None:
    document = output_to_dict(dependency_output())
    edit(document)
    with pytest.raises(SerializeError) as raised:
        output_from_dict(document, where=AUDIT)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize("document", [None, [], "semgrep", 3, {"name": "semgrep"}])
def test_a_document_that_is_not_an_output_is_a_serialize_error(document: object) -> None:
    with pytest.raises(SerializeError, match=r"^output(\.status)?: "):
        output_from_dict(document)


def test_deep_metadata_is_an_error_not_a_recursion_error() -> None:
    deep: list[Any] = []
    for _ in range(100_000):  # far beyond Python's recursion limit
        deep = [deep]
    document = output_to_dict(semgrep_output())
    document["data"]["matches"][0]["metadata"] = {"deep": deep}
    with pytest.raises(SerializeError) as raised:
        output_from_dict(document, where=SEMGREP)
    prefix = f"{SEMGREP}.data.matches[0].metadata['deep']"
    assert str(raised.value).startswith(prefix)
    assert str(raised.value).endswith(f": nested more than {MAX_DEPTH} levels deep")


def test_a_hostile_key_is_quoted_briefly() -> None:
    document = output_to_dict(semgrep_output())
    document["data"]["unanalysed"] = {"\x1b[31m" + "x" * 500: 1}
    with pytest.raises(SerializeError) as raised:
        output_from_dict(document)
    assert "\x1b" not in str(raised.value)
    assert len(str(raised.value)) < 120


def test_the_format_covers_every_field_of_the_values() -> None:
    """A field added to a result type must be added here too, or it would be lost in a merge."""
    document = output_to_dict(dependency_output())
    vulnerability = document["data"]["vulnerabilities"][0]
    assert set(vulnerability) == {f.name for f in dataclasses.fields(Vulnerability)}
    assert set(vulnerability["advisories"][0]) == {f.name for f in dataclasses.fields(Advisory)}
    assert set(document["data"]["manifests"][0]) == {f.name for f in dataclasses.fields(Manifest)}
    match = output_to_dict(semgrep_output())["data"]["matches"][0]
    assert set(match) == {f.name for f in dataclasses.fields(Match)}
    expected = {f.name for f in dataclasses.fields(ScanOutput)} - {"state"}
    assert set(document) == expected


@fuzz_settings(200)
@given(st.data())
def test_any_mutation_of_a_document_reads_back_or_is_a_serialize_error(data: st.DataObject) -> None:
    seed = output_to_dict(data.draw(st.sampled_from([semgrep_output(), dependency_output()])))
    document = data.draw(s.mutated(copy.deepcopy(seed)))
    try:
        output = output_from_dict(document)
    except SerializeError:
        return
    assert output_from_dict(output_to_dict(output)) == output  # what was read writes back the same


# ---- merging ----------------------------------------------------------------------------------


def _status_output(status: str, tag: str) -> ScanOutput:
    """A part of the given status; ``tag`` tells the parts' details and matches apart."""
    if status == OK:
        return semgrep_output(_match(f"{tag}/main.py", 1), unanalysed={}, detail=f"{tag}: 1 file")
    if status == SKIPPED:
        return ScanOutput("semgrep", SKIPPED, f"{tag}: nothing to scan")
    return ScanOutput("semgrep", NOT_ASSESSED, f"{tag}: semgrep timed out", "1.60.0", 9.0)


@pytest.mark.parametrize(
    "statuses",
    [combo for size in (2, 3) for combo in itertools.product((OK, SKIPPED, NOT_ASSESSED), repeat=size)],
)
def test_the_merged_status_for_every_combination(statuses: tuple[str, ...]) -> None:
    parts = [_status_output(status, f"p{i}") for i, status in enumerate(statuses)]
    merged = merge_outputs(parts)
    failing = [f"p{i}: semgrep timed out" for i, status in enumerate(statuses) if status == NOT_ASSESSED]
    ran = [f"p{i}: 1 file" for i, status in enumerate(statuses) if status == OK]
    if failing:
        assert (merged.status, merged.detail, merged.data) == (NOT_ASSESSED, "; ".join(failing), None)
        assert merged.seconds == 9.0
    elif ran:
        assert (merged.status, merged.detail, merged.version) == (OK, "; ".join(ran), "1.60.0")
        assert sorted(m.path for m in merged.data) == [
            f"p{i}/main.py" for i, s in enumerate(statuses) if s == OK
        ]
        assert merged.seconds == 3.25
    else:
        assert merged.status == SKIPPED and merged.data is None
        assert merged.detail == "; ".join(f"p{i}: nothing to scan" for i in range(len(statuses)))
    for order in itertools.permutations(parts):
        assert merge_outputs(order) == merged and merge_outputs(order).detail == merged.detail


def test_a_single_part_merges_to_itself() -> None:
    for part in (semgrep_output(), dependency_output(), _status_output(NOT_ASSESSED, "x")):
        assert merge_outputs([part]) == part
    kept = dataclasses.replace(semgrep_output(), state={"files": 3})
    assert merge_outputs([kept]) is kept


def test_the_same_reason_from_every_shard_is_said_once() -> None:
    missing = ScanOutput("semgrep", NOT_ASSESSED, "semgrep is not installed")
    assert merge_outputs([missing, missing, missing]).detail == "semgrep is not installed"
    same = [semgrep_output(detail="scanned"), semgrep_output(_match("b.py", 1), detail="scanned")]
    assert merge_outputs(same).detail == "scanned"


def test_different_tool_versions_are_not_one_scan() -> None:
    old = semgrep_output(version="1.50.0")
    new = semgrep_output(_match("b.py", 1), version="1.60.0")
    merged = merge_outputs([new, old])
    assert merged.status == NOT_ASSESSED
    assert merged.detail == "scanner versions differ between parts: 1.50.0, 1.60.0"
    assert merged.data is None and merged.version is None
    # A shard with no file in semgrep's languages ran no semgrep: it has no version to differ.
    empty = ScanOutput("semgrep", OK, "no file in its languages: nothing matched", data=MatchList())
    assert merge_outputs([empty, new]).status == OK
    assert merge_outputs([empty, new]).version == "1.60.0"


def test_matches_are_joined_sorted_with_what_was_not_analysed() -> None:
    a = semgrep_output(
        _match("web/b.py", 9), _match("api/a.py", 5), unanalysed={"web/x.py": "timeout"}, seconds=2.0
    )
    b = semgrep_output(
        _match("api/a.py", 5, rule="aaa-rule"),
        _match("api/a.py", 2),
        unanalysed={"api/broken.py": "Syntax error"},
        seconds=7.0,
    )
    merged = merge_outputs([a, b])
    assert merged.status == OK and merged.seconds == 7.0 and merged.version == "1.60.0"
    assert [(m.path, m.line, m.rule) for m in merged.data] == [
        ("api/a.py", 2, "python-flask-debug"),
        ("api/a.py", 5, "aaa-rule"),
        ("api/a.py", 5, "python-flask-debug"),
        ("web/b.py", 9, "python-flask-debug"),
    ]
    assert merged.data.unanalysed == {"api/broken.py": "Syntax error", "web/x.py": "timeout"}
    assert merged.data.skipped == {"generated": 2, "vendored": 8}  # counts add up over the slices
    assert merged.detail == "2 files"
    assert through_json(merged) == merged


def test_dependency_reports_are_joined_sorted_and_their_notes_said_once() -> None:
    a = dependency_output(NET, LODASH)
    b = dataclasses.replace(
        dependency_output(REQUESTS),
        data=DependencyReport(
            "pip-audit",
            (REQUESTS,),
            (Manifest("api/requirements.txt", 4, 1),),
            ("api: a note", "requirements-dev.txt: 2 unpinned requirement(s) not audited"),
        ),
    )
    merged = merge_outputs([a, b])
    report = merged.data
    assert merged.status == OK
    # By (path, line or 0, package, version): go.mod's vulnerability has no line.
    assert [v.package for v in report.vulnerabilities] == ["golang.org/x/net", "requests", "lodash"]
    assert [m.path for m in report.manifests] == ["api/requirements.txt", "go.mod", "requirements.txt"]
    assert len(report.notes) == 2 and len(set(report.notes)) == 2
    assert through_json(merged) == merged


def test_reports_of_different_tools_or_data_of_different_kinds_do_not_merge() -> None:
    pip = dependency_output()
    other = dataclasses.replace(pip, data=dataclasses.replace(pip.data, tool="osv-scanner"))
    merged = merge_outputs([pip, other])
    assert (merged.status, merged.detail) == (
        NOT_ASSESSED,
        "the parts come from different tools: osv-scanner, pip-audit",
    )
    mixed = merge_outputs([pip, dataclasses.replace(pip, data=MatchList())])
    assert (mixed.status, mixed.detail) == (
        NOT_ASSESSED,
        "the parts hold different kinds of data: dependencies, matches",
    )
    assert merge_outputs([pip, dataclasses.replace(pip, data=None)]).status == NOT_ASSESSED


def test_the_merge_does_not_depend_on_the_order_of_the_parts() -> None:
    # Matches that sort equal but differ (metadata, captures), details and notes in each part:
    # whatever keeps the order it met things in must come out the same for every order.
    a = semgrep_output(
        _match("a.py", 1, metadata={"from": "a"}), unanalysed={"x.py": "timeout"}, detail="shard a"
    )
    b = semgrep_output(
        _match("a.py", 1, metadata={"from": "b"}, captures={}),
        _match("b.py", 4),
        unanalysed={"x.py": "Syntax error"},
        detail="shard b",
    )
    c = ScanOutput("semgrep", SKIPPED, "nothing to scan")
    merged = merge_outputs([a, b, c])
    for order in itertools.permutations([a, b, c]):
        again = merge_outputs(order)
        assert again == merged
        assert [m.metadata for m in again.data] == [m.metadata for m in merged.data]
        assert (again.detail, again.data.unanalysed, again.data.skipped) == (
            merged.detail,
            merged.data.unanalysed,
            merged.data.skipped,
        )
        assert output_to_dict(again) == output_to_dict(merged)
    assert merged.data.unanalysed == {"x.py": "timeout; Syntax error"}  # in the parts' canonical order
    x = dependency_output(REQUESTS)
    y = dataclasses.replace(
        dependency_output(NET),
        data=DependencyReport("pip-audit", (NET,), (), ("go: note", "requirements-dev.txt: x")),
    )
    assert output_to_dict(merge_outputs([x, y])) == output_to_dict(merge_outputs([y, x]))


def test_what_cannot_be_merged_is_refused() -> None:
    with pytest.raises(ValueError, match="no scanner output to merge"):
        merge_outputs([])
    with pytest.raises(ValueError, match="different scanners: pip-audit, semgrep"):
        merge_outputs([semgrep_output(), dependency_output()])
    odd = ScanOutput("semgrep", OK, "", data={"matches": []})
    with pytest.raises(TypeError, match="cannot merge scanner data of type dict"):
        merge_outputs([odd, semgrep_output()])
