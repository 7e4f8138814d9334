"""Floor model service: the latest trained floor per publisher (and country)."""

import logging
import os
import re
import time
import uuid

import psycopg
from flask import Flask, Response, g, jsonify, request
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from psycopg_pool import ConnectionPool, PoolTimeout

from floors import logs, settings

log = logging.getLogger("floors")

PUBLISHER_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
COUNTRY = re.compile(r"^[A-Z]{3}$")
REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

REQUESTS = Counter("floors_http_requests_total", "HTTP requests by route and status code.", ["route", "code"])
LATENCY = Histogram(
    "floors_http_request_duration_seconds",
    "Latency of HTTP requests by route.",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.5),
)
# Summed over the pod's gunicorn workers: requests being served now, against workers x threads.
IN_FLIGHT = Gauge("floors_http_in_flight_requests", "HTTP requests being served.", multiprocess_mode="livesum")

FLOOR_QUERY = """
    SELECT floor_cpm
      FROM floor_models
     WHERE publisher_id = %(publisher)s
       AND (country = %(country)s OR country IS NULL)
  ORDER BY country NULLS LAST, trained_at DESC
     LIMIT 1
"""


def create_app(pool: ConnectionPool | None = None) -> Flask:
    logs.configure(os.getenv("LOG_LEVEL", "INFO"))
    app = Flask(__name__)
    if pool is None:
        cfg = settings.from_env()
        pool = ConnectionPool(
            cfg.database_url,
            min_size=1,
            max_size=cfg.db_pool_max,
            timeout=2.0,
            kwargs={
                "application_name": "floors",
                "options": f"-c statement_timeout={cfg.statement_timeout_ms}",
            },
            open=True,
        )
    app.extensions["db_pool"] = pool
    FlaskInstrumentor().instrument_app(app, excluded_urls="livez,readyz,metrics")

    @app.before_request
    def start_request() -> None:
        g.started = time.perf_counter()
        IN_FLIGHT.inc()
        g.in_flight = True
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_id_token = logs.request_id_var.set(g.request_id)

    @app.after_request
    def finish_request(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule else "unmatched"
        LATENCY.labels(route).observe(time.perf_counter() - g.started)
        REQUESTS.labels(route, str(response.status_code)).inc()
        response.headers["X-Request-ID"] = g.request_id
        return response

    @app.teardown_request
    def reset_request_id(_exc: BaseException | None) -> None:
        if g.pop("in_flight", False):
            IN_FLIGHT.dec()
        token = g.pop("request_id_token", None)
        if token is not None:
            logs.request_id_var.reset(token)

    @app.get("/livez")
    def livez() -> tuple[str, int]:
        return "ok", 200

    @app.get("/readyz")
    def readyz() -> tuple[Response, int]:
        try:
            with pool.connection(timeout=0.5) as conn:
                conn.execute("SELECT 1")
        except (PoolTimeout, psycopg.Error, OSError) as exc:
            log.warning("not ready", extra={"fields": {"error": str(exc)}})
            return jsonify(postgres=str(exc)), 503
        return jsonify(postgres="ok"), 200

    @app.get("/v1/floors/<publisher_id>")
    def floor(publisher_id: str) -> tuple[Response, int]:
        country = request.args.get("country")
        if not PUBLISHER_ID.match(publisher_id):
            return jsonify(error="invalid publisher id"), 400
        if country is not None and not COUNTRY.match(country):
            return jsonify(error="country must be ISO-3166-1 alpha-3"), 400
        with pool.connection() as conn:
            row = conn.execute(FLOOR_QUERY, {"publisher": publisher_id, "country": country}).fetchone()
        if row is None:
            return jsonify(error="no floor model for publisher"), 404
        return jsonify(publisher_id=publisher_id, floor_cpm=float(row[0])), 200

    @app.get("/metrics")
    def metrics() -> Response:
        registry = CollectorRegistry()
        if os.getenv("PROMETHEUS_MULTIPROC_DIR"):
            multiprocess.MultiProcessCollector(registry)
            return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)

    return app
