"""Audit logging: does every admin action leave a record of who did what, and when?"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from readiness import seed
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP, matches
from readiness.facts.documents import is_test_path
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check

_GO_ROUTES = ("go-admin-route", "go-admin-group-route")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


@dataclass(frozen=True)
class AdminSurface:
    path: str
    line: int
    what: str  # "route PUT /admin/v1/...", "management command Command"
    handlers: tuple[str, ...]  # function names that may carry the audit call
    inline_audit: bool  # the handler expression itself names an audit wrapper


def _unit(path: str) -> str:
    """Where a handler's function can live: the Go package (directory), or the Python module."""
    return PurePosixPath(path).parent.as_posix() if path.endswith(".go") else path


def _surfaces(ctx: CheckContext) -> list[AdminSurface]:
    found: list[AdminSurface] = []
    for match in matches(ctx, *_GO_ROUTES, "py-admin-route", "py-management-command"):
        if is_test_path(ctx.config, match.path):
            continue
        handler = match.capture("$H") or match.capture("$F")
        if match.rule == "go-admin-group-route":
            sub = match.capture("$SUB").strip('"`')
            what = f"route {match.capture('$PATH')}{sub}"
        elif match.rule == "py-management-command":
            # A command's entry point is its handle() method.
            what, handler = f"management command {match.capture('$C')}", "handle"
        else:
            what = f"route {match.capture('$PATH')}"
        names = tuple(_IDENTIFIER.findall(handler))
        found.append(AdminSurface(match.path, match.line, what, names, "audit" in handler.lower()))
    return found


@check(
    id="compliance/audit-logging",
    question=seed.AUDIT_LOGGING,
    title="Admin and management actions emit audit events (who, what, when)",
    severity=Severity.RISK,
    rationale="""
        Admin endpoints change what the exchange does for everyone: floors, publisher settings,
        identity data. When a change causes an incident, or a publisher or regulator asks who
        deleted or exported personal data, the answer must come from an audit record (actor,
        action, target, time) written when it happened, not from guesswork and access logs.
    """,
    looks_at="""
        With semgrep: routes under /admin, /internal, /manage(ment) or /ops in Go (net/http
        ServeMux, gin/echo/chi, route groups) and Python (FastAPI/Flask/Starlette decorators),
        Django management commands and the Django admin (audited by its own LogEntry table); and
        calls inside each handler function that emit an audit event (a function, logger or
        object named audit, or a call whose string argument names audit, such as an INSERT
        into an audit table).
    """,
    remediation="""
        Record every admin action before applying it: actor (from the authenticated identity),
        action, target, request id and time, to an append-only audit table or a dedicated audit
        log stream with its own retention; refuse the action when the record cannot be written.
    """,
    example="""
        func (s *service) handleSetFloor(w http.ResponseWriter, r *http.Request) {
            if err := s.recordAudit(r.Context(), "floor_override.set", publisher, details); err != nil {
                http.Error(w, "audit log unavailable", http.StatusServiceUnavailable); return
            }
            ...
    """,
    scanners=(SEMGREP,),
    core=True,
    rules=(
        "go-admin-group-route",
        "go-admin-route",
        "go-audit-call",
        "py-admin-route",
        "py-audit-call",
        "py-django-admin",
        "py-management-command",
    ),
)
def audit_logging(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    surfaces = _surfaces(ctx)
    django_admin = [m for m in matches(ctx, "py-django-admin") if not is_test_path(ctx.config, m.path)]
    if not surfaces and not django_admin:
        return CheckResult.not_applicable(
            "no admin surface: no route under /admin, /internal, /manage or /ops, no management command"
        )
    audited: dict[str, set[str]] = {}
    for fact in matches(ctx, "go-audit-call", "py-audit-call"):
        audited.setdefault(_unit(fact.path), set()).add(fact.capture("$F"))
    failures: list[Failure] = []
    evidence = [
        repo.evidence(m.path, m.line, note="Django admin: changes recorded in django_admin_log")
        for m in django_admin
    ]
    for surface in surfaces:
        functions = audited.get(_unit(surface.path), set())
        recorded = [name for name in surface.handlers if name in functions]
        if recorded or surface.inline_audit:
            note = f"{surface.what}: audited in {recorded[-1] if recorded else 'its handler'}"
            evidence.append(repo.evidence(surface.path, surface.line, note=note))
            continue
        handler = surface.handlers[-1] if surface.handlers else "its handler"
        message = (
            f"admin {surface.what} ({handler}) emits no audit event: nobody can tell later who "
            "did what, and when"
        )
        absent = Evidence.absent(f"no audit call (audit function, audit logger or audit table) in {handler}")
        failures.append(Failure(message, (repo.evidence(surface.path, surface.line), absent)))
    return CheckResult.from_failures(
        failures, f"{len(surfaces) + len(django_admin)} admin surface(s), each audited", *evidence
    )
