package main

import (
	"context"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

type deps struct {
	db  *pgxpool.Pool
	rdb *redis.Client
}

func (d *deps) handleReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 500*time.Millisecond)
	defer cancel()
	// ruleid: go-dependency-call
	if err := d.db.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	// ruleid: go-dependency-call
	if err := d.rdb.Ping(ctx).Err(); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	// ok: go-dependency-call
	_ = r.URL.Query()
	// ok: go-dependency-call
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
}

func downstream(ctx context.Context, client *http.Client) error {
	// ruleid: go-dependency-call
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://floors:8000/readyz", nil)
	if err != nil {
		return err
	}
	// ruleid: go-dependency-call
	_, err = client.Do(req)
	return err
}

func (d *deps) record(ctx context.Context, id string) error {
	// ruleid: go-dependency-write, go-dependency-call
	_, err := d.db.Exec(ctx, "INSERT INTO impressions (id) VALUES ($1)", id)
	return err
}

func (d *deps) count(ctx context.Context, key string, w http.ResponseWriter, hits prometheusCounter) {
	// ruleid: go-dependency-write
	d.rdb.Incr(ctx, key)
	// ruleid: go-dependency-write
	d.rdb.Set(ctx, key, 1, time.Hour)
	// ok: go-dependency-write
	w.Header().Set("X-Cache", "miss")
	// ok: go-dependency-write
	hits.Inc()
}
