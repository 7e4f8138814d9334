"""What a pull request changed against its base branch: new, fixed and existing findings.

The base's checkpoint holds raw check results, not findings. The CURRENT policy (severity
overrides, waivers, test paths, disabled checks) is applied to them, so both sides are judged by
the same rules and a waiver added in this PR doesn't show up as a "fix". Findings are matched by
their stable fingerprint (readiness.fingerprint), which survives line shifts.

Only blockers and risks that aren't waived take part. The comparison leans towards "new" where
it can't prove otherwise, because ``fail-on: new-blockers`` gates on it:

- a finding in a category the base checkpoint lacks, or of a check the base didn't run, is new;
- a finding whose severity is higher than on the base (a risk that became a blocker) is new;
- a base finding counts as fixed only if its check actually ran now (passed or failed): a check
  that couldn't look this time (a scanner timed out) has fixed nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from readiness import policy, registry, scoring
from readiness.checkpoint import CategoryState
from readiness.config import Config
from readiness.fingerprint import fingerprint
from readiness.model import (
    Assessment,
    Category,
    CheckOutcome,
    Delta,
    Finding,
    Light,
    Outcome,
    Severity,
    Verdict,
)

COMPARED = (Severity.BLOCKER, Severity.RISK)


def base_outcomes(
    states: Mapping[Category, CategoryState], config: Config, today: dt.date
) -> dict[Category, list[CheckOutcome]]:
    """The base's raw results under the current policy, as the engine would have judged them.
    Results of checks that no longer exist are dropped."""
    known = registry.known_ids()
    outcomes: dict[Category, list[CheckOutcome]] = {}
    for category, state in states.items():
        judged = []
        for check_id, raw in sorted(state.results.items()):
            if check_id not in known:
                continue
            spec = registry.get(check_id)
            if spec.category is not category:
                continue
            judged.append(
                policy.disabled(spec)
                if check_id in config.disabled_checks
                else policy.apply(spec, raw, config, today)
            )
        outcomes[category] = judged
    return outcomes


def compare(
    current: Assessment,
    base: Mapping[Category, CategoryState],
    config: Config,
    today: dt.date | None = None,
) -> Delta:
    """The delta of ``current`` against the base branch's checkpoint states."""
    today = today or current.generated_at.date()
    judged = base_outcomes(base, config, today)
    new: list[Finding] = []
    fixed: list[Finding] = []
    existing: list[Finding] = []
    changes: list[tuple[Category, Light, Light]] = []
    uncovered: list[Category] = []

    for result in current.categories:
        if result.category not in judged:
            uncovered.append(result.category)
            new += _compared(result.findings())
            continue
        base_checks = judged[result.category]
        before = scoring.light(base_checks, base[result.category].answers)
        if before is not result.light:
            changes.append((result.category, before, result.light))
        ran_now = {c.check_id for c in result.checks if c.outcome in (Outcome.PASS, Outcome.FAIL)}
        n, f, e = _match(
            _compared(result.findings()),
            _compared(x for c in base_checks for x in c.findings),
        )
        new += n
        existing += e
        fixed += [finding for finding in f if finding.check_id in ran_now]
    return Delta(new, fixed, existing, changes, uncovered)


def gate_new_blockers(
    delta: Delta | None, current: Assessment, allow_incomplete: bool = False
) -> tuple[Verdict, str]:
    """The verdict under ``fail-on: new-blockers``: No-Go only on blockers this PR introduced,
    and on a scan that could not look (blocker-level checks not assessed) unless that is accepted.

    Without a base (``delta`` None) it falls back to ``fail-on: blocker`` and says so."""
    if delta is None:
        verdict, justification = scoring.verdict(
            current.categories,
            scoring.FailOn.BLOCKER,
            allow_incomplete,
            scope_problem=current.scope_problem or None,
        )
        note = "no base branch state was available, so fail-on new-blockers fell back to blocker"
        return verdict, f"{justification} ({note})"
    new = delta.new_blockers
    old = [f for f in delta.existing if f.severity is Severity.BLOCKER]
    kept = f"; {len(old)} blocker(s) already on the base branch do not gate this PR" if old else ""
    if current.scope_problem:  # a scan of too little of the code has nothing to compare
        return Verdict.NO_GO, f"No-Go (scope): {current.scope_problem}."
    if new:
        titles = "; ".join(dict.fromkeys(f.title for f in new[:3]))
        more = f"; and {len(new) - 3} more" if len(new) > 3 else ""
        return Verdict.NO_GO, f"No-Go: {len(new)} blocker(s) new in this PR ({titles}{more}){kept}."
    if (gaps := scoring.incomplete(current.categories)) and not allow_incomplete:
        return Verdict.NO_GO, scoring.incomplete_justification(gaps) + kept
    return Verdict.GO, f"Go: no blocker is new in this PR{kept}."


def _compared(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in COMPARED and not f.waived]


def _match(
    current: Sequence[Finding], base: Sequence[Finding]
) -> tuple[list[Finding], list[Finding], list[Finding]]:
    """(new, fixed, existing) by fingerprint; identical findings are matched one for one, the
    most severe with the most severe."""
    by_print: dict[str, list[Finding]] = defaultdict(list)
    for finding in base:
        by_print[fingerprint(finding)].append(finding)
    for group in by_print.values():
        group.sort(key=lambda f: -f.severity.rank)
    new: list[Finding] = []
    existing: list[Finding] = []
    for finding in sorted(current, key=lambda f: -f.severity.rank):
        candidates = by_print.get(fingerprint(finding))
        if not candidates:
            new.append(finding)
            continue
        before = candidates.pop(0)
        (new if finding.severity.rank > before.severity.rank else existing).append(finding)
    fixed = [finding for group in by_print.values() for finding in group]
    order = {id(f): i for i, f in enumerate(current)}
    new.sort(key=lambda f: order[id(f)])
    existing.sort(key=lambda f: order[id(f)])
    return new, fixed, existing
