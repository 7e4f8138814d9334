"""Dependency vulnerabilities: what pip-audit, safety, govulncheck and the npm/OSV match found,
and whether the dependencies are pinned well enough to be audited at all.

One check per scanner, because the engine makes a check *not assessed* when any scanner it
declares failed: a Go scan that could not run must not hide the Python results. The scanners
run in the engine (once, in parallel); these checks only read their parsed reports
(:class:`readiness.scanners.results.DependencyReport`) and point at the manifest lines.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import PurePosixPath

from readiness import results, seed
from readiness.context import CheckContext
from readiness.facts import dependencies
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.parsers import gomod, node_locks, versions
from readiness.registry import check

PIP_AUDIT, SAFETY, GOVULNCHECK, NPM_AUDIT = "pip-audit", "safety", "govulncheck", "npm-audit"
_LISTED = 12  # advisories named one by one in a grouped finding; the rest are counted


def _report(ctx: CheckContext, scanner: str) -> results.DependencyReport | None:
    report = ctx.scanner_results.get(scanner)
    return report if isinstance(report, results.DependencyReport) else None


def _evidence(ctx: CheckContext, path: str, line: int | None) -> Evidence:
    return ctx.repo.evidence(path, line) if ctx.repo.exists(path) else Evidence(path=path, line=line)


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"1 {word}"
    return f"{count} {word[:-1]}ies" if word.endswith("y") else f"{count} {word}s"


def _upgrade(vulnerability: results.Vulnerability) -> str:
    if vulnerability.fix:
        return f"upgrade to {vulnerability.fix} or later"
    return "no release fixes all of them yet: mitigate or replace the package"


def _package_failures(ctx: CheckContext, report: results.DependencyReport) -> list[Failure]:
    """One failure per vulnerable package version in a manifest, graded by its worst advisory."""
    failures = []
    for vulnerability in sorted(report.vulnerabilities, key=lambda v: (v.path, v.line or 0, v.package)):
        advisories = vulnerability.advisories
        listed = "; ".join(
            a.describe(versions.lowest_fix(vulnerability.version, a.fixed, _key(vulnerability)))
            for a in advisories
        )
        severity = results.worst(advisories)
        message = (
            f"{vulnerability.package} {vulnerability.version} ({vulnerability.path}) has "
            f"{_plural(len(advisories), 'known vulnerability')}: {listed}; {_upgrade(vulnerability)}"
        )
        if vulnerability.dev:
            severity = Severity.RECOMMENDATION
            message += " (development dependency, not shipped)"
        evidence = (_evidence(ctx, vulnerability.path, vulnerability.line),)
        failures.append(Failure(message, evidence, severity))
    return failures


def _key(vulnerability: results.Vulnerability) -> object:
    return versions.pep440_key if vulnerability.ecosystem == "PyPI" else versions.semver_key


def _result(
    ctx: CheckContext, report: results.DependencyReport, failures: list[Failure], what: str
) -> CheckResult:
    if failures:
        return CheckResult.failed(failures, report.summary())
    evidence = [_evidence(ctx, m.path, None) for m in report.manifests]
    return CheckResult.passed(f"no known vulnerabilities in {what}: {report.summary()}", *evidence)


def _python(ctx: CheckContext, scanner: str) -> CheckResult:
    report = _report(ctx, scanner)
    if report is None:
        return CheckResult.not_assessed(f"{scanner} produced no report")
    if not report.manifests:
        return CheckResult.not_applicable("no Python dependency manifest declares any dependency")
    audited = sum(m.packages for m in report.manifests)
    if not audited:
        return CheckResult.not_assessed(
            "no pinned Python requirement to audit (unpinned ones can't be: see "
            f"security/pinned-dependencies); {report.summary()}"
        )
    return _result(ctx, report, _package_failures(ctx, report), "the pinned Python dependencies")


_PYTHON_LOOKS_AT = """
    The install manifests of every Python project: requirements files (`requirements*.txt`,
    `requirements/*.txt`), lock files (poetry.lock, uv.lock, Pipfile.lock, pdm.lock) and, where
    neither exists beside it, `pyproject.toml` dependencies. Only `name==version` pins are
    audited, from a temporary requirements file outside the repository with `--no-deps`: the
    project is never installed or built. Dependencies of development manifests (`-dev`,
    `-test` files, dev groups) are reported as recommendations.
"""
_PYTHON_REMEDIATION = """
    Upgrade each package to the fixed version named in the finding (or later), regenerate the
    lock or requirements file, and re-run the scan. When no fix exists, remove or replace the
    package, or mitigate and waive the finding with an owner and an expiry date.
