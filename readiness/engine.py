"""The engine: runs the catalogue over a repository, category by category, checkpointing.

It takes a directory and a config and returns an :class:`Assessment`. It prints nothing and
never exits; the CLI and the Action decide what to do with the result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from readiness import __version__, checkpoint, policy, registry, scoring
from readiness.config import Config
from readiness.context import CheckContext
from readiness.model import (
    Assessment,
    Category,
    CategoryResult,
    CheckResult,
    Outcome,
    RepoStats,
    ScannerRun,
)
from readiness.registry import CheckSpec
from readiness.repo import Recording, Repo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanRequest:
    root: Path
    config: Config
    fail_on: scoring.FailOn = scoring.FailOn.BLOCKER
    categories: frozenset[Category] | None = None  # None: all that the config doesn't disable
    checkpoint_path: Path | None = None  # None: no checkpointing
    resume: bool = False
    exclude: tuple[str, ...] = ()  # extra excludes (the tool's own output folders)
    scanner_results: Mapping[str, Any] = field(default_factory=dict)
    scanner_runs: tuple[ScannerRun, ...] = ()
    today: dt.date | None = None


CategoryCallback = Callable[[CategoryResult], None]


def assess(request: ScanRequest, on_category: CategoryCallback | None = None) -> Assessment:
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    today = request.today or started.date()
    config = request.config
    repo = Repo(request.root, exclude=(*config.exclude, *request.exclude))
    warnings: list[str] = []

    saved: dict[Category, checkpoint.CategoryState] = {}
    if request.checkpoint_path is not None and request.resume:
        saved, load_warnings = checkpoint.load(request.checkpoint_path, config.project)
        warnings += load_warnings

    selected = [
        category
        for category in Category
        if category not in config.disabled_categories
        and (request.categories is None or category in request.categories)
    ]
    warnings += [
        f"category {c.label} is disabled in the configuration"
        for c in Category
        if c in config.disabled_categories
    ]
    scanner_versions = {run.name: run.version or "" for run in request.scanner_runs}
    tree = repo.tree_digest()

    states: dict[Category, checkpoint.CategoryState] = {}
    results: list[CategoryResult] = []
    for index, category in enumerate(selected):
        specs = registry.checks_for(category)
        fingerprint = _fingerprint(category, specs, config, tree, scanner_versions)
        previous = saved.get(category)
        reused = previous is not None and _still_valid(previous, fingerprint, repo, specs)
        if reused and previous is not None:
            raw, inputs = previous.results, previous.inputs
            log.info("reusing %s from the checkpoint: inputs unchanged", category.value)
        else:
            raw, inputs = _run_category(specs, repo, config, request.scanner_results)

        outcomes = tuple(
            policy.disabled(spec)
            if spec.id in config.disabled_checks
            else policy.apply(spec, raw[spec.id], config, today)
            for spec in specs
        )
        result = CategoryResult(category, outcomes, scoring.light(outcomes), reused=reused)
        results.append(result)
        states[category] = checkpoint.CategoryState(
            fingerprint=fingerprint,
            inputs=inputs,
            completed_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            light=result.light.value,
            results=raw,
        )
        if request.checkpoint_path is not None:
            checkpoint.save(
                request.checkpoint_path,
                project=config.project,
                readiness_version=__version__,
                started_at=started,
                states=states,
                completed=results,
                remaining=selected[index + 1 :],
            )
        if on_category is not None:
            on_category(result)

    verdict, justification = scoring.verdict(results, request.fail_on)
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
            skipped=tuple(sorted(repo.skipped.items())),
            services=tuple((s.name, s.path, s.language) for s in repo.services()),
        ),
        scanners=request.scanner_runs,
        warnings=tuple(warnings),
        parse_problems=tuple(str(problem) for problem in repo.problems.values()),
    )


def _run_category(
    specs: Sequence[CheckSpec], repo: Repo, config: Config, scanner_results: Mapping[str, Any]
) -> tuple[dict[str, CheckResult], dict[str, str]]:
    """Run every enabled check of a category; return raw results and the digests of what they read."""
    raw: dict[str, CheckResult] = {}
    read: set[str] = set()
    context = CheckContext(repo, config, scanner_results)
    for spec in specs:
        if spec.id in config.disabled_checks:
            raw[spec.id] = CheckResult.not_applicable("disabled in the configuration")
            continue
        with repo.recording() as recording:
            raw[spec.id] = run_check(spec, context, recording)
        read |= recording.paths
    return raw, {path: repo.digest(path) for path in sorted(read)}


def run_check(spec: CheckSpec, context: CheckContext, recording: Recording) -> CheckResult:
    """One check, fail-closed: a crash, a missing scanner or an unparsable input is not-assessed."""
    missing = [name for name in spec.scanners if name not in context.scanner_results]
    if missing:
        return CheckResult.not_assessed(f"scanner not available: {', '.join(missing)}")
    try:
        result = spec.function(context)
    except Exception as error:  # a crashing check must not take the scan down, nor pass
        log.debug("check %s crashed", spec.id, exc_info=True)
        return CheckResult.not_assessed(f"check crashed: {type(error).__name__}: {error}")
    if recording.problems and result.outcome is not Outcome.FAIL:
        problems = "; ".join(str(p) for p in sorted(recording.problems.values(), key=str))
        return CheckResult.not_assessed(f"input could not be parsed: {problems}")
    return result


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


def _still_valid(
    state: checkpoint.CategoryState, fingerprint: str, repo: Repo, specs: Sequence[CheckSpec]
) -> bool:
    if state.fingerprint != fingerprint:
        return False
    if set(state.results) != {spec.id for spec in specs}:
        return False
    return all(repo.digest(path) == digest for path, digest in state.inputs.items())
