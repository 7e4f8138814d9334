"""Connection budgets: do the pools of every replica, at maximum scale, fit in what PostgreSQL
and Redis accept?

Each pod opens its own pools. Autoscaling multiplies them: 25 connections per bidder pod is
harmless at 3 pods and 1000 connections at the HPA's 40, ten times what a default PostgreSQL
accepts. The checks show the arithmetic, term by term, with the line each factor comes from.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from dataclasses import dataclass, field

from readiness import seed
from readiness.checks.scalability._code import Fact, by_service, call_at, dotted, facts, is_test_path, keyword
from readiness.checks.scalability._fleet import (
    KUBERNETES,
    Deployment,
    Value,
    deployments,
    evaluate,
    processes,
    unplaced,
)
from readiness.checks.scalability._servers import (
    POSTGRES_DEFAULT_MAX_CONNECTIONS,
    REDIS_DEFAULT_MAXCLIENTS,
    Server,
    database_servers,
    host_labels,
    redis_servers,
)
from readiness.context import CheckContext
from readiness.facts import datastores
from readiness.facts.code import SEMGREP
from readiness.facts.production import is_production
from readiness.model import Answer, CheckResult, Evidence, Failure, Outcome, Severity
from readiness.registry import check
from readiness.repo import Service

# What the seed asks about Redis: a fleet of a hundred instances and more.
FLEET_SIZE = 100
ASSUMED_CPUS = 4


@dataclass(frozen=True)
class Part:
    """One setting that sizes a pool (SQLAlchemy has two: pool_size + max_overflow)."""

    setting: str
    expression: str | None  # None: the library's default applies
    default: int | None = None  # the default per process; None means no limit at all
    default_how: str = ""


@dataclass(frozen=True)
class PoolSite:
    """A place where a service opens a connection pool, and what sizes it."""

    service: Service
    library: str
    evidence: Evidence
    parts: tuple[Part, ...]
    zero_is_unbounded: bool = False  # database/sql and redigo read 0 as "no limit"


@dataclass(frozen=True)
class Size:
    number: int | None
    unbounded: bool
    how: str
    evidence: tuple[Evidence, ...] = ()


def _size(ctx: CheckContext, site: PoolSite, deployment: Deployment) -> Size:
    total, hows, evidence = 0, [], [site.evidence]
    for part in site.parts:
        if part.expression is None:
            if part.default is None:
                return Size(None, True, f"{site.library} {part.default_how}", tuple(evidence))
            total += part.default
            hows.append(f"{part.setting} {part.default_how}")
            continue
        value: Value = evaluate(ctx, site.service, part.expression, deployment)
        evidence += [e for e in value.evidence if e not in evidence]
        if value.number is None:
            return Size(None, False, f"{part.setting} {value.how}", tuple(evidence))
        if value.number < 0 or (value.number == 0 and site.zero_is_unbounded):
            return Size(
                None, True, f"{site.library} {part.setting} = {value.number} (no limit)", tuple(evidence)
            )
        total += value.number
        hows.append(part.setting if value.how == str(value.number) else f"{part.setting}: {value.how}")
    return Size(total, False, f"{site.library} {' + '.join(hows)}", tuple(evidence))


# ---- finding the pools -----------------------------------------------------------------------

_NOT_POSTGRES_DRIVERS = ("sqlite", "mysql", "sqlserver", "mssql", "oracle", "clickhouse", "snowflake")


def _expression(node: ast.expr | None) -> str | None:
    return None if node is None else ast.unparse(node)


def _go_db_pools(ctx: CheckContext) -> list[PoolSite]:
    sites: list[PoolSite] = []
    opens = by_service(facts(ctx, "go-pgxpool-open"))
    sizes = by_service(facts(ctx, "go-pgxpool-max-conns"))
    for service in sorted(set(opens) | set(sizes), key=lambda s: s.path):
        if sizes.get(service):
            sites += [
                PoolSite(service, "pgxpool", f.evidence, (Part("MaxConns", f.capture("$N")),))
                for f in sizes[service]
            ]
            continue
        dsn = _dsn_pool_setting(ctx, service)
        for fact in opens[service]:
            part = dsn or Part(
                "MaxConns", None, ASSUMED_CPUS, f"default max(4, NumCPU), {ASSUMED_CPUS} CPUs assumed"
            )
            sites.append(PoolSite(service, "pgxpool", fact.evidence, (part,)))
    sql_opens = by_service(
        [
            f
            for f in facts(ctx, "go-sql-open")
            if not any(d in f.capture("$DRIVER").lower() for d in _NOT_POSTGRES_DRIVERS)
        ]
    )
    sql_sizes = by_service(facts(ctx, "go-sql-max-open-conns"))
    for service, opened in sql_opens.items():
        if sql_sizes.get(service):
            sites += [
                PoolSite(
                    service, "database/sql", f.evidence, (Part("SetMaxOpenConns", f.capture("$N")),), True
                )
                for f in sql_sizes[service]
            ]
        else:
            unbounded = Part("SetMaxOpenConns", None, None, "without SetMaxOpenConns has no limit")
            sites += [PoolSite(service, "database/sql", f.evidence, (unbounded,)) for f in opened]
    return sites


def _dsn_pool_setting(ctx: CheckContext, service: Service) -> Part | None:
    """`pool_max_conns=N` in a DSN the service or its deployment spells out."""
    for path in ctx.repo.files_of(service, ".go"):
        for match in ctx.repo.search(r"pool_max_conns=(\d+)", [path]):
            number = match.text.split("pool_max_conns=", 1)[1].split("&")[0].split()[0].strip("\"'`,")
            if number.isdigit():
                return Part("pool_max_conns", number)
    for deployment in deployments(ctx.repo, service):
        for _, value in deployment.env().values():
            if "pool_max_conns=" in value:
                number = value.split("pool_max_conns=", 1)[1].split("&")[0]
                if number.isdigit():
                    return Part("pool_max_conns", number)
    return None


def _python_db_pool(ctx: CheckContext, fact: Fact) -> PoolSite | None:
    call = call_at(ctx.repo, fact.path, fact.line, fact.match.end_line)
    if call is None:
        return None
    name = dotted(call.func).rsplit(".", 1)[-1]
    site = fact.service
    if name in ("create_engine", "create_async_engine"):
        url = call.args[0] if call.args else keyword(call, "url")
        if isinstance(url, ast.Constant) and str(url.value).startswith("sqlite"):
            return None
        poolclass = _expression(keyword(call, "poolclass")) or ""
        if poolclass.endswith("NullPool"):
            part = Part("poolclass", None, None, "NullPool opens a connection per checkout, with no limit")
            return PoolSite(site, "SQLAlchemy", fact.evidence, (part,))
        parts = (
            Part("pool_size", _expression(keyword(call, "pool_size")), 5, "default 5"),
            Part("max_overflow", _expression(keyword(call, "max_overflow")), 10, "default 10"),
        )
        return PoolSite(site, "SQLAlchemy", fact.evidence, parts)
    if name == "create_pool":
        return PoolSite(
            site,
            "asyncpg",
            fact.evidence,
            (Part("max_size", _expression(keyword(call, "max_size")), 10, "default 10"),),
        )
    if name in ("NullConnectionPool", "AsyncNullConnectionPool"):
        part = Part("max_size", _expression(keyword(call, "max_size")), None, "without max_size has no limit")
        return PoolSite(site, "psycopg_pool", fact.evidence, (part,))
    if name in ("ConnectionPool", "AsyncConnectionPool"):
        size = keyword(call, "max_size")
        # psycopg_pool: max_size defaults to min_size, which defaults to 4.
        part = (
            Part("max_size", _expression(size))
            if size is not None
            else Part(
                "min_size", _expression(keyword(call, "min_size")), 4, "default 4 (max_size defaults to it)"
            )
        )
        return PoolSite(site, "psycopg_pool", fact.evidence, (part,))
    if name in ("SimpleConnectionPool", "ThreadedConnectionPool"):
        size = keyword(call, "maxconn") or (call.args[1] if len(call.args) > 1 else None)
        return PoolSite(
            site, "psycopg2", fact.evidence, (Part("maxconn", _expression(size), None, "not given"),)
        )
    return None


def db_pools(ctx: CheckContext) -> list[PoolSite]:
    python = [site for fact in facts(ctx, "py-db-pool") if (site := _python_db_pool(ctx, fact))]
    return _go_db_pools(ctx) + python


def _go_redis_pools(ctx: CheckContext) -> list[PoolSite]:
    sites: list[PoolSite] = []
    clients = by_service(facts(ctx, "go-redis-client"))
    sizes = by_service(facts(ctx, "go-redis-pool-size"))
    for service in sorted(set(clients) | set(sizes), key=lambda s: s.path):
        if sizes.get(service):
            sites += [
                PoolSite(service, "go-redis", f.evidence, (Part("PoolSize", f.capture("$N")),))
                for f in sizes[service]
            ]
            continue
        default = Part(
            "PoolSize", None, 10 * ASSUMED_CPUS, f"default 10 × GOMAXPROCS, {ASSUMED_CPUS} CPUs assumed"
        )
        sites += [PoolSite(service, "go-redis", f.evidence, (default,)) for f in clients[service]]
    sites += [
        PoolSite(f.service, "redigo", f.evidence, (Part("MaxActive", f.capture("$N")),), True)
        for f in facts(ctx, "go-redigo-pool")
    ]
    unbounded = Part("MaxActive", None, None, "Pool without MaxActive has no limit")
    sites += [
        PoolSite(f.service, "redigo", f.evidence, (unbounded,))
        for f in facts(ctx, "go-redigo-pool-unbounded")
    ]
    return sites


def _python_redis_pool(ctx: CheckContext, fact: Fact) -> PoolSite | None:
    call = call_at(ctx.repo, fact.path, fact.line, fact.match.end_line)
    if call is None or keyword(call, "connection_pool") is not None:
        return None  # a client on an explicit pool: the pool is counted where it is made
    size = keyword(call, "max_connections")
    if size is not None:
        return PoolSite(
            fact.service, "redis-py", fact.evidence, (Part("max_connections", _expression(size)),)
        )
    if "BlockingConnectionPool" in dotted(call.func):
        part = Part("max_connections", None, 50, "default 50")
    else:
        part = Part("max_connections", None, None, "pool without max_connections has no limit (2**31)")
    return PoolSite(fact.service, "redis-py", fact.evidence, (part,))


def redis_pools(ctx: CheckContext) -> list[PoolSite]:
    python = [site for fact in facts(ctx, "py-redis-client") if (site := _python_redis_pool(ctx, fact))]
    return _go_redis_pools(ctx) + python


# ---- the arithmetic --------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One pool at one deployment: size × processes × replicas."""

    site: PoolSite
    deployment: Deployment
    size: Size
    processes: Value

    def total(self, replicas: int | None = None) -> int:
        count = self.deployment.replicas if replicas is None else replicas
        return (self.size.number or 0) * (self.processes.number or 1) * count

    def explain(self, replicas: int | None = None, scale: str = "") -> str:
        name, deployment = self.site.service.name, self.deployment
        text = f"{name} {self.size.number} ({self.size.how})"
        if (self.processes.number or 1) > 1:
            text += f" × {self.processes.number} processes ({self.processes.how})"
        if replicas is None:
            text += f" × {deployment.replicas} replicas ({deployment.replicas_how})"
        else:
            text += f" × {replicas} {scale}"
        return f"{text} = {self.total(replicas)}"

    def mapping(self) -> str:
        return f"{self.site.service.name} runs as {self.deployment.describe()}"

    def evidence(self) -> list[Evidence]:
        found = [*self.size.evidence]
        if (self.processes.number or 1) > 1:
            found += self.processes.evidence
        if self.deployment.replicas_evidence is not None:
            found.append(self.deployment.replicas_evidence)
        return found


