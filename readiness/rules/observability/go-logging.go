package main

import (
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
	"github.com/rs/zerolog"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func loggers() {
	// ruleid: go-structured-logger
	h := slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo})
	// ruleid: go-structured-logger
	t := slog.NewTextHandler(os.Stdout, nil)
	// ruleid: go-structured-logger
	z, _ := zap.NewProduction()
	// ruleid: go-structured-logger
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	// ruleid: go-structured-logger
	config := zap.Config{Development: false, Encoding: "json"}
	// ruleid: go-structured-logger
	zl := zerolog.New(os.Stdout).With().Timestamp().Logger()
	// ruleid: go-structured-logger
	logrus.SetFormatter(&logrus.JSONFormatter{})
	// ok: go-structured-logger
	logrus.SetFormatter(&logrus.TextFormatter{})
	// ruleid: go-slog-set-default
	slog.SetDefault(slog.New(h))
	_, _, _, _, _ = t, z, enc, zl, h
}

func main() {
	// ruleid: go-print-log
	log.Printf("listening on %s", ":8080")
	// ruleid: go-print-log
	fmt.Println("starting")
	// ok: go-print-log
	log.Fatalf("bad config: %v", nil)
	// ok: go-print-log
	fmt.Sprintf("%d", 1)
	// ok: go-print-log
	fmt.Fprintf(os.Stderr, "usage")
	http.HandleFunc("/x", func(w http.ResponseWriter, r *http.Request) {
		// ruleid: go-print-log, go-print-log-in-handler
		fmt.Println("closure handler")
	})
}

func handle(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-print-log, go-print-log-in-handler
	log.Println("request", r.URL.Path)
	// ok: go-print-log-in-handler
	fmt.Fprintf(w, "hello")
}

type server struct{}

func (s *server) handleBid(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-print-log, go-print-log-in-handler
	log.Printf("bid %s", r.URL.Path)
}

func ginHandler(c *gin.Context) {
	// ruleid: go-print-log, go-print-log-in-handler
	fmt.Printf("gin %s", c.FullPath())
}

func helper() {
	// ruleid: go-print-log
	log.Print("not in a handler")
}

func levels(logger *slog.Logger, sugar *zap.SugaredLogger, err error) {
	// ruleid: go-log-level-call
	logger.Info("started", "addr", ":8080")
	// ruleid: go-log-level-call
	slog.Error("failed", "err", err)
	// ruleid: go-log-level-call
	sugar.Warnw("slow", "ms", 120)
	// ruleid: go-log-level-call
	zerologLog.Error().Err(err).Msg("zerolog error")
	// ruleid: go-log-level-call
	logrus.Debugf("value %d", 1)
	// ok: go-log-level-call
	http.Error(nil, "bad", 400)
	// ok: go-log-level-call
	span.Error("not a logger")
}

func debugDefaults(cfg config) {
	// ruleid: go-debug-by-default
	z, _ := zap.NewDevelopment()
	// ruleid: go-structured-logger, go-debug-by-default
	h := slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelDebug})
	// ruleid: go-debug-by-default
	level := envOr("LOG_LEVEL", "debug")
	// ok: go-debug-by-default
	info := envOr("LOG_LEVEL", "info")
	if cfg.Dev {
		// ok: go-debug-by-default
		z, _ = zap.NewDevelopment()
	}
	// ruleid: go-debug-by-default
	zerolog.SetGlobalLevel(zerolog.DebugLevel)
	_, _, _, _ = z, h, level, info
}
