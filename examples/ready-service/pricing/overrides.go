package main

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	overrideTTL     = 30 * 24 * time.Hour
	overrideTimeout = 15 * time.Millisecond
)

func overrideKey(publisher string) string { return "pricing:floor-override:" + publisher }

// overrideFloor returns an operator-set floor for the publisher. Redis errors
// are counted and treated as "no override" so a Redis blip cannot fail pricing.
func (s *service) overrideFloor(ctx context.Context, publisher string) (float64, bool) {
	ctx, cancel := context.WithTimeout(ctx, overrideTimeout)
	defer cancel()
	v, err := s.rdb.Get(ctx, overrideKey(publisher)).Result()
	if errors.Is(err, redis.Nil) {
		return 0, false
	}
	if err != nil {
		dependencyErrors.WithLabelValues("redis").Inc()
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

func (s *service) setOverride(ctx context.Context, publisher string, floor float64) error {
	return s.rdb.Set(ctx, overrideKey(publisher), strconv.FormatFloat(floor, 'f', 4, 64), overrideTTL).Err()
}

func (s *service) deleteOverride(ctx context.Context, publisher string) error {
	return s.rdb.Del(ctx, overrideKey(publisher)).Err()
}
