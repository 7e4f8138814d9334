package main

import (
	"context"
	"database/sql"
	"log"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

const shutdownTimeout = 25 * time.Second

func fatalOnFirstFailure(ctx context.Context, url string, rdb *redis.Client, db *sql.DB) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		// ruleid: go-exit-on-connect-error
		log.Fatalf("connect to postgres: %v", err)
	}
	defer conn.Close(ctx)
	if err := rdb.Ping(ctx).Err(); err != nil {
		// ruleid: go-exit-on-connect-error
		panic(err)
	}
	err = db.PingContext(ctx)
	if err != nil {
		// ruleid: go-exit-on-connect-error
		log.Fatal(err)
	}
}

func retries(ctx context.Context, rdb *redis.Client) {
	for attempt := 1; ; attempt++ {
		if err := rdb.Ping(ctx).Err(); err != nil {
			if attempt == 10 {
				// ok: go-exit-on-connect-error
				log.Fatal(err)
			}
			time.Sleep(time.Duration(attempt) * time.Second)
			continue
		}
		break
	}
}

func notAConnection(path string) {
	cfg, err := loadConfig(path)
	if err != nil {
		// ok: go-exit-on-connect-error
		log.Fatalf("config: %v", err)
	}
	_ = cfg
}

func drain(srv *http.Server, other *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	// ruleid: go-shutdown-timeout
	_ = srv.Shutdown(ctx)
	shutdownCtx, stop := context.WithTimeout(context.Background(), shutdownTimeout)
	defer stop()
	// ruleid: go-shutdown-timeout
	_ = other.Shutdown(shutdownCtx)
	// ok: go-shutdown-timeout
	_ = other.Shutdown(context.Background())
}
