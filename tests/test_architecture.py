"""The import contract: the folders show the architecture, and this test keeps them honest.

- checks are judges: they read facts, parsers, results and the model; never a scanner, the
  GitHub edge, a renderer or the engine, never another category and never another check;
- facts never read checks; parsers turn text into values without the repository view;
- renderers read the model only; registry and results stand on the model alone;
- only readiness/github talks to GitHub (PyGithub), and only the CLI exits.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "readiness"


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # what it imports, dotted (module or module.name)
    line: int


def modules() -> Iterator[tuple[str, Path, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "rules" in path.relative_to(PACKAGE).parts:
            continue  # semgrep rule fixtures: example code, not the product
        dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        yield dotted, path, ast.parse(path.read_text(encoding="utf-8"))


def imports() -> list[Import]:
    found: list[Import] = []
    for module, _, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.append(Import(module, node.module, node.lineno))
                found += [Import(module, f"{node.module}.{alias.name}", node.lineno) for alias in node.names]
            elif isinstance(node, ast.Import):
                found += [Import(module, alias.name, node.lineno) for alias in node.names]
    return found


def parts(dotted: str) -> list[str]:
    return dotted.split(".")


def violations(rule: str) -> list[str]:
    found = []
    for item in imports():
        source, target = parts(item.module), parts(item.target)
        if _breaks(rule, source, target):
            found.append(f"{item.module}:{item.line} imports {item.target}")
    return sorted(set(found))


def _breaks(rule: str, source: list[str], target: list[str]) -> bool:
    inside = target[0] == "readiness" and len(target) > 1
    if rule == "checks are judges":
        return (
            source[:2] == ["readiness", "checks"]
            and inside
            and len(target) > 1
            and target[1]
            in ("scanners", "github", "render", "engine", "pipeline", "action", "cli", "checkpoint", "delta")
        )
    if rule == "no category reads another":
        return (
            source[:2] == ["readiness", "checks"]
            and target[:2] == ["readiness", "checks"]
            and len(source) > 2
            and len(target) > 2
            and source[2] != target[2]
        )
    if rule == "no check reads another check":
        # Within a category, check modules may share its private helpers (`_facts.py`), not each other.
        return (
            source[:2] == ["readiness", "checks"]
            and target[:2] == ["readiness", "checks"]
            and len(source) > 3
            and len(target) > 3
            and source[2] == target[2]
            and source[3] != target[3]
            and not target[3].startswith("_")
        )
    if rule == "facts never read checks":
        return source[:2] == ["readiness", "facts"] and target[:2] == ["readiness", "checks"]
    if rule == "parsers are pure":
        return (
            source[:2] == ["readiness", "parsers"] and inside and target[1:2] not in (["parsers"], ["model"])
        )
    if rule == "renderers read the model":
        return (
            source[:2] == ["readiness", "render"]
            and inside
            and target[1:2] not in (["render"], ["model"], ["fingerprint"])
        )
    if rule == "the registry and results stand on the model":
        return (
            source in (["readiness", "registry"], ["readiness", "results"])
            and inside
            and target[1:2]
            not in (
                ["model"],
                ["seed"],
                ["context"],
            )
        )
    if rule == "only readiness.github talks to GitHub":
        return target[0] == "github" and source[:2] != ["readiness", "github"]
    raise AssertionError(rule)


RULES = [
    "checks are judges",
    "no category reads another",
    "no check reads another check",
    "facts never read checks",
    "parsers are pure",
    "renderers read the model",
    "the registry and results stand on the model",
    "only readiness.github talks to GitHub",
]


def test_the_import_contract_holds() -> None:
    broken = {rule: found for rule in RULES if (found := violations(rule))}
    assert broken == {}


def test_only_the_cli_exits() -> None:
    exits = []
    for module, path, tree in modules():
        for node in ast.walk(tree):
            func = node.func if isinstance(node, ast.Call) else None
            called = (
                isinstance(func, ast.Attribute)
                and func.attr == "exit"
                and isinstance(func.value, ast.Name)
                and func.value.id == "sys"
            )
            raised = isinstance(node, ast.Raise) and "SystemExit" in ast.unparse(node.exc or node)
            if (called or raised) and module not in ("readiness.cli", "readiness.__main__"):
                exits.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert exits == []


def test_the_contract_sees_a_violation() -> None:
    """The checker itself must be able to fail: a check importing a scanner breaks the first rule."""
    assert _breaks(
        "checks are judges", parts("readiness.checks.security.tls"), parts("readiness.scanners.semgrep")
    )
    assert _breaks(
        "no category reads another",
        parts("readiness.checks.security.x"),
        parts("readiness.checks.reliability._code"),
    )
    assert _breaks(
        "no check reads another check",
        parts("readiness.checks.security.hardcoded"),
        parts("readiness.checks.security.secrets"),
    )
    assert not _breaks(
        "no check reads another check",
        parts("readiness.checks.security.hardcoded"),
        parts("readiness.checks.security._images"),
    )
