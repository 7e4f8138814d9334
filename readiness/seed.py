"""The questions a strict production-readiness review asks, one per bullet of the assessment.

Every check answers exactly one of these; a test fails when a question has no check, so the
catalogue can't silently drop part of the review.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from readiness.model import Category


class Component(StrEnum):
    """What a question is about: it is not applicable only where the repository provably has none.

    Most questions are about the service itself (its deploys, alerts, runbooks…), so they apply to
    any repository that ships a service; a few are about a data store it may not use at all.
    """

    SERVICE = "service"
    DATABASE = "database"  # a primary data store: SQL, MongoDB, Cassandra, …
    REDIS = "redis"  # Redis and its protocol-compatible forks


@dataclass(frozen=True)
class Question:
    key: str
    category: Category
    text: str
    about: Component = Component.SERVICE


def _q(category: Category, key: str, text: str, about: Component = Component.SERVICE) -> Question:
    return Question(f"{category.value}.{key}", category, text, about)


_R, _O, _S, _SEC = Category.RELIABILITY, Category.OBSERVABILITY, Category.SCALABILITY, Category.SECURITY
_DR, _OPS, _LOAD, _C = (
    Category.DISASTER_RECOVERY,
    Category.OPERATIONAL_READINESS,
    Category.LOAD_VALIDATION,
    Category.COMPLIANCE,
)

HEALTH_CHECKS = _q(_R, "health-checks", "Health check endpoints: do they actually test dependencies?")
GRACEFUL_SHUTDOWN = _q(_R, "graceful-shutdown", "Graceful shutdown: does it drain connections before dying?")
STARTUP_PROBES = _q(
    _R, "startup-probes", "Startup probes: does it wait for dependencies before accepting traffic?"
)
CRASH_RECOVERY = _q(_R, "crash-recovery", "Crash recovery: what happens after OOM or panic?")
DATA_DURABILITY = _q(_R, "data-durability", "Data durability: what is lost if a node dies mid-request?")

LOGGING = _q(_O, "logging", "Logging: structured? Request IDs propagated? Correct log levels?")
METRICS = _q(_O, "metrics", "Metrics: Prometheus endpoints? Key SLIs covered (latency, errors, saturation)?")
TRACING = _q(_O, "tracing", "Tracing: distributed tracing across the Go/Python boundary?")
ALERTING = _q(_O, "alerting", "Alerting: what alerts exist? Are thresholds sensible?")
DASHBOARDS = _q(_O, "dashboards", "Dashboards: can you diagnose an outage at 3am?")

HORIZONTAL_SCALING = _q(_S, "horizontal-scaling", "Horizontal scaling: stateless? Sticky sessions needed?")
DB_CONNECTIONS = _q(_S, "db-connections", "Database connection limits under scale", Component.DATABASE)
REDIS_POOLING = _q(_S, "redis-pooling", "Redis connection pooling at 100+ instances", Component.REDIS)
RATE_LIMITING = _q(_S, "rate-limiting", "Rate limiting: per-publisher? Global? Both?")
BACKPRESSURE = _q(_S, "backpressure", "Backpressure handling: what happens when overwhelmed?")

SECRETS = _q(_SEC, "secrets", "Secrets management: env vars, not hardcoded?")
API_AUTH = _q(_SEC, "api-auth", "API authentication: rate limited? Brute force protection?")
INPUT_VALIDATION = _q(_SEC, "input-validation", "Input validation: all OpenRTB fields sanitised?")
DEPENDENCY_VULNS = _q(
    _SEC, "dependency-vulns", "Dependency vulnerabilities: govulncheck, safety, pip-audit results"
)
TLS = _q(_SEC, "tls", "TLS everywhere? Certificate management?")

DB_BACKUPS = _q(_DR, "db-backups", "Backup strategy for TimescaleDB", Component.DATABASE)
REDIS_PERSISTENCE = _q(_DR, "redis-persistence", "Redis persistence config (RDB/AOF)", Component.REDIS)
RUNBOOKS = _q(_DR, "runbooks", "Runbook for common failures")
ROLLBACK = _q(_DR, "rollback", "Rollback procedure: can you revert a bad deploy in under 5 minutes?")
FAILOVER = _q(_DR, "failover", "Multi-region / failover capability?")

DEPLOY_PIPELINE = _q(_OPS, "deploy-pipeline", "Deployment pipeline: blue/green or rolling?")
FEATURE_FLAGS = _q(
    _OPS, "feature-flags", "Feature flags: can you disable a feature (IDR) without redeploying?"
)
CONFIG_RELOAD = _q(_OPS, "config-reload", "Config changes: require restart or hot reload?")
ON_CALL = _q(_OPS, "on-call", "On-call documentation: who to page, escalation path?")
INCIDENT_RESPONSE = _q(_OPS, "incident-response", "Incident response playbook exists?")

LOAD_2X = _q(_LOAD, "load-2x", "Load tested at 2x expected traffic?")
SOAK = _q(_LOAD, "soak", "Soak tested for memory leaks over 24+ hours?")
CHAOS = _q(_LOAD, "chaos", "Chaos tested: what breaks when Redis dies? When a bidder times out?")
LATENCY_UNDER_LOAD = _q(_LOAD, "latency-under-load", "Latency under load: p99 still acceptable?")

GDPR_FLOWS = _q(_C, "gdpr-flows", "GDPR data flows documented?")
RETENTION = _q(_C, "retention", "Data retention policies implemented?")
AUDIT_LOGGING = _q(_C, "audit-logging", "Audit logging for admin actions?")
LEGAL_DOCS = _q(_C, "legal-docs", "Terms of service / DPA ready for publishers?")

ALL: tuple[Question, ...] = tuple(v for v in list(globals().values()) if isinstance(v, Question))


def of(category: Category) -> tuple[Question, ...]:
    return tuple(question for question in ALL if question.category is category)


def by_key(key: str) -> Question:
    for question in ALL:
        if question.key == key:
            return question
    raise KeyError(key)
