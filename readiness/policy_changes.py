"""What a pull request's `.readiness.yml` would change in the policy that gates it.

On a pull request the gate applies the base commit's policy: the change under review cannot
switch its own gate off. What the head's configuration changes is still worth a reviewer's eye,
so it is listed, one line per change, for the PR comment and the check run ("take effect after
merge"). Every value here was written by the pull request's author: it is shown as inert code.
"""

from __future__ import annotations

from collections.abc import Iterable

from readiness.config import Config
from readiness.render.inert import inline_code

_MAX_SHOWN = 8


def _code(value: object) -> str:
    """A value as inline code that cannot close itself, break the line, mention or link anyone."""
    return inline_code(value, 120)


def _listed(values: Iterable[object]) -> str:
    items = sorted(str(v) for v in values)
    shown = ", ".join(_code(v) for v in items[:_MAX_SHOWN])
    return shown + (f" and {len(items) - _MAX_SHOWN} more" if len(items) > _MAX_SHOWN else "")


def between(base: Config, head: Config) -> list[str]:
    """The head's policy changes against the base, loosening ones first, as one line each."""
    changes: list[str] = []
    if added := head.disabled_categories - base.disabled_categories:
        changes.append(f"disables the categories {_listed(c.value for c in added)}")
    if added_checks := head.disabled_checks - base.disabled_checks:
        changes.append(f"disables the checks {_listed(added_checks)}")
    for check, severity in sorted(head.severity.items()):
        if base.severity.get(check) != severity:
            was = base.severity.get(check)
            changes.append(
                f"sets the severity of {_code(check)} to {_code(severity.value)}"
                + (f" (was {_code(was.value)})" if was else "")
            )
    if head.allow_waivers and not base.allow_waivers:
        changes.append("allows waivers, which the base policy forbids")
    for waiver in head.waivers:
        if waiver not in base.waivers:
            same = [w for w in base.waivers if w.check == waiver.check and w.paths == waiver.paths]
            verb = "extends the waiver of" if same else "waives"
            where = f" on {_listed(waiver.paths)}" if waiver.paths else ""
            changes.append(
                f"{verb} {_code(waiver.check)}{where} until {waiver.expires.isoformat()} "
                f"(owner {_code(waiver.owner)}: {_code(waiver.reason)})"
            )
    if excluded := set(head.exclude) - set(base.exclude):
        changes.append(f"excludes {_listed(excluded)} from the scan")
    if added_inline := head.inline_suppressions - base.inline_suppressions:
        changes.append(f"lets nosemgrep comments suppress {_listed(added_inline)}")
    if head.allow_wide_exclude and not base.allow_wide_exclude:
        changes.append("allows `exclude` to remove most of the production files")
    if marked := set(head.test_paths) - set(base.test_paths):
        changes.append(f"treats {_listed(marked)} as test paths (their findings are downgraded)")
    if head.traffic != base.traffic:
        changes.append(
            f"changes the traffic numbers to peak {_code(head.traffic.expected_peak_rps)} rps and p99 "
            f"{_code(head.traffic.p99_latency_ms)} ms"
        )
    if set(head.kill_switches) != set(base.kill_switches):
        changes.append(f"changes the kill switches to {_listed(head.kill_switches) or 'none'}")
    if head.vulnerabilities != base.vulnerabilities:
        changes.append("points the vulnerability sources elsewhere (ignored: only the base policy sets them)")
    if head.checkpoint_path != base.checkpoint_path:
        changes.append("moves the checkpoint (ignored: only the base policy sets it)")
    if removed := base.disabled_checks - head.disabled_checks:
        changes.append(f"re-enables the checks {_listed(removed)}")
    return changes
