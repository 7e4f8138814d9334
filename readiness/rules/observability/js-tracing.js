// ruleid: js-tracer-provider, js-trace-instrumentation
const instana = require('@instana/collector');
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node');
const { W3CTraceContextPropagator } = require('@opentelemetry/core');

// ruleid: js-tracer-provider
const sdk = new NodeSDK({
  traceExporter: exporter,
  // ruleid: js-trace-instrumentation
  instrumentations: [getNodeAutoInstrumentations()],
  // ruleid: js-trace-propagator
  textMapPropagator: new W3CTraceContextPropagator(),
});
sdk.start();

// ok: js-tracer-provider
const tracer = opentelemetry.trace.getTracer('api');
// ok: js-trace-instrumentation
const span = tracer.startSpan('work');
