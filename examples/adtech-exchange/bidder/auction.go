package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log"
	"net/http"
	"sync"
)

type exchange struct {
	caps   *frequencyCapper
	store  *impressionStore
	demand []string
	idrURL string
	client *http.Client
}

type winningBid struct {
	Bid
	Seat   string
	Bidder string
}

func (ex *exchange) handleAuction(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}

	var req BidRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		bidRequests.WithLabelValues("400").Inc()
		http.Error(w, "invalid bid request", http.StatusBadRequest)
		return
	}
	ctx := r.Context()

	userKey := ex.resolveIdentity(&req)
	if userKey != "" {
		capped, err := ex.caps.Exceeded(ctx, userKey)
		if err != nil {
			log.Printf("frequency cap lookup for %s failed: %v", userKey, err)
		} else if capped {
			bidRequests.WithLabelValues("204").Inc()
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}

	winner := pickWinner(&req, ex.collectBids(&req))
	if winner == nil {
		bidRequests.WithLabelValues("204").Inc()
		w.WriteHeader(http.StatusNoContent)
		return
	}

	go func() {
		if err := ex.store.RecordImpression(context.Background(), &req, winner); err != nil {
			log.Printf("recording impression for request %s: %v", req.ID, err)
		}
		if userKey != "" {
			ex.caps.Incr(context.Background(), userKey)
		}
	}()

	resp := BidResponse{
		ID:  req.ID,
		Cur: "USD",
		SeatBid: []SeatBid{{
			Seat: winner.Seat,
			Bid:  []Bid{winner.Bid},
		}},
	}
	bidRequests.WithLabelValues("200").Inc()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

// collectBids fans the request out to every demand partner and gathers bids.
func (ex *exchange) collectBids(req *BidRequest) []winningBid {
	body, err := json.Marshal(req)
	if err != nil {
		log.Printf("marshal bid request: %v", err)
		return nil
	}

	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		bids []winningBid
	)
	for _, endpoint := range ex.demand {
		wg.Add(1)
		go func(endpoint string) {
			defer wg.Done()
			resp, err := ex.client.Post(endpoint, "application/json", bytes.NewReader(body))
			if err != nil {
				upstreamErrors.WithLabelValues(endpoint).Inc()
				log.Printf("bidder %s: %v", endpoint, err)
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode == http.StatusNoContent {
				return
			}
			if resp.StatusCode != http.StatusOK {
				upstreamErrors.WithLabelValues(endpoint).Inc()
				log.Printf("bidder %s: status %d", endpoint, resp.StatusCode)
				return
			}
			var br BidResponse
			if err := json.NewDecoder(resp.Body).Decode(&br); err != nil {
				upstreamErrors.WithLabelValues(endpoint).Inc()
				log.Printf("bidder %s: decode: %v", endpoint, err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, sb := range br.SeatBid {
				for _, b := range sb.Bid {
					bids = append(bids, winningBid{Bid: b, Seat: sb.Seat, Bidder: endpoint})
				}
			}
		}(endpoint)
	}
	wg.Wait()
	return bids
}

// pickWinner runs a first-price auction over bids that clear the imp floor.
func pickWinner(req *BidRequest, bids []winningBid) *winningBid {
	floors := make(map[string]float64, len(req.Imp))
	for _, imp := range req.Imp {
		floors[imp.ID] = imp.BidFloor
	}
	var best *winningBid
	for i := range bids {
		floor, ok := floors[bids[i].ImpID]
		if !ok || bids[i].Price < floor {
			continue
		}
		if best == nil || bids[i].Price > best.Price {
			best = &bids[i]
		}
	}
	return best
}

type resolveRequest struct {
	DeviceIFA string `json:"device_ifa,omitempty"`
	DeviceIP  string `json:"device_ip,omitempty"`
	UserID    string `json:"user_id,omitempty"`
	Publisher string `json:"publisher_id"`
}

type resolveResponse struct {
	IdentityID string `json:"identity_id"`
}

// resolveIdentity asks the IDR service for the household identity behind the
// device, falling back to the exchange user id.
func (ex *exchange) resolveIdentity(req *BidRequest) string {
	fallback := ""
	if req.User != nil {
		fallback = req.User.ID
	}
	if ex.idrURL == "" || req.Device == nil {
		return fallback
	}
	payload, _ := json.Marshal(resolveRequest{
		DeviceIFA: req.Device.IFA,
		DeviceIP:  req.Device.IP,
		UserID:    fallback,
		Publisher: req.PublisherID(),
	})
	resp, err := http.Post(ex.idrURL+"/resolve", "application/json", bytes.NewReader(payload))
	if err != nil {
		log.Printf("idr resolve: %v", err)
		return fallback
	}
	defer resp.Body.Close()
	var rr resolveResponse
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&rr) != nil || rr.IdentityID == "" {
		return fallback
	}
	return rr.IdentityID
}
