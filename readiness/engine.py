"""The engine: runs the catalogue over a repository, category by category, checkpointing.

It takes a directory and a config and returns an :class:`Assessment`. It prints nothing and
never exits; the CLI and the Action decide what to do with the result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib
import json
import logging
import pkgutil
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from readiness import (
    __version__,
    answers,
    checkpoint,
    partial,
    policy,
    redact,
    registry,
    scope,
    scoring,
    seed,
    suppressions,
)
from readiness.config import Config
from readiness.context import CheckContext
from readiness.facts.production import is_production
from readiness.model import (
    Assessment,
    Category,
    CategoryResult,
    CheckInfo,
    CheckResult,
    Outcome,
    QuestionAnswer,
    RepoStats,
)
from readiness.registry import CheckSpec
from readiness.repo import Recording, Repo
from readiness.results import MatchList
from readiness.scanners import semgrep as semgrep_rules
from readiness.scanners import semgrep_cache
from readiness.scanners.base import NOT_ASSESSED, SKIPPED, Scanner, ScanOutput, ScanSettings, rules_root
from readiness.shard import Shard

log = logging.getLogger(__name__)


def load_catalogue() -> None:
    """Import every check module (each registers its checks) and validate the declared semgrep
    rules against the rule files, once. The engine owns this: the registry stays passive."""
    global _catalogue_loaded
    if _catalogue_loaded:
        return
    import readiness.checks as package

    for module in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
        importlib.import_module(module.name)
    registry.validate_rules(rule_ids())
    _catalogue_loaded = True


_catalogue_loaded = False


def rule_ids() -> set[str]:
    """The ids of every semgrep rule shipped in readiness/rules."""
    found: set[str] = set()
    for path in rules_root().rglob("*.yaml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found |= {str(rule["id"]) for rule in document.get("rules") or [] if isinstance(rule, dict)}
    return found


@dataclass(frozen=True)
class ScanRequest:
    root: Path
    config: Config
    fail_on: scoring.FailOn = scoring.FailOn.BLOCKER
    categories: frozenset[Category] | None = None  # None: all that the config doesn't disable
    checkpoint_path: Path | None = None  # None: no checkpointing
    resume: bool = False
    exclude: tuple[str, ...] = ()  # extra excludes (the tool's own output folders)
    scanners: Sequence[Scanner] = ()
    scanner_timeout: float = 600.0
    today: dt.date | None = None
    allow_incomplete: bool = False  # a blocker-level check not assessed still lets the verdict be Go
    policy_notes: tuple[str, ...] = ()  # what enforcing a central policy undid (central_policy)
    # The scanners' outputs, already run (``readiness merge`` of shards): no scanner runs here.
    precomputed: Mapping[str, ScanOutput] | None = None


CategoryCallback = Callable[[CategoryResult], None]


def assess(request: ScanRequest, on_category: CategoryCallback | None = None) -> Assessment:
    load_catalogue()
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    today = request.today or started.date()
    config = request.config
    repo = Repo(request.root, exclude=config.exclude, ignore=request.exclude)
    covered = scope.coverage(repo, config)
    inline = suppressions.find(repo)
    warnings: list[str] = []

    saved: dict[Category, checkpoint.CategoryState] = {}
    kept: dict[str, Any] = {}
    if request.checkpoint_path is not None and request.resume:
        saved, kept, load_warnings = checkpoint.load_with_scanners(
            request.checkpoint_path, config.project, root=request.root
        )
        warnings += load_warnings

    selected = selected_categories(request)
    warnings += [
        f"category {c.label} is disabled in the configuration"
        for c in Category
        if c in config.disabled_categories
    ]
    scanners = {scanner.name: scanner for scanner in request.scanners}
    with ThreadPoolExecutor(max_workers=max(1, len(scanners))) as pool:
        versions = dict(
            zip(scanners, pool.map(lambda s: s.version() or "missing", scanners.values()), strict=True)
        )
    tree = repo.tree_digest()

    plans: list[tuple[Category, list[CheckSpec], str, checkpoint.CategoryState | None]] = []
    for category in selected:
        specs = registry.checks_for(category)
        fingerprint = _fingerprint(category, specs, config, tree, versions)
        previous = saved.get(category)
        reusable = None
        if previous is not None and _fresh_enough(previous, specs, scanners, config, started):
            reusable = previous if _still_valid(previous, fingerprint, repo, specs) else None
        plans.append((category, specs, fingerprint, reusable))

    # Scanners run once, in parallel, and only for categories that will actually run.
    needed = {
        name for _, specs, _, reusable in plans if reusable is None for s in specs for name in s.scanners
    }
    running = [category for category, _, _, reusable in plans if reusable is None]
    settings = scanner_settings(config, running, kept, warnings)
    if request.precomputed is not None:
        outputs = {
            name: request.precomputed.get(name)
            or ScanOutput(name, NOT_ASSESSED, "no partial result holds this scanner's output")
            for name in sorted(needed)
            if name in scanners
        }
    else:
        outputs = _run_scanners(
            [scanners[n] for n in sorted(needed) if n in scanners], repo, request.scanner_timeout, settings
        )
    scanner_inputs = {name: list(scanners[name].targets(repo, settings[name])) for name in outputs}
    scanner_state = _state_to_keep(outputs, kept)

    states: dict[Category, checkpoint.CategoryState] = {}
    results: list[CategoryResult] = []
    for index, (category, specs, fingerprint, reusable) in enumerate(plans):
        if reusable is not None:
            raw, inputs, answered = reusable.results, reusable.inputs, reusable.answers
            log.info("reusing %s from the checkpoint: inputs unchanged", category.value)
        else:
            raw, inputs, answered = _run_category(category, specs, repo, config, outputs, scanner_inputs)

        outcomes = tuple(
            policy.disabled(spec)
            if spec.id in config.disabled_checks
            else policy.apply(spec, raw[spec.id], config, today, inline)
            for spec in specs
        )
        result = CategoryResult(
            category,
            outcomes,
            scoring.light(outcomes, answered),
            reused=reusable is not None,
            answers=answered,
        )
        results.append(result)
        states[category] = checkpoint.CategoryState(
            fingerprint=fingerprint,
            inputs=inputs,
            completed_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            light=result.light.value,
            results=raw,
            answers=answered,
        )
        # A reused category is already in the checkpoint as it is: rewriting the whole file (with
        # semgrep's per-file cache in it) for it would only cost time; the last one is always saved.
        last = index == len(plans) - 1
        if request.checkpoint_path is not None and (reusable is None or last):
            checkpoint.save(
                request.checkpoint_path,
                project=config.project,
                readiness_version=__version__,
                started_at=started,
                states=states,
                completed=results,
                remaining=selected[index + 1 :],
                root=request.root,
                scanner_state=scanner_state,
            )
        if on_category is not None:
            on_category(result)

    scope_problem = covered.problem(config.allow_wide_exclude)
    verdict, justification = scoring.verdict(
        results, request.fail_on, request.allow_incomplete, scope_problem=scope_problem
    )
    return Assessment(
        project=config.project,
        root=str(request.root),
        generated_at=started,
        readiness_version=__version__,
        fail_on=request.fail_on.value,
        categories=tuple(results),
        verdict=verdict,
        justification=justification,
        repo=RepoStats(
            files_indexed=len(repo.paths),
            # A file's name can be the secret (`config/ghp_….json`): paths are shown redacted.
            skipped=tuple(sorted((redact.path(p), why) for p, why in repo.skipped.items())),
            services=tuple((s.name, redact.path(s.path), s.language) for s in repo.services()),
            listing=covered.listing,
            excluded=covered.excluded,
            excluded_note=covered.statement(),
            not_scanned=_not_scanned(outputs),
        ),
        scanners=tuple(output.run_record() for output in outputs.values()),
        warnings=tuple(warnings),
        parse_problems=tuple(redact.scrub(str(problem)) for problem in repo.problems.values()),
        scope_problem=scope_problem or "",
        policy_notes=(*request.policy_notes, *_inline_notes(inline, results)),
        catalogue=tuple(
            CheckInfo(
                s.id, s.category, s.title, s.question.text, s.severity, s.rationale, s.looks_at, s.remediation
            )
            for s in registry.all_checks()
        ),
    )


class _Settings(dict[str, ScanSettings]):
    """Each scanner's settings by name; a scanner with nothing kept gets the shared defaults."""

    def __init__(self, shared: ScanSettings, kept: Mapping[str, Any]) -> None:
        super().__init__({name: dataclasses.replace(shared, previous=state) for name, state in kept.items()})
        self.shared = shared

    def __missing__(self, name: str) -> ScanSettings:
        return self.shared


