package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

type config struct {
	ListenAddr    string
	OpsListenAddr string
	DatabaseURL   string
	RedisAddr     string
	RedisPassword string
	FloorsURL     string
	FloorsTimeout time.Duration
	FlagsFile     string
	AdminToken    string
	MaxInFlight   int
}

// loadConfig reads configuration from the environment. Secrets (database URL,
// Redis password, admin token) are injected from Kubernetes Secrets and are
// never given defaults.
func loadConfig() (config, error) {
	cfg := config{
		ListenAddr:    getenv("PRICING_LISTEN_ADDR", ":8080"),
		OpsListenAddr: getenv("PRICING_OPS_LISTEN_ADDR", ":9090"),
		DatabaseURL:   os.Getenv("PRICING_DATABASE_URL"),
		RedisAddr:     getenv("PRICING_REDIS_ADDR", "redis:6379"),
		RedisPassword: os.Getenv("PRICING_REDIS_PASSWORD"),
		FloorsURL:     getenv("PRICING_FLOORS_URL", "http://floors:8000"),
		FlagsFile:     getenv("PRICING_FLAGS_FILE", "/etc/pricing/flags.json"),
		AdminToken:    os.Getenv("PRICING_ADMIN_TOKEN"),
	}

	var errs []error
	if cfg.DatabaseURL == "" {
		errs = append(errs, errors.New("PRICING_DATABASE_URL is required"))
	}
	if len(cfg.AdminToken) < 32 {
		errs = append(errs, errors.New("PRICING_ADMIN_TOKEN must be at least 32 characters"))
	}

	var err error
	if cfg.FloorsTimeout, err = time.ParseDuration(getenv("PRICING_FLOORS_TIMEOUT", "40ms")); err != nil {
		errs = append(errs, fmt.Errorf("PRICING_FLOORS_TIMEOUT: %w", err))
	}
	if cfg.MaxInFlight, err = strconv.Atoi(getenv("PRICING_MAX_INFLIGHT", "512")); err != nil || cfg.MaxInFlight < 1 {
		errs = append(errs, errors.New("PRICING_MAX_INFLIGHT must be a positive integer"))
	}
	return cfg, errors.Join(errs...)
}

func getenv(key, fallback string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return fallback
}
