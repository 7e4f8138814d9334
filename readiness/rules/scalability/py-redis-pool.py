import redis
from redis.asyncio import Redis

# ruleid: py-redis-client
cache = redis.Redis(host="redis", max_connections=20)
# ruleid: py-redis-client
pool = redis.BlockingConnectionPool.from_url("redis://redis:6379/0", max_connections=10)


async def start(url: str) -> Redis:
    # ruleid: py-redis-client
    client = Redis.from_url(url)
    # ok: py-redis-client
    await client.ping()
    return client
