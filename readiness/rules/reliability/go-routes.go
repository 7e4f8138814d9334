package main

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

const readyPath = "/readyz"

type service struct{}

// ruleid: go-http-handler
func (s *service) handleReady(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusOK)
}

// ruleid: go-http-handler
func handleLive(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusOK)
}

// ruleid: go-http-handler
func ginHealth(c *gin.Context) {
	c.String(http.StatusOK, "ok")
}

// ok: go-http-handler
func notAHandler(n int) int {
	return n
}

func routes(s *service, r *gin.Engine, header http.Header) *http.ServeMux {
	mux := http.NewServeMux()
	// ruleid: go-http-route
	mux.HandleFunc("GET /livez", handleLive)
	// ruleid: go-http-route
	mux.HandleFunc(readyPath, s.handleReady)
	// ruleid: go-http-route
	mux.Handle("/metrics", promhttp.Handler())
	// ruleid: go-http-route
	mux.HandleFunc(s.prefixedPath("/readyz"), s.handleReady)
	// ruleid: go-http-route
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	// ruleid: go-http-route
	r.GET("/health", ginHealth)
	// ok: go-http-route
	_ = header.Get("X-Request-ID")
	// ok: go-http-route
	http.Get("http://example.internal/healthz")
	return mux
}

func grpcServer() {
	s := grpc.NewServer()
	// ruleid: go-grpc-health
	healthpb.RegisterHealthServer(s, health.NewServer())
}
