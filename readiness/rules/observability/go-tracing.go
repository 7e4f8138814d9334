package main

import (
	"context"
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/contrib/propagators/b3"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"

	instana "github.com/instana/go-sensor"
	ot "github.com/opentracing/opentracing-go"
)

func initAgent() {
	// ruleid: go-tracer-provider
	ot.InitGlobalTracer(instana.NewTracerWithOptions(&instana.Options{Service: "dispatch"}))
	// ruleid: go-tracer-provider
	instana.InitSensor(instana.DefaultOptions())
}

func initTracing(ctx context.Context, exporter sdktrace.SpanExporter) {
	// ruleid: go-tracer-provider
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter))
	// ruleid: go-tracer-provider
	otel.SetTracerProvider(tp)
	// ruleid: go-trace-propagator
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(
		propagation.TraceContext{}, propagation.Baggage{},
	))
	// ruleid: go-trace-propagator
	otel.SetTextMapPropagator(b3.New())
	// ok: go-tracer-provider
	_, span := otel.Tracer("bidder").Start(ctx, "auction")
	// ok: go-tracer-provider
	tracer.Start(ctx, "auction")
	span.End()
}

func wire(mux *http.ServeMux) {
	// ruleid: go-trace-instrumentation
	handler := otelhttp.NewHandler(mux, "bidder")
	// ruleid: go-trace-instrumentation
	client := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport)}
	// ruleid: go-trace-instrumentation
	srv := grpc.NewServer(grpc.StatsHandler(otelgrpc.NewServerHandler()))
	// ok: go-trace-instrumentation
	plain := &http.Client{Transport: http.DefaultTransport}
	_, _, _, _ = handler, client, srv, plain
}
