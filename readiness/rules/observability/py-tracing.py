# ruleid: py-tracer-provider, py-trace-instrumentation
import instana
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.requests import RequestsInstrumentor
from opentelemetry.propagate import set_global_textmap
from opentelemetry.propagators.b3 import B3MultiFormat
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

app = FastAPI()

# ruleid: py-tracer-provider
provider = TracerProvider()
provider.add_span_processor(BatchSpanProcessor(exporter))
# ruleid: py-tracer-provider
trace.set_tracer_provider(provider)
# ok: py-tracer-provider
tracer = trace.get_tracer(__name__)

# ruleid: py-trace-instrumentation
FastAPIInstrumentor.instrument_app(app, excluded_urls="health")
# ruleid: py-trace-instrumentation
RequestsInstrumentor().instrument()
# ruleid: py-trace-instrumentation
HTTPXClientInstrumentor().instrument(tracer_provider=provider)
# ok: py-trace-instrumentation
app.instrument()

# ruleid: py-trace-propagator
set_global_textmap(B3MultiFormat())
