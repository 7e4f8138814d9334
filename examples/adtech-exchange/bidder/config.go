package main

import (
	"os"
	"strconv"
	"strings"
)

type config struct {
	RedisAddr       string
	DatabaseURL     string
	IDRURL          string
	DemandEndpoints []string
	FreqCapPerHour  int64
}

func loadConfig() config {
	cfg := config{
		RedisAddr:      envOr("REDIS_ADDR", "redis:6379"),
		DatabaseURL:    envOr("DATABASE_URL", "postgres://bidder@timescaledb:5432/adtech"),
		IDRURL:         os.Getenv("IDR_URL"),
		FreqCapPerHour: 12,
	}
	for _, e := range strings.Split(os.Getenv("DEMAND_ENDPOINTS"), ",") {
		if e = strings.TrimSpace(e); e != "" {
			cfg.DemandEndpoints = append(cfg.DemandEndpoints, e)
		}
	}
	if v, err := strconv.ParseInt(os.Getenv("FREQ_CAP_PER_HOUR"), 10, 64); err == nil && v > 0 {
		cfg.FreqCapPerHour = v
	}
	return cfg
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
