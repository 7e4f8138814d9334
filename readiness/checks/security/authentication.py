"""API authentication: every non-public route requires a caller identity, and login/token
endpoints cannot be brute-forced."""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness import seed
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP, matches
from readiness.facts.exposure import annotations_of, exposure, mesh_authorization
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check
from readiness.repo import Repo, Service
from readiness.results import Match

_ROUTES = ("go-route", "py-route", "js-route")
_AUTHENTICATED = ("go-route-auth", "py-route-auth", "js-route-auth")
_RATE_LIMITED = ("go-route-rate-limit", "py-route-rate-limit", "js-route-rate-limit")
_METHOD = re.compile(r"^[A-Z]+\s+")
# Public by design, and said so in the report: probes and metrics scraped by the platform,
# OpenRTB bid endpoints (exchanges authenticate them by IP allow-lists and signed agreements,
# not per request), and the login/token endpoints through which callers authenticate.
_PUBLIC: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^/(health|healthz|healthcheck|_health|ready|readyz|readiness|live|livez|liveness|ping)"),
        "health probe",
    ),
    (re.compile(r"^/metrics/?$"), "metrics scrape"),
    (re.compile(r"^/(openrtb|bid|auction)"), "OpenRTB bid endpoint"),
    (
        re.compile(r"^/(login|signin|sign-in|logout|signup|register|token|oauth2?|auth|\.well-known)(/|$)"),
        "login endpoint",
    ),
    (re.compile(r"^/(favicon\.ico|robots\.txt)$"), "static file"),
)
_LOGIN = re.compile(
    r"^/(api/)?(v\d+/)?(admin/|users?/|accounts?/)?"
    r"(login|signin|sign-in|log-in|token|oauth2?/token|auth|authenticate|session|sessions|"
    r"password|password-reset|reset-password|forgot-password|otp|mfa|2fa)(/|$)"
)
# Edge rate limits an Ingress controller applies before the service sees the request.
_INGRESS_LIMITS = (
    "nginx.ingress.kubernetes.io/limit-rps",
    "nginx.ingress.kubernetes.io/limit-rpm",
    "nginx.ingress.kubernetes.io/limit-connections",
)
_DRF_PROTECTED = re.compile(r"IsAuthenticated|IsAdminUser|DjangoModelPermissions|TokenHasScope|HasAPIKey")


@dataclass(frozen=True)
class Route:
    path: str  # the route as written, method and host removed
    file: str
    line: int
    end_line: int
    service: Service | None


def route_path(written: str) -> str:
    """`POST /v1/price` → `/v1/price`; `api.example.com/v1/x` → `/v1/x`; Flask `<id>` kept."""
    path = _METHOD.sub("", written.strip())
    if not path.startswith("/") and "/" in path:
        path = path[path.index("/") :]
    return path


def public_reason(path: str) -> str | None:
    lowered = path.lower()
    return next((why for pattern, why in _PUBLIC if pattern.search(lowered)), None)


def routes(ctx: CheckContext) -> list[Route]:
    repo = ctx.repo
    return [
        Route(route_path(m.capture("$PATH")), m.path, m.line, m.end_line, repo.owner(m.path))
        for m in matches(ctx, *_ROUTES)
    ]


def _at(found: list[Match]) -> set[tuple[str, int]]:
    return {(m.path, m.line) for m in found}


def _bid_handlers(ctx: CheckContext, route: Route) -> bool:
    """A route whose handler decodes an OpenRTB BidRequest is a bid endpoint, whatever its path."""
    repo = ctx.repo
    text = "\n".join(repo.lines(route.file)[route.line - 1 : route.end_line])
    if route.file.endswith(".py") and re.search(r"\bBidRequest\b", text):
        return True
    handlers = {m.capture("$FUNC") for m in matches(ctx, "go-openrtb-handler")}
    return any(re.search(rf"\b{re.escape(name)}\b", text) for name in handlers if name)


def _drf_default_protected(repo: Repo) -> Evidence | None:
    """Django REST framework's DEFAULT_PERMISSION_CLASSES, when it requires authentication."""
    for path in repo.with_suffix(".py"):
        lines = repo.lines(path)
        for number, text in enumerate(lines, start=1):
            if "DEFAULT_PERMISSION_CLASSES" in text:
                window = " ".join(lines[number - 1 : number + 5])
                if _DRF_PROTECTED.search(window) and "AllowAny" not in window:
                    return repo.evidence(path, number)
    return None


