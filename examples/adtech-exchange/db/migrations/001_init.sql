CREATE EXTENSION IF NOT EXISTS timescaledb;

CREATE TABLE IF NOT EXISTS impressions (
    time         TIMESTAMPTZ      NOT NULL,
    request_id   TEXT             NOT NULL,
    imp_id       TEXT             NOT NULL,
    publisher_id TEXT             NOT NULL,
    bidder       TEXT             NOT NULL,
    seat         TEXT,
    price        DOUBLE PRECISION NOT NULL,
    device_ip    INET,
    device_ifa   TEXT,
    user_id      TEXT,
    country      CHAR(3)
);

SELECT create_hypertable('impressions', 'time', chunk_time_interval => INTERVAL '1 day', if_not_exists => TRUE);

CREATE INDEX IF NOT EXISTS impressions_publisher_time_idx ON impressions (publisher_id, time DESC);

CREATE TABLE IF NOT EXISTS identity_links (
    time         TIMESTAMPTZ NOT NULL,
    identity_id  UUID        NOT NULL,
    publisher_id TEXT        NOT NULL,
    device_ifa   TEXT,
    device_ip    INET,
    user_id      TEXT
);

SELECT create_hypertable('identity_links', 'time', chunk_time_interval => INTERVAL '7 days', if_not_exists => TRUE);

CREATE INDEX IF NOT EXISTS identity_links_identity_idx ON identity_links (identity_id, time DESC);

CREATE ROLE bidder LOGIN;
CREATE ROLE idr LOGIN;
GRANT INSERT, SELECT ON impressions TO bidder;
GRANT INSERT, SELECT ON identity_links TO idr;
