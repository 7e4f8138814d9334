package main

import (
	"encoding/json"
	"io"
	"math"
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *service) handlePrice(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-body-limit
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	var req BidRequest
	// ok: go-unbounded-body-read
	// ruleid: go-body-decode
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "malformed", http.StatusBadRequest)
		return
	}
	// ruleid: go-handler-validation
	if err := req.Validate(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
}

func (ex *exchange) handleAuction(w http.ResponseWriter, r *http.Request) {
	var req BidRequest
	// ruleid: go-unbounded-body-read, go-body-decode
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		return
	}
	userKey := ex.resolveIdentity(&req)
	_ = userKey
}

func handleSetFloor(w http.ResponseWriter, r *http.Request) {
	var body setFloorRequest
	// ruleid: go-body-limit
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10))
	// ruleid: go-body-decode
	if err := dec.Decode(&body); err != nil {
		return
	}
	// ruleid: go-handler-validation
	if math.IsNaN(body.FloorCPM) || body.FloorCPM < 0 {
		return
	}
}

func handleRaw(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-unbounded-body-read
	data, _ := io.ReadAll(r.Body)
	var in input
	// ruleid: go-body-decode
	if err := json.Unmarshal(data, &in); err != nil {
		return
	}
	// ruleid: go-handler-validation
	if err := validate.Struct(in); err != nil {
		return
	}
}

func limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// ruleid: go-body-limit, go-body-limit-middleware
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		next.ServeHTTP(w, r)
	})
}

func routes(mux *http.ServeMux) http.Handler {
	// ruleid: go-body-limit, go-body-limit-middleware
	return http.MaxBytesHandler(mux, 1<<20)
}

func ginItems(c *gin.Context) {
	var item Item
	// ruleid: go-unbounded-bind
	if err := c.ShouldBindJSON(&item); err != nil {
		return
	}
}

func decodeUpstream(resp *http.Response) {
	var br BidResponse
	// ok: go-unbounded-body-read, go-body-decode
	_ = json.NewDecoder(resp.Body).Decode(&br)
}

func handleAssigned(w http.ResponseWriter, r *http.Request) {
	var in input
	// ruleid: go-unbounded-body-read, go-body-decode
	err := json.NewDecoder(r.Body).Decode(&in)
	if err != nil {
		return
	}
	// ruleid: go-handler-validation
	if in.Name == "" {
		return
	}
}

func handleCondition(w http.ResponseWriter, r *http.Request) {
	var in input
	// ruleid: go-unbounded-body-read, go-body-decode
	if json.NewDecoder(r.Body).Decode(&in) != nil {
		return
	}
	// ruleid: go-handler-validation
	if len(in.Items) > 10 {
		return
	}
}

func handleUnmarshalAssigned(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-unbounded-body-read
	data, _ := io.ReadAll(r.Body)
	var in input
	// ruleid: go-body-decode
	_ = json.Unmarshal(data, &in)
	// ruleid: go-handler-validation
	if in.Count < 0 {
		return
	}
}

func handleUnmarshalCondition(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-unbounded-body-read
	data, _ := io.ReadAll(r.Body)
	var in input
	// ruleid: go-body-decode
	if json.Unmarshal(data, &in) != nil {
		return
	}
	// ruleid: go-handler-validation
	if err := checkInput(&in); err != nil {
		return
	}
}

func handleCheckedTooEarly(w http.ResponseWriter, r *http.Request) {
	var in input
	// ruleid: go-handler-validation
	if in.Name == "" {
		in.Name = "default"
	}
	// ruleid: go-unbounded-body-read, go-body-decode
	err := json.NewDecoder(r.Body).Decode(&in)
	_ = err
}

func handleOtherValueChecked(w http.ResponseWriter, r *http.Request) {
	var in, other input
	// ruleid: go-unbounded-body-read, go-body-decode
	if json.NewDecoder(r.Body).Decode(&in) != nil {
		return
	}
	// ruleid: go-handler-validation
	if other.Name == "" {
		return
	}
}

func handleDecodeOnly(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-unbounded-body-read
	data, _ := io.ReadAll(r.Body)
	var in input
	// ruleid: go-body-decode
	_ = json.Unmarshal(data, &in)
	respond(w, in)
}

// A value of the same name checked in another function is not a check of this one.
func laterFunction(in input) {
	// ok: go-handler-validation
	if in.Name == "" {
		return
	}
}