@dataclass
class Budget:
    """The terms that land on one server in one environment."""

    server: Server
    terms: list[Term] = field(default_factory=list)
    extra: list[tuple[str, int, Evidence | None]] = field(default_factory=list)  # PgBouncer's own pools

    def total(self, replicas: int | None = None) -> int:
        return sum(t.total(replicas) for t in self.bounded()) + sum(count for _, count, _ in self.extra)

    def bounded(self) -> list[Term]:
        return sorted(
            (t for t in self.terms if t.size.number is not None),
            key=lambda t: (-t.total(), t.site.service.path),
        )

    def arithmetic(self, replicas: int | None = None, scale: str = "") -> str:
        parts = [t.explain(replicas, scale) for t in self.bounded()]
        parts += [text for text, _, _ in self.extra]
        return "; ".join(parts)

    def evidence(self) -> tuple[Evidence, ...]:
        found: list[Evidence] = []
        for term in self.bounded():
            found += term.evidence()
        found += [where for _, _, where in self.extra if where is not None]
        if self.server.limit_evidence is not None:
            found.append(self.server.limit_evidence)
        return tuple(dict.fromkeys(found))

    def mappings(self) -> str:
        return "; ".join(dict.fromkeys(t.mapping() for t in self.bounded()))


def _code_hosts(ctx: CheckContext, service: Service) -> set[str]:
    texts = []
    for path in ctx.repo.files_of(service, ".go", ".py", ".js", ".ts"):
        if not is_test_path(ctx, path):
            texts += [
                line for line in ctx.repo.lines(path) if "://" in line or ":5432" in line or ":6379" in line
            ]
    return host_labels(texts)


