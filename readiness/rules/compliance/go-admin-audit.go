package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
)

type service struct{}

func (s *service) routes(mux *http.ServeMux, r *gin.Engine) {
	// ok: go-admin-route
	mux.HandleFunc("/openrtb2/auction", s.handleAuction)
	// ruleid: go-admin-route
	mux.Handle("PUT /admin/v1/publishers/{id}/floor", http.HandlerFunc(s.handleSetFloor))
	// ruleid: go-admin-route
	mux.HandleFunc("/internal/cache/flush", s.handleFlush)
	// ruleid: go-admin-route
	r.POST("/ops/reindex", s.ginReindex)
	admin := r.Group("/admin")
	// ruleid: go-admin-group-route
	admin.DELETE("/users/:id", s.ginDeleteUser)
}

func (s *service) handleAuction(w http.ResponseWriter, r *http.Request) {}

func (s *service) handleSetFloor(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-audit-call
	s.recordAudit(r.Context(), "floor_override.set", r.PathValue("id"))
}

func (s *service) handleFlush(w http.ResponseWriter, r *http.Request) {
	// ok: go-audit-call
	slog.Info("cache flushed")
}

func (s *service) ginReindex(c *gin.Context) {
	// ruleid: go-audit-call
	slog.Info("reindex", "log", "audit", "actor", c.GetHeader("X-Actor"))
}

func (s *service) ginDeleteUser(c *gin.Context) {}

var auditLog = slog.Default()

func (s *service) recordAudit(ctx context.Context, action, target string) {
	// ruleid: go-audit-call
	auditLog.InfoContext(ctx, action, "target", target)
}
