"""Which data stores the repository uses, by family, with the evidence for each.

One table of families (Redis and its forks, Postgres and its derivatives, …) read from every
place a data store shows up: the drivers in dependency manifests, container images (Dockerfiles,
Kubernetes, compose, Helm values), Helm chart dependencies, Terraform resources and Redis config
files. Test, example and development files don't count: a test's Postgres container says nothing
about the service.

It is the positive evidence behind "not applicable": a question about the database is only
n/a when this finds no database anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

from readiness.facts.images import short_name
from readiness.facts.production import is_production
from readiness.model import Evidence
from readiness.parsers.yaml_lines import YMap
from readiness.repo import K8sObject, Repo


class Family(StrEnum):
    REDIS = "redis"  # Redis, Valkey, KeyDB, Dragonfly: one protocol, one persistence model
    POSTGRES = "postgres"  # PostgreSQL, TimescaleDB, PostGIS, Cloud SQL, AlloyDB, RDS
    MYSQL = "mysql"  # MySQL, MariaDB, Percona
    SQL = "sql"  # an ORM or SQL toolkit whose backend the manifest doesn't name
    SQLITE = "sqlite"
    MONGODB = "mongodb"
    CASSANDRA = "cassandra"  # Cassandra, ScyllaDB
    AEROSPIKE = "aerospike"
    CLICKHOUSE = "clickhouse"
    MEMCACHED = "memcached"
    KAFKA = "kafka"
    RABBITMQ = "rabbitmq"
    ELASTICSEARCH = "elasticsearch"

    @property
    def is_database(self) -> bool:
        """A primary store whose data must be backed up and whose connections must be budgeted."""
        return self in _DATABASES


_DATABASES = frozenset({
    Family.POSTGRES, Family.MYSQL, Family.SQL, Family.SQLITE, Family.MONGODB, Family.CASSANDRA,
    Family.AEROSPIKE, Family.CLICKHOUSE,
})  # fmt: skip


@dataclass(frozen=True)
class Use:
    family: Family
    evidence: Evidence
    how: str  # "driver github.com/lib/pq", "image postgres:16", …


# Drivers by ecosystem. Go and Java match module/artifact prefixes; the others match names.
GO_MODULES: dict[str, Family] = {
    "github.com/redis/go-redis": Family.REDIS, "github.com/go-redis/redis": Family.REDIS,
    "github.com/gomodule/redigo": Family.REDIS, "github.com/garyburd/redigo": Family.REDIS,
    "github.com/redis/rueidis": Family.REDIS, "github.com/valkey-io/valkey-go": Family.REDIS,
    "github.com/mediocregopher/radix": Family.REDIS, "github.com/alicebob/miniredis": Family.REDIS,
    "github.com/jackc/pgx": Family.POSTGRES, "github.com/lib/pq": Family.POSTGRES,
    "gorm.io/driver/postgres": Family.POSTGRES, "github.com/go-pg/pg": Family.POSTGRES,
    "github.com/uptrace/bun/dialect/pgdialect": Family.POSTGRES,
    "github.com/go-sql-driver/mysql": Family.MYSQL, "gorm.io/driver/mysql": Family.MYSQL,
    "github.com/mattn/go-sqlite3": Family.SQLITE, "modernc.org/sqlite": Family.SQLITE,
    "gorm.io/driver/sqlite": Family.SQLITE, "gorm.io/gorm": Family.SQL, "github.com/jmoiron/sqlx": Family.SQL,
    "go.mongodb.org/mongo-driver": Family.MONGODB, "gopkg.in/mgo": Family.MONGODB,
    "github.com/gocql/gocql": Family.CASSANDRA, "github.com/scylladb/gocqlx": Family.CASSANDRA,
    "github.com/aerospike/aerospike-client-go": Family.AEROSPIKE,
    "github.com/ClickHouse/clickhouse-go": Family.CLICKHOUSE,
    "github.com/bradfitz/gomemcache": Family.MEMCACHED,
    "github.com/segmentio/kafka-go": Family.KAFKA, "github.com/IBM/sarama": Family.KAFKA,
    "github.com/Shopify/sarama": Family.KAFKA, "github.com/confluentinc/confluent-kafka-go": Family.KAFKA,
    "github.com/twmb/franz-go": Family.KAFKA,
    "github.com/rabbitmq/amqp091-go": Family.RABBITMQ, "github.com/streadway/amqp": Family.RABBITMQ,
    "github.com/elastic/go-elasticsearch": Family.ELASTICSEARCH,
    "github.com/olivere/elastic": Family.ELASTICSEARCH,
}  # fmt: skip
PYTHON_PACKAGES: dict[str, Family] = {
    "redis": Family.REDIS, "aioredis": Family.REDIS, "valkey": Family.REDIS, "redis-py-cluster": Family.REDIS,
    "django-redis": Family.REDIS, "hiredis": Family.REDIS, "rq": Family.REDIS,
    "psycopg": Family.POSTGRES, "psycopg2": Family.POSTGRES, "psycopg2-binary": Family.POSTGRES,
    "psycopg-binary": Family.POSTGRES, "psycopg-pool": Family.POSTGRES, "asyncpg": Family.POSTGRES,
    "pg8000": Family.POSTGRES,
    "mysqlclient": Family.MYSQL, "pymysql": Family.MYSQL, "aiomysql": Family.MYSQL,
    "mysql-connector-python": Family.MYSQL,
    "sqlalchemy": Family.SQL, "sqlmodel": Family.SQL, "peewee": Family.SQL, "tortoise-orm": Family.SQL,
    "databases": Family.SQL, "django": Family.SQL, "flask-sqlalchemy": Family.SQL, "alembic": Family.SQL,
    "pymongo": Family.MONGODB, "motor": Family.MONGODB, "mongoengine": Family.MONGODB,
    "cassandra-driver": Family.CASSANDRA, "aerospike": Family.AEROSPIKE,
    "clickhouse-driver": Family.CLICKHOUSE, "clickhouse-connect": Family.CLICKHOUSE,
    "pymemcache": Family.MEMCACHED, "python-memcached": Family.MEMCACHED,
    "kafka-python": Family.KAFKA, "aiokafka": Family.KAFKA, "confluent-kafka": Family.KAFKA,
    "pika": Family.RABBITMQ, "aio-pika": Family.RABBITMQ, "kombu": Family.RABBITMQ,
    "elasticsearch": Family.ELASTICSEARCH,
}  # fmt: skip
NODE_PACKAGES: dict[str, Family] = {
    "redis": Family.REDIS, "ioredis": Family.REDIS, "@redis/client": Family.REDIS, "iovalkey": Family.REDIS,
    "pg": Family.POSTGRES, "pg-pool": Family.POSTGRES, "postgres": Family.POSTGRES,
    "pg-promise": Family.POSTGRES, "mysql": Family.MYSQL, "mysql2": Family.MYSQL, "mariadb": Family.MYSQL,
    "knex": Family.SQL, "sequelize": Family.SQL, "typeorm": Family.SQL, "@prisma/client": Family.SQL,
    "drizzle-orm": Family.SQL, "better-sqlite3": Family.SQLITE, "sqlite3": Family.SQLITE,
    "mongodb": Family.MONGODB, "mongoose": Family.MONGODB, "cassandra-driver": Family.CASSANDRA,
    "aerospike": Family.AEROSPIKE, "memcached": Family.MEMCACHED, "kafkajs": Family.KAFKA,
    "amqplib": Family.RABBITMQ, "@elastic/elasticsearch": Family.ELASTICSEARCH,
}  # fmt: skip
_JVM_ARTIFACTS: dict[str, Family] = {
    "spring-boot-starter-data-redis": Family.REDIS, "jedis": Family.REDIS, "lettuce-core": Family.REDIS,
    "redisson": Family.REDIS, "postgresql": Family.POSTGRES, "r2dbc-postgresql": Family.POSTGRES,
    "mysql-connector-java": Family.MYSQL, "mysql-connector-j": Family.MYSQL,
    "mariadb-java-client": Family.MYSQL, "spring-boot-starter-data-jpa": Family.SQL,
    "spring-boot-starter-jdbc": Family.SQL, "hibernate-core": Family.SQL,
    "spring-boot-starter-data-mongodb": Family.MONGODB, "mongodb-driver-sync": Family.MONGODB,
    "mongo-java-driver": Family.MONGODB, "java-driver-core": Family.CASSANDRA,
    "spring-boot-starter-amqp": Family.RABBITMQ, "amqp-client": Family.RABBITMQ,
    "kafka-clients": Family.KAFKA, "spring-kafka": Family.KAFKA,
}  # fmt: skip
_PHP_PACKAGES: dict[str, Family] = {
    "predis/predis": Family.REDIS, "ext-redis": Family.REDIS, "ext-pdo_mysql": Family.MYSQL,
    "ext-mysqli": Family.MYSQL, "ext-pdo_pgsql": Family.POSTGRES, "ext-pgsql": Family.POSTGRES,
    "doctrine/dbal": Family.SQL, "doctrine/orm": Family.SQL, "mongodb/mongodb": Family.MONGODB,
    "ext-mongodb": Family.MONGODB, "php-amqplib/php-amqplib": Family.RABBITMQ,
}  # fmt: skip
# Image repository names (the last path segment, before the tag), also as a word of a name
# such as `rs-mysql-db` or `bitnami/redis-cluster`.
_IMAGE_WORDS: dict[str, Family] = {
    "redis": Family.REDIS, "valkey": Family.REDIS, "keydb": Family.REDIS, "dragonfly": Family.REDIS,
    "postgres": Family.POSTGRES, "postgresql": Family.POSTGRES, "timescaledb": Family.POSTGRES,
    "postgis": Family.POSTGRES, "pgvector": Family.POSTGRES, "cloud-sql-proxy": Family.POSTGRES,
    "spilo": Family.POSTGRES, "patroni": Family.POSTGRES,  # Zalando's HA images: Postgres inside
    "mysql": Family.MYSQL, "mariadb": Family.MYSQL, "percona": Family.MYSQL,
    "mongo": Family.MONGODB, "mongodb": Family.MONGODB, "cassandra": Family.CASSANDRA,
    "scylla": Family.CASSANDRA, "aerospike": Family.AEROSPIKE, "clickhouse": Family.CLICKHOUSE,
    "memcached": Family.MEMCACHED, "kafka": Family.KAFKA, "rabbitmq": Family.RABBITMQ,
    "elasticsearch": Family.ELASTICSEARCH, "opensearch": Family.ELASTICSEARCH,
}  # fmt: skip
_TERRAFORM_RESOURCES: dict[str, Family] = {
    "google_sql_database_instance": Family.SQL, "google_alloydb_cluster": Family.POSTGRES,
    "aws_db_instance": Family.SQL, "aws_rds_cluster": Family.SQL,
    "azurerm_postgresql_server": Family.POSTGRES,
    "azurerm_postgresql_flexible_server": Family.POSTGRES, "azurerm_mysql_flexible_server": Family.MYSQL,
    "google_redis_instance": Family.REDIS, "aws_elasticache_cluster": Family.REDIS,
    "aws_elasticache_replication_group": Family.REDIS, "azurerm_redis_cache": Family.REDIS,
    "aws_dynamodb_table": Family.SQL, "google_spanner_instance": Family.SQL,
}  # fmt: skip

Reader = Callable[[Repo, str], list["Use"]]
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9_.-]*)")
_QUOTED_KEY = re.compile(r'^\s*"([^"]+)"\s*:')
_TERRAFORM_RESOURCE = re.compile(r'^\s*resource\s+"([a-z0-9_]+)"')
_IMAGE_KEY = re.compile(r"^\s*(?:image|repository)\s*:\s*[\"']?([^\s\"'#]+)")


def uses(repo: Repo) -> list[Use]:
    """Every data store the production files use, in path and line order."""
    return repo.memo("facts.datastores.uses", lambda: _find(repo))


def families(repo: Repo) -> dict[Family, list[Use]]:
    grouped: dict[Family, list[Use]] = {}
    for use in uses(repo):
        grouped.setdefault(use.family, []).append(use)
    return grouped


def databases(repo: Repo) -> list[Use]:
    return [use for use in uses(repo) if use.family.is_database]


def redis(repo: Repo) -> list[Use]:
    return [use for use in uses(repo) if use.family is Family.REDIS]


def canonical(name: str) -> str:
    """PEP 503 spelling of a Python distribution name: `psycopg_pool` → `psycopg-pool`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def image_family(reference: str) -> Family | None:
    """The family of an image reference: `bitnami/redis:7.2` → REDIS, `rs-mysql-db` → MYSQL."""
    name = short_name(reference)
    if name in _IMAGE_WORDS:
        return _IMAGE_WORDS[name]
    for word in re.split(r"[-_.]", name):
        if word in _IMAGE_WORDS:
            return _IMAGE_WORDS[word]
    return None


