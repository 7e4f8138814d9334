package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

type dependencies struct {
	db  *pgxpool.Pool
	rdb *redis.Client
}

func connectDependencies(ctx context.Context, cfg config) (*dependencies, error) {
	poolCfg, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	// Connection budget: Postgres allows max_connections=200; at the HPA ceiling
	// of 12 pods this service holds at most 120 (docs/architecture.md).
	poolCfg.MaxConns = 10
	poolCfg.MinConns = 2
	poolCfg.MaxConnLifetime = 30 * time.Minute
	poolCfg.MaxConnIdleTime = 5 * time.Minute
	poolCfg.HealthCheckPeriod = 30 * time.Second
	poolCfg.ConnConfig.ConnectTimeout = 3 * time.Second
	poolCfg.ConnConfig.RuntimeParams["application_name"] = "pricing"
	poolCfg.ConnConfig.RuntimeParams["statement_timeout"] = "500"

	db, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return nil, fmt.Errorf("create postgres pool: %w", err)
	}

	rdb := redis.NewClient(&redis.Options{
		Addr:            cfg.RedisAddr,
		Password:        cfg.RedisPassword,
		PoolSize:        20,
		MinIdleConns:    2,
		PoolTimeout:     100 * time.Millisecond,
		DialTimeout:     500 * time.Millisecond,
		ReadTimeout:     50 * time.Millisecond,
		WriteTimeout:    50 * time.Millisecond,
		ConnMaxIdleTime: 5 * time.Minute,
	})

	return &dependencies{db: db, rdb: rdb}, nil
}

func (d *dependencies) Close() {
	_ = d.rdb.Close()
	d.db.Close()
}