"""


@check(
    id="security/python-vulnerabilities",
    question=seed.DEPENDENCY_VULNS,
    title="Pinned Python dependencies have no known vulnerabilities (pip-audit)",
    severity=Severity.BLOCKER,
    rationale="""
        A published advisory against a pinned dependency is the cheapest attack there is: the
        exploit is public and the vulnerable version is written in the repository. Severity
        follows the advisory's CVSS (critical and high block the release, medium is a risk,
        low a recommendation); an advisory without a CVSS score is a risk, marked "severity
        unknown".
    """,
    looks_at=_PYTHON_LOOKS_AT
    + """
    pip-audit asks the configured OSV service (`--osv-url`), else its default service, and the
    advisories' CVSS vectors are read from the same OSV service.
    """,
    remediation=_PYTHON_REMEDIATION,
    example="""
        # requirements.txt (generated by pip-compile, every line pinned)
        requests==2.32.3
        urllib3==2.2.3
    """,
    scanners=(PIP_AUDIT,),
)
def python_vulnerabilities(ctx: CheckContext) -> CheckResult:
    return _python(ctx, PIP_AUDIT)


@check(
    id="security/python-vulnerabilities-safety",
    question=seed.DEPENDENCY_VULNS,
    title="Pinned Python dependencies have no known vulnerabilities (safety)",
    severity=Severity.BLOCKER,
    rationale="""
        Safety's database carries advisories that are not in OSV, with CVSS scores. It needs an
        API key (`SAFETY_API_KEY`) or a local database and network at start-up; without a key
        the check is not applicable and says why, and a run that fails is not assessed, never a
        pass.
    """,
    looks_at=_PYTHON_LOOKS_AT
    + """
    `safety check --output json` reads the same temporary file of pins as pip-audit.
    """,
    remediation=_PYTHON_REMEDIATION,
    example="""
        export SAFETY_API_KEY=...   # in CI, from the secret store
        readiness scan .
    """,
    scanners=(SAFETY,),
)
def python_vulnerabilities_safety(ctx: CheckContext) -> CheckResult:
    return _python(ctx, SAFETY)


@check(
    id="security/go-vulnerabilities",
    question=seed.DEPENDENCY_VULNS,
    title="Go modules have no known vulnerabilities that the code can reach (govulncheck)",
    severity=Severity.BLOCKER,
    rationale="""
        govulncheck follows the call graph: an advisory whose vulnerable function the service
        actually calls is exploitable through it and blocks the release. One that only affects
        a required module, or a package that is imported but not called, is a risk: nothing
        reaches it today, but one code change will. When the toolchain can't load the
        packages offline, go.mod is matched against the database at module level, and those
        matches are risks whose reachability was not analysed.
    """,
    looks_at="""
        Every go.mod (not under vendor/ or testdata/): `govulncheck ./...` in source mode in its
        directory, with no module download, no toolchain download and no cgo. The standard
        library is judged at the local toolchain's version, never below the go.mod's minimum
        (its `toolchain` directive, else its `go` directive). With `--go-vulndb` the database is
        that local copy; without it, govulncheck's default database.
    """,
    remediation="""
        Upgrade the module (`go get module@fixed-version && go mod tidy`) or the Go toolchain
        (the `toolchain` directive and the builder image) to the fixed version in the finding.
        Reachable advisories first: the trace in the finding shows the call path to break.
    """,
    example="""
        // go.mod
        go 1.25.0
        toolchain go1.26.8
        require golang.org/x/net v0.56.0
    """,
    scanners=(GOVULNCHECK,),
)
def go_vulnerabilities(ctx: CheckContext) -> CheckResult:
    report = _report(ctx, GOVULNCHECK)
    if report is None:
        return CheckResult.not_assessed("govulncheck produced no report")
    if not report.manifests:
        return CheckResult.not_applicable("no Go module")
    failures: list[Failure] = []
    grouped: dict[tuple[str, str, str, bool | None], list[results.Vulnerability]] = defaultdict(list)
    for vulnerability in report.vulnerabilities:
        if vulnerability.reachable:
            failures.append(_reachable(ctx, vulnerability))
        else:
            key = (vulnerability.path, vulnerability.package, vulnerability.version, vulnerability.reachable)
            grouped[key].append(vulnerability)
    for (path, module, version, reachable), found in sorted(grouped.items(), key=lambda item: str(item[0])):
        failures.append(_unreached(ctx, path, module, version, reachable, found))
    return _result(ctx, report, failures, "the Go modules")


def _reachable(ctx: CheckContext, vulnerability: results.Vulnerability) -> Failure:
    advisory = vulnerability.advisories[0]
    message = (
        f"{vulnerability.package} {vulnerability.version} ({vulnerability.path}): "
        f"{advisory.describe(vulnerability.fix)} is reachable from the code"
        + (f" ({advisory.summary})" if advisory.summary else "")
        + (f": {vulnerability.trace}" if vulnerability.trace else "")
        + f"; {_upgrade(vulnerability)}"
    )
    evidence = [_evidence(ctx, vulnerability.path, vulnerability.line)]
    if vulnerability.trace_path:
        evidence.insert(0, _evidence(ctx, vulnerability.trace_path, vulnerability.trace_line))
    return Failure(message, tuple(evidence), Severity.BLOCKER)


def _unreached(
    ctx: CheckContext,
    path: str,
    module: str,
    version: str,
    reachable: bool | None,
    found: list[results.Vulnerability],
) -> Failure:
    found = sorted(found, key=lambda v: v.advisories[0].id)
    names = [
        f"{v.advisories[0].id}"
        + (f" ({', '.join(v.advisories[0].aliases)})" if v.advisories[0].aliases else "")
        for v in found
    ]
    listed = ", ".join(names[:_LISTED]) + (
        f" and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
    )
    fix = versions.combined_fix(
        [v.fix.removeprefix("go").removeprefix("v") if v.fix else None for v in found]
    )
    upgrade = (
        f"upgrade to {'go' if module == 'stdlib' else 'v'}{fix} or later"
        if fix
        else "not every advisory has a fixed release yet"
    )
    if reachable is None:
        how = "match the version in go.mod (module level: whether the code calls them was not analysed"
        how += ", and the toolchain that builds it may be newer)" if module == "stdlib" else ")"
    else:
        how = "affect the module, but no call path from the code reaches the vulnerable functions"
    message = f"{module} {version} ({path}): {_plural(len(found), 'advisory')} {how}: {listed}; {upgrade}"
    line = found[0].line
    return Failure(message, (_evidence(ctx, path, line),), Severity.RISK)


@check(
    id="security/node-vulnerabilities",
    question=seed.DEPENDENCY_VULNS,
    title="Locked Node packages have no known vulnerabilities (npm audit / OSV)",
    severity=Severity.BLOCKER,
    rationale="""
        A lock file pins every package of the tree, transitive ones included, so each locked
        version can be matched against published advisories. Severity follows the advisory's
        CVSS or GitHub severity (critical and high block, moderate is a risk, low a
        recommendation); dev-only packages are recommendations.
    """,
    looks_at="""
        package-lock.json, npm-shrinkwrap.json, yarn.lock and pnpm-lock.yaml. With an OSV URL
        (`--osv-url`), every locked version is matched through that service's querybatch API;
        without one, `npm audit --json --package-lock-only` asks the configured npm registry
        (package-lock.json only). Nothing is installed and no script runs.
    """,
    remediation="""
        Upgrade the package (or the dependency that pulls it in) to the fixed version, or force
        it with `overrides` (npm) / `resolutions` (yarn) / `pnpm.overrides`, regenerate the lock
        file, and re-run the scan.
    """,
    example="""
        npm install lodash@4.17.21 && git add package-lock.json
    """,
    scanners=(NPM_AUDIT,),
)
def node_vulnerabilities(ctx: CheckContext) -> CheckResult:
    report = _report(ctx, NPM_AUDIT)
    if report is None:
        return CheckResult.not_assessed("npm audit produced no report")
    if not report.manifests:
        return CheckResult.not_applicable("no Node lock file")
    return _result(ctx, report, _package_failures(ctx, report), "the locked Node packages")


@check(
    id="security/pinned-dependencies",
    question=seed.DEPENDENCY_VULNS,
    title="Dependencies are pinned to exact versions, so they can be audited",
    severity=Severity.RISK,
    rationale="""
        A range (`requests>=2.20`) installs whatever is newest on the day of the build: the
        audit checked one version, production runs another, and a compromised or broken
        release ships without a change in the repository. Unpinned requirements can't be
        audited at all and are left out of the vulnerability scans. The same holds for a Node
        package without a lock file.
    """,
    looks_at="""
        The Python install manifests (requirements files, lock files, and `pyproject.toml` when
        no lock or requirements file sits beside it): every requirement must be `name==version`
        (a lock file always is). Ranges in a `pyproject.toml` are fine when a lock or compiled
        requirements file beside it pins them. Development manifests are reported as
        recommendations. `package.json` files that declare dependencies need a lock file in
        their directory or a parent (workspaces). A go.mod requirement or a Node lock-file entry
        whose version or name the tool would not read as written (`0.7.0` for `v0.7.0`,
        `04.17.4`, a newline) is reported on its line: it is left out of the audit. A Node lock
        entry is a blocker, since npm may install it anyway; a go.mod line is a risk (the go
        command refuses it, so the build fails).
    """,
    remediation="""
        Keep ranges in pyproject.toml and pin what gets installed: `pip-compile` (pip-tools),
        `uv lock`/`uv pip compile`, `poetry lock` or `pdm lock`, and install from the pinned
        file (ideally with `--require-hashes`). For Node, commit the lock file and use
        `npm ci`.
    """,
    example="""
        # requirements.txt, generated: pip-compile --generate-hashes pyproject.toml
        requests==2.32.3 \\
            --hash=sha256:...
    """,
)
def pinned_dependencies(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    failures: list[Failure] = []
    pinned: list[Evidence] = []
    manifests = dependencies.manifests(repo)
    for manifest in manifests:
        for line, problem in manifest.problems:
            failures.append(Failure(f"{manifest.path}: {problem}", (repo.evidence(manifest.path, line),)))
        for requirement in manifest.unpinned:
            dev = manifest.dev or requirement.dev
            failures.append(
                Failure(
                    f"{requirement.text!r} in {manifest.path} is not pinned to one version, so it is not "
                    "audited" + (" (development dependency)" if dev else ""),
                    (repo.evidence(manifest.path, requirement.line),),
                    Severity.RECOMMENDATION if dev else None,
                )
            )
        if manifest.pinned and not manifest.unpinned:
            pinned.append(repo.evidence(manifest.path))
    unreadable = _unreadable_entries(ctx)
    failures += unreadable
    packages = _node_packages(ctx)
    locks = {PurePosixPath(path).parent.as_posix() for path in repo.named(*node_locks.LOCK_NAMES)}
    for path, line in packages:
        directory = PurePosixPath(path).parent
        if any(d.as_posix() in locks for d in (directory, *directory.parents)):
            pinned.append(repo.evidence(path))
            continue
        failures.append(
            Failure(
                f"{path} declares dependencies but no lock file (package-lock.json, yarn.lock, "
                "pnpm-lock.yaml) pins them: every install resolves the ranges anew",
                (repo.evidence(path, line),),
            )
        )
    if not manifests and not packages and not unreadable:
        return CheckResult.not_applicable(
            "no Python dependency manifest and no package.json with dependencies"
        )
    return CheckResult.from_failures(failures, f"{len(pinned)} manifest(s) pin every dependency", *pinned)


def _unreadable_entries(ctx: CheckContext) -> list[Failure]:
    """go.mod requirements and Node lock entries the parsers refused (the scanners left them
    out, so nothing audited them), one failure on each line."""
    repo = ctx.repo
    found: list[tuple[str, tuple[tuple[int, str], ...], Severity | None]] = []
    for path in repo.named("go.mod"):
        if gomod.is_module_file(path):
            # The go command refuses such a line too: the build fails before anything ships.
            found.append((path, gomod.parse(path, repo.text(path)).problems, None))
    for path in repo.named(*node_locks.LOCK_NAMES):
        # npm reads some spellings loosely (04.17.4 installs 4.17.4), so an entry the audit
        # could not read may still ship: fail closed, as if it were the vulnerable version.
        found.append((path, node_locks.parse(path, repo.text(path)).problems, Severity.BLOCKER))
    return [
        Failure(f"{path}: {problem}", (repo.evidence(path, line),), severity)
        for path, problems, severity in found
        for line, problem in problems
    ]


def _node_packages(ctx: CheckContext) -> list[tuple[str, int]]:
    """package.json files that declare runtime or dev dependencies, with the line that does."""
    found = []
    for path in ctx.repo.named("package.json"):
        try:
            data = json.loads(ctx.repo.text(path))
        except ValueError:
            continue  # not this check's to judge: npm itself would refuse the file
        if not isinstance(data, dict):
            continue
        keys = [k for k in ("dependencies", "devDependencies") if isinstance(data.get(k), dict) and data[k]]
        if not keys:
            continue
        lines = ctx.repo.lines(path)
        line = next((n for n, text in enumerate(lines, start=1) if f'"{keys[0]}"' in text), 1)
        found.append((path, line))
    return found
