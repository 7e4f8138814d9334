#!/bin/sh
# Weekly restore drill: restores the newest backup into a scratch database and
# checks that the hypertables came back with data.
set -eu

: "${PGHOST:?}" "${PGDATABASE:?}" "${BACKUP_BUCKET:?}"
scratch="restore_check_$(date -u +%Y%m%d)"

key=$(aws s3 ls "s3://${BACKUP_BUCKET}/${PGDATABASE}/" | sort | tail -n 1 | awk '{print $4}')
[ -n "$key" ] || { echo '{"event":"restore_test_failed","reason":"no backup found"}'; exit 1; }
aws s3 cp --only-show-errors "s3://${BACKUP_BUCKET}/${PGDATABASE}/${key}" /tmp/latest.dump

started=$(date +%s)
psql -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS ${scratch}" -c "CREATE DATABASE ${scratch}"
psql -v ON_ERROR_STOP=1 -d "$scratch" -c "CREATE EXTENSION IF NOT EXISTS timescaledb" -c "SELECT timescaledb_pre_restore()"
pg_restore --no-owner --dbname="$scratch" /tmp/latest.dump
psql -v ON_ERROR_STOP=1 -d "$scratch" -c "SELECT timescaledb_post_restore()"

events=$(psql -tA -d "$scratch" -c "SELECT count(*) FROM events WHERE time > now() - INTERVAL '2 days'")
models=$(psql -tA -d "$scratch" -c "SELECT count(*) FROM floor_models")
psql -d postgres -c "DROP DATABASE ${scratch}"
rm -f /tmp/latest.dump

if [ "$events" -eq 0 ] || [ "$models" -eq 0 ]; then
  printf '{"event":"restore_test_failed","backup":"%s","events":%s,"floor_models":%s}\n' "$key" "$events" "$models"
  exit 1
fi
printf '{"event":"restore_test_passed","backup":"%s","seconds":%s,"events":%s,"floor_models":%s}\n' \
  "$key" "$(( $(date +%s) - started ))" "$events" "$models"
