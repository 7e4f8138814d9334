"""Go and npm versions are matched as the tool that installs them reads them, whatever their
spelling: ``v4.17.4``, ``=4.17.4`` and `` 4.17.4 `` are the lodash 4.17.4 npm installs, and an
advisory against it is reported on the lock line. A version the tool would not take as written
(``04.17.4``, ``4.17``, a newline; ``0.7.0`` or ``v0.07.0`` in a go.mod), a name that is not a
package name, or a value of the wrong type is a problem on its line: left out of what any tool
is handed, and reported by security/pinned-dependencies. Never a silent pass.

The real tools where the suite runs them: npm audit against the local OSV server as its
registry, the OSV lock-file match, govulncheck with the file:// database of the Go snapshot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from readiness.model import Outcome, Severity
from readiness.parsers import gomod, node_locks
from readiness.repo import Repo
from readiness.scanners import govulncheck
from readiness.scanners.base import OK
from readiness.scanners.govulncheck import Govulncheck
from readiness.scanners.npm_audit import NpmAudit
from tests.scanners import offline
from tests.scanners.osv_server import OsvServer
from tests.support import locations, run_check, write_tree

LODASH = {"GHSA-jf85-cpcp-j695", "GHSA-35jh-r3h4-6jhm"}  # both affect 4.17.4
ACCEPTED = ["4.17.4", "v4.17.4", "=4.17.4", " 4.17.4 ", "=v4.17.4"]
REFUSED = ["04.17.4", "4.17.04", "4.17", "4.17.4\n", "4.17.4\n-e .", "4.17.4\u00a0"]


def refused(version: str, name: str = "lodash") -> str:
    return f"{name}: version {version!r} is not a version npm reads (X.Y.Z), so it is not audited"


# ---- the lock formats, each with lodash on a known line ------------------------------------
def package_lock_v3(version: Any) -> str:
    return (
        "{\n"
        '  "name": "web",\n'
        '  "lockfileVersion": 3,\n'
        '  "packages": {\n'
        '    "": {"name": "web", "dependencies": {"lodash": "^4.17.4", "ms": "^2.1.3"}},\n'
        '    "node_modules/lodash": {\n'  # line 6
        f'      "version": {json.dumps(version)}\n'
        "    },\n"
        '    "node_modules/ms": {"version": "2.1.3"}\n'  # line 9
        "  }\n"
        "}\n"
    )


def package_lock_v1(version: Any) -> str:
    return (
        "{\n"
        '  "name": "web",\n'
        '  "lockfileVersion": 1,\n'
        '  "dependencies": {\n'
        '    "lodash": {\n'  # line 5
        f'      "version": {json.dumps(version)}\n'
        "    },\n"
        '    "ms": {"version": "2.1.3"}\n'  # line 8
        "  }\n"
        "}\n"
    )


def yarn_classic(version: str) -> str:
    return (
        "# yarn lockfile v1\n"
        "\n"
        "\n"
        "lodash@^4.17.4:\n"  # line 4
        f"  version {json.dumps(version)}\n"
        '  resolved "https://registry.example/lodash/-/lodash-4.17.4.tgz"\n'
    )


def yarn_berry(version: str) -> str:
    return (
        "__metadata:\n"
        "  version: 6\n"
        "\n"
        '"lodash@npm:^4.17.4":\n'  # line 4
        f"  version: {json.dumps(version)}\n"
        '  resolution: "lodash@npm:4.17.4"\n'
    )


def pnpm(version: str) -> str:
    return (
        "lockfileVersion: '6.0'\n"
        "\n"
        "packages:\n"
        "\n"
        f"  '/lodash@{version}':\n"  # line 5
        "    resolution: {integrity: sha512-x}\n"
    )


FORMATS = {
    "package-lock.json": (package_lock_v3, 6),
    "npm-shrinkwrap.json": (package_lock_v1, 5),
    "yarn.lock": (yarn_classic, 4),
    "berry/yarn.lock": (yarn_berry, 4),
    "pnpm-lock.yaml": (pnpm, 5),
}


@pytest.mark.parametrize("version", ACCEPTED)
@pytest.mark.parametrize("path", FORMATS)
def test_every_spelling_npm_reads_as_4_17_4_is_parsed_as_it(path: str, version: str) -> None:
    build, line = FORMATS[path]
    lock = node_locks.parse(path, build(version))
    assert (lock.problem, lock.problems) == (None, ())
    assert [(p.name, p.version, p.line) for p in lock.packages if p.name == "lodash"] == [
        ("lodash", "4.17.4", line)
    ]


def writable(path: str, version: str) -> bool:
    """A pnpm key is one line: its YAML can't hold a newline unescaped (tested on its own)."""
    return not (path == "pnpm-lock.yaml" and "\n" in version)


