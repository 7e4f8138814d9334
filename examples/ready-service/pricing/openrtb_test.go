package main

import (
	"math"
	"strings"
	"testing"
)

func validRequest() BidRequest {
	return BidRequest{
		ID:   "req-1",
		TMax: 120,
		Imp:  []Imp{{ID: "1", BidFloor: 0.5, BidFloorCur: "USD"}},
		Site: &Site{Publisher: &Publisher{ID: "pub-42"}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*BidRequest)
		wantErr string
	}{
		{"valid", func(*BidRequest) {}, ""},
		{"missing id", func(r *BidRequest) { r.ID = "" }, "id must be"},
		{"no imps", func(r *BidRequest) { r.Imp = nil }, "imp must contain"},
		{"too many imps", func(r *BidRequest) { r.Imp = make([]Imp, maxImps+1) }, "imp must contain"},
		{"tmax too low", func(r *BidRequest) { r.TMax = 5 }, "tmax"},
		{"tmax too high", func(r *BidRequest) { r.TMax = 5000 }, "tmax"},
		{"negative floor", func(r *BidRequest) { r.Imp[0].BidFloor = -1 }, "bidfloor"},
		{"NaN floor", func(r *BidRequest) { r.Imp[0].BidFloor = math.NaN() }, "bidfloor"},
		{"bad currency", func(r *BidRequest) { r.Imp[0].BidFloorCur = "dollars" }, "bidfloorcur"},
		{"duplicate imp", func(r *BidRequest) { r.Imp = append(r.Imp, r.Imp[0]) }, "duplicated"},
		{"no publisher", func(r *BidRequest) { r.Site = nil }, "publisher"},
		{"bad ip", func(r *BidRequest) { r.Device = &Device{IP: "not-an-ip"} }, "device.ip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRequest()
			tt.mutate(&r)
			err := r.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestLimiterPerPublisher(t *testing.T) {
	l := newLimiter(1000, 10, 100)
	allowed := 0
	for range 50 {
		if _, ok := l.Allow("pub-1"); ok {
			allowed++
		}
	}
	if allowed == 0 || allowed >= 50 {
		t.Fatalf("per-publisher limit not applied: %d of 50 allowed", allowed)
	}
	if _, ok := l.Allow("pub-2"); !ok {
		t.Fatal("a second publisher must not be limited by the first")
	}
}

func TestRequestID(t *testing.T) {
	if !validRequestID("3f2a-bc_9") {
		t.Fatal("expected a valid id")
	}
	for _, bad := range []string{"", strings.Repeat("a", 65), "id with spaces", "x\ny"} {
		if validRequestID(bad) {
			t.Fatalf("%q should be rejected", bad)
		}
	}
}
