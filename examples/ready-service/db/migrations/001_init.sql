CREATE EXTENSION IF NOT EXISTS timescaledb;

-- One row per priced bid request. No device identifiers are stored.
CREATE TABLE IF NOT EXISTS events (
    time         TIMESTAMPTZ      NOT NULL,
    request_id   TEXT             NOT NULL,
    publisher_id TEXT             NOT NULL,
    country      CHAR(3),
    imps         SMALLINT         NOT NULL,
    floor_cpm    DOUBLE PRECISION NOT NULL,
    shading      DOUBLE PRECISION NOT NULL,
    source       TEXT             NOT NULL
);

SELECT create_hypertable('events', 'time', chunk_time_interval => INTERVAL '1 day', if_not_exists => TRUE);

CREATE INDEX IF NOT EXISTS events_publisher_time_idx ON events (publisher_id, time DESC);

-- Floors trained nightly by the data-science pipeline; read by the floors service.
CREATE TABLE IF NOT EXISTS floor_models (
    publisher_id TEXT             NOT NULL,
    country      CHAR(3),
    floor_cpm    NUMERIC(10, 4)   NOT NULL CHECK (floor_cpm >= 0),
    trained_at   TIMESTAMPTZ      NOT NULL DEFAULT now(),
    model_run    TEXT             NOT NULL
);

CREATE INDEX IF NOT EXISTS floor_models_lookup_idx ON floor_models (publisher_id, country, trained_at DESC);

-- Every operator action on the admin API, written before the action is applied.
CREATE TABLE IF NOT EXISTS admin_audit_log (
    at           TIMESTAMPTZ NOT NULL,
    actor        TEXT        NOT NULL,
    action       TEXT        NOT NULL,
    publisher_id TEXT,
    request_id   TEXT,
    details      JSONB
);

SELECT create_hypertable('admin_audit_log', 'at', chunk_time_interval => INTERVAL '30 days', if_not_exists => TRUE);
