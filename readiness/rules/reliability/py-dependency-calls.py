import atexit
from contextlib import asynccontextmanager

from fastapi import FastAPI, Response
from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis

import requests


@asynccontextmanager
async def lifespan(app: FastAPI):
    # ruleid: py-pool-create
    app.state.redis = Redis.from_url("redis://redis:6379/0")
    # ruleid: py-pool-create
    app.state.pool = AsyncConnectionPool("postgresql://db/app", open=False)
    await app.state.pool.open()
    # ruleid: py-shutdown-hook
    yield
    await app.state.pool.close()


@asynccontextmanager
async def cleanup(app: FastAPI):
    # ruleid: py-shutdown-hook
    try:
        yield {"ready": True}
    finally:
        await app.state.redis.aclose()


@asynccontextmanager
async def forgets(app: FastAPI):
    app.state.started = True
    # ok: py-shutdown-hook
    yield


app = FastAPI(lifespan=lifespan)


# ruleid: py-shutdown-hook
@app.on_event("shutdown")
async def close_pools() -> None:
    await app.state.pool.close()


@app.get("/health")
async def health(response: Response) -> dict[str, str]:
    # ruleid: py-dependency-call
    await app.state.redis.ping()
    # ruleid: py-dependency-call
    async with app.state.pool.connection(timeout=1.0) as conn:
        # ruleid: py-dependency-call
        await conn.execute("SELECT 1")
    return {"status": "ok"}


def upstream_ready() -> bool:
    # ruleid: py-dependency-call
    return requests.get("http://floors:8000/readyz", timeout=1).ok


def constant() -> dict[str, str]:
    # ok: py-dependency-call
    return {"status": "ok"}


# ruleid: py-shutdown-hook
atexit.register(lambda: None)
