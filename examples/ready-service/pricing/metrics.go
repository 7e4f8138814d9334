package main

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/redis/go-redis/v9"
)

var (
	httpDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "pricing_http_request_duration_seconds",
		Help:    "Latency of HTTP requests by route.",
		Buckets: []float64{.002, .005, .01, .02, .03, .05, .075, .1, .15, .25, .5, 1},
	}, []string{"route"})

	httpRequests = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "pricing_http_requests_total",
		Help: "HTTP requests by route and status code.",
	}, []string{"route", "code"})

	httpInFlight = promauto.NewGauge(prometheus.GaugeOpts{
		Name: "pricing_http_in_flight_requests",
		Help: "HTTP requests currently being served.",
	})

	httpShed = promauto.NewCounter(prometheus.CounterOpts{
		Name: "pricing_http_requests_shed_total",
		Help: "Requests rejected with 503 because the in-flight limit was reached.",
	})

	rateLimited = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "pricing_rate_limited_total",
		Help: "Requests rejected with 429, by limiter scope (publisher or global).",
	}, []string{"scope"})

	dependencyUp = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Name: "pricing_dependency_up",
		Help: "1 if the last readiness check of the dependency succeeded.",
	}, []string{"dependency"})

	dependencyErrors = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "pricing_dependency_errors_total",
		Help: "Errors talking to a dependency on the request path.",
	}, []string{"dependency"})

	upstreamTimeouts = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "pricing_upstream_timeouts_total",
		Help: "Upstream calls abandoned because they exceeded their deadline.",
	}, []string{"upstream"})

	eventsDropped = promauto.NewCounter(prometheus.CounterOpts{
		Name: "pricing_events_dropped_total",
		Help: "Pricing events dropped because the write buffer was full.",
	})

	eventsWritten = promauto.NewCounter(prometheus.CounterOpts{
		Name: "pricing_events_written_total",
		Help: "Pricing events written to TimescaleDB.",
	})

	panicsTotal = promauto.NewCounter(prometheus.CounterOpts{
		Name: "pricing_panics_total",
		Help: "Handler panics recovered.",
	})

	flagReloads = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "pricing_flag_reloads_total",
		Help: "Feature flag file reloads by result.",
	}, []string{"result"})
)

// registerPoolMetrics exposes connection pool saturation for Postgres and Redis.
func registerPoolMetrics(db *pgxpool.Pool, rdb *redis.Client) {
	promauto.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "pricing_db_pool_acquired_conns",
		Help: "Postgres connections currently checked out of the pool.",
	}, func() float64 { return float64(db.Stat().AcquiredConns()) })
	promauto.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "pricing_db_pool_max_conns",
		Help: "Maximum size of the Postgres pool.",
	}, func() float64 { return float64(db.Stat().MaxConns()) })
	promauto.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "pricing_redis_pool_total_conns",
		Help: "Connections in the Redis pool.",
	}, func() float64 { return float64(rdb.PoolStats().TotalConns) })
	promauto.NewCounterFunc(prometheus.CounterOpts{
		Name: "pricing_redis_pool_timeouts_total",
		Help: "Times a request waited longer than PoolTimeout for a Redis connection.",
	}, func() float64 { return float64(rdb.PoolStats().Timeouts) })
}