@check(
    id="security/api-authentication",
    question=seed.API_AUTH,
    title="Every non-public API route requires authentication",
    severity=Severity.RISK,
    rationale="""
        A route without authentication answers anyone who can reach it: an identity-resolution
        or admin API open inside the cluster is one compromised pod (or one misrouted Ingress
        path) away from leaking user identifiers or letting an attacker change prices.
        "Internal only" is not a control; an authenticated caller (a token, a session, or a
        mesh identity enforced by an authorization policy) is.
    """,
    looks_at="""
        Route registrations (semgrep): Go net/http, chi, gin, echo; Python FastAPI/Flask
        decorators and Django REST framework views; Express routes. A route counts as
        authenticated when an auth middleware wraps it (its handler, `r.Use`/`With`, a group,
        or the whole mux), a FastAPI `Depends`/`Security` on the route, a parameter or its
        router, a Flask auth decorator or `before_request` hook, or DRF permission classes;
        or when a mesh authorization policy (Linkerd Server + AuthorizationPolicy, Istio
        AuthorizationPolicy) admits only authenticated callers to the service's pods. Public by
        design: /health*, /ready*, /live*, /ping, /metrics, OpenRTB bid endpoints (/openrtb*,
        /bid*, /auction*, or any route whose handler decodes a BidRequest; exchanges
        authenticate them by allow-lists), and login/token endpoints. Findings are grouped by
        file.
    """,
    remediation="""
        Put authentication in front of the route group: a middleware that checks a bearer token
        or mTLS identity (`r.Use(auth)`, `APIRouter(dependencies=[Depends(require_caller)])`),
        compared in constant time and rate limited on failure. For service-to-service calls in
        a mesh, add an authorization policy that admits only the calling service accounts.
    """,
    example="""
        router = APIRouter(dependencies=[Depends(require_service_token)])

        @router.post("/resolve")
        async def resolve(body: ResolveRequest) -> ResolveResponse: ...
    """,
    scanners=(SEMGREP,),
    core=True,
    rules=(
        "go-openrtb-handler",
        "go-route",
        "go-route-auth",
        "js-route",
        "js-route-auth",
        "py-drf-view-unprotected",
        "py-route",
        "py-route-auth",
    ),
)
def api_authentication(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    found = routes(ctx)
    open_views = matches(ctx, "py-drf-view-unprotected")
    if not found and not open_views:
        return CheckResult.not_applicable("no HTTP route registration found")
    authenticated = _at(matches(ctx, *_AUTHENTICATED))
    public: dict[str, str] = {}
    unauthenticated: dict[str, list[Route]] = {}
    guarded: list[Evidence] = []
    for route in found:
        why = public_reason(route.path) or ("OpenRTB bid endpoint" if _bid_handlers(ctx, route) else None)
        if (route.file, route.line) in authenticated:
            guarded.append(repo.evidence(route.file, route.line))
        elif why is not None:
            public.setdefault(route.path, why)
        else:
            unauthenticated.setdefault(route.file, []).append(route)

    failures: list[Failure] = []
    mesh_checked: dict[str, list[Evidence]] = {}
    for path, group in sorted(unauthenticated.items()):
        service = group[0].service
        if service is not None:
            if service.path not in mesh_checked:
                mesh_checked[service.path] = mesh_authorization(repo, exposure(repo, service).workloads)
            if policies := mesh_checked[service.path]:
                guarded += policies[:1]
                continue
        names = ", ".join(dict.fromkeys(r.path for r in group))
        failures.append(
            Failure(
                f"{len(group)} route(s) in {path} require no authentication: {names}",
                tuple(repo.evidence(r.file, r.line) for r in group[:10]),
            )
        )
    if open_views and (default := _drf_default_protected(repo)) is None:
        for path, views in _by_file(open_views).items():
            names = ", ".join(m.capture("$VIEW") for m in views)
            failures.append(
                Failure(
                    f"Django REST framework view(s) in {path} set no permission_classes and the default "
                    f"permission is AllowAny: {names}",
                    tuple(repo.evidence(m.path, m.line) for m in views[:10]),
                )
            )
    elif open_views and default is not None:
        guarded.append(default)
    listed = ", ".join(f"{path} ({why})" for path, why in sorted(public.items()))
    summary = f"{len(guarded)} authenticated route(s) or policies"
    if listed:
        summary += f"; public by design: {listed}"
    if failures:
        return CheckResult.failed(failures, summary)
    return CheckResult.passed(summary, *guarded[:10])


def _by_file(found: list[Match]) -> dict[str, list[Match]]:
    grouped: dict[str, list[Match]] = {}
    for match in found:
        grouped.setdefault(match.path, []).append(match)
    return grouped


@check(
    id="security/brute-force-protection",
    question=seed.API_AUTH,
    title="Login and token endpoints are rate limited or lock out",
    severity=Severity.RISK,
    rationale="""
        A login or token endpoint that answers as fast as it is asked lets an attacker try
        passwords, API keys or one-time codes by the million: credential stuffing with leaked
        password lists succeeds against a few percent of accounts. A per-client rate limit or a
        lockout after a few failures turns that into a handful of guesses per hour.
    """,
    looks_at="""
        Routes whose path is a login, token, OAuth token, session, password-reset or OTP
        endpoint, in Go, Python and Express (semgrep). Protection: a rate limiter or lockout
        wrapping the route (httprate, tollbooth, a `limiter` middleware, slowapi or
        flask-limiter `@limiter.limit`, fastapi-limiter, django-ratelimit, express-rate-limit),
        an app-wide limit (`Limiter(default_limits=...)`, SlowAPIMiddleware), django-axes or DRF
        throttling in the settings, or an nginx Ingress rate limit on the Ingress that serves it.
    """,
    remediation="""
        Rate limit authentication per client IP and per account (e.g. 5 attempts per minute),
        return 429 with Retry-After, and lock or slow down an account after repeated failures;
        log failed attempts so an attack shows up on a dashboard.
    """,
    example="""
        @app.post("/token")
        @limiter.limit("5/minute")
        async def token(request: Request, form: OAuth2PasswordRequestForm = Depends()): ...
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-route",
        "go-route-rate-limit",
        "js-route",
        "js-route-rate-limit",
        "py-global-rate-limit",
        "py-route",
        "py-route-rate-limit",
    ),
)
def brute_force_protection(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    logins = [r for r in routes(ctx) if _LOGIN.search(r.path.lower())]
    if not logins:
        return CheckResult.not_applicable("no login, token or password endpoint found")
    limited = _at(matches(ctx, *_RATE_LIMITED))
    # App-wide limits and settings-level lockout (django-axes) or throttling (DRF).
    app_wide = [(m.path, m.line) for m in matches(ctx, "py-global-rate-limit")]
    app_wide += [
        (m.path, m.line)
        for m in repo.search(r"[\"']axes[\"']|DEFAULT_THROTTLE_CLASSES", repo.with_suffix(".py"))
    ]
    failures: list[Failure] = []
    protected: list[Evidence] = []
    for route in logins:
        service = route.service
        service_wide = [
            repo.evidence(path, line)
            for path, line in app_wide
            if service is not None and repo.owner(path) == service
        ]
        edge = _ingress_limits(repo, service) if service is not None else []
        if (route.file, route.line) in limited:
            protected.append(repo.evidence(route.file, route.line))
        elif service_wide or edge:
            protected += (service_wide + edge)[:1]
        else:
            failures.append(
                Failure(
                    f"{route.path} takes credentials with no rate limit or lockout: passwords and keys can "
                    "be guessed as fast as the service answers",
                    (repo.evidence(route.file, route.line),),
                )
            )
    return CheckResult.from_failures(
        failures, f"{len(logins)} login/token endpoint(s) are rate limited", *protected[:10]
    )


def _ingress_limits(repo: Repo, service: Service) -> list[Evidence]:
    found = []
    for ingress in exposure(repo, service).ingresses:
        notes = annotations_of(ingress)
        found += [
            repo.evidence(ingress.path, notes.line_of(key)) for key in _INGRESS_LIMITS if notes.get(key)
        ]
    return found
