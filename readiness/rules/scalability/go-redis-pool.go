package main

import (
	"time"

	"github.com/redis/go-redis/v9"
)

func clients(addr string) {
	// ruleid: go-redis-client
	rdb := redis.NewClient(&redis.Options{
		Addr: addr,
		// ruleid: go-redis-pool-size
		PoolSize: 200,
		// ok: go-redis-pool-size
		MinIdleConns: 10,
	})
	opt, _ := redis.ParseURL("redis://" + addr)
	// ruleid: go-redis-pool-size
	opt.PoolSize = 50
	// ruleid: go-redis-client
	_ = redis.NewClient(opt)
	// ok: go-redis-client
	_ = rdb.Ping(nil)
}

func redigo() {
	_ = &redis.Pool{
		MaxIdle: 3,
		// ruleid: go-redigo-pool
		MaxActive: 64,
	}
	// ruleid: go-redigo-pool-unbounded
	_ = &redis.Pool{MaxIdle: 3, IdleTimeout: time.Minute}
}
