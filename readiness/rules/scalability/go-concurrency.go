package main

import (
	"context"
	"net/http"

	"golang.org/x/sync/semaphore"
)

// ruleid: go-concurrency-limit
var sem = semaphore.NewWeighted(64)

func limitInFlight(maxInFlight int, next http.Handler) http.Handler {
	slots := make(chan struct{}, maxInFlight)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// ruleid: go-concurrency-limit
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			next.ServeHTTP(w, r)
		default:
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
		}
	})
}

func handle(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-goroutine-per-request
	go func() {
		record(r.Context())
	}()
	if err := sem.Acquire(r.Context(), 1); err != nil {
		return
	}
	// ok: go-goroutine-per-request
	go func() {
		defer sem.Release(1)
		record(context.Background())
	}()
}

func record(ctx context.Context) {}

func enqueue(queue chan []byte, item []byte) {
	// ok: go-concurrency-limit
	select {
	case queue <- item:
	default:
	}
}

func queues() {
	// ruleid: go-unbounded-queue
	_ = make(chan []byte, 1000000)
	// ok: go-unbounded-queue
	_ = make(chan []byte, 1024)
	// ok: go-unbounded-queue
	_ = make([]byte, 1000000)
	// ok: go-goroutine-per-request
	go record(context.Background())
}
