import asyncpg
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import create_async_engine

# ruleid: py-db-pool
engine = create_engine("postgresql+psycopg://app@db/app", pool_size=10, max_overflow=5)
# ruleid: py-db-pool
async_engine = create_async_engine("postgresql+asyncpg://app@db/app")


async def start():
    # ruleid: py-db-pool
    pool = await asyncpg.create_pool("postgresql://app@db/app", max_size=20)
    # ruleid: py-db-pool
    other = AsyncConnectionPool("postgresql://app@db/app", max_size=8, open=False)
    # ok: py-db-pool
    engine.connect()
    return pool, other
