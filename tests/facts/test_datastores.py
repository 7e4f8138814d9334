"""Data stores by family, from every place they show up in production files."""

from __future__ import annotations

from pathlib import Path

from readiness.facts import datastores
from readiness.facts.datastores import Family
from readiness.repo import Repo
from tests.support import write_tree


def found(tmp_path: Path, files: dict[str, str]) -> list[tuple[Family, str | None, int | None, str]]:
    repo = Repo(write_tree(tmp_path, files))
    return [(u.family, u.evidence.path, u.evidence.line, u.how) for u in datastores.uses(repo)]


def test_drivers_in_manifests(tmp_path: Path) -> None:
    assert found(
        tmp_path,
        {
            "go.mod": """
                module example.com/cache

                require (
                \tgithub.com/aerospike/aerospike-client-go/v6 v6.7.0
                \tgithub.com/go-redis/redis/v8 v8.11.5
                \tgithub.com/gocql/gocql v1.0.0
                \tgithub.com/lib/pq v1.10.0 // indirect
                )
            """,
            "api/requirements.txt": "flask==3.0.0\npsycopg2-binary==2.9.9\n",
            "web/package.json": '{\n  "dependencies": {\n    "ioredis": "^5.0.0"\n  }\n}\n',
        },
    ) == [
        (Family.POSTGRES, "api/requirements.txt", 2, "package psycopg2-binary"),
        (Family.AEROSPIKE, "go.mod", 4, "driver github.com/aerospike/aerospike-client-go/v6"),
        (Family.REDIS, "go.mod", 5, "driver github.com/go-redis/redis/v8"),
        (Family.CASSANDRA, "go.mod", 6, "driver github.com/gocql/gocql"),
        (Family.REDIS, "web/package.json", 3, "package ioredis"),
    ]


def test_images_charts_terraform_and_config(tmp_path: Path) -> None:
    assert found(
        tmp_path,
        {
            "mysql/Dockerfile": "FROM mysql:8.0\n",
            "chart/Chart.yaml": "name: app\ndependencies:\n  - name: postgresql\n    version: 12.1.0\n",
            "infra/db.tf": 'resource "google_sql_database_instance" "main" {\n}\n',
            "deploy/redis.conf": "appendonly yes\n",
            "k8s/cache.yaml": "spec:\n  containers:\n    - name: cache\n      image: valkey/valkey:8\n",
        },
    ) == [
        (Family.POSTGRES, "chart/Chart.yaml", 3, "chart postgresql"),
        (Family.REDIS, "deploy/redis.conf", 1, "Redis configuration file"),
        (Family.SQL, "infra/db.tf", 1, "resource google_sql_database_instance"),
        (Family.REDIS, "k8s/cache.yaml", 4, "image valkey/valkey:8"),
        (Family.MYSQL, "mysql/Dockerfile", 1, "image mysql:8.0"),
    ]


def test_tests_examples_and_dev_files_do_not_count(tmp_path: Path) -> None:
    assert (
        found(
            tmp_path,
            {
                "tests/docker-compose.yml": "services:\n  db:\n    image: postgres:16\n",
                ".devcontainer/docker-compose.yml": "services:\n  db:\n    image: postgres:16\n",
                "examples/app/requirements.txt": "redis==5.0.1\n",
                "requirements-dev.txt": "redis==5.0.1\n",
            },
        )
        == []
    )


def test_a_jvm_client_counts_only_when_the_module_names_it(tmp_path: Path) -> None:
    pom = "<dependency><artifactId>lettuce-core</artifactId></dependency>\n"
    unused = {"svc/pom.xml": pom, "svc/src/main/java/App.java": "class App {}\n"}
    assert found(tmp_path / "unused", unused) == []
    used = {"svc/pom.xml": pom, "svc/src/main/java/Cache.java": "import io.lettuce.core.RedisClient;\n"}
    assert found(tmp_path / "used", used) == [(Family.REDIS, "svc/pom.xml", 1, "artifact lettuce-core")]


def test_image_family_reads_names_and_their_words() -> None:
    assert datastores.image_family("docker.io/bitnami/redis:7.2@sha256:abc") is Family.REDIS
    assert datastores.image_family("robotshop/rs-mysql-db:2.1.0") is Family.MYSQL
    assert datastores.image_family("timescale/timescaledb-ha:pg16") is Family.POSTGRES
    assert datastores.image_family("nginx:1.27") is None
