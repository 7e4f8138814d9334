package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
)

var errNoFloor = errors.New("no model floor for publisher")

// floorsClient calls the Python floors model service. Trace context travels in
// the traceparent header (otelhttp transport), the request id in X-Request-ID.
type floorsClient struct {
	base   string
	client *http.Client
}

func newFloorsClient(base string, timeout time.Duration) *floorsClient {
	transport := &http.Transport{
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 2 * time.Second,
	}
	return &floorsClient{
		base: base,
		client: &http.Client{
			Timeout:   timeout,
			Transport: otelhttp.NewTransport(transport),
		},
	}
}

type floorResponse struct {
	PublisherID string  `json:"publisher_id"`
	FloorCPM    float64 `json:"floor_cpm"`
}

func (c *floorsClient) Floor(ctx context.Context, publisher, country string) (float64, error) {
	q := url.Values{}
	if country != "" {
		q.Set("country", country)
	}
	u := c.base + "/v1/floors/" + url.PathEscape(publisher)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	if id := requestIDFrom(ctx); id != "" {
		req.Header.Set(requestIDHeader, id)
	}

	resp, err := c.client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			upstreamTimeouts.WithLabelValues("floors").Inc()
		} else {
			dependencyErrors.WithLabelValues("floors").Inc()
		}
		return 0, err
	}
	defer resp.Body.Close()

	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return 0, errNoFloor
	default:
		dependencyErrors.WithLabelValues("floors").Inc()
		return 0, fmt.Errorf("floors: unexpected status %d", resp.StatusCode)
	}
	var fr floorResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<10)).Decode(&fr); err != nil {
		return 0, fmt.Errorf("floors: decode: %w", err)
	}
	if fr.FloorCPM < 0 || fr.FloorCPM > maxFloorCPM {
		return 0, fmt.Errorf("floors: floor %v out of range", fr.FloorCPM)
	}
	return fr.FloorCPM, nil
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