def _find(repo: Repo) -> list[Use]:
    found: list[Use] = []
    for path in repo.paths:
        if not is_production(path):
            continue
        name = PurePosixPath(path).name.lower()
        reader = _reader(name)
        if reader is not None:
            found += reader(repo, path)
    found += _images(repo)
    unique = {(use.family, use.evidence.path, use.evidence.line): use for use in found}
    return sorted(unique.values(), key=lambda u: (u.evidence.path or "", u.evidence.line or 0))


def _reader(name: str) -> Reader | None:
    if name == "go.mod":
        return _go_mod
    if name == "pyproject.toml" or name == "pipfile" or re.fullmatch(r"requirements[\w.-]*\.(txt|in)", name):
        return _python_manifest if "dev" not in name and "test" not in name else None
    if name == "package.json":
        return _json_keys(NODE_PACKAGES)
    if name in ("pom.xml", "build.gradle", "build.gradle.kts"):
        return _jvm_build
    if name == "composer.json":
        return _json_keys(_PHP_PACKAGES)
    if name.endswith(".tf"):
        return _terraform
    if name == "chart.yaml":
        return _chart_dependencies
    if name == "redis.conf" or (name.startswith("redis") and name.endswith(".conf")):
        return _redis_conf
    return None


def _line_uses(repo: Repo, path: str, match: Iterable[tuple[int, str, Family]]) -> list[Use]:
    return [Use(family, repo.evidence(path, number), how) for number, how, family in match]