def _targets(servers: list[Server], hosts: set[str], kind: str) -> tuple[list[Server], str]:
    named = [s for s in servers if s.names & hosts]
    if named:
        return named, "by host name"
    front = [s for s in servers if s.kind == "pgbouncer"]
    if front:
        return front, "through PgBouncer"
    return servers, "to each server (no host name matched)" if len(servers) > 1 else "the only server"


def _environments(
    pools: list[PoolSite], servers: list[Server], placed: dict[Service, list[Deployment]]
) -> list[str]:
    """Production first: Kubernetes when anything runs there, else each compose file, else the
    repository as a whole (pools with nowhere to run are counted once, at one instance)."""
    used = {s.environment for s in servers} | {d.environment for ds in placed.values() for d in ds}
    if KUBERNETES in used:
        return [KUBERNETES]
    compose = sorted(e for e in used if e)
    return compose or [""]


def budgets(
    ctx: CheckContext, pools: list[PoolSite], servers: list[Server], kind: str, default: Server
) -> list[Budget]:
    repo = ctx.repo
    services = list(dict.fromkeys(site.service for site in pools))
    placed = {service: deployments(repo, service) for service in services}
    found: list[Budget] = []
    for environment in _environments(pools, servers, placed):
        targets = [s for s in servers if s.environment == environment] or [
            Server(
                environment,
                default.label,
                default.kind,
                frozenset(),
                default.limit,
                default.limit_how,
                None,
                False,
            )
        ]
        budget = {target: Budget(target) for target in targets}
        for service in services:
            running = [d for d in placed[service] if d.environment == environment]
            if not running and not placed[service]:
                running = [unplaced(service)]
            for deployment in running:
                texts = [value for _, value in deployment.env().values()]
                hosts = host_labels(texts) | _code_hosts(ctx, service)
                chosen, _ = _targets(targets, hosts, kind)
                for site in (s for s in pools if s.service == service):
                    term = Term(
                        site, deployment, _size(ctx, site, deployment), processes(ctx, service, deployment)
                    )
                    for target in chosen:
                        budget[target].terms.append(term)
        for bouncer in (t for t in targets if t.kind == "pgbouncer"):
            for target in (t for t in targets if t.kind == "postgres"):
                count = bouncer.pool_size * bouncer.replicas
                text = (
                    f"{bouncer.label} {bouncer.pool_size} ({bouncer.pool_how})"
                    f" × {bouncer.replicas} replicas = {count}"
                )
                budget[target].extra.append((text, count, None))
        found += [b for b in budget.values() if b.terms or b.extra]
    return found


