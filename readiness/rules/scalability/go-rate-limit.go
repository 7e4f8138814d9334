package main

import (
	"sync"

	"golang.org/x/time/rate"
)

type limiter struct {
	mu         sync.Mutex
	global     *rate.Limiter
	publishers map[string]*rate.Limiter
	apiKeys    sync.Map
}

func newLimiter() *limiter {
	return &limiter{
		// ruleid: go-rate-limit-global
		global:     rate.NewLimiter(2000, 200),
		publishers: map[string]*rate.Limiter{},
	}
}

func (l *limiter) publisher(id string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if lim, ok := l.publishers[id]; ok {
		return lim
	}
	// ruleid: go-rate-limit-per-client
	lim := rate.NewLimiter(300, 30)
	// ok: go-rate-limit-global
	l.publishers[id] = lim
	return lim
}

func (l *limiter) lazily(id string) *rate.Limiter {
	lim, ok := l.publishers[id]
	if !ok {
		// ruleid: go-rate-limit-per-client
		lim = rate.NewLimiter(300, 30)
		l.publishers[id] = lim
	}
	return lim
}

func (l *limiter) apiKey(key string) *rate.Limiter {
	// ruleid: go-rate-limit-per-client
	v, _ := l.apiKeys.LoadOrStore(key, rate.NewLimiter(50, 5))
	return v.(*rate.Limiter)
}