def _go_mod(repo: Repo, path: str) -> list[Use]:
    def hits() -> Iterable[tuple[int, str, Family]]:
        for number, raw in enumerate(repo.lines(path), start=1):
            if "// indirect" in raw:
                continue  # pulled in by another module, not used by this one
            tokens = raw.split("//", 1)[0].replace("require", " ").replace("(", " ").split()
            for prefix, family in GO_MODULES.items():
                if tokens and (tokens[0] == prefix or tokens[0].startswith(prefix + "/")):
                    yield number, f"driver {tokens[0]}", family
                    break

    return _line_uses(repo, path, hits())


def _python_manifest(repo: Repo, path: str) -> list[Use]:
    def hits() -> Iterable[tuple[int, str, Family]]:
        for number, raw in enumerate(repo.lines(path), start=1):
            line = raw.strip().strip("\"',")
            if not line or line.startswith(("#", "-", "[")):
                continue
            parsed = _REQUIREMENT.match(line)
            if parsed is None:
                continue
            name = canonical(parsed.group(1).split("[", 1)[0])
            family = PYTHON_PACKAGES.get(name)
            if family is not None and _looks_like_requirement(line, parsed.group(1)):
                yield number, f"package {name}", family

    return _line_uses(repo, path, hits())


def _looks_like_requirement(line: str, name: str) -> bool:
    """`redis==5.0`, `redis = "^5"`, `"redis>=5",` — not `redis_url = …` prose or settings."""
    rest = line[len(name) :].lstrip()
    return rest == "" or rest[0] in "=<>~![;@ " or rest.startswith(("= ", '="', "= {")) or rest[0] == "="


