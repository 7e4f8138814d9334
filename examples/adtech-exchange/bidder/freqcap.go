package main

import (
	"context"
	"errors"
	"log"
	"time"

	"github.com/redis/go-redis/v9"
)

// frequencyCapper counts impressions per identity per hour in Redis.
type frequencyCapper struct {
	rdb   *redis.Client
	limit int64
}

func (f *frequencyCapper) key(identity string) string {
	return "fcap:" + identity + ":" + time.Now().UTC().Format("2006010215")
}

func (f *frequencyCapper) Exceeded(ctx context.Context, identity string) (bool, error) {
	n, err := f.rdb.Get(ctx, f.key(identity)).Int64()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return n >= f.limit, nil
}

func (f *frequencyCapper) Incr(ctx context.Context, identity string) {
	k := f.key(identity)
	pipe := f.rdb.TxPipeline()
	pipe.Incr(ctx, k)
	pipe.Expire(ctx, k, 2*time.Hour)
	if _, err := pipe.Exec(ctx); err != nil {
		log.Printf("frequency cap incr %s: %v", k, err)
	}
}
