from __future__ import annotations

from pathlib import Path

import pytest

from readiness.model import Outcome, Severity
from tests.support import locations, run_check, write_tree

CHECK = "disaster-recovery/redis-usage"

IDENTITY_GRAPH = """
from redis.asyncio import Redis


class IdentityGraph:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def link(self, keys: list[str], identity: str) -> None:
        for key in keys:
            await self._redis.set(key, identity)

    async def remember(self, key: str, value: str) -> None:
        await self._redis.set(key, value, ex=3600)
"""

REDIS_OFF = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis
spec:
  template:
    spec:
      containers:
        - name: redis
          image: redis:7.2
          args: ["redis-server", "--save", "", "--appendonly", "no"]
"""

COMPOSE_STORE_EVICTING = """
services:
  redis:
    image: redis:7.2
    command: redis-server --appendonly yes --maxmemory 1gb --maxmemory-policy allkeys-lru
    volumes:
      - data:/data
volumes:
  data:
"""

FREQUENCY_CAP = """
package bidder

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

type capper struct{ rdb *redis.Client }

func (c *capper) Incr(ctx context.Context, key string) {
	pipe := c.rdb.TxPipeline()
	pipe.Incr(ctx, key)
	pipe.Expire(ctx, key, 2*time.Hour)
	_, _ = pipe.Exec(ctx)
}

func (c *capper) Remember(ctx context.Context, key string) error {
	return c.rdb.Set(ctx, key, "1", time.Hour).Err()
}
"""

AUCTION = """
package bidder

import "context"

func (ex *exchange) record(ctx context.Context, user string) {
	ex.caps.Incr(ctx, user)
}

type exchange struct{ caps *capper }
"""

COMPOSE_CACHES = """
services:
  unbounded:
    image: redis:7-alpine
    command: redis-server --save "" --appendonly no
  bounded:
    image: redis:7-alpine
    command: ["redis-server", "--save", "", "--maxmemory", "512mb", "--maxmemory-policy", "allkeys-lru"]
"""


@pytest.mark.slow
def test_a_store_needs_persistence_and_no_eviction(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "idr/pyproject.toml": "[project]\nname = 'idr'\n",
            "idr/app/graph.py": IDENTITY_GRAPH,
            "deploy/redis.yaml": REDIS_OFF,
            "docker-compose.yml": COMPOSE_STORE_EVICTING,
        },
    )
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert [(e.path, e.line) for f in result.failures for e in f.evidence] == [
        ("idr/app/graph.py", 10),
        ("deploy/redis.yaml", 11),
        ("idr/app/graph.py", 10),
        ("docker-compose.yml", 4),
    ]
    off, evicting = result.failures
    assert off.severity is Severity.BLOCKER
    assert "used as a store" in off.message and "graph.py:10 (`key`)" in off.message
    assert "persistence off" in off.message
    assert evicting.severity is Severity.RISK and "allkeys-lru" in evicting.message


@pytest.mark.slow
def test_a_cache_needs_a_memory_bound_and_wrappers_are_not_writes(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "bidder/go.mod": "module example.com/bidder\n\ngo 1.22\n",
            "bidder/freqcap.go": FREQUENCY_CAP,
            "bidder/auction.go": AUCTION,
            "docker-compose.yml": COMPOSE_CACHES,
        },
    )
    result = run_check(CHECK, tmp_path)
    # `ex.caps.Incr(ctx, user)` calls the package's own wrapper, not go-redis: every write expires.
    assert locations(result) == [("bidder/freqcap.go", 15)]
    (unbounded,) = result.failures
    assert unbounded.severity is Severity.RISK
    assert "used as a cache" in unbounded.message and "'unbounded'" in unbounded.message
    assert [(e.path, e.line) for e in unbounded.evidence] == [
        ("bidder/freqcap.go", 15),
        ("docker-compose.yml", 2),
    ]


@pytest.mark.slow
def test_persisted_store_passes_and_no_writes_is_not_applicable(tmp_path: Path) -> None:
    write_tree(
        tmp_path / "store",
        {
            "idr/pyproject.toml": "[project]\nname = 'idr'\n",
            "idr/app/graph.py": IDENTITY_GRAPH,
            "redis.conf": "appendonly yes\nappendfsync everysec\nmaxmemory-policy noeviction\n",
            "tests/test_graph.py": "import redis\n\ndef test_x(r):\n    r.set('k', 'v')\n",
        },
    )
    result = run_check(CHECK, tmp_path / "store")
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [("idr/app/graph.py", 10), ("redis.conf", 1)]
    write_tree(tmp_path / "none", {"bidder/go.mod": "module x\n", "bidder/auction.go": AUCTION})
    assert run_check(CHECK, tmp_path / "none").outcome is Outcome.NOT_APPLICABLE