def scanner_settings(
    config: Config, running: Sequence[Category], kept: Mapping[str, Any], warnings: list[str]
) -> _Settings:
    """What the scanners are told: the policy's test paths, the semgrep rules that checks about to
    run read in tests, and what each scanner kept from the last trusted run (parsed here by its
    own module; an unreadable cache is dropped with a warning and everything is scanned)."""
    test_rules = frozenset(
        rule for category in running for spec in registry.checks_for(category) for rule in spec.test_rules
    )
    shared = ScanSettings(test_paths=tuple(config.test_paths), test_rules=test_rules)
    parsed: dict[str, Any] = {}
    if semgrep_rules.Semgrep.name in kept:
        try:
            parsed[semgrep_rules.Semgrep.name] = semgrep_cache.Cache.from_dict(
                kept[semgrep_rules.Semgrep.name]
            )
        except semgrep_cache.CacheError as error:
            warnings.append(f"ignoring the checkpoint's semgrep cache: {error}")
    return _Settings(shared, parsed)


def _state_to_keep(outputs: Mapping[str, ScanOutput], kept: Mapping[str, Any]) -> dict[str, Any]:
    """What the checkpoint keeps for the scanners' next run: a fresh state where a scanner ran
    and left one, else what the last run kept (a category reused from the checkpoint ran nothing)."""
    state = dict(kept)
    for name, output in outputs.items():
        if isinstance(output.state, semgrep_cache.Cache):
            state[name] = output.state.to_dict()
    return state


