from redis.asyncio import Redis


class IdentityGraph:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def link(self, keys: list[str], identity: str) -> None:
        for key in keys:
            # ruleid: py-redis-write-no-ttl
            await self._redis.set(key, identity)

    async def remember(self, key: str, value: str) -> None:
        # ok: py-redis-write-no-ttl
        # ruleid: py-redis-expiry
        await self._redis.set(key, value, ex=3600)
        # ruleid: py-redis-write-no-ttl
        await self._redis.set(key, value, nx=True)

    def count(self, user: str) -> None:
        pipe = self._redis.pipeline()
        # ruleid: py-redis-key-write
        pipe.incr(f"count:{user}")
        # ruleid: py-redis-expiry
        pipe.expire(f"count:{user}", 3600)
        # ruleid: py-redis-key-write
        pipe.hset(f"profile:{user}", mapping={"seen": 1})
        # ruleid: py-redis-expiry
        pipe.setex(f"seen:{user}", 60, "1")


def settings(options: dict[str, str]) -> None:
    # ok: py-redis-write-no-ttl
    options.setdefault("a", "b")


def links(ids: list[str]) -> list[str]:
    keys = []
    for value in ids:
        # ok: py-redis-key-write
        keys.append(f"idr:ifa:{value}")
    return keys
