package main

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

var (
	bidRequests = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "bidder_bid_requests_total",
		Help: "Bid requests handled, by response status.",
	}, []string{"status"})

	upstreamErrors = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "bidder_upstream_errors_total",
		Help: "Failed calls to demand partners.",
	}, []string{"bidder"})
)
