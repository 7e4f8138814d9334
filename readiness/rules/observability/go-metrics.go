package main

import (
	"database/sql"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

var (
	// ruleid: go-metric-definition
	requests = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "bidder_requests_total",
		Help: "Requests by status code.",
	}, []string{"code"})

	// ruleid: go-metric-definition
	latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "bidder",
		Name:      "request_duration_seconds",
		Buckets:   prometheus.DefBuckets,
	}, []string{"route"})

	// ruleid: go-metric-definition
	inFlight = promauto.With(prometheus.DefaultRegisterer).NewGauge(prometheus.GaugeOpts{Name: "bidder_in_flight_requests"})

	// ok: go-metric-definition
	labels = prometheus.NewRegistry()
)

func pools(db *sql.DB, next http.Handler) http.Handler {
	// ruleid: go-metric-definition
	promauto.NewGaugeFunc(prometheus.GaugeOpts{Name: "bidder_db_open_conns"}, func() float64 {
		return float64(db.Stats().OpenConnections)
	})
	// ruleid: go-metric-middleware
	prometheus.MustRegister(collectors.NewDBStatsCollector(db, "bidder"))
	// ruleid: go-metric-middleware
	h := promhttp.InstrumentHandlerInFlight(inFlight, next)
	// ruleid: go-metric-middleware
	h = promhttp.InstrumentHandlerDuration(latency, h)
	// ok: go-metric-middleware
	_ = promhttp.Handler()
	return h
}