@pytest.mark.parametrize(("path", "version"), [(p, v) for p in FORMATS for v in REFUSED if writable(p, v)])
def test_a_version_npm_would_not_read_is_a_problem_on_its_line(path: str, version: str) -> None:
    build, line = FORMATS[path]
    lock = node_locks.parse(path, build(version))
    assert lock.problem is None
    assert [p.name for p in lock.packages] == (["ms"] if path.endswith(".json") else [])
    assert lock.problems == ((line, refused(version)),)


def test_a_newline_escaped_in_a_pnpm_key_is_not_read_as_one() -> None:
    lock = node_locks.parse("pnpm-lock.yaml", pnpm("4.17.4\\n-e ."))
    assert (lock.packages, lock.problems) == ((), ((5, refused("4.17.4\\n-e .")),))


@pytest.mark.parametrize(
    ("key", "body", "problem"),
    [
        ("node_modules/lo dash", {"version": "4.17.4"}, "'lo dash' is not a package name"),
        ("node_modules/../../etc/passwd", {"version": "4.17.4"}, "'../../etc/passwd' is not a package name"),
        ("node_modules/@scope/a/b", {"version": "4.17.4"}, "'@scope/a/b' is not a package name"),
        ("node_modules/x", {"name": "lodash\n", "version": "4.17.4"}, "'lodash\\n' is not a package name"),
        ("node_modules/x", {"name": ["lodash"], "version": "4.17.4"}, 'name ["lodash"] is not a string'),
        ("node_modules/.bin", {"version": "4.17.4"}, "'.bin' is not a package name"),
        (
            "node_modules/lodash",
            {"version": 4.17},
            "lodash: version 4.17 is not a version npm reads (X.Y.Z), so it is not audited",
        ),
        ("node_modules/lodash", {"version": None}, "lodash: no version, so it is not audited"),
        (
            "node_modules/lodash",
            {"resolved": "https://registry.example/lodash.tgz"},
            "lodash: no version, so it is not audited",
        ),
        ("node_modules/lodash", ["4.17.4"], "'node_modules/lodash': expected an object"),
    ],
)
def test_package_lock_entries_that_are_not_packages_are_problems(key: str, body: Any, problem: str) -> None:
    text = json.dumps({"lockfileVersion": 3, "packages": {"": {}, key: body}}, indent=2)
    lock = node_locks.parse("package-lock.json", text)
    assert (lock.packages, lock.problems, lock.dropped) == ((), ((5, problem),), frozenset({key}))


def test_a_v1_entry_of_the_wrong_type_is_a_problem_and_what_is_nested_under_a_refused_one_is_read() -> None:
    text = json.dumps(
        {
            "lockfileVersion": 1,
            "dependencies": {
                "a": "1.0.0",
                "b": {"version": "01.0.0", "dependencies": {"lodash": {"version": "v4.17.4"}}},
                "c": {"version": "1.0.0", "dependencies": ["lodash"]},
                "d": {"version": "npm:lodash@=4.17.4"},
                "e": {"version": "github:user/e#0123abc"},
            },
        },
        indent=2,
    )
    lock = node_locks.parse("package-lock.json", text)
    assert [(p.name, p.version, p.line, p.node) for p in lock.packages] == [
        ("lodash", "4.17.4", 8, "node_modules/b/node_modules/lodash"),
        ("c", "1.0.0", 13, "node_modules/c"),
        ("lodash", "4.17.4", 19, "node_modules/d"),  # an alias is the package it names
    ]
    assert lock.problems == (
        (4, "'a': expected an object"),
        (5, refused("01.0.0", "b")),
        (13, "'c': its dependencies are not an object"),
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"packages": []}', '"packages" is not an object'),
        ('{"dependencies": "lodash"}', "neither packages nor dependencies"),
        ("[]", "expected a JSON object"),
    ],
)
def test_a_package_lock_of_the_wrong_shape_is_not_read(text: str, problem: str) -> None:
    assert node_locks.parse("package-lock.json", text).problem == problem


def test_yarn_names_and_aliases() -> None:
    text = (
        '"lo dash@^4.17.4":\n'  # line 1
        '  version "4.17.4"\n'
        "\n"
        '"my-lodash@npm:lodash@^4.17.0":\n'  # line 4: an alias of lodash
        '  version "v4.17.4"\n'
        "\n"
        '"@scope/../x@^1.0.0":\n'  # line 7
        '  version "1.0.0"\n'
    )
    lock = node_locks.parse("yarn.lock", text)
    assert [(p.name, p.version, p.line) for p in lock.packages] == [("lodash", "4.17.4", 4)]
    assert lock.problems == (
        (1, "'\"lo dash@^4.17.4\":' is not a lock entry header yarn writes"),
        (7, "'@scope/../x' is not a package name"),
    )


