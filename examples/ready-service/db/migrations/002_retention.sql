-- Pricing events are kept for 30 days (docs/privacy/data-flows.md); compressed after 2.
ALTER TABLE events SET (timescaledb.compress, timescaledb.compress_segmentby = 'publisher_id');
SELECT add_compression_policy('events', INTERVAL '2 days', if_not_exists => TRUE);
SELECT add_retention_policy('events', INTERVAL '30 days', if_not_exists => TRUE);

-- Admin audit records are kept for 400 days.
SELECT add_retention_policy('admin_audit_log', INTERVAL '400 days', if_not_exists => TRUE);

-- Floor models older than 90 days are never read again.
CREATE OR REPLACE PROCEDURE prune_floor_models(job_id INT, config JSONB)
LANGUAGE SQL AS $$
    DELETE FROM floor_models WHERE trained_at < now() - INTERVAL '90 days';
$$;

SELECT add_job('prune_floor_models', '1 day', if_not_exists => TRUE);
