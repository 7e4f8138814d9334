"""Generators of hostile input for every parser of untrusted files, shared by the property tests
(tests/fuzz/test_fuzz_*.py) and the long fuzz run (benchmarks/fuzz.py).

Two kinds of input per format: structured (documents of the right shape with values of the wrong
type, lines of the format's syntax around random tokens, real files from tests/fixtures with
mutations, zips with mutated headers), which reaches the code behind the first ``isinstance``;
and raw text or bytes, which reaches the tokenisers.
"""

from __future__ import annotations

import functools
import json
import math
import struct
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from readiness import seed
from readiness.github.artifacts import archive
from readiness.model import Category

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLES = ROOT / "examples"

Draw = Callable[[st.SearchStrategy[Any]], Any]

# ---- values of every type ---------------------------------------------------------------------
# Words the parsers and checks look for, so random documents hit the branches behind them.
WORDS = (
    "apiVersion",
    "kind",
    "metadata",
    "name",
    "spec",
    "template",
    "containers",
    "image",
    "command",
    "args",
    "env",
    "value",
    "valueFrom",
    "volumeMounts",
    "mountPath",
    "volumes",
    "ports",
    "services",
    "tls",
    "secretName",
    "hosts",
    "rules",
    "annotations",
    "labels",
    "replicas",
    "redis",
    "redis:7",
    "bitnami/redis",
    "--appendonly",
    "yes",
    "no",
    "--save",
    "",
    "data",
    "Deployment",
    "StatefulSet",
    "Ingress",
    "Service",
    "ConfigMap",
    "Certificate",
    "List",
    "items",
    "restart",
    "always",
    "healthcheck",
    "test",
    "livenessProbe",
    "readinessProbe",
    "httpGet",
    "path",
    "port",
    "/data",
    "volumeClaimTemplates",
    "persistentVolumeClaim",
    "claimName",
    "REDIS_ARGS",
    "version",
    "dev",
    "dependencies",
    "packages",
    "node_modules/x",
    "==1.0",
    "1.0.0",
    "latest",
    "0",
    "-1",
    "1e999",
    "~",
    "null",
    "true",
    "*",
    "&a",
    "<<",
    "\u2028",
    "\x85",
    "\ufeff",
    "\t",
    "x\n-e .",
    "x y",
    "0x_",
    "!!int",
    "--index-url http://127.0.0.1:1/",
)
_KEYS = st.one_of(st.sampled_from(WORDS), st.text(max_size=8))
SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(WORDS),
    st.text(max_size=24),
)


def trees(max_leaves: int = 16, keys: st.SearchStrategy[Any] = _KEYS) -> st.SearchStrategy[Any]:
    """JSON/YAML-shaped values: scalars of every type, lists and mappings of them."""
    return st.recursive(
        SCALARS,
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
        ),
        max_leaves=max_leaves,
    )


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every node's path in a document (the root is ``()``)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    """``value`` with the node at ``path`` replaced (``_DELETE`` removes it); a copy, the seeds
    stay intact."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy = dict(value)
        if rest or new is not _DELETE:
            copy[head] = _replace(value[head], rest, new)
        else:
            copy.pop(head, None)
        return copy
    copy_list = list(value)
    if rest or new is not _DELETE:
        copy_list[head] = _replace(value[head], rest, new)
    else:
        del copy_list[head]
    return copy_list


_DELETE = object()


@st.composite
def mutated(draw: Draw, document: Any, max_mutations: int = 3) -> Any:
    """A real document with one to three nodes replaced by a value of another type (a list or a
    mapping where a string is expected, a number for a list, null), deleted, or wrapped."""
    for _ in range(draw(st.integers(1, max_mutations))):
        paths = _paths(document)
        path = draw(st.sampled_from(paths))
        node: Any = document
        for part in path:
            node = node[part]
        how = draw(st.sampled_from(("replace", "replace", "delete", "wrap", "add")))
        if how == "delete" and path:
            document = _replace(document, path, _DELETE)
        elif how == "wrap":
            wrapper = draw(st.sampled_from(("list", "dict")))
            document = _replace(document, path, [node] if wrapper == "list" else {"value": node})
        elif how == "add" and isinstance(node, dict):
            document = _replace(document, path, {**node, draw(_KEYS): draw(trees(6))})
        else:
            document = _replace(document, path, draw(trees(8)))
    return document