def _per_site_failures(budgets_: list[Budget], what: str) -> list[Failure]:
    """Pools with no limit, and sizes no static reading can evaluate: once per pool."""
    failures: dict[Evidence, Failure] = {}
    for budget in budgets_:
        for term in budget.terms:
            where = term.site.evidence
            if where in failures:
                continue
            name = term.site.service.name
            if term.size.unbounded:
                failures[where] = Failure(
                    f"{name}: {term.size.how}: every concurrent request can open another {what} connection, "
                    "so no replica count is safe",
                    term.size.evidence,
                    Severity.RISK,
                )
            elif term.size.number is None:
                failures[where] = Failure(
                    f"{name}: the {what} pool size ({term.size.how}) cannot be worked out from the "
                    "repository, so the connection budget cannot be confirmed",
                    term.size.evidence,
                    Severity.RISK,
                )
    return list(failures.values())


def _where(budget: Budget) -> str:
    environment = budget.server.environment
    return "" if environment in ("", KUBERNETES) else f" (in {environment})"


def _limit(server: Server, setting: str) -> str:
    return f"its {setting} of {server.limit} ({server.limit_how})"


def _over_limit(budget: Budget, setting: str) -> Failure:
    """Over the limit at maximum scale: a blocker when the limit is the server's own, a risk when
    no server is defined here and only the product's default could be assumed."""
    server = budget.server
    return Failure(
        f"At maximum scale the services open up to {budget.total()} connections to {server.label}"
        f"{_where(budget)}, above {_limit(server, setting)}: {budget.arithmetic()}{_unmeasured(budget)}. "
        f"({budget.mappings()})",
        budget.evidence(),
        Severity.BLOCKER if server.confirmed else Severity.RISK,
    )