def _not_scanned(outputs: Mapping[str, ScanOutput]) -> tuple[tuple[str, int], ...]:
    output = outputs.get(semgrep_rules.Semgrep.name)
    data = output.data if output is not None else None
    return tuple(sorted(data.skipped.items())) if isinstance(data, MatchList) else ()


def run_shard(request: ScanRequest, chosen: Shard) -> partial.Partial:
    """The scanners of every selected category over this shard's slice of the tree (no checks:
    those run once, over the whole tree, when the parts are merged)."""
    load_catalogue()
    config = request.config
    repo = Repo(request.root, exclude=config.exclude, ignore=request.exclude)
    selected = selected_categories(request)
    scanners = {scanner.name: scanner for scanner in request.scanners}
    needed = sorted(
        {n for c in selected for s in registry.checks_for(c) for n in s.scanners if n in scanners}
    )
    units = [service.path for service in repo.services() if service.path != "."]
    settings = scanner_settings(config, selected, {}, [])
    sliced = _Settings(
        dataclasses.replace(settings.shared, select=lambda files: chosen.select(files, units, repo.paths)), {}
    )
    outputs = _run_scanners([scanners[n] for n in needed], repo, request.scanner_timeout, sliced)
    # What a scanner keeps for its next run is not part of a shard's result.
    outputs = {name: dataclasses.replace(output, state=None) for name, output in outputs.items()}
    return partial.Partial(chosen, repo.tree_digest(), config.digest(), __version__, tuple(selected), outputs)


def selected_categories(request: ScanRequest) -> list[Category]:
    """The categories a scan assesses: asked for (all by default) and not disabled by the policy."""
    return [
        category
        for category in Category
        if category not in request.config.disabled_categories
        and (request.categories is None or category in request.categories)
    ]


