// Command pricing serves floor and bid-shading decisions to the exchange.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

const shutdownTimeout = 25 * time.Second

func main() {
	// "pricing healthcheck" lets docker compose probe the distroless image,
	// which has no shell or curl.
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(healthcheck("http://127.0.0.1:8080/readyz"))
	}
	if err := run(); err != nil {
		slog.Error("pricing exited", "err", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := loadConfig()
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}

	level := new(slog.LevelVar)
	logger := newLogger(os.Stdout, level)
	slog.SetDefault(logger)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	shutdownTracing, err := initTracing(ctx, "pricing", version)
	if err != nil {
		return fmt.Errorf("tracing: %w", err)
	}

	deps, err := connectDependencies(ctx, cfg)
	if err != nil {
		return err
	}
	defer deps.Close()

	flags, err := newFlagStore(cfg.FlagsFile, level, logger)
	if err != nil {
		return fmt.Errorf("flags: %w", err)
	}

	limits := newLimiter(flags.Current().GlobalRPS, flags.Current().PublisherRPS, 50_000)
	flags.OnChange(func(f Flags) { limits.SetLimits(f.GlobalRPS, f.PublisherRPS) })
	go flags.Watch(ctx, 15*time.Second)
	go limits.Sweep(ctx, time.Minute, 10*time.Minute)

	events := newEventWriter(deps.db, 8192, logger)
	go events.Run()

	registerPoolMetrics(deps.db, deps.rdb)

	svc := &service{
		cfg:    cfg,
		db:     deps.db,
		rdb:    deps.rdb,
		floors: newFloorsClient(cfg.FloorsURL, cfg.FloorsTimeout),
		flags:  flags,
		limits: limits,
		events: events,
		admin:  newAdminAuth(cfg.AdminToken),
	}

	appSrv := &http.Server{
		Addr:              cfg.ListenAddr,
		Handler:           svc.routes(),
		ReadHeaderTimeout: 2 * time.Second,
		ReadTimeout:       5 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	opsSrv := &http.Server{
		Addr:              cfg.OpsListenAddr,
		Handler:           svc.opsRoutes(),
		ReadHeaderTimeout: 2 * time.Second,
		ReadTimeout:       5 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
	}

	errc := make(chan error, 2)
	go func() { errc <- listen(appSrv) }()
	go func() { errc <- listen(opsSrv) }()
	logger.Info("pricing started", "version", version, "addr", cfg.ListenAddr, "ops_addr", cfg.OpsListenAddr)

	var serveErr error
	select {
	case <-ctx.Done():
		logger.Info("shutdown signal received, draining connections")
	case serveErr = <-errc:
		logger.Error("listener failed, shutting down", "err", serveErr)
	}

	// Fail readiness first so no new traffic is routed here while in-flight
	// requests finish.
	svc.draining.Store(true)

	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := appSrv.Shutdown(shutdownCtx); err != nil {
		logger.Error("app server shutdown", "err", err)
	}
	if err := opsSrv.Shutdown(shutdownCtx); err != nil {
		logger.Error("ops server shutdown", "err", err)
	}
	if err := events.Close(shutdownCtx); err != nil {
		logger.Error("flushing events", "err", err)
	}
	if err := shutdownTracing(shutdownCtx); err != nil {
		logger.Error("flushing traces", "err", err)
	}
	logger.Info("pricing stopped")
	return serveErr
}

func healthcheck(url string) int {
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 1
	}
	return 0
}

func listen(srv *http.Server) error {
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("listen %s: %w", srv.Addr, err)
	}
	return nil
}
