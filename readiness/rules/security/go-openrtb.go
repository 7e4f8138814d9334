package main

// ruleid: go-openrtb-import
import (
	"encoding/json"
	"errors"
	"math"
	"net"
	"net/http"

	"github.com/prebid/openrtb/v20/openrtb2"
)

// ruleid: go-openrtb-struct
type BidRequest struct {
	ID   string `json:"id"`
	Imp  []Imp  `json:"imp"`
	TMax int    `json:"tmax,omitempty"`
}

// ruleid: go-openrtb-struct
type Imp struct {
	ID       string  `json:"id"`
	BidFloor float64 `json:"bidfloor,omitempty"`
}

// ok: go-openrtb-struct
type PriceResponse struct {
	ID string `json:"id"`
}

func (r *BidRequest) Validate() error {
	// ruleid: go-openrtb-field-check
	if r.ID == "" {
		return errors.New("id")
	}
	// ruleid: go-openrtb-field-check
	if n := len(r.Imp); n < 1 || n > 20 {
		return errors.New("imp")
	}
	// ruleid: go-openrtb-field-check
	if r.TMax < 0 {
		return errors.New("tmax")
	}
	for _, imp := range r.Imp {
		// ruleid: go-openrtb-field-check
		if math.IsNaN(imp.BidFloor) {
			return errors.New("bidfloor")
		}
	}
	// ok: go-openrtb-field-check
	if r.Device != nil {
		// ruleid: go-openrtb-field-check
		if net.ParseIP(r.Device.IP) == nil {
			return errors.New("ip")
		}
	}
	return nil
}

func (s *server) handleBid(w http.ResponseWriter, r *http.Request) {
	var req BidRequest
	// ruleid: go-openrtb-handler
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		return
	}
}

func handleLibrary(w http.ResponseWriter, r *http.Request) {
	req := &openrtb2.BidRequest{}
	// ruleid: go-openrtb-handler
	_ = json.NewDecoder(r.Body).Decode(req)
}

func handleOther(w http.ResponseWriter, r *http.Request) {
	var in PriceResponse
	// ok: go-openrtb-handler
	_ = json.NewDecoder(r.Body).Decode(&in)
}