def _run_scanners(
    scanners: Sequence[Scanner], repo: Repo, timeout: float, settings: Mapping[str, ScanSettings]
) -> dict[str, ScanOutput]:
    if not scanners:
        return {}
    with ThreadPoolExecutor(max_workers=len(scanners)) as pool:
        futures = {
            scanner.name: pool.submit(_run_one_scanner, scanner, repo, timeout, settings[scanner.name])
            for scanner in scanners
        }
        return {name: future.result() for name, future in futures.items()}


def _run_one_scanner(scanner: Scanner, repo: Repo, timeout: float, settings: ScanSettings) -> ScanOutput:
    try:
        return scanner.run(repo, timeout, settings)
    except Exception as error:  # an adapter bug must not take the scan down, nor pass
        log.debug("scanner %s crashed", scanner.name, exc_info=True)
        return ScanOutput(scanner.name, NOT_ASSESSED, f"adapter crashed: {type(error).__name__}: {error}")


def _run_category(
    category: Category,
    specs: Sequence[CheckSpec],
    repo: Repo,
    config: Config,
    outputs: Mapping[str, ScanOutput],
    scanner_inputs: Mapping[str, list[str]],
) -> tuple[dict[str, CheckResult], dict[str, str], tuple[QuestionAnswer, ...]]:
    """Run every enabled check of a category and answer its questions; return the raw results,
    the digests of what they read, and the answers."""
    raw: dict[str, CheckResult] = {}
    read: set[str] = set()
    context = CheckContext(repo, config, {name: o.data for name, o in outputs.items() if o.ok})
    for spec in specs:
        if spec.id in config.disabled_checks:
            raw[spec.id] = CheckResult.not_applicable("disabled in the configuration")
            continue
        with repo.recording() as recording:
            # Scrubbed before it is stored or rendered anywhere: a check quoting the wrong line
            # must not leak a secret into the report, the PR comment or a checkpoint artifact.
            raw[spec.id] = redact.result(run_check(spec, context, recording, outputs))
        read |= recording.paths
        for name in spec.scanners:  # what a scanner read is an input of the checks that use it
            read.update(scanner_inputs.get(name, ()))
    with repo.recording() as recording:
        answered = tuple(
            redact.answer(a)
            for a in answers.for_questions(
                seed.of(category),
                specs,
                raw,
                repo,
                frozenset(config.disabled_checks),
                tuple(config.test_paths),
            )
        )
    read |= recording.paths
    return raw, {path: repo.digest(path) for path in sorted(read)}, answered


def run_check(
    spec: CheckSpec,
    context: CheckContext,
    recording: Recording,
    outputs: Mapping[str, ScanOutput] | None = None,
) -> CheckResult:
    """One check, fail-closed: a crash, a failed scanner or an unparsable input is not-assessed."""
    outputs = outputs or {}
    for name in spec.scanners:
        output = outputs.get(name)
        if output is not None and output.status == SKIPPED:
            return CheckResult.not_applicable(f"{name}: {output.detail}")
        if output is not None and not output.ok:
            return CheckResult.not_assessed(f"{name}: {output.detail}")
        if name not in context.scanner_results:
            return CheckResult.not_assessed(f"scanner {name} is not configured for this scan")
    context = dataclasses.replace(
        context, check_id=spec.id, rules=frozenset(spec.rules), test_rules=spec.test_rules
    )
    try:
        result = spec.function(context)
    except Exception as error:  # a crashing check must not take the scan down, nor pass
        log.debug("check %s crashed", spec.id, exc_info=True)
        return CheckResult.not_assessed(f"check crashed: {type(error).__name__}: {error}")
    if recording.problems and result.outcome is not Outcome.FAIL:
        problems = "; ".join(str(p) for p in sorted(recording.problems.values(), key=str))
        return CheckResult.not_assessed(f"input could not be parsed: {problems}")
    lost = unanalysed_for(spec, context.scanner_results.get("semgrep"), context.config.test_paths)
    if lost and result.outcome is not Outcome.FAIL:
        # What semgrep could not read may hold exactly what the check looks for.
        shown = "; ".join(f"{path}: {why}" for path, why in lost[:3])
        more = f"; and {len(lost) - 3} more" if len(lost) > 3 else ""
        return CheckResult.not_assessed(f"semgrep could not analyse {len(lost)} file(s) ({shown}{more})")
    return result


