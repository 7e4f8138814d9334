package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

type pricingEvent struct {
	Time        time.Time
	RequestID   string
	PublisherID string
	Country     string
	Imps        int
	FloorCPM    float64
	Shading     float64
	Source      string
}

// eventWriter batches pricing events into the events hypertable off the
// request path. The buffer is bounded: when TimescaleDB is slow, events are
// dropped and counted rather than slowing down pricing. Close flushes what is
// buffered, so a graceful shutdown loses nothing.
type eventWriter struct {
	db      *pgxpool.Pool
	log     *slog.Logger
	in      chan pricingEvent
	done    chan struct{}
	maxWait time.Duration
	batch   int

	mu     sync.RWMutex
	closed bool
}

func newEventWriter(db *pgxpool.Pool, buffer int, log *slog.Logger) *eventWriter {
	return &eventWriter{
		db:      db,
		log:     log,
		in:      make(chan pricingEvent, buffer),
		done:    make(chan struct{}),
		maxWait: time.Second,
		batch:   500,
	}
}

func (w *eventWriter) Enqueue(e pricingEvent) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		eventsDropped.Inc()
		return
	}
	select {
	case w.in <- e:
	default:
		eventsDropped.Inc()
	}
}

func (w *eventWriter) Run() {
	defer close(w.done)
	t := time.NewTicker(w.maxWait)
	defer t.Stop()
	buf := make([]pricingEvent, 0, w.batch)
	for {
		select {
		case e, ok := <-w.in:
			if !ok {
				w.flush(buf)
				return
			}
			buf = append(buf, e)
			if len(buf) >= w.batch {
				w.flush(buf)
				buf = buf[:0]
			}
		case <-t.C:
			if len(buf) > 0 {
				w.flush(buf)
				buf = buf[:0]
			}
		}
	}
}

// Close stops accepting events and waits for the final flush.
func (w *eventWriter) Close(ctx context.Context) error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.in)
	}
	w.mu.Unlock()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *eventWriter) flush(events []pricingEvent) {
	if len(events) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rows := make([][]any, len(events))
	for i, e := range events {
		rows[i] = []any{e.Time, e.RequestID, e.PublisherID, e.Country, e.Imps, e.FloorCPM, e.Shading, e.Source}
	}
	n, err := w.db.CopyFrom(ctx, pgx.Identifier{"events"},
		[]string{"time", "request_id", "publisher_id", "country", "imps", "floor_cpm", "shading", "source"},
		pgx.CopyFromRows(rows))
	if err != nil {
		dependencyErrors.WithLabelValues("postgres").Inc()
		eventsDropped.Add(float64(len(events)))
		w.log.Error("writing pricing events", "err", err, "events", len(events))
		return
	}
	eventsWritten.Add(float64(n))
}
