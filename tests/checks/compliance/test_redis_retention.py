from __future__ import annotations

from pathlib import Path

import pytest

from readiness.model import Outcome
from tests.support import locations, run_check, write_tree

CHECK = "compliance/redis-retention"

GRAPH = """
from redis.asyncio import Redis


def keys(ifa: str, ip: str) -> list[str]:
    return [f"idr:ifa:{ifa}", f"idr:ip:{ip}"]


class IdentityGraph:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def link(self, ifa: str, ip: str, identity: str) -> None:
        for key in keys(ifa, ip):
            await self._redis.set(key, identity)
"""

PROFILES = """
package profiles

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

type store struct{ rdb *redis.Client }

func (s *store) Save(ctx context.Context, userID string, fields map[string]any) error {
	return s.rdb.HSet(ctx, "profile:"+userID, fields).Err()
}

func (s *store) Seen(ctx context.Context, deviceIP string) error {
	return s.rdb.Set(ctx, "seen:"+deviceIP, "1", 24*time.Hour).Err()
}

func (s *store) Budget(ctx context.Context, campaign string) error {
	return s.rdb.Set(ctx, "budget:"+campaign, "100", 0).Err()
}
"""

SEEN = """
package profiles

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

func seen(ctx context.Context, rdb *redis.Client, deviceIP string) error {
	return rdb.Set(ctx, "seen:"+deviceIP, "1", 24*time.Hour).Err()
}

func budget(ctx context.Context, rdb *redis.Client, campaign string) error {
	return rdb.Set(ctx, "budget:"+campaign, "100", 0).Err()
}
"""

CAMPAIGNS = """
package campaigns

import (
	"context"

	"github.com/redis/go-redis/v9"
)

func spend(ctx context.Context, rdb *redis.Client, campaign string) error {
	return rdb.IncrBy(ctx, "spend:"+campaign, 5).Err()
}
"""


@pytest.mark.slow
def test_personal_keys_without_expiry_are_blockers(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "idr/pyproject.toml": "[project]\nname = 'idr'\n",
            "idr/app/graph.py": GRAPH,
            "profiles/go.mod": "module example.com/profiles\n",
            "profiles/store.go": PROFILES,
        },
    )
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [("idr/app/graph.py", 14), ("profiles/store.go", 13)]
    graph, profile = result.failures
    assert "(ifa, ip)" in graph.message and "no expiry" in graph.message
    # A plain `key` variable is judged by the key templates its file builds.
    assert (graph.evidence[1].path, graph.evidence[1].line) == ("idr/app/graph.py", 5)
    assert '`"profile:"+userID`' in profile.message and "(user)" in profile.message


@pytest.mark.slow
def test_expiring_or_impersonal_keys_pass(tmp_path: Path) -> None:
    write_tree(tmp_path / "a", {"profiles/go.mod": "module example.com/profiles\n", "profiles/seen.go": SEEN})
    result = run_check(CHECK, tmp_path / "a")
    assert result.outcome is Outcome.PASS  # the device IP expires; the campaign budget is not personal
    assert [(e.path, e.line) for e in result.evidence] == [("profiles/seen.go", 11)]
    write_tree(
        tmp_path / "b",
        {"campaigns/go.mod": "module example.com/campaigns\n", "campaigns/spend.go": CAMPAIGNS},
    )
    assert run_check(CHECK, tmp_path / "b").outcome is Outcome.NOT_APPLICABLE
