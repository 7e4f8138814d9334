package main

import (
	"errors"
	"fmt"
	"math"
	"net"
	"time"
)

// The subset of OpenRTB 2.5 that pricing reads. Unknown fields are ignored.

type BidRequest struct {
	ID     string   `json:"id"`
	Imp    []Imp    `json:"imp"`
	Site   *Site    `json:"site,omitempty"`
	App    *App     `json:"app,omitempty"`
	Device *Device  `json:"device,omitempty"`
	TMax   int      `json:"tmax,omitempty"`
	Cur    []string `json:"cur,omitempty"`
	Test   int      `json:"test,omitempty"`
}

type Imp struct {
	ID          string  `json:"id"`
	TagID       string  `json:"tagid,omitempty"`
	BidFloor    float64 `json:"bidfloor,omitempty"`
	BidFloorCur string  `json:"bidfloorcur,omitempty"`
	Banner      *Banner `json:"banner,omitempty"`
	Video       *Video  `json:"video,omitempty"`
}

type Banner struct {
	W int `json:"w,omitempty"`
	H int `json:"h,omitempty"`
}

type Video struct {
	MinDuration int `json:"minduration,omitempty"`
	MaxDuration int `json:"maxduration,omitempty"`
}

type Site struct {
	ID        string     `json:"id,omitempty"`
	Domain    string     `json:"domain,omitempty"`
	Publisher *Publisher `json:"publisher,omitempty"`
}

type App struct {
	ID        string     `json:"id,omitempty"`
	Bundle    string     `json:"bundle,omitempty"`
	Publisher *Publisher `json:"publisher,omitempty"`
}

type Publisher struct {
	ID string `json:"id"`
}

type Device struct {
	IP  string `json:"ip,omitempty"`
	Geo *Geo   `json:"geo,omitempty"`
}

type Geo struct {
	Country string `json:"country,omitempty"`
}

const (
	maxImps       = 20
	maxIDLength   = 64
	minTMax       = 20
	maxTMax       = 1000
	defaultTMax   = 120
	maxFloorCPM   = 1000
	deadlineSlack = 5 * time.Millisecond
)

var errNoPublisher = errors.New("site.publisher.id or app.publisher.id is required")

// Validate rejects requests that pricing cannot price safely. It never trusts
// lengths, counts or numbers sent by the caller.
func (r *BidRequest) Validate() error {
	if r.ID == "" || len(r.ID) > maxIDLength {
		return fmt.Errorf("id must be 1..%d characters", maxIDLength)
	}
	if n := len(r.Imp); n < 1 || n > maxImps {
		return fmt.Errorf("imp must contain 1..%d items, got %d", maxImps, n)
	}
	if r.TMax != 0 && (r.TMax < minTMax || r.TMax > maxTMax) {
		return fmt.Errorf("tmax must be between %d and %d ms", minTMax, maxTMax)
	}
	seen := make(map[string]struct{}, len(r.Imp))
	for i, imp := range r.Imp {
		if imp.ID == "" || len(imp.ID) > maxIDLength {
			return fmt.Errorf("imp[%d].id must be 1..%d characters", i, maxIDLength)
		}
		if _, dup := seen[imp.ID]; dup {
			return fmt.Errorf("imp[%d].id %q is duplicated", i, imp.ID)
		}
		seen[imp.ID] = struct{}{}
		if math.IsNaN(imp.BidFloor) || math.IsInf(imp.BidFloor, 0) || imp.BidFloor < 0 || imp.BidFloor > maxFloorCPM {
			return fmt.Errorf("imp[%d].bidfloor must be between 0 and %d", i, maxFloorCPM)
		}
		if imp.BidFloorCur != "" && !isCurrency(imp.BidFloorCur) {
			return fmt.Errorf("imp[%d].bidfloorcur must be an ISO-4217 code", i)
		}
		if len(imp.TagID) > 128 {
			return fmt.Errorf("imp[%d].tagid is too long", i)
		}
	}
	pub := r.PublisherID()
	if pub == "" {
		return errNoPublisher
	}
	if len(pub) > maxIDLength {
		return fmt.Errorf("publisher id must be at most %d characters", maxIDLength)
	}
	if r.Device != nil {
		if r.Device.IP != "" && net.ParseIP(r.Device.IP) == nil {
			return errors.New("device.ip is not an IP address")
		}
		if g := r.Device.Geo; g != nil && g.Country != "" && len(g.Country) != 3 {
			return errors.New("device.geo.country must be ISO-3166-1 alpha-3")
		}
	}
	return nil
}

func (r *BidRequest) PublisherID() string {
	switch {
	case r.Site != nil && r.Site.Publisher != nil:
		return r.Site.Publisher.ID
	case r.App != nil && r.App.Publisher != nil:
		return r.App.Publisher.ID
	}
	return ""
}

func (r *BidRequest) Country() string {
	if r.Device != nil && r.Device.Geo != nil {
		return r.Device.Geo.Country
	}
	return ""
}

// Budget is how long pricing may spend on this request: the caller's tmax
// minus a margin for the network hop back.
func (r *BidRequest) Budget() time.Duration {
	tmax := r.TMax
	if tmax == 0 {
		tmax = defaultTMax
	}
	return time.Duration(tmax)*time.Millisecond - deadlineSlack
}

func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// PriceResponse is pricing's answer: a floor and a shading factor per imp.
type PriceResponse struct {
	ID   string     `json:"id"`
	Imps []ImpPrice `json:"imp"`
}

type ImpPrice struct {
	ImpID    string  `json:"impid"`
	FloorCPM float64 `json:"floor_cpm"`
	Shading  float64 `json:"shading"`
	Source   string  `json:"source"`
}
