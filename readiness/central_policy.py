"""A central policy: floors that a repository's own `.readiness.yml` may tighten, never loosen.

Platform teams own the gate; service teams own their configuration. The central file (the
Action's ``policy`` input, the CLI's ``--policy``) lives where the change under review cannot edit
it, and :func:`enforce` applies it to whatever the repository's configuration says. Every attempt
to go below a floor is undone and listed with the rule it broke, so the report shows the team's
intent and why it did not count.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from readiness import registry
from readiness.config import Config, ConfigError, known_check, read_policy_file, validated
from readiness.model import Category, Severity, Waiver

_SEVERITIES = [severity.value for severity in Severity]
_CHECK_PATTERN = {"type": "string", "minLength": 1}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "readiness central policy",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "required_categories": {"type": "array", "items": {"enum": [c.value for c in Category]}},
        "required_checks": {
            "type": "array",
            "items": _CHECK_PATTERN,
            "description": "check ids or shell patterns (security/*): never disabled, waived or lowered",
        },
        "minimum_severity": {"type": "object", "additionalProperties": {"enum": _SEVERITIES}},
        "allow_waivers": {"type": "boolean"},
        "max_waiver_days": {"type": "integer", "minimum": 1},
        "waiver_owners": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "description": "the owners a waiver may name (a team that answers for it)",
        },
        "inline_suppressions": {
            "type": "array",
            "items": _CHECK_PATTERN,
            "description": "the most checks a repository may let nosemgrep comments suppress",
        },
        "allow_wide_exclude": {"type": "boolean"},
    },
}


@dataclass(frozen=True)
class CentralPolicy:
    source: str
    required_categories: frozenset[Category] = frozenset()
    required_checks: tuple[str, ...] = ()  # ids or fnmatch patterns
    minimum_severity: dict[str, Severity] = dataclasses.field(default_factory=dict)
    allow_waivers: bool = True
    max_waiver_days: int | None = None
    waiver_owners: tuple[str, ...] = ()  # empty: any owner
    inline_suppressions: tuple[str, ...] | None = None  # None: whatever the repository allows
    allow_wide_exclude: bool = False

    def requires(self, check_id: str) -> bool:
        return any(fnmatchcase(check_id, pattern) for pattern in self.required_checks)


def parse(text: str, display: str, *, known_checks: set[str]) -> CentralPolicy:
    data = validated(text, display, SCHEMA)
    for key in ("required_checks", "inline_suppressions"):
        for index, pattern in enumerate(data.get(key) or []):
            if not any(fnmatchcase(check, pattern) for check in known_checks):
                known_check(data, display, pattern, [key, index], known_checks)  # raises, with a hint
    minimum = {
        known_check(data, display, check, ["minimum_severity", check], known_checks): Severity(value)
        for check, value in (data.get("minimum_severity") or {}).items()
    }
    inline = data.get("inline_suppressions")
    return CentralPolicy(
        source=display,
        required_categories=frozenset(Category(c) for c in data.get("required_categories") or []),
        required_checks=tuple(data.get("required_checks") or ()),
        minimum_severity=minimum,
        allow_waivers=data.get("allow_waivers", True),
        max_waiver_days=data.get("max_waiver_days"),
        waiver_owners=tuple(data.get("waiver_owners") or ()),
        inline_suppressions=tuple(inline) if inline is not None else None,
        allow_wide_exclude=data.get("allow_wide_exclude", False),
    )


def load(path: Path, *, known_checks: set[str]) -> CentralPolicy:
    """The central policy in ``path``; a policy that was asked for and can't be read is an error,
    never a silent absence of floors."""
    try:
        text = read_policy_file(path)
    except ConfigError as error:
        raise ConfigError(error.file, 0, "", f"cannot read the central policy: {error.message}") from None
    return parse(text, str(path), known_checks=known_checks)


def enforce(config: Config, central: CentralPolicy, today: dt.date) -> tuple[Config, list[str]]:
    """``config`` raised to the central floors, and one line per loosening that was undone."""
    broken: list[str] = []
    where = config.source or "the configuration"

    def undone(what: str, rule: str) -> None:
        broken.append(f"{where} {what}: not applied (central policy {central.source}, `{rule}`)")

    categories = config.disabled_categories
    for category in sorted(categories & central.required_categories, key=lambda c: c.value):
        undone(f"disables the category `{category.value}`", "required_categories")
    categories -= central.required_categories

    checks = set(config.disabled_checks)
    for check in sorted(c for c in checks if central.requires(c)):
        undone(f"disables `{check}`", "required_checks")
        checks.discard(check)

    severity = dict(config.severity)
    for check, lowered in sorted(config.severity.items()):
        floor = central.minimum_severity.get(check)
        if floor is not None and lowered.rank < floor.rank:
            undone(f"lowers `{check}` to {lowered.value}", f"minimum_severity: {floor.value}")
            severity[check] = floor
        elif central.requires(check) and lowered.rank < _default_rank(check, lowered):
            undone(f"lowers `{check}` to {lowered.value}", "required_checks")
            del severity[check]
    for check, floor in central.minimum_severity.items():
        if check not in severity and _default_rank(check, floor) < floor.rank:
            severity[check] = floor  # the catalogue's default is below the floor: raised

    waivers: list[Waiver] = []
    for waiver in config.waivers:
        rule = _waiver_rule(waiver, central, today)
        if rule is None:
            waivers.append(waiver)
        else:
            undone(f"waives `{waiver.check}` until {waiver.expires.isoformat()}", rule)

    inline = set(config.inline_suppressions)
    if central.inline_suppressions is not None:
        allowed = central.inline_suppressions
        for check in sorted(c for c in inline if not any(fnmatchcase(c, p) for p in allowed)):
            undone(f"lets nosemgrep comments suppress `{check}`", "inline_suppressions")
            inline.discard(check)

    wide = config.allow_wide_exclude
    if wide and not central.allow_wide_exclude:
        undone("allows `exclude` to remove most of the production files", "allow_wide_exclude: false")
        wide = False

    enforced = dataclasses.replace(
        config,
        disabled_categories=categories,
        disabled_checks=frozenset(checks),
        severity=severity,
        allow_waivers=config.allow_waivers and central.allow_waivers,
        waivers=tuple(waivers),
        inline_suppressions=frozenset(inline),
        allow_wide_exclude=wide,
    )
    return enforced, broken


def _waiver_rule(waiver: Waiver, central: CentralPolicy, today: dt.date) -> str | None:
    """The central rule a waiver breaks, or None."""
    if not central.allow_waivers:
        return "allow_waivers: false"
    if central.requires(waiver.check):
        return "required_checks"
    if central.max_waiver_days is not None and (waiver.expires - today).days > central.max_waiver_days:
        return f"max_waiver_days: {central.max_waiver_days}"
    if central.waiver_owners and waiver.owner not in central.waiver_owners:
        return "waiver_owners"
    return None


def _default_rank(check_id: str, fallback: Severity) -> int:
    """The catalogue's default severity of a check (its rank), ``fallback`` for unknown ids."""
    return registry.get(check_id).severity.rank if check_id in registry.known_ids() else fallback.rank