def _json_keys(table: dict[str, Family]) -> Reader:
    """A reader of JSON manifests whose dependencies are keys (package.json, composer.json)."""

    def read(repo: Repo, path: str) -> list[Use]:
        def hits() -> Iterable[tuple[int, str, Family]]:
            for number, raw in enumerate(repo.lines(path), start=1):
                key = _QUOTED_KEY.match(raw)
                family = table.get(key.group(1).lower()) if key is not None else None
                if key is not None and family is not None:
                    yield number, f"package {key.group(1)}", family

        return _line_uses(repo, path, hits())

    return read


def _jvm_build(repo: Repo, path: str) -> list[Use]:
    def hits() -> Iterable[tuple[int, str, Family]]:
        for number, raw in enumerate(repo.lines(path), start=1):
            if "test" in raw.lower() and "testImplementation" in raw:
                continue
            for artifact, family in _JVM_ARTIFACTS.items():
                if re.search(r"[:>]\s*" + re.escape(artifact) + r"\s*[:<'\"]", raw):
                    yield number, f"artifact {artifact}", family
                    break

    # JVM builds pull starters and BOM-managed clients in that the code never touches (a Redis
    # client beside a Postgres app): a driver counts when the module's code or config names it.
    found = _line_uses(repo, path, hits())
    module = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
    return [use for use in found if _jvm_names(repo, module, use.family)]