def _unmeasured(budget: Budget) -> str:
    skipped = sorted({t.site.service.name for t in budget.terms if t.size.number is None})
    return (
        f", not counting the pools of {', '.join(skipped)} whose size is unbounded or unknown"
        if skipped
        else ""
    )


@check(
    id="scalability/db-connection-budget",
    question=seed.DB_CONNECTIONS,
    title="Database pools at maximum scale fit in the server's connection limit",
    severity=Severity.BLOCKER,
    rationale="""
        Every pod opens its own pool, so the connections a database sees are the pool size times
        the processes per pod times the replicas, summed over every service that uses it. The
        HPA's maxReplicas is what matters: the budget is exceeded exactly when traffic peaks and
        the autoscaler adds pods, and PostgreSQL then refuses new connections ("too many clients
        already"), failing requests on every pod at once. A database/sql pool without
        SetMaxOpenConns has no limit at all.
    """,
    looks_at="""
        Pools in code (semgrep): pgxpool `MaxConns` (default max(4, NumCPU), 4 CPUs assumed) and
        `pool_max_conns` in DSNs, database/sql/sqlx/gorm `SetMaxOpenConns` (default unbounded),
        SQLAlchemy `pool_size` + `max_overflow` (default 5 + 10), asyncpg `max_size` (default
        10), psycopg_pool `max_size`, psycopg2 pools; sizes read from environment variables are
        followed to their defaults and to the values the deployment sets. Processes per pod:
        gunicorn/uvicorn workers. Replicas: the HPA's maxReplicas (KEDA maxReplicaCount), else
        the workload's replicas, else compose `deploy.replicas`; a workload runs a service when
        its image, container or name is named like the service's directory, or compose builds
        it from there. Limits: PostgreSQL/TimescaleDB `-c max_connections=N`, the
        postgresql.conf it loads, bitnami's POSTGRESQL_MAX_CONNECTIONS, CloudNativePG/Zalando
        parameters, `max_connections` in Helm values, else the default 100; PgBouncer
        `max_client_conn`/`default_pool_size`. Kubernetes is taken as production when present;
        compose files otherwise.
    """,
    remediation="""
        Size pools from the budget: (max_connections - reserved) / (maxReplicas × processes),
        summed over the services sharing the database. Lower the pool size, cap maxReplicas, raise
        max_connections (memory permitting), or put PgBouncer in transaction mode in front of
        the database. Always set SetMaxOpenConns on database/sql pools.
    """,
    example="""
        // 12 pods × 10 = 120 connections, within max_connections = 200 (postgresql.conf)
        poolCfg.MaxConns = 10
    """,
    scanners=(SEMGREP,),
    core=True,
    rules=(
        "go-pgxpool-max-conns",
        "go-pgxpool-open",
        "go-sql-max-open-conns",
        "go-sql-open",
        "py-db-pool",
    ),
)
def db_connection_budget(ctx: CheckContext) -> CheckResult:
    pools = db_pools(ctx)
    if not pools:
        return _unbudgeted(
            ctx, datastores.databases(ctx.repo), "database", "no service opens a PostgreSQL connection pool"
        )
    default = Server(
        "",
        "PostgreSQL (no server is defined in the repository)",
        "postgres",
        frozenset(),
        POSTGRES_DEFAULT_MAX_CONNECTIONS,
        "PostgreSQL's default max_connections",
        None,
        False,
    )
    found = budgets(ctx, pools, database_servers(ctx.repo), "postgres", default)
    failures = _per_site_failures(found, "database")
    summaries: list[str] = []
    evidence: list[Evidence] = []
    for budget in found:
        server, total = budget.server, budget.total()
        setting = "max_client_conn" if server.kind == "pgbouncer" else "max_connections"
        if total > server.limit:
            failures.append(_over_limit(budget, setting))
            continue
        summaries.append(
            f"up to {total} connections to {server.label}{_where(budget)} at maximum scale, within "
            f"{_limit(server, setting)}: {budget.arithmetic()}{_unmeasured(budget)}"
        )
        evidence += budget.evidence()
    return _graded(CheckResult.from_failures(failures, "; ".join(summaries), *dict.fromkeys(evidence)), found)


