import uuid
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, Field
from redis.asyncio import Redis

from app import logging as app_logging
from app import partners, settings
from app.graph import Identifiers, IdentityGraph

app_logging.configure()
log = structlog.get_logger("idr")


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.redis = Redis.from_url(settings.REDIS_URL)
    app.state.pool = AsyncConnectionPool(settings.DATABASE_URL, max_size=settings.DB_POOL_MAX, open=False)
    await app.state.pool.open()
    app.state.graph = IdentityGraph(app.state.redis, app.state.pool)
    log.info("idr_started")
    yield
    await app.state.pool.close()
    await app.state.redis.aclose()
    log.info("idr_stopped")


app = FastAPI(title="idr", lifespan=lifespan)


@app.middleware("http")
async def bind_request_id(request: Request, call_next):
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id, path=request.url.path)
    response = await call_next(request)
    response.headers["x-request-id"] = request_id
    return response


class ResolveRequest(BaseModel):
    publisher_id: str = Field(min_length=1, max_length=64)
    device_ifa: str | None = Field(default=None, max_length=64)
    device_ip: str | None = Field(default=None, max_length=45)
    user_id: str | None = Field(default=None, max_length=128)


class ResolveResponse(BaseModel):
    identity_id: str
    created: bool


@app.get("/health")
async def health(response: Response) -> dict[str, str]:
    checks = {}
    try:
        await app.state.redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"error: {exc}"
    try:
        async with app.state.pool.connection(timeout=1.0) as conn:
            await conn.execute("SELECT 1")
        checks["timescaledb"] = "ok"
    except Exception as exc:
        checks["timescaledb"] = f"error: {exc}"
    if any(value != "ok" for value in checks.values()):
        response.status_code = 503
    return checks


@app.post("/resolve", response_model=ResolveResponse)
async def resolve(body: ResolveRequest) -> ResolveResponse:
    ids = Identifiers(
        publisher_id=body.publisher_id,
        device_ifa=body.device_ifa,
        device_ip=body.device_ip,
        user_id=body.user_id,
    )
    try:
        identity, created = await app.state.graph.resolve(ids)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    log.info("identity_resolved", identity_id=identity, created=created, device_ip=body.device_ip)
    if created:
        await run_in_threadpool(partners.sync_identity, identity, body.device_ifa)
    return ResolveResponse(identity_id=identity, created=created)


@app.delete("/admin/identities/{identity_id}", status_code=204)
async def forget_identity(identity_id: str) -> Response:
    """Erase an identity's links when a publisher forwards a data-subject request."""
    async with app.state.pool.connection() as conn:
        await conn.execute("DELETE FROM identity_links WHERE identity_id = %s", (identity_id,))
    log.info("identity_forgotten", identity_id=identity_id)
    return Response(status_code=204)