# ---- text -------------------------------------------------------------------------------------
_ODD_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from("\n\r\t \\\"'#:-[]{},&*!|>%@`\x00\x0b\x0c\u2028\ufeff"),
    ),
    max_size=200,
)


def raw_text() -> st.SearchStrategy[str]:
    return _ODD_TEXT


def raw_bytes(max_size: int = 400) -> st.SearchStrategy[bytes]:
    return st.binary(max_size=max_size)


@st.composite
def line_mutated(draw: Draw, text: str) -> str:
    """A real file with lines deleted, duplicated, truncated or given random tokens."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            lines = [""]
        index = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(("delete", "duplicate", "truncate", "insert", "append")))
        if how == "delete":
            del lines[index]
        elif how == "duplicate":
            lines.insert(index, lines[index])
        elif how == "truncate":
            lines[index] = lines[index][: draw(st.integers(0, max(len(lines[index]) - 1, 0)))]
        elif how == "insert":
            lines.insert(index, draw(_ODD_TEXT))
        else:
            lines[index] += draw(st.sampled_from((" \\", ":", " [", " {", "'", '"', " #", " (", " =>")))
    return "\n".join(lines)


@st.composite
def lines_of(draw: Draw, pieces: Sequence[str], tokens: st.SearchStrategy[str], max_lines: int = 12) -> str:
    """Lines of a format's syntax: each a template from ``pieces`` with ``{}`` holes filled by
    random tokens."""
    lines = []
    for template in draw(st.lists(st.sampled_from(pieces), max_size=max_lines)):
        holes = template.count("{}")
        lines.append(template.format(*(draw(tokens) for _ in range(holes))))
    separator = draw(st.sampled_from(("\n", "\n", "\r\n")))
    return separator.join(lines)


_TOKENS = st.one_of(
    st.sampled_from(
        ("x", "a/b", "v1.2.3", "1.0", "==1.0", "v0.0.0-2024", "=>", "(", ")", '"', "'", "//", "\\")
    ),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\n\r"), max_size=12),
)


@functools.cache
def fixture_files(*patterns: str) -> tuple[tuple[str, str], ...]:
    """(path, text) of the fixture and example files matching any of the glob patterns."""
    found: list[tuple[str, str]] = []
    for base in (FIXTURES, EXAMPLES):
        for pattern in patterns:
            for path in sorted(base.rglob(pattern)):
                if path.is_file() and path.stat().st_size < 64 * 1024:
                    found.append((path.relative_to(ROOT).as_posix(), path.read_text(errors="replace")))
    return tuple(found)


def _seeds(*patterns: str, extra: Sequence[str] = ()) -> st.SearchStrategy[str]:
    texts = [text for _, text in fixture_files(*patterns)] + list(extra)
    return st.sampled_from(texts)


def deep(opening: str, closing: str, max_depth: int = 100_000) -> st.SearchStrategy[str]:
    """Nesting a recursive parser can't follow: ``[[[[…]]]]`` to a depth of up to 100,000.

    YAML refuses more than 200 levels, and PyYAML's scanner spends time quadratic in the open
    brackets of the next 1,024 characters before it gets there (0.6 s for 1,024 brackets): its
    generators stop at 400 levels, past the limit, and keep the examples under the deadline."""
    return st.integers(1, max_depth).map(lambda n: opening * n + closing * n)


# ---- YAML -------------------------------------------------------------------------------------
_YAML_PIECES = (
    "{}: {}",
    "- {}",
    "  {}: {}",
    "    - {}",
    "---",
    "...",
    "{}: &a [{}]",
    "{}: *a",
    "<<: *a",
    "{}: !!python/object:os.system {}",
    "{}: !!binary {}",
    "%YAML 1.1",
    "%TAG ! tag:x,2000:",
    "? {}",
    "{}: |",
    "  {}",
    "{}: >-",
    "{}: [{}, {}]",
    "{}: {{{}: {}}}",
    "{}: '{}'",
    '{}: "{}"',
    "\t{}: {}",
    "{}: !!set {{{}}}",
    "{}: !!omap [{}]",
    "{}: !!timestamp {}",
    "{}: 0x{}",
    "{}: .inf",
)


def _plain_yaml(text: str) -> list[Any]:
    try:
        return [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError:
        return []


@functools.cache
def yaml_documents() -> tuple[Any, ...]:
    """Every YAML document of the fixture trees and examples, as plain values."""
    return tuple(document for _, text in fixture_files("*.yaml", "*.yml") for document in _plain_yaml(text))


def dump_yaml(documents: Sequence[Any]) -> str:
    return yaml.safe_dump_all(list(documents), sort_keys=False, allow_unicode=True)


def yaml_text() -> st.SearchStrategy[str]:
    return st.one_of(
        trees().map(lambda value: dump_yaml([value])),
        st.sampled_from(yaml_documents()).flatmap(mutated).map(lambda value: dump_yaml([value])),
        _seeds("*.yaml", "*.yml").flatmap(line_mutated),
        lines_of(_YAML_PIECES, _TOKENS),
        deep("[", "]", max_depth=400),
        deep("{a: ", "}", max_depth=400),
        deep("- ", "x"),
        raw_text(),
    )


# ---- .readiness.yml ---------------------------------------------------------------------------
_CONFIG_KEYS = (
    "project",
    "exclude",
    "disable",
    "categories",
    "checks",
    "severity",
    "allow_waivers",
    "inline_suppressions",
    "allow_wide_exclude",
    "waivers",
    "check",
    "paths",
    "reason",
    "owner",
    "expires",
    "traffic",
    "expected_peak_rps",
    "p99_latency_ms",
    "kill_switches",
    "test_paths",
    "vulnerabilities",
    "osv_url",
    "go_db",
    "max_age_hours",
    "checkpoint",
    "path",
)
_VALID_CONFIG: dict[str, Any] = {
    "project": "svc",
    "exclude": ["vendor/", "*.gen.go", "[z-a]", "\\", "*a*a*a*a*a*a*a*a*a*b"],
    "disable": {"categories": ["compliance"], "checks": ["security/ingress-tls"]},
    "severity": {"security/ingress-tls": "blocker"},
    "allow_waivers": True,
    "inline_suppressions": ["security/ingress-tls"],
    "allow_wide_exclude": False,
    "waivers": [
        {
            "check": "disaster-recovery/redis-persistence",
            "paths": ["k8s/"],
            "reason": "cache",
            "owner": "team",
            "expires": "2031-02-30",
        }
    ],
    "traffic": {"expected_peak_rps": 1000, "p99_latency_ms": 100},
    "kill_switches": ["floor_model_enabled"],
    "test_paths": ["tests/"],
    "vulnerabilities": {"osv_url": "http://127.0.0.1:1/", "go_db": "file:///x", "max_age_hours": 24},
    "checkpoint": {"path": ".claude/checkpoints/{project}.md"},
}


def config_text() -> st.SearchStrategy[str]:
    seeds = [_VALID_CONFIG, *(_plain_yaml(text)[0] for _, text in fixture_files(".readiness.yml"))]
    return st.one_of(
        st.sampled_from(seeds).flatmap(mutated).map(lambda value: dump_yaml([value])),
        trees(keys=st.sampled_from(_CONFIG_KEYS)).map(lambda value: dump_yaml([value])),
        _seeds(".readiness.yml").flatmap(line_mutated),
        lines_of(_YAML_PIECES, st.one_of(st.sampled_from(_CONFIG_KEYS), _TOKENS)),
        raw_text(),
    )


# ---- Dockerfiles ------------------------------------------------------------------------------
_DOCKER_PIECES = (
    "FROM {}",
    "FROM {} AS {}",
    "FROM --platform={} {} as {}",
    "RUN {}",
    "RUN [{}]",
    'CMD ["{}", "{}"]',
    "CMD {}",
    "ENTRYPOINT [{}]",
    "ENTRYPOINT {}",
    "USER {}",
    "HEALTHCHECK {}",
    "HEALTHCHECK NONE",
    "COPY {} {}",
    "COPY --from={} {} {}",
    "ARG {}",
    "ENV {}={}",
    "EXPOSE {}",
    "STOPSIGNAL {}",
    "WORKDIR {}",
    "ONBUILD {}",
    "SHELL [{}]",
    "# escape=`",
    "# escape={}",
    "# {}",
    "",
    "  {} \\",
    "{} `",
    "RUN <<EOF",
    "RUN <<-EOT {}",
    "COPY <<EOF /etc/{}",
    "RUN <<'EOF' bash",
    "RUN <<EOF <<EOT",
    "EOF",
    "EOT",
    "{}",
    "  \\",
    "\\",
)


def dockerfile_text() -> st.SearchStrategy[str]:
    json_args = trees(6).map(json.dumps)
    tokens = st.one_of(_TOKENS, json_args, st.sampled_from(("root", "1000", "node", "scratch", "base")))
    return st.one_of(
        lines_of(_DOCKER_PIECES, tokens, max_lines=16),
        _seeds("Dockerfile", "*.dockerfile", "Containerfile").flatmap(line_mutated),
        raw_text(),
    )


# ---- go.mod -----------------------------------------------------------------------------------
_GOMOD_PIECES = (
    "module {}",
    "go {}",
    "toolchain {}",
    "require {} {}",
    "require {} {} // indirect",
    "require (",
    "\t{} {}",
    "\t{} {} // indirect",
    ")",
    "replace {} => {} {}",
    "replace {} {} => {}",
    "replace (",
    "\t{} => {}",
    "\t{} {} => {} {}",
    "exclude {} {}",
    "retract {}",
    "godebug {}={}",
    "tool {}",
    "// {}",
    "{}",
    "replace =>",
    "require",
    "module",
)


def gomod_text() -> st.SearchStrategy[str]:
    return st.one_of(
        lines_of(_GOMOD_PIECES, _TOKENS, max_lines=16),
        _seeds("go.mod").flatmap(line_mutated),
        raw_text(),
    )


# ---- Python manifests -------------------------------------------------------------------------
_REQUIREMENT_PIECES = (
    "{}=={}",
    "{}==={}",
    "{}>={},<{}",
    "{}[{}]=={}",
    "{}=={} ; python_version < '{}'",
    "{} @ {}",
    "-e {}",
    "-e git+https://x/{}#egg={}",
    "--editable={}",
    "-r {}",
    "-c {}",
    "--index-url {}",
    "{}=={} --hash=sha256:{}",
    "{} \\",
    "  --hash=sha256:{}",
    "# {}",
    "{}==1.0  # {}",
    "git+{}",
    "./{}",
    "file:{}",
    "https://x/{}.whl",
    "{}~={}",
    "{}!={}",
    "{}",
    "{}==01.{}",
    "{}==v{}",
)
_VERSIONS = st.one_of(
    st.sampled_from(("1.0", "01.24.1", "1.24.01", "v1.24.1", "1.24.1 ", "1.0\n-e .", "1!2.0", "*", "")),
    _TOKENS,
)


@st.composite
def _toml_value(draw: Draw, value: Any, depth: int = 0) -> str:
    """``value`` written as a TOML value (inline tables and arrays)."""
    if value is None:
        return json.dumps(draw(st.sampled_from(("", "null"))))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if abs(value) < 2**63 else json.dumps(str(value))
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(draw(_toml_value(item, depth + 1)) for item in value) + "]"
    return (
        "{"
        + ", ".join(f"{json.dumps(str(k))} = {draw(_toml_value(v, depth + 1))}" for k, v in value.items())
        + "}"
    )


@st.composite
def toml_document(draw: Draw, document: Any) -> str:
    """A mapping as TOML: its mappings as ``[tables]``, lists of mappings as ``[[arrays]]``."""
    if not isinstance(document, dict):
        return f"value = {draw(_toml_value(document))}\n"
    out: list[str] = []
    tables: list[str] = []
    for key, value in document.items():
        name = json.dumps(str(key))
        if isinstance(value, dict) and draw(st.booleans()):
            tables.append(f"[{name}]")
            tables += [f"{json.dumps(str(k))} = {draw(_toml_value(v))}" for k, v in value.items()]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                tables.append(f"[[{name}]]")
                tables += [f"{json.dumps(str(k))} = {draw(_toml_value(v))}" for k, v in item.items()]
        else:
            out.append(f"{name} = {draw(_toml_value(value))}")
    return "\n".join(out + tables) + "\n"


_PYPROJECT: dict[str, Any] = {
    "project": {
        "name": "svc",
        "dependencies": ["redis==5.0.1", "requests>=2", "urllib3==01.24.1"],
        "optional-dependencies": {"dev": ["pytest==8.0"], "docs": ["sphinx"]},
    },
    "dependency-groups": {"test": ["hypothesis==6.0"]},
    "tool": {
        "poetry": {
            "dependencies": {
                "python": "^3.11",
                "redis": "5.0.1",
                "x": {"git": "https://x"},
                "y": {"version": "1"},
            },
            "dev-dependencies": {"pytest": "^8"},
            "group": {"lint": {"dependencies": {"ruff": "0.4.0"}}},
        }
    },
}
_TOML_LOCK: dict[str, Any] = {
    "package": [
        {"name": "redis", "version": "5.0.1", "category": "main"},
        {"name": "x", "version": "1.0", "source": {"type": "git", "url": "https://x"}},
        {"name": "svc", "version": "0.1", "source": {"editable": "."}},
        {"name": "pytest", "version": "8.0", "groups": ["dev"]},
    ]
}
_PIPFILE_LOCK: dict[str, Any] = {
    "_meta": {"hash": {"sha256": "x"}},
    "default": {"redis": {"version": "==5.0.1"}, "x": {"git": "https://x"}},
    "develop": {"pytest": {"version": "==8.0", "hashes": []}},
}


def requirements_text() -> st.SearchStrategy[str]:
    return st.one_of(
        lines_of(_REQUIREMENT_PIECES, st.one_of(_VERSIONS, st.sampled_from(("redis", "urllib3", "x")))),
        _seeds("requirements*.txt").flatmap(line_mutated),
        raw_text(),
    )


def pyproject_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(_PYPROJECT_SEEDS()).flatmap(mutated).flatmap(toml_document),
        trees(
            keys=st.sampled_from(("project", "dependencies", "tool", "poetry", "group", "version", "git"))
        ).flatmap(toml_document),
        _seeds("pyproject.toml").flatmap(line_mutated),
        deep("[", "]").map(lambda text: f"a = {text}\n"),
        raw_text(),
    )


def toml_lock_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(_TOML_LOCK).flatmap(mutated).flatmap(toml_document),
        _seeds("uv.lock", "poetry.lock", "pdm.lock").flatmap(line_mutated),
        st.integers(1, 100_000).map(lambda n: "a = " + "{b = " * n + "1" + "}" * n + "\n"),
        raw_text(),
    )


def pipfile_lock_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(_PIPFILE_LOCK).flatmap(mutated).map(json.dumps),
        trees().map(json.dumps),
        deep("[", "]"),
        raw_text(),
    )


@functools.cache
def _PYPROJECT_SEEDS() -> tuple[Any, ...]:  # a constant, computed on first use
    import tomllib

    found: list[Any] = [_PYPROJECT]
    for _, text in fixture_files("pyproject.toml"):
        try:
            found.append(tomllib.loads(text))
        except tomllib.TOMLDecodeError:
            continue
    return tuple(found)


# ---- Node lock files --------------------------------------------------------------------------
_PACKAGE_LOCK: dict[str, Any] = {
    "name": "svc",
    "lockfileVersion": 3,
    "packages": {
        "": {"name": "svc", "dependencies": {"lodash": "^4"}},
        "node_modules/lodash": {"version": "4.17.4", "dev": False},
        "node_modules/a/node_modules/b": {"version": "1.0.0", "name": "b"},
        "node_modules/linked": {"link": True},
    },
    "dependencies": {"lodash": {"version": "4.17.4", "dependencies": {"x": {"version": "file:x"}}}},
}
_YARN_PIECES = (
    "{}@{}:",
    '"{}@{}", "{}@{}":',
    "  version {}",
    '  version "{}"',
    "  resolved {}",
    "  dependencies:",
    "    {} {}",
    "# {}",
    "__metadata:",
    '"{}@npm:{}":',
    '"{}@workspace:{}":',
    "{}@patch:{}",
    "  version: {}",
    "",
    "{}",
)
_PNPM_PIECES = (
    "lockfileVersion: {}",
    "packages:",
    "  /{}@{}:",
    "  '/{}@{}({}@{})':",
    "  /@{}/{}@{}:",
    "  {}@{}:",
    "    resolution: {{integrity: {}}}",
    "    dev: {}",
    "importers:",
    "  .:",
    "{}",
    "  {}",
    "",
)


def package_lock_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from([_PACKAGE_LOCK, *(_plain_json(t) for _, t in fixture_files("package-lock.json"))])
        .flatmap(mutated)
        .map(json.dumps),
        trees(
            keys=st.sampled_from(("packages", "dependencies", "node_modules/x", "", "version", "link"))
        ).map(json.dumps),
        deep("[", "]"),
        deep('{"a":', "}").map(lambda text: text.replace(":}", ":1}")),
        raw_text(),
    )


def _plain_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return {}


def yarn_lock_text() -> st.SearchStrategy[str]:
    return st.one_of(
        lines_of(_YARN_PIECES, _TOKENS, max_lines=16),
        _seeds("yarn.lock").flatmap(line_mutated),
        raw_text(),
    )


def pnpm_lock_text() -> st.SearchStrategy[str]:
    return st.one_of(lines_of(_PNPM_PIECES, _TOKENS, max_lines=16), raw_text())


# ---- checkpoints ------------------------------------------------------------------------------
PROJECT = "fuzzed"


def _result(outcome: str) -> dict[str, Any]:
    failures = (
        [
            {
                "message": "m",
                "severity": "risk",
                "evidence": [{"path": "a", "line": 1, "snippet": "s", "note": None}],
            }
        ]
        if outcome == "fail"
        else []
    )
    return {"outcome": outcome, "summary": "s", "failures": failures, "evidence": [], "answer": None}


@functools.cache
def checkpoint_document() -> dict[str, Any]:
    """A well-formed checkpoint document (unsigned), every category with answers to all its questions."""
    categories = {}
    for category in (Category.SECURITY, Category.DISASTER_RECOVERY):
        categories[category.value] = {
            "fingerprint": "f" * 64,
            "inputs": {"k8s/a.yaml": "0" * 64},
            "completed_at": "2024-01-01T00:00:00+00:00",
            "light": "amber",
            "results": {"x/pass": _result("pass"), "x/fail": _result("fail")},
            "answers": [
                {
                    "question": q.key,
                    "answer": "partial",
                    "checks": ["x/fail"],
                    "reasoning": "r",
                    "evidence": [{"path": "a", "line": 2, "snippet": None, "note": "n"}],
                }
                for q in seed.of(category)
            ],
        }
    return {
        "format": "readiness-checkpoint",
        "version": 2,
        "project": PROJECT,
        "readiness_version": "0",
        "started_at": "2024-01-01T00:00:00+00:00",
        "updated_at": "2024-01-01T00:00:00+00:00",
        "categories": categories,
        "remaining": [],
    }


def checkpoint_values() -> st.SearchStrategy[Any]:
    """Checkpoint documents with wrong types anywhere (as values, before encoding)."""
    return st.one_of(
        st.just(checkpoint_document()).flatmap(lambda d: mutated(d, max_mutations=2)),
        st.just(checkpoint_document()).flatmap(lambda d: mutated(d, max_mutations=1)),
        trees(keys=st.sampled_from(("format", "version", "project", "categories", "results", "answers"))),
    )


def checkpoint_bytes() -> st.SearchStrategy[bytes]:
    encoded = checkpoint_values().map(lambda value: json.dumps(value).encode())
    return st.one_of(
        encoded,
        encoded.flatmap(lambda data: byte_mutated(data)),
        deep("[", "]").map(str.encode),
        raw_bytes(),
    )


@st.composite
def byte_mutated(draw: Draw, data: bytes) -> bytes:
    """Bytes with a few flipped, cut or inserted."""
    buffer = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        if not buffer:
            buffer += draw(raw_bytes(8))
            continue
        index = draw(st.integers(0, len(buffer) - 1))
        how = draw(st.sampled_from(("set", "set", "cut", "insert", "truncate")))
        if how == "set":
            buffer[index] = draw(st.integers(0, 255))
        elif how == "cut":
            del buffer[index : index + draw(st.integers(1, 16))]
        elif how == "insert":
            buffer[index:index] = draw(raw_bytes(16))
        else:
            del buffer[index:]
    return bytes(buffer)


# ---- zips -------------------------------------------------------------------------------------
# (signature, offset, width) of the header fields a reader trusts: versions, flags, method, sizes,
# name and extra lengths, disk numbers, entry counts, the central directory's size and offset.
_LOCAL, _CENTRAL, _END = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"
_FIELDS = (
    *(
        (_LOCAL, offset, width)
        for offset, width in ((4, 2), (6, 2), (8, 2), (14, 4), (18, 4), (22, 4), (26, 2), (28, 2))
    ),
    *(
        (_CENTRAL, offset, width)
        for offset, width in (
            (4, 2),
            (6, 2),
            (8, 2),
            (10, 2),
            (16, 4),
            (20, 4),
            (24, 4),
            (28, 2),
            (30, 2),
            (32, 2),
            (34, 2),
            (38, 4),
            (42, 4),
        )
    ),
    *(
        (_END, offset, width)
        for offset, width in ((4, 2), (6, 2), (8, 2), (10, 2), (12, 4), (16, 4), (20, 2))
    ),
)


def zip_members() -> st.SearchStrategy[dict[str, bytes]]:
    names = st.sampled_from(("p-production-readiness.json", "p-production-readiness.md", "a/b.txt", "d/"))
    return st.dictionaries(names, st.binary(max_size=200), min_size=1, max_size=3)


@st.composite
def header_mutated(draw: Draw, data: bytes) -> bytes:
    """A zip with one to three header fields set to a boundary or random value."""
    buffer = bytearray(data)
    for _ in range(draw(st.integers(1, 3))):
        signature, offset, width = draw(st.sampled_from(_FIELDS))
        starts = [i for i in range(len(buffer)) if buffer.startswith(signature, i)]
        if not starts:
            continue
        at = draw(st.sampled_from(starts)) + offset
        limit = 2 ** (8 * width) - 1
        value = draw(
            st.one_of(st.sampled_from((0, 1, 20, 45, 63, 99, limit, limit - 1)), st.integers(0, limit))
        )
        if at + width <= len(buffer):
            buffer[at : at + width] = value.to_bytes(width, "little")
    return bytes(buffer)


def _utf8_flagged(data: bytes) -> bytes:
    """A zip whose names claim to be UTF-8 (flag bit 11) but are not."""
    buffer = bytearray(data)
    for signature, flags in ((_LOCAL, 6), (_CENTRAL, 8)):
        start = buffer.find(signature)
        while start != -1:
            (value,) = struct.unpack_from("<H", buffer, start + flags)
            struct.pack_into("<H", buffer, start + flags, value | 0x800)
            start = buffer.find(signature, start + 4)
    return bytes(buffer).replace(b"p-production", b"p-\xff\xfeoduction")


def zip_bytes() -> st.SearchStrategy[bytes]:
    packed = zip_members().map(
        lambda files: archive.pack({k: v for k, v in files.items() if not k.endswith("/")} or {"a": b""})
    )
    return st.one_of(
        packed.flatmap(header_mutated),
        packed.flatmap(header_mutated),
        packed.map(_utf8_flagged),
        packed.flatmap(byte_mutated),
        raw_bytes(),
    )


# ---- compose stacks and whole trees for the checks --------------------------------------------
_COMPOSE: dict[str, Any] = {
    "services": {
        "redis": {
            "image": "redis:7",
            "command": ["redis-server", "--appendonly", "yes"],
            "volumes": ["data:/data"],
            "ports": ["6379:6379"],
            "restart": "always",
            "healthcheck": {"test": ["CMD", "redis-cli", "ping"]},
        },
        "api": {"build": ".", "environment": {"REDIS_URL": "redis://redis"}, "depends_on": ["redis"]},
    },
    "volumes": {"data": {}},
}


@functools.cache
def compose_documents() -> tuple[Any, ...]:
    found = [_COMPOSE]
    for _, text in fixture_files("docker-compose*.y*ml", "compose*.y*ml"):
        found += [d for d in _plain_yaml(text)[:1] if isinstance(d, dict)]
    return tuple(found)


@st.composite
def compose_trees(draw: Draw) -> dict[str, str]:
    """A base compose file and a production overlay, each with wrong types anywhere."""
    files = {}
    for name in draw(st.sampled_from((("compose.yml", "compose.prod.yml"), ("docker-compose.yml",)))):
        document = draw(st.sampled_from(compose_documents()).flatmap(mutated))
        files[name] = dump_yaml([document])
    return files


_MUTABLE_YAML = (".yaml", ".yml")
_MUTABLE_JSON = (".json",)
_MUTABLE_LINES = (".conf", "Dockerfile", ".env", ".toml", ".txt", ".mod", "Procfile")


@functools.cache
def fixture_cases() -> tuple[tuple[tuple[str, str], ...], ...]:
    """The fixture trees (tests/fixtures/<check>/<case>/) holding YAML, as (path, text) files."""
    cases = []
    for expected in sorted(FIXTURES.rglob("*.json")):
        case = expected.with_suffix("")
        if not case.is_dir():
            continue
        files = tuple(
            (path.relative_to(case).as_posix(), path.read_text(errors="replace"))
            for path in sorted(case.rglob("*"))
            if path.is_file() and not path.is_symlink() and path.stat().st_size < 64 * 1024
        )
        if any(path.endswith(_MUTABLE_YAML) for path, _ in files):
            cases.append(files)
    return tuple(cases)


@st.composite
def _mutated_file(draw: Draw, path: str, text: str) -> str:
    if path.endswith(_MUTABLE_YAML):
        documents = _plain_yaml(text)
        if documents and draw(st.integers(0, 9)):
            index = draw(st.integers(0, len(documents) - 1))
            documents[index] = draw(mutated(documents[index]))
            return dump_yaml(documents)
    if path.endswith(_MUTABLE_JSON) and draw(st.integers(0, 3)):
        return json.dumps(draw(mutated(_plain_json(text))))
    return str(draw(line_mutated(text)))


@st.composite
def repo_trees(draw: Draw) -> dict[str, str]:
    """A fixture tree with one to three of its YAML (or JSON, config, Dockerfile) files mutated:
    values of the wrong type where a check expects a string, a list or a mapping."""
    files = dict(draw(st.sampled_from(fixture_cases())))
    mutable = sorted(p for p in files if p.endswith((*_MUTABLE_YAML, *_MUTABLE_JSON, *_MUTABLE_LINES)))
    yaml_files = [p for p in mutable if p.endswith(_MUTABLE_YAML)]
    chosen = {draw(st.sampled_from(yaml_files))}
    chosen |= set(draw(st.lists(st.sampled_from(mutable), max_size=2)))
    for path in sorted(chosen):
        files[path] = draw(_mutated_file(path, files[path]))
    return files
