"""What the code says about configuration at run time: reloads, environment reads, flag SDKs.

Semgrep facts (`rules/operational_readiness/*-runtime-config.yaml`) say where a process re-reads
its configuration (a watcher, a SIGHUP handler, a reload on a ticker), where it reads environment
variables (fixed for the life of the process) and where it evaluates a flag through an SDK (per
call). Dependency manifests say which flag SDKs a service depends on. The feature-flag, kill-switch
and config-reload checks read all of them the same way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from readiness.context import CheckContext
from readiness.facts.code import matches
from readiness.facts.documents import is_test_path
from readiness.repo import Repo, Service
from readiness.results import Match

RELOAD_RULES = (
    "go-config-watch",
    "go-periodic-reload",
    "py-config-watch",
    "py-periodic-reload",
    "js-config-watch",
)
ENV_RULES = ("go-env-read", "py-env-read", "js-env-read")
FLAG_RULES = ("go-flag-evaluation", "py-flag-evaluation", "js-flag-evaluation")
CODE_SUFFIXES = (".go", ".py", ".js", ".mjs", ".cjs", ".ts")

# Flag SDKs by ecosystem: (dependency name as written in the manifest, product).
_GO_SDKS = [
    ("github.com/open-feature/go-sdk", "OpenFeature"),
    ("github.com/launchdarkly/go-server-sdk", "LaunchDarkly"),
    ("gopkg.in/launchdarkly/go-server-sdk", "LaunchDarkly"),
    ("github.com/Unleash/unleash-client-go", "Unleash"),
    ("github.com/Unleash/unleash-go-sdk", "Unleash"),
    ("go.flipt.io/flipt", "Flipt"),
    ("go.flipt.io/flipt-client", "Flipt"),
    ("github.com/thomaspoignant/go-feature-flag", "go-feature-flag"),
    ("github.com/growthbook/growthbook-golang", "GrowthBook"),
    ("github.com/configcat/go-sdk", "ConfigCat"),
    ("github.com/Flagsmith/flagsmith-go-client", "Flagsmith"),
    ("github.com/splitio/go-client", "Split"),
]
_PY_SDKS = [
    ("openfeature-sdk", "OpenFeature"),
    ("launchdarkly-server-sdk", "LaunchDarkly"),
    ("ldclient-py", "LaunchDarkly"),
    ("unleashclient", "Unleash"),
    ("flipt", "Flipt"),
    ("flipt-client", "Flipt"),
    ("growthbook", "GrowthBook"),
    ("configcat-client", "ConfigCat"),
    ("flagsmith", "Flagsmith"),
    ("splitio-client", "Split"),
]
_NODE_SDKS = [
    ("@openfeature/server-sdk", "OpenFeature"),
    ("@launchdarkly/node-server-sdk", "LaunchDarkly"),
    ("launchdarkly-node-server-sdk", "LaunchDarkly"),
    ("unleash-client", "Unleash"),
    ("@flipt-io/flipt", "Flipt"),
    ("@flipt-io/flipt-client", "Flipt"),
    ("@growthbook/growthbook", "GrowthBook"),
    ("configcat-node", "ConfigCat"),
    ("flagsmith-nodejs", "Flagsmith"),
    ("@splitsoftware/splitio", "Split"),
]
_PY_REQUIREMENT = re.compile(r"""^\s*["']?([A-Za-z0-9][A-Za-z0-9._-]*)""")


@dataclass(frozen=True)
class Sdk:
    product: str
    path: str
    line: int


def facts(ctx: CheckContext, *rules: str) -> list[Match]:
    """Matches of the rules in production code (tests and examples don't configure the service)."""
    return [m for m in matches(ctx, *rules) if not is_test_path(ctx.config, m.path)]


def unit(path: str) -> str:
    """What shares state at run time: a Go package (its directory) or a Python/JS module (its file)."""
    return PurePosixPath(path).parent.as_posix() if path.endswith(".go") else path


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def flag_sdks(repo: Repo) -> list[Sdk]:
    """Flag SDK dependencies declared in go.mod, requirements files, pyproject.toml and package.json."""
    found: list[Sdk] = []
    for path in repo.named("go.mod"):
        for number, text in enumerate(repo.lines(path), start=1):
            words = text.split()
            module = words[1] if words[:1] == ["require"] and len(words) > 1 else words[0] if words else ""
            found += [Sdk(product, path, number) for name, product in _GO_SDKS if module.startswith(name)]
    py_names = {_normal(name): product for name, product in _PY_SDKS}
    for path in repo.named("requirements*.txt", "pyproject.toml", "setup.cfg", "Pipfile"):
        for number, text in enumerate(repo.lines(path), start=1):
            match = _PY_REQUIREMENT.match(text)
            product = py_names.get(_normal(match.group(1))) if match else None
            if product and not text.lstrip().startswith("#"):
                found.append(Sdk(product, path, number))
    node_names = dict(_NODE_SDKS)
    for path in repo.named("package.json"):
        try:
            manifest = json.loads(repo.text(path))
        except ValueError:
            continue
        if not isinstance(manifest, dict):
            continue
        for section in ("dependencies", "optionalDependencies"):
            deps = manifest.get(section)
            for name in deps if isinstance(deps, dict) else {}:
                if name in node_names:
                    line = next((n for n, t in enumerate(repo.lines(path), start=1) if f'"{name}"' in t), 1)
                    found.append(Sdk(node_names[name], path, line))
    return found


def service_of(repo: Repo, path: str) -> Service | None:
    return repo.owner(path)


def code_paths(ctx: CheckContext) -> list[str]:
    return [
        p
        for p in ctx.repo.with_suffix(*CODE_SUFFIXES)
        if not is_test_path(ctx.config, p) and not p.startswith(("vendor/", "third_party/"))
    ]
