package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/spf13/viper"
)

func watchConfig(v *viper.Viper, apply func()) {
	// ruleid: go-config-watch
	v.WatchConfig()
	// ruleid: go-config-watch
	v.OnConfigChange(func(fsnotify.Event) { apply() })
}

func watchFile(path string) error {
	// ruleid: go-config-watch
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	return w.Add(path)
}

func onHangup(reload func()) {
	ch := make(chan os.Signal, 1)
	// ruleid: go-config-watch
	signal.Notify(ch, syscall.SIGHUP)
	// ok: go-config-watch
	signal.Notify(ch, syscall.SIGTERM)
	go func() {
		for range ch {
			reload()
		}
	}()
}

type flagStore struct{}

func (s *flagStore) reload() error { return nil }
func (s *flagStore) report()       {}

func (s *flagStore) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// ruleid: go-periodic-reload
			if err := s.reload(); err != nil {
				// ok: go-periodic-reload
				s.report()
			}
		}
	}
}

func config() (string, bool) {
	// ruleid: go-env-read
	url := os.Getenv("IDR_URL")
	// ruleid: go-env-read
	_, ok := os.LookupEnv("IDR_ENABLED")
	return url, ok
}

type ldClient interface {
	BoolVariation(key string, ctx any, fallback bool) (bool, error)
}

type ofClient interface {
	BooleanValue(ctx context.Context, flag string, fallback bool, evalCtx any) (bool, error)
}

func idrEnabled(ctx context.Context, ld ldClient, of ofClient, user any) bool {
	// ruleid: go-flag-evaluation
	on, _ := ld.BoolVariation("idr-enabled", user, true)
	// ruleid: go-flag-evaluation
	also, _ := of.BooleanValue(ctx, "idr_enabled", true, nil)
	// ok: go-flag-evaluation
	_, _ = ld.BoolVariation(dynamicKey(), user, true)
	return on && also
}

func dynamicKey() string { return "x" }
