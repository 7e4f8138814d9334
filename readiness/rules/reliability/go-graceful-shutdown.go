package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func drains(srv *http.Server) {
	// ruleid: go-termination-signal
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	// ruleid: go-server-shutdown
	srv.Shutdown(shutdownCtx)
}

func exitsAbruptly(srv *http.Server) {
	ch := make(chan os.Signal, 1)
	// ruleid: go-termination-signal
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	<-ch
	log.Println("bye")
	// ruleid: go-exit-on-signal
	os.Exit(0)
}

var shutdownSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

type wrapped struct{ server *http.Server }

func drainsThroughAHelper(w wrapped, ctx context.Context) {
	ch := make(chan os.Signal, 1)
	// ruleid: go-termination-signal
	signal.Notify(ch, shutdownSignals...)
	<-ch
	// ruleid: go-server-shutdown
	w.server.Shutdown(ctx)
}

func interruptOnly() {
	ch := make(chan os.Signal, 1)
	// ok: go-termination-signal
	signal.Notify(ch, os.Interrupt)
	// ok: go-server-shutdown
	http.DefaultClient.CloseIdleConnections()
}