def unanalysed_for(spec: CheckSpec, data: object, test_paths: Sequence[str] = ()) -> list[tuple[str, str]]:
    """The files semgrep lost that one of the check's rules would have read. A per-rule timeout
    (semgrep names the rule) loses only that rule's matches; a parse error loses every rule of the
    file's language. A lost test file matters only to checks that judge tests."""
    if not isinstance(data, MatchList) or not data.unanalysed or not spec.rules:
        return []
    suffixes = semgrep_rules.rule_suffixes(rules_root())
    wanted = tuple(s for rule in spec.rules for s in suffixes.get(rule, ()))
    lost = []
    for path, why in data.unanalysed.items():
        if not path.endswith(wanted) or not (
            spec.tests_are_subject or is_production(path, tuple(test_paths))
        ):
            continue
        timed_out = _TIMED_OUT_RULE.search(why)
        if timed_out and timed_out.group(1).rsplit(".", 1)[-1] not in spec.rules:
            continue
        lost.append((path, why))
    return sorted(lost)


_TIMED_OUT_RULE = re.compile(r"Timeout when running (\S+) on ")


def _inline_notes(
    inline: Sequence[suppressions.InlineSuppression], results: Sequence[CategoryResult]
) -> list[str]:
    """One line per inline suppression comment: the check it waived, or that it waived nothing."""
    waived = [f for c in results for f in c.findings() if f.waived_by is not None]
    notes = []
    for comment in inline:
        checks = sorted({f.check_id for f in waived if f.waived_by == comment.waiver(f.check_id)})
        if checks:
            waives = ", ".join(checks)
            notes.append(f"{comment.where}: a nosemgrep comment waives {waives} (inline_suppressions)")
        else:
            notes.append(f"{comment.where}: a nosemgrep comment, an unapproved waiver: it suppresses nothing")
    return notes


def _fingerprint(
    category: Category,
    specs: Iterable[CheckSpec],
    config: Config,
    tree: str,
    scanner_versions: Mapping[str, str],
) -> str:
    material = {
        "category": category.value,
        "readiness": __version__,
        "checks": sorted(spec.id for spec in specs),
        "config": config.digest(),
        "tree": tree,
        "scanners": dict(sorted(scanner_versions.items())),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def _fresh_enough(
    state: checkpoint.CategoryState,
    specs: Sequence[CheckSpec],
    scanners: Mapping[str, Scanner],
    config: Config,
    now: dt.datetime,
) -> bool:
    """Advisory-based results expire: a vulnerability published since makes them stale."""
    uses_advisories = any(
        name in scanners and scanners[name].advisory_data for spec in specs for name in spec.scanners
    )
    if not uses_advisories:
        return True
    try:
        completed = dt.datetime.fromisoformat(state.completed_at)
    except ValueError:
        return False
    age = now - completed
    return dt.timedelta(0) <= age <= dt.timedelta(hours=config.vulnerabilities.max_age_hours)


def _still_valid(
    state: checkpoint.CategoryState, fingerprint: str, repo: Repo, specs: Sequence[CheckSpec]
) -> bool:
    if state.fingerprint != fingerprint:
        return False
    if set(state.results) != {spec.id for spec in specs}:
        return False
    questions = {q.key for spec in specs for q in seed.of(spec.category)}
    if {a.question for a in state.answers} != questions:
        return False  # a state without the answers to its questions can't stand in for a run
    return all(repo.digest(path) == digest for path, digest in state.inputs.items())
