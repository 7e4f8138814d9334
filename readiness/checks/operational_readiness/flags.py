"""Feature flags and kill switches: can a feature (the seed's IDR) be turned off without a redeploy?"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from readiness import seed
from readiness.checks.operational_readiness._runtime import (
    ENV_RULES,
    FLAG_RULES,
    RELOAD_RULES,
    code_paths,
    facts,
    flag_sdks,
    unit,
)
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP
from readiness.facts.documents import containers, unquote
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check
from readiness.repo import Repo
from readiness.results import Match

_FLAG_FILE = re.compile(r"(flag|feature|toggle|switch)", re.I)
_FLAG_TYPE = re.compile(
    r"^\s*(type\s+\w*(Flags?|Features?|Toggles?|Switches)\s+struct\b|class\s+\w*(Flags?|Features?|Toggles?)\b)",
    re.M,
)
_TOGGLE_NAME = re.compile(r"(^|_)(ENABLE|ENABLED|DISABLE|DISABLED|FEATURE|FLAG|TOGGLE|KILL)(_|$)", re.I)
_COMMENT = re.compile(r"^\s*(//|#|\*|/\*)")
_LITERAL = re.compile(r""""([^"\\\n]*)"|'([^'\\\n]*)'""")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A call of an environment helper (`envOr("IDR_URL", ...)`, `env.bool("IDR_ENABLED")`) on the line.
_ENV_HELPER = re.compile(r"\b\w*(env|Env|ENV)\w*\s*[.(]")
_SDK_NAMES = (
    "OpenFeature, LaunchDarkly, Unleash, Flipt, go-feature-flag, GrowthBook, ConfigCat, Flagsmith, Split"
)


def _about_flags(repo: Repo, path: str) -> bool:
    """A file that holds feature flags: named after them (flags.go) or declaring a flags type."""
    return bool(_FLAG_FILE.search(PurePosixPath(path).name) or _FLAG_TYPE.search(repo.text(path)))


