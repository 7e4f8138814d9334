#!/bin/sh
# Nightly logical backup of the pricing database to S3, copied to the DR region.
set -eu

: "${PGHOST:?}" "${PGDATABASE:?}" "${BACKUP_BUCKET:?}" "${BACKUP_DR_BUCKET:?}" "${BACKUP_DR_REGION:?}"

stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
file="/tmp/${PGDATABASE}-${stamp}.dump"

pg_dump --format=custom --compress=6 --no-owner --file="$file" "$PGDATABASE"
pg_restore --list "$file" > /dev/null

key="${PGDATABASE}/${stamp}.dump"
aws s3 cp --only-show-errors --sse aws:kms "$file" "s3://${BACKUP_BUCKET}/${key}"
aws s3 cp --only-show-errors --sse aws:kms --source-region "${AWS_REGION:-eu-west-1}" --region "$BACKUP_DR_REGION" \
  "s3://${BACKUP_BUCKET}/${key}" "s3://${BACKUP_DR_BUCKET}/${key}"

printf '{"event":"backup_complete","key":"%s","bytes":%s}\n' "$key" "$(stat -c %s "$file")"
rm -f "$file"
