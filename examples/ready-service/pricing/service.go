package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
)

const (
	maxBodyBytes   = 64 << 10
	defaultFloor   = 0.10
	defaultShading = 0.85
)

type service struct {
	cfg      config
	db       *pgxpool.Pool
	rdb      *redis.Client
	floors   *floorsClient
	flags    *flagStore
	limits   *limiter
	events   *eventWriter
	admin    *adminAuth
	draining atomic.Bool
}

func (s *service) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /v1/price", instrument("price", limitInFlight(s.cfg.MaxInFlight, http.HandlerFunc(s.handlePrice))))
	mux.HandleFunc("GET /readyz", s.handleReady)
	mux.HandleFunc("GET /livez", handleLive)
	return otelhttp.NewHandler(withRequestID(recoverPanics(mux)), "pricing",
		otelhttp.WithFilter(func(r *http.Request) bool { return r.URL.Path == "/v1/price" }))
}

func (s *service) opsRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.Handler())
	mux.Handle("PUT /admin/v1/publishers/{id}/floor", s.admin.require(http.HandlerFunc(s.handleSetFloor)))
	mux.Handle("DELETE /admin/v1/publishers/{id}/floor", s.admin.require(http.HandlerFunc(s.handleDeleteFloor)))
	return withRequestID(recoverPanics(mux))
}

// handleLive reports that the process is up. Liveness must not depend on
// downstreams: a Redis outage should not make Kubernetes restart every pod.
func handleLive(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("ok"))
}

// handleReady reports whether this pod can serve pricing traffic: it is not
// draining and both Postgres and Redis answer within the probe budget.
func (s *service) handleReady(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 500*time.Millisecond)
	defer cancel()

	status := map[string]string{}
	healthy := true
	check := func(name string, err error) {
		if err != nil {
			healthy = false
			status[name] = err.Error()
			dependencyUp.WithLabelValues(name).Set(0)
			return
		}
		status[name] = "ok"
		dependencyUp.WithLabelValues(name).Set(1)
	}
	check("postgres", s.db.Ping(ctx))
	check("redis", s.rdb.Ping(ctx).Err())

	code := http.StatusOK
	if !healthy {
		code = http.StatusServiceUnavailable
		loggerFrom(r.Context()).Warn("not ready", "checks", status)
	}
	writeJSON(w, code, status)
}

func (s *service) handlePrice(w http.ResponseWriter, r *http.Request) {
	log := loggerFrom(r.Context())
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)

	var req BidRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "malformed bid request", http.StatusBadRequest)
		return
	}
	if err := req.Validate(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}

	publisher := req.PublisherID()
	if scope, ok := s.limits.Allow(publisher); !ok {
		rateLimited.WithLabelValues(scope).Inc()
		w.Header().Set("Retry-After", "1")
		http.Error(w, "rate limit exceeded", http.StatusTooManyRequests)
		return
	}

	ctx, cancel := context.WithTimeout(r.Context(), req.Budget())
	defer cancel()

	flags := s.flags.Current()
	floor, source := s.floorFor(ctx, publisher, req.Country(), flags)
	shading := 1.0
	if flags.ShadingEnabled {
		shading = flags.ShadingFactor
	}

	resp := PriceResponse{ID: req.ID, Imps: make([]ImpPrice, 0, len(req.Imp))}
	for _, imp := range req.Imp {
		resp.Imps = append(resp.Imps, ImpPrice{
			ImpID:    imp.ID,
			FloorCPM: max(imp.BidFloor, floor),
			Shading:  shading,
			Source:   source,
		})
	}

	s.events.Enqueue(pricingEvent{
		Time:        time.Now().UTC(),
		RequestID:   requestIDFrom(r.Context()),
		PublisherID: publisher,
		Country:     req.Country(),
		Imps:        len(req.Imp),
		FloorCPM:    floor,
		Shading:     shading,
		Source:      source,
	})
	log.Debug("priced request", "publisher_id", publisher, "imps", len(req.Imp), "source", source)
	writeJSON(w, http.StatusOK, resp)
}

// floorFor picks the floor for a publisher: an operator override from Redis,
// else the floor model (when enabled), else the static default. Every lookup
// is bounded by the request deadline and degrades to the next source.
func (s *service) floorFor(ctx context.Context, publisher, country string, flags Flags) (float64, string) {
	if v, ok := s.overrideFloor(ctx, publisher); ok {
		return v, "override"
	}
	if flags.FloorModelEnabled {
		if v, err := s.floors.Floor(ctx, publisher, country); err == nil {
			return v, "model"
		} else if !errors.Is(err, errNoFloor) {
			loggerFrom(ctx).Warn("floor model unavailable, using default", "err", err)
		}
	}
	return defaultFloor, "default"
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