@check(
    id="operational-readiness/feature-flags",
    question=seed.FEATURE_FLAGS,
    title="A feature flag system lets features be switched at run time",
    severity=Severity.RISK,
    rationale="""
        When a feature misbehaves in production (an identity resolver adding 40 ms to every
        auction, a partner returning garbage) the fastest safe action is to switch it off. Without
        flags read at run time that means a code or config change and a full rollout, during the
        incident. A flag service (OpenFeature, LaunchDarkly, Unleash, Flipt...) or a flag file the
        service re-reads turns it into a change that takes seconds and is as easy to undo.
    """,
    looks_at="""
        Flag SDK dependencies in go.mod, requirements files, pyproject.toml and package.json
        (OpenFeature, LaunchDarkly, Unleash, Flipt, go-feature-flag, GrowthBook, ConfigCat,
        Flagsmith, Split); with semgrep, flag evaluations through those SDKs, and config watchers or
        reloads on a ticker in a file that holds flags (named after flags/features/toggles, or
        declaring a Flags type).
    """,
    remediation="""
        Adopt a flag SDK (OpenFeature with the provider you run), or keep flags in a mounted
        ConfigMap the service re-reads on change and validates before applying, and read the
        flag on each request, never once at start.
    """,
    example="""
        // pricing/flags.go: the flag file is re-read every 15 s; handlers call flags.Current()
        go flags.Watch(ctx, 15*time.Second)
        if flags.Current().FloorModelEnabled { ... }
    """,
    scanners=(SEMGREP,),
    core=True,
    rules=(
        "go-config-watch",
        "go-env-read",
        "go-flag-evaluation",
        "go-periodic-reload",
        "js-config-watch",
        "js-env-read",
        "js-flag-evaluation",
        "py-config-watch",
        "py-env-read",
        "py-flag-evaluation",
        "py-periodic-reload",
    ),
)
def feature_flags(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    if not repo.services():
        return CheckResult.not_applicable("no Go, Python or Node service in the repository")
    found = [repo.evidence(s.path, s.line, note=f"{s.product} SDK") for s in flag_sdks(repo)]
    found += [
        repo.evidence(m.path, m.line, note="flags re-read at run time")
        for m in facts(ctx, *RELOAD_RULES)
        if _about_flags(repo, m.path)
    ][:3]
    found += [
        repo.evidence(m.path, m.line, note=f"flag {_key(m)!r} evaluated per call")
        for m in facts(ctx, *FLAG_RULES)
    ][:3]
    if found:
        return CheckResult.passed("features can be switched at run time", *found)
    toggles = [
        repo.evidence(m.path, m.line, note="a switch read once, from the environment")
        for m in facts(ctx, *ENV_RULES)
        if _TOGGLE_NAME.search(_key(m))
    ]
    absent = Evidence.absent(f"no flag SDK ({_SDK_NAMES}) and no flag file or store re-read at run time")
    message = "no feature flag system: switching a feature off means changing code or config and redeploying"
    return CheckResult.failed([Failure(message, (*toggles[:3], absent))])


def _key(match: Match) -> str:
    """The flag or variable name a rule captured, without a string literal's quotes."""
    return unquote(match.capture("$KEY"))


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass(frozen=True)
class Occurrence:
    path: str
    line: int
    kind: str  # "sdk", "env", "literal" or "identifier"


def _occurrences(ctx: CheckContext, key: str) -> list[Occurrence]:
    """Where the code names the key: as a string (`"idr_enabled"`, a json tag) or an identifier
    (`IDREnabled`, `idr_enabled`), compared without case and separators."""
    repo = ctx.repo
    target = _normal(key)
    sdk = {(m.path, m.line) for m in facts(ctx, *FLAG_RULES) if _normal(_key(m)) == target}
    env = {(m.path, m.line) for m in facts(ctx, *ENV_RULES)}
    found: list[Occurrence] = []
    for path in code_paths(ctx):
        if target not in _normal(repo.text(path)):
            continue
        for number, text in enumerate(repo.lines(path), start=1):
            if _COMMENT.match(text):
                continue
            literal = any(_normal(a or b) == target for a, b in _LITERAL.findall(text))
            identifier = any(_normal(word) == target for word in _IDENTIFIER.findall(text))
            if not (literal or identifier):
                continue
            if (path, number) in sdk:
                kind = "sdk"
            elif literal and ((path, number) in env or _ENV_HELPER.search(text)):
                kind = "env"
            else:
                kind = "literal" if literal else "identifier"
            found.append(Occurrence(path, number, kind))
    return found


@check(
    id="operational-readiness/kill-switches",
    question=seed.FEATURE_FLAGS,
    title="Each declared kill switch exists in the code and is read at run time",
    severity=Severity.RISK,
    rationale="""
        A kill switch only helps if flipping it changes behaviour within seconds. A value read
        from an environment variable, or read once into a global at start, is fixed for the life
        of the process: turning the feature off means editing the Deployment and rolling every
        pod, the very redeploy the switch was meant to avoid.
    """,
    looks_at="""
        Each name in `kill_switches` of `.readiness.yml`, looked up in production Go/Python/JS
        code as a string or identifier (case and separators ignored: `idr_enabled`, `IDR_ENABLED`,
        `IDREnabled`). Read at run time: evaluated through a flag SDK (semgrep), or held in a
        package/module that re-reads its configuration (a watcher or a reload on a ticker) and not
        taken from the environment. Read at start: only environment reads or values loaded once.
    """,
    remediation="""
        Serve the switch from a flag SDK, or from a flag file/ConfigMap the service re-reads, and
        read it on each request (`if flags.Current().IDREnabled { ... }`) instead of copying it
        into a global at start.
    """,
    example="""
        # .readiness.yml
        kill_switches: [floor_model_enabled]
        # pricing/flags.go: FloorModelEnabled bool `json:"floor_model_enabled"` (file re-read every 15 s)
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-config-watch",
        "go-env-read",
        "go-flag-evaluation",
        "go-periodic-reload",
        "js-config-watch",
        "js-env-read",
        "js-flag-evaluation",
        "py-config-watch",
        "py-env-read",
        "py-flag-evaluation",
        "py-periodic-reload",
    ),
)
def kill_switches(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    keys = ctx.config.kill_switches
    if not keys:
        return CheckResult.not_applicable(
            "no kill_switches declared in .readiness.yml: list the config keys or flag names that must turn "
            "a feature (e.g. IDR) off without a redeploy, and each is verified here"
        )
    reloading = {unit(m.path) for m in facts(ctx, *RELOAD_RULES)}
    failures: list[Failure] = []
    evidence: list[Evidence] = []
    for key in keys:
        found = _occurrences(ctx, key)
        from_env = any(o.kind == "env" for o in found)
        live = [
            o
            for o in found
            if o.kind == "sdk"
            or (o.kind == "literal" and unit(o.path) in reloading)
            or (o.kind == "identifier" and unit(o.path) in reloading and not from_env)
        ]
        if live:
            how = (
                "evaluated through a flag SDK"
                if live[0].kind == "sdk"
                else "held in configuration re-read at run time"
            )
            evidence.append(repo.evidence(live[0].path, live[0].line, note=f"kill switch {key!r}: {how}"))
            continue
        if not found:
            note = f"no string or identifier matching {key!r} in production code"
            message = f"kill switch {key!r} does not exist in the code: flipping it changes nothing"
            failures.append(Failure(message, (Evidence.absent(note),)))
            continue
        ordered = sorted(found, key=lambda o: (o.kind != "env", o.path, o.line))
        cited = [repo.evidence(o.path, o.line) for o in ordered[:3]]
        cited += [
            repo.evidence(c.path, line, note=f"set on {c.owner}: changing it rolls every pod")
            for c in containers(repo)
            for name, (line, _) in c.environment().items()
            if _normal(name) == _normal(key)
        ][:2]
        source = "an environment variable" if from_env else "configuration loaded once"
        message = (
            f"kill switch {key!r} is read from {source} at start and never re-read: turning it off "
            "needs a redeploy"
        )
        failures.append(Failure(message, tuple(cited)))
    return CheckResult.from_failures(
        failures, f"{len(keys)} kill switch(es) can be flipped at run time", *evidence
    )
