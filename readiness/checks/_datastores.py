"""Recognising data stores among container images.

Stateful stores don't scale by adding replicas behind a Service: their availability is a
replication and failover question (disaster recovery), so scaling checks leave them out.
"""

from __future__ import annotations

from readiness.repo import K8sObject

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


def image_name(reference: str) -> str:
    """`docker.io/bitnami/redis:7.2@sha256:…` → `redis`."""
    without_digest = reference.split("@", 1)[0]
    last = without_digest.rsplit("/", 1)[-1]
    return last.split(":", 1)[0].lower()


def is_datastore(workload: K8sObject) -> bool:
    images = [str(c.get("image", "")) for c in workload.containers()]
    return bool(images) and any(image_name(image) in DATASTORE_IMAGES for image in images)
