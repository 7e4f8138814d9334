package main

import (
	"cmp"
	"os"

	"github.com/redis/go-redis/v9"
)

// ruleid: go-secret-literal
const apiKey = "sk-fake-0000000000000000000000"

const (
	// ruleid: go-secret-literal
	DBPassword = "fake-password-for-rule-test"
	// ok: go-secret-literal
	Version = "1.2.3"
)

func connect() *redis.Client {
	// ruleid: go-secret-literal
	token := "fake-token-value-for-the-rule-test"
	_ = token
	return redis.NewClient(&redis.Options{
		Addr: "redis:6379",
		// ruleid: go-secret-literal
		Password: "fake-redis-password",
	})
}

func config() {
	// ruleid: go-secret-env-fallback
	secret := envOr("SESSION_SECRET", "fake-fallback-secret")
	// ruleid: go-secret-env-fallback
	key := cmp.Or(os.Getenv("STRIPE_API_KEY"), "fake-fallback-key")
	// ok: go-secret-env-fallback
	addr := envOr("REDIS_ADDR", "redis:6379")
	// ok: go-secret-literal
	password := os.Getenv("DB_PASSWORD")
	_, _, _, _ = secret, key, addr, password
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