def test_the_copy_npm_audit_is_given_holds_only_what_was_parsed() -> None:
    text = package_lock_v3("=4.17.4").replace('ms": {"version": "2.1.3"}', 'ms": {"version": "02.1.3"}')
    lock = node_locks.parse("package-lock.json", text)
    copy = json.loads(node_locks.for_audit(lock, text))
    assert copy["packages"] == {
        "": {"name": "web", "dependencies": {"lodash": "^4.17.4", "ms": "^2.1.3"}},
        "node_modules/lodash": {"version": "4.17.4"},
    }
    v1 = package_lock_v1(" 4.17.4 ")
    copy = json.loads(node_locks.for_audit(node_locks.parse("package-lock.json", v1), v1))
    assert copy == {
        "name": "web",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {
            "": {"name": "web"},
            "node_modules/lodash": {"version": "4.17.4"},
            "node_modules/ms": {"version": "2.1.3"},
        },
    }


# ---- go.mod ---------------------------------------------------------------------------------
NET = "golang.org/x/net"
PSEUDO = "v0.0.0-20220722155237-a158d28d115b"


def go_mod(version: str, module: str = NET) -> str:
    return f"module example.com/svc\n\ngo 1.19\n\nrequire {module} {version}\n"


@pytest.mark.parametrize("version", ["v0.7.0", PSEUDO, "v1.2.4-0.20230101120000-abcdefabcdef", '"v0.7.0"'])
def test_canonical_go_versions_are_requirements(version: str) -> None:
    mod = gomod.parse("go.mod", go_mod(version))
    assert mod.problems == ()
    assert [(r.module, r.version, r.line) for r in mod.requires] == [(NET, version.strip('"'), 5)]


def not_canonical(version: str) -> str:
    return (
        f"{NET}: version {version!r} is not a canonical module version (vX.Y.Z, a pre-release or a "
        "pseudo-version): the go command refuses it and it is not audited"
    )


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("0.7.0", not_canonical("0.7.0")),
        ("v0.07.0", not_canonical("v0.07.0")),
        ("v0.7", not_canonical("v0.7")),
        ("v0.7.0+meta", not_canonical("v0.7.0+meta")),
        ('"v0.7.0 "', not_canonical("v0.7.0 ")),
        ('"v0.7.0\\n-mod=mod"', not_canonical("v0.7.0\n-mod=mod")),
        ("`v0.7.0`", "'`v0.7.0`': an unquoted value can't hold a quote"),
        ('"v0.7.0', "unterminated quoted string: the go command refuses the line"),
        ("v0.7.0\u00a0", "unexpected character '\\xa0': the go command refuses the line"),
        ("v0.7.0 v0.8.0", f"require '{NET} v0.7.0 v0.8.0': expected a module path and one version"),
    ],
)
def test_a_go_version_the_go_command_refuses_is_a_problem_on_its_line(written: str, problem: str) -> None:
    mod = gomod.parse("go.mod", go_mod(written))
    assert (mod.requires, mod.problems) == ((), ((5, problem),))


@pytest.mark.parametrize(
    ("module", "problem"),
    [
        ("golang.org/x/../net", "'golang.org/x/../net' is not a module path"),
        ("golang.org/x/.net", "'golang.org/x/.net' is not a module path"),
        ("golang.org//net", "require 'golang.org': expected a module path and one version"),  # a comment
        ("/etc/passwd", "'/etc/passwd' is not a module path"),
        ("golang.org/x/net\u200b", "unexpected character '\\u200b': the go command refuses the line"),
    ],
)
def test_a_module_path_the_go_command_refuses_is_a_problem(module: str, problem: str) -> None:
    mod = gomod.parse("go.mod", go_mod("v0.7.0", module))
    assert (mod.requires, mod.problems) == ((), ((5, problem),))


def test_go_and_toolchain_directives_and_replacements_are_validated() -> None:
    mod = gomod.parse(
        "go.mod",
        "module m\n\ngo v1.19\ntoolchain 1.21.3\n"
        f"replace {NET} => {NET}\nreplace {NET} 0.7.0 => ../net\nreplace example.com/a => example.com/b v1\n",
    )
    assert (mod.go, mod.toolchain, mod.replaces) == (None, None, {})
    assert mod.problems == (
        (3, "go 'v1.19' is not a Go release (written like 1.21.3)"),
        (4, "toolchain '1.21.3' is not a Go release (written like go1.21.3)"),
        (5, f"replace {NET}: a replacement without a version must be a local directory"),
        (6, not_canonical("0.7.0")),
        (7, "example.com/b: " + not_canonical("v1").split(": ", 1)[1]),
    )


