package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Flags are runtime switches read from a mounted ConfigMap. Kubernetes updates
// the mounted file in place, and the watcher applies changes without a restart.
type Flags struct {
	// FloorModelEnabled turns calls to the floors model service on or off.
	FloorModelEnabled bool    `json:"floor_model_enabled"`
	ShadingEnabled    bool    `json:"shading_enabled"`
	ShadingFactor     float64 `json:"shading_factor"`
	GlobalRPS         float64 `json:"global_rps"`
	PublisherRPS      float64 `json:"publisher_rps"`
	LogLevel          string  `json:"log_level"`
}

func defaultFlags() Flags {
	return Flags{
		FloorModelEnabled: true,
		ShadingEnabled:    true,
		ShadingFactor:     defaultShading,
		GlobalRPS:         2000,
		PublisherRPS:      300,
		LogLevel:          "info",
	}
}

func (f Flags) validate() error {
	var errs []error
	if f.ShadingFactor <= 0 || f.ShadingFactor > 1 {
		errs = append(errs, errors.New("shading_factor must be in (0, 1]"))
	}
	if f.GlobalRPS <= 0 || f.PublisherRPS <= 0 {
		errs = append(errs, errors.New("global_rps and publisher_rps must be positive"))
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(f.LogLevel)); err != nil {
		errs = append(errs, fmt.Errorf("log_level: %w", err))
	}
	return errors.Join(errs...)
}

type flagStore struct {
	path     string
	level    *slog.LevelVar
	log      *slog.Logger
	current  atomic.Pointer[Flags]
	modTime  time.Time
	mu       sync.Mutex
	onChange []func(Flags)
}

func newFlagStore(path string, level *slog.LevelVar, log *slog.Logger) (*flagStore, error) {
	s := &flagStore{path: path, level: level, log: log}
	f := defaultFlags()
	s.current.Store(&f)
	if err := s.reload(); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return s, nil
}

func (s *flagStore) Current() Flags { return *s.current.Load() }

func (s *flagStore) OnChange(fn func(Flags)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onChange = append(s.onChange, fn)
}

// Watch polls the flag file and reloads it when it changes. An invalid file is
// logged and ignored: the last good flags stay in force.
func (s *flagStore) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.reload(); err != nil {
				flagReloads.WithLabelValues("error").Inc()
				s.log.Error("flag reload failed, keeping previous flags", "path", s.path, "err", err)
			}
		}
	}
}

func (s *flagStore) reload() error {
	info, err := os.Stat(s.path)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if info.ModTime().Equal(s.modTime) {
		return nil
	}
	raw, err := os.ReadFile(s.path)
	if err != nil {
		return err
	}
	next := defaultFlags()
	if err := json.Unmarshal(raw, &next); err != nil {
		return fmt.Errorf("parse %s: %w", s.path, err)
	}
	if err := next.validate(); err != nil {
		return fmt.Errorf("validate %s: %w", s.path, err)
	}
	_ = s.level.UnmarshalText([]byte(next.LogLevel))
	s.current.Store(&next)
	s.modTime = info.ModTime()
	for _, fn := range s.onChange {
		fn(next)
	}
	flagReloads.WithLabelValues("ok").Inc()
	s.log.Info("flags loaded", "path", s.path, "flags", next)
	return nil
}
