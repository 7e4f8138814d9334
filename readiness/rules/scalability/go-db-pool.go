package main

import (
	"context"
	"database/sql"

	"github.com/jackc/pgx/v5/pgxpool"
)

func openPools(ctx context.Context, url string) {
	cfg, _ := pgxpool.ParseConfig(url)
	// ruleid: go-pgxpool-max-conns
	cfg.MaxConns = 25
	// ok: go-pgxpool-max-conns
	cfg.MinConns = 2
	// ruleid: go-pgxpool-open
	pool, _ := pgxpool.NewWithConfig(ctx, cfg)
	defer pool.Close()

	// ruleid: go-sql-open
	db, _ := sql.Open("pgx", url)
	// ruleid: go-sql-max-open-conns
	db.SetMaxOpenConns(20)
	// ok: go-sql-max-open-conns
	db.SetMaxIdleConns(5)
	// ok: go-pgxpool-open
	_, _ = pgxpool.ParseConfig(url)
}
