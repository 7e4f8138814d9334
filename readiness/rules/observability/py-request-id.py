import contextvars
import uuid

import structlog
from asgi_correlation_id import CorrelationIdFilter, CorrelationIdMiddleware
from fastapi import FastAPI, Request
from flask import Flask, g, request
from opentelemetry.instrumentation.logging import LoggingInstrumentor

# ruleid: py-request-id-log-field
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
# ruleid: py-serves-requests
app = FastAPI()
# ruleid: py-request-id-source
app.add_middleware(CorrelationIdMiddleware)
# ruleid: py-request-id-log-field
handler_filter = CorrelationIdFilter(uuid_length=32)
# ruleid: py-request-id-source, py-request-id-log-field
LoggingInstrumentor().instrument(set_logging_format=True)


@app.middleware("http")
async def bind_request_id(request: Request, call_next):
    # ruleid: py-request-id-source
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
    # ok: py-request-id-source
    agent = request.headers.get("user-agent")
    # ruleid: py-request-id-log-field
    structlog.contextvars.bind_contextvars(request_id=request_id, path=request.url.path)
    # ok: py-request-id-log-field
    structlog.contextvars.bind_contextvars(path=request.url.path)
    return await call_next(request)


# ruleid: py-serves-requests
flask_app = Flask(__name__)


@flask_app.before_request
def start_request() -> None:
    # ruleid: py-request-id-source
    incoming = request.headers["X-Request-ID"]
    # ruleid: py-request-id-log-field
    g.request_id = incoming
    # ruleid: py-request-id-log-field
    token = request_id_var.set(incoming)
    # ok: py-request-id-log-field
    cache.set(incoming)
    _ = token


def django_view(req):
    # ruleid: py-request-id-source
    return req.META.get("HTTP_X_REQUEST_ID")
