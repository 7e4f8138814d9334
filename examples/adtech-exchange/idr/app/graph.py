"""The identity graph: every device id, IP and user id points at one identity."""

import uuid
from dataclasses import dataclass

from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis


@dataclass(frozen=True)
class Identifiers:
    publisher_id: str
    device_ifa: str | None = None
    device_ip: str | None = None
    user_id: str | None = None

    def keys(self) -> list[str]:
        keys = []
        if self.device_ifa:
            keys.append(f"idr:ifa:{self.device_ifa}")
        if self.user_id:
            keys.append(f"idr:uid:{self.publisher_id}:{self.user_id}")
        if self.device_ip:
            keys.append(f"idr:ip:{self.device_ip}")
        return keys


class IdentityGraph:
    def __init__(self, redis: Redis, pool: AsyncConnectionPool) -> None:
        self._redis = redis
        self._pool = pool

    async def resolve(self, ids: Identifiers) -> tuple[str, bool]:
        """Return the identity for these identifiers, creating one if none is linked."""
        keys = ids.keys()
        if not keys:
            raise ValueError("at least one identifier is required")

        existing = await self._redis.mget(keys)
        identity = next((value.decode() for value in existing if value), None)
        created = identity is None
        if identity is None:
            identity = str(uuid.uuid4())

        for key, value in zip(keys, existing, strict=True):
            if value is None:
                await self._redis.set(key, identity)

        await self._record_links(identity, ids)
        return identity, created

    async def _record_links(self, identity: str, ids: Identifiers) -> None:
        async with self._pool.connection() as conn:
            await conn.execute(
                """
                INSERT INTO identity_links (time, identity_id, publisher_id, device_ifa, device_ip, user_id)
                VALUES (now(), %s, %s, %s, %s, %s)
                """,
                (identity, ids.publisher_id, ids.device_ifa, ids.device_ip, ids.user_id),
            )