def test_govulncheck_findings_map_back_by_module_and_version() -> None:
    """Two requirements of one module (the go command builds the higher): the finding names the
    version it analysed, so it belongs on that one's line; a replacement target on the line of
    the requirement it replaces."""
    mod = gomod.parse(
        "go.mod",
        "module example.com/svc\n\ngo 1.19\n\n"
        f"require {NET} v0.7.0\nrequire {NET} v0.38.0\nrequire example.com/fork v1.0.0\n"
        "replace example.com/fork => golang.org/x/text v0.3.5\n",
    )
    entry = {
        "id": "GO-TEST-0001",
        "affected": [{"package": {"name": NET}}, {"package": {"name": "golang.org/x/text"}}],
    }
    findings = [
        govulncheck.GoFinding(entry, NET, "v0.38.0", "", False),
        govulncheck.GoFinding(entry, "golang.org/x/text", "v0.3.5", "", False),
    ]
    found, _ = govulncheck.source_vulnerabilities(findings, mod, Path("/nonexistent"), Path("/nonexistent"))
    assert [(v.package, v.version, v.line) for v in found] == [
        (NET, "v0.38.0", 6),
        ("golang.org/x/text", "v0.3.5", 7),
    ]


# ---- the real tools -------------------------------------------------------------------------
def npm_tree(tmp_path: Path, spellings: list[str]) -> tuple[Path, list[tuple[str, int, str]]]:
    """One project per format and spelling; the (lock path, lodash line, spelling) of each."""
    files: dict[str, str] = {}
    where = []
    for i, version in enumerate(spellings):
        for path, (build, line) in FORMATS.items():
            if writable(path, version):
                files[f"p{i}/{path}"] = build(version)
                where.append((f"p{i}/{path}", line, version))
    return write_tree(tmp_path, files), sorted(where)


def node_locations(root: Path, data: Any) -> list[tuple[str | None, int | None]]:
    result = run_check("security/node-vulnerabilities", root, scanner_results={"npm-audit": data})
    return sorted(locations(result))


@pytest.mark.slow
def test_the_osv_match_reports_lodash_on_its_line_under_every_spelling(
    tmp_path: Path, osv: OsvServer
) -> None:
    root, where = npm_tree(tmp_path, ACCEPTED)
    output = NpmAudit(osv.url).run(Repo(root), timeout=300)
    assert output.status == OK, output.detail
    found = sorted((v.path, v.line, v.package, v.version) for v in output.data.vulnerabilities)
    assert found == [(path, line, "lodash", "4.17.4") for path, line, _ in where]
    assert all({a.id for a in v.advisories} == LODASH for v in output.data.vulnerabilities)
    assert node_locations(root, output.data) == [(path, line) for path, line, _ in where]
    assert run_check("security/pinned-dependencies", root).failures == ()


@pytest.mark.slow
def test_refused_spellings_reach_no_tool_and_are_reported_on_their_lines(
    tmp_path: Path, osv: OsvServer
) -> None:
    root, where = npm_tree(tmp_path, REFUSED)
    output = NpmAudit(osv.url).run(Repo(root), timeout=300)
    assert output.status == OK, output.detail
    assert output.data.vulnerabilities == ()
    assert all(m.note == "1 unreadable entr(y/ies) not audited" for m in output.data.manifests)
    pinned = run_check("security/pinned-dependencies", root)
    assert pinned.outcome is Outcome.FAIL
    found = sorted((f.evidence[0].path, f.evidence[0].line, f.message) for f in pinned.failures)
    assert found == [(path, line, f"{path}: {refused(version)}") for path, line, version in where]
    # npm may install what the audit could not read: each one blocks, like a vulnerable version
    assert {f.severity for f in pinned.failures} == {Severity.BLOCKER}


