package main

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter enforces a request rate per publisher and a global ceiling for the
// pod. Publisher limiters are created lazily and swept when idle so a flood of
// unknown publisher ids cannot grow memory without bound.
type limiter struct {
	mu            sync.Mutex
	global        *rate.Limiter
	perPublisher  rate.Limit
	burst         int
	publishers    map[string]*publisherLimiter
	maxPublishers int
}

type publisherLimiter struct {
	lim      *rate.Limiter
	lastSeen time.Time
}

func newLimiter(globalRPS, publisherRPS float64, maxPublishers int) *limiter {
	return &limiter{
		global:        rate.NewLimiter(rate.Limit(globalRPS), burstFor(globalRPS)),
		perPublisher:  rate.Limit(publisherRPS),
		burst:         burstFor(publisherRPS),
		publishers:    make(map[string]*publisherLimiter),
		maxPublishers: maxPublishers,
	}
}

// Allow reports whether a request from publisher may proceed, and if not,
// which limit rejected it.
func (l *limiter) Allow(publisher string) (scope string, ok bool) {
	if !l.publisher(publisher).Allow() {
		return "publisher", false
	}
	if !l.global.Allow() {
		return "global", false
	}
	return "", true
}

func (l *limiter) publisher(id string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if p, ok := l.publishers[id]; ok {
		p.lastSeen = now
		return p.lim
	}
	if len(l.publishers) >= l.maxPublishers {
		// Table full: unknown publishers share one tight limiter until the
		// sweeper frees space.
		return rate.NewLimiter(l.perPublisher/10, 1)
	}
	p := &publisherLimiter{lim: rate.NewLimiter(l.perPublisher, l.burst), lastSeen: now}
	l.publishers[id] = p
	return p.lim
}

// SetLimits applies new limits from a flag reload without a restart.
func (l *limiter) SetLimits(globalRPS, publisherRPS float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.global.SetLimit(rate.Limit(globalRPS))
	l.global.SetBurst(burstFor(globalRPS))
	l.perPublisher = rate.Limit(publisherRPS)
	l.burst = burstFor(publisherRPS)
	for _, p := range l.publishers {
		p.lim.SetLimit(l.perPublisher)
		p.lim.SetBurst(l.burst)
	}
}

func (l *limiter) Sweep(ctx context.Context, every, idle time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			l.mu.Lock()
			for id, p := range l.publishers {
				if now.Sub(p.lastSeen) > idle {
					delete(l.publishers, id)
				}
			}
			l.mu.Unlock()
		}
	}
}

func burstFor(rps float64) int {
	return max(1, int(rps/10))
}
