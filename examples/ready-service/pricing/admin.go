package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

type actorKey struct{}

// adminAuth protects the operator API with a bearer token. Failed attempts
// draw from a small shared budget so the token cannot be brute-forced.
type adminAuth struct {
	tokenHash [32]byte
	failures  *rate.Limiter
}

func newAdminAuth(token string) *adminAuth {
	return &adminAuth{
		tokenHash: sha256.Sum256([]byte(token)),
		failures:  rate.NewLimiter(rate.Every(6*time.Second), 5),
	}
}

func (a *adminAuth) require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		given := sha256.Sum256([]byte(token))
		if !ok || subtle.ConstantTimeCompare(given[:], a.tokenHash[:]) != 1 {
			if !a.failures.Allow() {
				w.Header().Set("Retry-After", "60")
				http.Error(w, "too many failed attempts", http.StatusTooManyRequests)
				return
			}
			audit(r.Context(), "admin.auth_failed", "", r.URL.Path, map[string]any{"remote_addr": r.RemoteAddr})
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		actor := r.Header.Get("X-Actor")
		if actor == "" || len(actor) > 128 {
			http.Error(w, "X-Actor header naming the operator is required", http.StatusBadRequest)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, actor)))
	})
}

type setFloorRequest struct {
	FloorCPM float64 `json:"floor_cpm"`
	Reason   string  `json:"reason"`
}

func (s *service) handleSetFloor(w http.ResponseWriter, r *http.Request) {
	publisher := r.PathValue("id")
	if publisher == "" || len(publisher) > maxIDLength {
		http.Error(w, "invalid publisher id", http.StatusBadRequest)
		return
	}
	var body setFloorRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		http.Error(w, "malformed body", http.StatusBadRequest)
		return
	}
	if math.IsNaN(body.FloorCPM) || body.FloorCPM < 0 || body.FloorCPM > maxFloorCPM {
		http.Error(w, fmt.Sprintf("floor_cpm must be between 0 and %d", maxFloorCPM), http.StatusBadRequest)
		return
	}
	if strings.TrimSpace(body.Reason) == "" {
		http.Error(w, "reason is required", http.StatusBadRequest)
		return
	}

	details := map[string]any{"floor_cpm": body.FloorCPM, "reason": body.Reason}
	if err := s.recordAudit(r.Context(), "floor_override.set", publisher, details); err != nil {
		http.Error(w, "audit log unavailable", http.StatusServiceUnavailable)
		return
	}
	if err := s.setOverride(r.Context(), publisher, body.FloorCPM); err != nil {
		loggerFrom(r.Context()).Error("setting floor override", "err", err)
		http.Error(w, "could not store override", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *service) handleDeleteFloor(w http.ResponseWriter, r *http.Request) {
	publisher := r.PathValue("id")
	if publisher == "" || len(publisher) > maxIDLength {
		http.Error(w, "invalid publisher id", http.StatusBadRequest)
		return
	}
	if err := s.recordAudit(r.Context(), "floor_override.delete", publisher, nil); err != nil {
		http.Error(w, "audit log unavailable", http.StatusServiceUnavailable)
		return
	}
	if err := s.deleteOverride(r.Context(), publisher); err != nil {
		http.Error(w, "could not delete override", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// recordAudit writes an admin action to the admin_audit_log table before the
// action is applied; if the audit row cannot be written, the action is refused.
func (s *service) recordAudit(ctx context.Context, action, publisher string, details map[string]any) error {
	actor, _ := ctx.Value(actorKey{}).(string)
	if actor == "" {
		return errors.New("no actor")
	}
	raw, err := json.Marshal(details)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(ctx,
		`INSERT INTO admin_audit_log (at, actor, action, publisher_id, request_id, details)
		 VALUES (now(), $1, $2, $3, $4, $5)`,
		actor, action, publisher, requestIDFrom(ctx), raw)
	if err != nil {
		loggerFrom(ctx).Error("writing audit log", "err", err, "action", action)
		return err
	}
	audit(ctx, action, actor, publisher, details)
	return nil
}

// audit mirrors admin actions to the log stream under a fixed logger name so
// they can be routed to the audit index.
func audit(ctx context.Context, action, actor, target string, details map[string]any) {
	loggerFrom(ctx).LogAttrs(ctx, slog.LevelInfo, "audit",
		slog.String("log", "audit"),
		slog.String("action", action),
		slog.String("actor", actor),
		slog.String("target", target),
		slog.Any("details", details),
	)
}
