package main

import (
	"context"
	"log"
	"net/http"
	"os"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
)

func main() {
	cfg := loadConfig()

	rdb := redis.NewClient(&redis.Options{
		Addr:     cfg.RedisAddr,
		Password: os.Getenv("REDIS_PASSWORD"),
		PoolSize: 200,
	})

	store, err := newImpressionStore(context.Background(), cfg.DatabaseURL)
	if err != nil {
		log.Fatalf("connect to timescaledb: %v", err)
	}

	ex := &exchange{
		caps:   &frequencyCapper{rdb: rdb, limit: cfg.FreqCapPerHour},
		store:  store,
		demand: cfg.DemandEndpoints,
		idrURL: cfg.IDRURL,
		client: &http.Client{},
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/openrtb2/auction", ex.handleAuction)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("ok"))
	})
	mux.Handle("/metrics", promhttp.Handler())

	log.Printf("bidder listening on :8080 (%d demand partners)", len(cfg.DemandEndpoints))
	log.Fatal(http.ListenAndServe(":8080", mux))
}