@pytest.mark.slow
def test_npm_audit_is_handed_canonical_versions_and_never_a_refused_one(
    tmp_path: Path, osv: OsvServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real npm against the local registry: what it posts to the bulk advisory endpoint is
    recorded; a v1 and a v3 lock in every spelling."""
    posted: list[dict[str, Any]] = []
    bulk = OsvServer._npm_bulk

    def recording(server: OsvServer, payload: dict[str, Any]) -> dict[str, Any]:
        posted.append(payload)
        return bulk(server, payload)

    monkeypatch.setattr(OsvServer, "_npm_bulk", recording)
    monkeypatch.setenv("READINESS_NPM_REGISTRY", osv.base + "/")
    files = {}
    for i, version in enumerate(ACCEPTED + REFUSED):
        files[f"v3-{i}/package-lock.json"] = package_lock_v3(version)
        files[f"v1-{i}/package-lock.json"] = package_lock_v1(version)
    root = write_tree(tmp_path, files)
    output = NpmAudit().run(Repo(root), timeout=600)
    assert output.status == OK, output.detail
    found = sorted((v.path, v.line, v.package, v.version) for v in output.data.vulnerabilities)
    expected = [
        (f"v{n}-{i}/package-lock.json", 6 if n == 3 else 5) for n in (1, 3) for i in range(len(ACCEPTED))
    ]
    assert found == [(path, line, "lodash", "4.17.4") for path, line in sorted(expected)]
    assert all({a.id for a in v.advisories} == LODASH for v in output.data.vulnerabilities)
    assert len(posted) == 2 * len(ACCEPTED + REFUSED)
    assert sorted(posted, key=json.dumps) == sorted(
        [{"lodash": ["4.17.4"], "ms": ["2.1.3"]}] * (2 * len(ACCEPTED))
        + [{"ms": ["2.1.3"]}] * (2 * len(REFUSED)),
        key=json.dumps,
    )
    assert node_locations(root, output.data) == sorted(expected)


def net_findings(data: Any, path: str) -> set[tuple[str, int | None, str, bool | None]]:
    return {
        (v.version, v.line, v.advisories[0].id, v.reachable)
        for v in data.vulnerabilities
        if v.path == path and v.package == NET
    }


@pytest.mark.slow
@offline.REQUIRES_REAL_GO
def test_govulncheck_matches_canonical_go_versions_and_refuses_the_rest(tmp_path: Path, go_db: Path) -> None:
    """golang.org/x/net is not in the module cache, so govulncheck can't load the packages and
    the adapter matches go.mod at module level; go.mod files with a refused line are not handed
    to the go command at all."""
    spellings = {"ok": "v0.7.0", "pseudo": PSEUDO, "bare": "0.7.0", "zeros": "v0.07.0", "short": "v0.7"}
    files = {f"{name}/go.mod": go_mod(version) for name, version in spellings.items()}
    files.update(
        {
            f"{name}/main.go": 'package main\n\nimport _ "golang.org/x/net/html"\n\nfunc main() {}\n'
            for name in spellings
        }
    )
    root = write_tree(tmp_path, files)
    output = Govulncheck(str(go_db)).run(Repo(root), timeout=600)
    assert output.status == OK, output.detail
    at_070 = {"GO-2023-1988", "GO-2023-2102", "GO-2024-2687", "GO-2024-3333", "GO-2025-3503", "GO-2025-3595"}
    ok = net_findings(output.data, "ok/go.mod")
    assert {(version, line, reachable) for version, line, _, reachable in ok} == {("v0.7.0", 5, None)}
    assert {i for _, _, i, _ in ok} >= at_070 and "GO-2023-1571" not in {i for _, _, i, _ in ok}
    pseudo = net_findings(output.data, "pseudo/go.mod")
    assert {(version, line) for version, line, _, _ in pseudo} == {(PSEUDO, 5)}
    assert {i for _, _, i, _ in pseudo} >= at_070 | {"GO-2022-0969", "GO-2023-1571"}
    notes = {m.path: m.note for m in output.data.manifests}
    for name in ("bare", "zeros", "short"):
        assert net_findings(output.data, f"{name}/go.mod") == set()
        assert notes[f"{name}/go.mod"] == (
            "1 unreadable requirement line(s) not audited; module-level match, packages not loaded: "
            f"not run, the go command would refuse line 5 ({not_canonical(spellings[name])})"
        )
    pinned = run_check("security/pinned-dependencies", root)
    assert sorted((f.evidence[0].path, f.evidence[0].line, f.message) for f in pinned.failures) == [
        (f"{name}/go.mod", 5, f"{name}/go.mod: {not_canonical(spellings[name])}")
        for name in ("bare", "short", "zeros")
    ]
    go = run_check("security/go-vulnerabilities", root, scanner_results={"govulncheck": output.data})
    assert {(path, line) for path, line in locations(go) if path in ("ok/go.mod", "pseudo/go.mod")} == {
        ("ok/go.mod", 5),
        ("pseudo/go.mod", 5),
        ("ok/go.mod", 3),
        ("pseudo/go.mod", 3),
    }