_JVM_SOURCES = (".java", ".kt", ".scala", ".groovy", ".properties", ".yml", ".yaml", ".xml")
_JVM_WORDS: dict[Family, re.Pattern[str]] = {
    Family.REDIS: re.compile(r"(?i)redis|lettuce|jedis|redisson"),
    Family.POSTGRES: re.compile(r"(?i)postgres"),
    Family.MYSQL: re.compile(r"(?i)mysql|mariadb"),
    Family.SQL: re.compile(r"(?i)jdbc|javax\.persistence|jakarta\.persistence|datasource|JpaRepository"),
    Family.MONGODB: re.compile(r"(?i)mongo"),
    Family.CASSANDRA: re.compile(r"(?i)cassandra|datastax"),
    Family.RABBITMQ: re.compile(r"(?i)rabbit|amqp"),
    Family.KAFKA: re.compile(r"(?i)kafka"),
}


def _jvm_names(repo: Repo, module: str, family: Family) -> bool:
    pattern = _JVM_WORDS.get(family)
    if pattern is None:
        return True
    files = [
        p
        for p in repo.with_suffix(*_JVM_SOURCES)
        if p.startswith(module) and is_production(p) and not p.endswith("pom.xml")
    ]
    return bool(repo.search(pattern, files))


def _terraform(repo: Repo, path: str) -> list[Use]:
    def hits() -> Iterable[tuple[int, str, Family]]:
        for number, raw in enumerate(repo.lines(path), start=1):
            resource = _TERRAFORM_RESOURCE.match(raw)
            if resource is not None and resource.group(1) in _TERRAFORM_RESOURCES:
                yield number, f"resource {resource.group(1)}", _TERRAFORM_RESOURCES[resource.group(1)]

    return _line_uses(repo, path, hits())


def _chart_dependencies(repo: Repo, path: str) -> list[Use]:
    found: list[Use] = []
    for document in repo.yaml(path)[:1]:
        dependencies = document.get("dependencies") if isinstance(document, YMap) else None
        for dependency in dependencies if isinstance(dependencies, list) else []:
            if isinstance(dependency, YMap) and isinstance(dependency.get("name"), str):
                family = image_family(dependency["name"])
                if family is not None:
                    line = dependency.line_of("name")
                    found.append(Use(family, repo.evidence(path, line), f"chart {dependency['name']}"))
    return found


def _redis_conf(repo: Repo, path: str) -> list[Use]:
    return [Use(Family.REDIS, Evidence(path=path, line=1), "Redis configuration file")]


def _images(repo: Repo) -> list[Use]:
    """Images in Dockerfiles, Kubernetes, compose files and Helm values (`image:`/`repository:`)."""
    found: list[Use] = []
    for dockerfile in repo.dockerfiles():
        if not is_production(dockerfile.path):
            continue
        for instruction in dockerfile.find("FROM"):
            tokens = [t for t in instruction.arguments.split() if not t.startswith("--")]
            family = image_family(tokens[0]) if tokens else None
            if family is not None:
                evidence = repo.evidence(dockerfile.path, instruction.line)
                found.append(Use(family, evidence, f"image {tokens[0]}"))
    for path in repo.yaml_paths():
        if not is_production(path):
            continue
        for number, raw in enumerate(repo.lines(path), start=1):
            image = _IMAGE_KEY.match(raw)
            family = image_family(image.group(1)) if image is not None else None
            if image is not None and family is not None:
                found.append(Use(family, repo.evidence(path, number), f"image {image.group(1)}"))
    return found


# Repository names (last path segment, before the tag) of common data stores.
DATASTORE_IMAGES = frozenset(
    {
        "redis",
        "redis-stack",
        "redis-stack-server",
        "valkey",
        "keydb",
        "dragonfly",
        "memcached",
        "postgres",
        "postgresql",
        "timescaledb",
        "timescaledb-ha",
        "postgis",
        "mysql",
        "mariadb",
        "percona",
        "mongo",
        "mongodb",
        "cassandra",
        "scylla",
        "clickhouse-server",
        "elasticsearch",
        "opensearch",
        "kafka",
        "zookeeper",
        "rabbitmq",
        "nats",
        "etcd",
        "cockroach",
        "minio",
    }
)


def is_datastore(workload: K8sObject) -> bool:
    images = [str(c.get("image", "")) for c in workload.containers()]
    return bool(images) and any(short_name(image) in DATASTORE_IMAGES for image in images)