@check(
    id="scalability/redis-connection-budget",
    question=seed.REDIS_POOLING,
    title="Redis pools at maximum scale (and at 100 instances) fit in maxclients",
    severity=Severity.BLOCKER,
    rationale="""
        Each pod's Redis client keeps its own pool, and Redis refuses connections beyond
        `maxclients` (10000 by default) with "max number of clients reached". A go-redis pool
        defaults to 10 per CPU, so a pod on a large node opens far more than expected, and
        redis-py's default pool has no limit at all. At 100+ instances even modest pools add up:
        200 × 100 pods is 20000 connections, twice the default limit, and every connection costs
        Redis memory and file descriptors.
    """,
    looks_at="""
        Redis clients in code (semgrep): go-redis `PoolSize` (default 10 × GOMAXPROCS, 4 CPUs
        assumed), redigo `MaxActive` (0 means no limit), redis-py `max_connections` (a
        ConnectionPool without it is unbounded; BlockingConnectionPool defaults to 50). Replicas
        and processes as for the database budget. Redis's limit: `--maxclients` on its command
        line, `maxclients` in the redis.conf it loads (file or ConfigMap key), else 10000. The
        total is taken at maximum scale and, as the seed asks, at 100 instances per service.
    """,
    remediation="""
        Size PoolSize from the budget: maxclients / (instances × processes), with headroom for
        replicas, Sentinel and admin connections. Set PoolSize explicitly (the CPU-based default
        grows with the node), give redis-py pools a max_connections (or use
        BlockingConnectionPool), raise maxclients (and the file-descriptor limit) if the budget
        needs it, or shard/proxy Redis before the fleet reaches 100 instances.
    """,
    example="""
        rdb := redis.NewClient(&redis.Options{
            Addr:     cfg.RedisAddr,
            PoolSize: 20, // 100 pods × 20 = 2000 = maxclients in redis.conf
        })
    """,
    scanners=(SEMGREP,),
    core=True,
    rules=(
        "go-redigo-pool",
        "go-redigo-pool-unbounded",
        "go-redis-client",
        "go-redis-pool-size",
        "py-redis-client",
    ),
)
def redis_connection_budget(ctx: CheckContext) -> CheckResult:
    pools = redis_pools(ctx)
    if not pools:
        return _unbudgeted(
            ctx, datastores.redis(ctx.repo), "Redis", "no service opens a Redis connection pool"
        )
    default = Server(
        "",
        "Redis (no server is defined in the repository)",
        "redis",
        frozenset(),
        REDIS_DEFAULT_MAXCLIENTS,
        "Redis's default maxclients",
        None,
        False,
    )
    found = budgets(ctx, pools, redis_servers(ctx.repo), "redis", default)
    failures = _per_site_failures(found, "Redis")
    summaries: list[str] = []
    evidence: list[Evidence] = []
    for budget in found:
        server, total = budget.server, budget.total()
        if total > server.limit:
            failures.append(_over_limit(budget, "maxclients"))
            continue
        at_fleet = sum(t.total(max(FLEET_SIZE, t.deployment.replicas)) for t in budget.bounded())
        if at_fleet > server.limit:
            fleet = "; ".join(
                t.explain(max(FLEET_SIZE, t.deployment.replicas), "instances") for t in budget.bounded()
            )
            failures.append(
                Failure(
                    f"At {FLEET_SIZE} instances per service the pools would need {at_fleet} connections to "
                    f"{server.label}{_where(budget)}, above {_limit(server, 'maxclients')}: {fleet}. "
                    f"Today's maximum is {total} ({budget.arithmetic()}). ({budget.mappings()})",
                    budget.evidence(),
                    Severity.RISK,
                )
            )
            continue
        summaries.append(
            f"up to {total} connections to {server.label}{_where(budget)} at maximum scale and {at_fleet} at "
            f"{FLEET_SIZE} instances per service, within {_limit(server, 'maxclients')}: "
            f"{budget.arithmetic()}{_unmeasured(budget)}"
        )
        evidence += budget.evidence()
    return _graded(CheckResult.from_failures(failures, "; ".join(summaries), *dict.fromkeys(evidence)), found)


