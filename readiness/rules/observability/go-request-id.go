package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/gin-contrib/requestid"
	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"go.opentelemetry.io/otel/trace"
)

const requestIDHeader = "X-Request-ID"

func servers() {
	// ruleid: go-serves-requests
	mux := http.NewServeMux()
	// ruleid: go-serves-requests
	srv := &http.Server{Addr: ":8080", Handler: mux}
	// ruleid: go-serves-requests
	r := chi.NewRouter()
	// ruleid: go-request-id-source
	r.Use(middleware.RequestID)
	// ruleid: go-serves-requests
	g := gin.New()
	// ruleid: go-request-id-source
	g.Use(requestid.New())
	// ok: go-serves-requests
	client := &http.Client{}
	_, _ = srv, client
}

func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// ruleid: go-request-id-source
		id := r.Header.Get(requestIDHeader)
		// ruleid: go-request-id-source
		other := r.Header.Get("x-correlation-id")
		// ok: go-request-id-source
		ua := r.Header.Get("User-Agent")
		// ruleid: go-request-id-log-field
		logger := slog.Default().With("request_id", id)
		if sc := trace.SpanContextFromContext(r.Context()); sc.IsValid() {
			// ruleid: go-request-id-source, go-request-id-log-field
			logger = logger.With("trace_id", sc.TraceID().String())
		}
		// ok: go-request-id-log-field
		logger.Info("request", "path", r.URL.Path)
		_, _ = other, ua
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), loggerKey, logger)))
	})
}

func chiHandler(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-request-id-log-field
	slog.Info("handled", "req", middleware.GetReqID(r.Context()))
}

func ginHandler(c *gin.Context) {
	// ruleid: go-request-id-log-field
	slog.Info("handled", "rid", requestid.Get(c))
}
