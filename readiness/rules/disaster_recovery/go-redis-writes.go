package store

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

type store struct {
	rdb *redis.Client
}

func (s *store) link(ctx context.Context, key, identity string) error {
	// ruleid: go-redis-write-no-ttl
	return s.rdb.Set(ctx, key, identity, 0).Err()
}

func (s *store) cache(ctx context.Context, key, value string) error {
	// ok: go-redis-write-no-ttl
	// ruleid: go-redis-expiry
	return s.rdb.Set(ctx, key, value, 10*time.Minute).Err()
}

func (s *store) budget(ctx context.Context, campaign string) {
	pipe := s.rdb.TxPipeline()
	// ruleid: go-redis-counter-write
	pipe.Incr(ctx, "budget:"+campaign)
	// ruleid: go-redis-expiry
	pipe.Expire(ctx, "budget:"+campaign, 24*time.Hour)
	// ok: go-redis-key-write
	_, _ = pipe.Exec(ctx)
}

func (s *store) profile(ctx context.Context, user string, fields map[string]any) error {
	// ruleid: go-redis-key-write
	if err := s.rdb.HSet(ctx, "profile:"+user, fields).Err(); err != nil {
		return err
	}
	// ruleid: go-redis-write-no-ttl
	s.rdb.MSet(ctx, "a", 1, "b", 2)
	// ruleid: go-redis-expiry
	return s.rdb.SetEx(ctx, "seen:"+user, "1", time.Hour).Err()
}

func headers(h map[string][]string) {
	// ok: go-redis-key-write
	set(h, "Content-Type")
}

func set(h map[string][]string, k string) {}