def _graded(result: CheckResult, found: list[Budget]) -> CheckResult:
    """PARTIAL when the pools are bounded but a size could not be read (the budget is unconfirmed,
    not blown), or when some budgets fit and others don't; NO when every budget is blown."""
    if result.outcome is not Outcome.FAIL:
        return result
    blown = any(budget.total() > budget.server.limit for budget in found)
    unbounded = any(term.size.unbounded for budget in found for term in budget.terms)
    return result.partly((not blown and not unbounded) or bool(result.evidence))


# Pool limits as written in code or configuration, for any driver: the control exists even where
# readiness cannot do the arithmetic (Cassandra, Aerospike, MySQL, MongoDB, client defaults).
_POOL_SETTING = re.compile(
    r"(?i)\b(max_?open_?conns|SetMaxOpenConns|pool_?size|max_?pool_?size|maxPoolSize|connection_?limit|"
    r"connectionLimit|NumConns|num_?conns|ConnectionQueueSize|connection_?queue_?size|max_?conns(_per_host)?|"
    r"MaxActive|MaxIdle|min_?idle_?conns|PoolSize|pool_?max|max_?connections_?per_?host)\b"
)
_POOL_SOURCES = (
    ".go",
    ".py",
    ".js",
    ".ts",
    ".java",
    ".kt",
    ".php",
    ".yaml",
    ".yml",
    ".toml",
    ".properties",
    ".json",
)


def _unbudgeted(ctx: CheckContext, uses: list[datastores.Use], what: str, reason: str) -> CheckResult:
    """No pool readiness can size: not applicable without the data store; with it, PARTIAL when
    the code or config sets pool limits somewhere, else the client's defaults are unbudgeted."""
    if not uses:
        return CheckResult.not_applicable(reason)
    repo = ctx.repo
    files = [p for p in repo.with_suffix(*_POOL_SOURCES) if is_production(p)]
    settings = [repo.evidence(m.path, m.line) for m in repo.search(_POOL_SETTING, files)][:5]
    used = f"{uses[0].how} ({uses[0].evidence.location()})"
    if settings:
        message = (
            f"the {what} client ({used}) has pool limits set, but the connections at maximum scale are "
            "not budgeted against the server's limit (readiness does the arithmetic for PostgreSQL and "
            "Redis pools it can size)"
        )
    else:
        message = (
            f"the {what} client ({used}) runs with its library's default pool: no size or limit is set, so "
            "the connections at maximum scale are unknown"
        )
    failed = CheckResult.failed([Failure(message, (*settings, uses[0].evidence), Severity.RISK)])
    return dataclasses.replace(failed, answer=Answer.PARTIAL)
