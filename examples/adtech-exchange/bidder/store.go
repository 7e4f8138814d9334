package main

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

type impressionStore struct {
	pool *pgxpool.Pool
}

func newImpressionStore(ctx context.Context, url string) (*impressionStore, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = 25
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &impressionStore{pool: pool}, nil
}

func (s *impressionStore) RecordImpression(ctx context.Context, req *BidRequest, win *winningBid) error {
	var deviceIP, deviceIFA, userID, country string
	if req.Device != nil {
		deviceIP, deviceIFA = req.Device.IP, req.Device.IFA
		if req.Device.Geo != nil {
			country = req.Device.Geo.Country
		}
	}
	if req.User != nil {
		userID = req.User.ID
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO impressions
			(time, request_id, imp_id, publisher_id, bidder, seat, price, device_ip, device_ifa, user_id, country)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		time.Now().UTC(), req.ID, win.ImpID, req.PublisherID(), win.Bidder, win.Seat, win.Price,
		deviceIP, deviceIFA, userID, country)
	return err
}
