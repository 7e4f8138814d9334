from fastapi import FastAPI
from prometheus_client import Counter, Gauge, Histogram, Summary
from prometheus_fastapi_instrumentator import Instrumentator
from starlette_exporter import PrometheusMiddleware

app = FastAPI()

# ruleid: py-metric-counter
REQUESTS = Counter("idr_requests_total", "Requests by status code.", ["route", "code"])
# ruleid: py-metric-histogram
LATENCY = Histogram("idr_request_duration_seconds", "Request latency.", labelnames=["route"])
# ruleid: py-metric-histogram
LOOKUP = Summary("idr_lookup_seconds", "Graph lookup time.")
# ruleid: py-metric-gauge
IN_FLIGHT = Gauge("idr_in_flight_requests", "Requests being served.", multiprocess_mode="livesum")
# ok: py-metric-counter, py-metric-gauge, py-metric-histogram
NOT_A_METRIC = dict(name="idr_requests_total")

# ruleid: py-metric-middleware
Instrumentator(should_instrument_requests_inprogress=True).instrument(app).expose(app)
# ruleid: py-metric-middleware
app.add_middleware(PrometheusMiddleware)

MIDDLEWARE = [
    # ruleid: py-metric-middleware
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # ok: py-metric-middleware
    "django.middleware.common.CommonMiddleware",
]
