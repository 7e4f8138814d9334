#!/usr/bin/env bash
# Deploys VERSION to the cluster kubectl points at, then smoke-tests BASE_URL.
# Exits non-zero if the migration, the rollout or the smoke test fails; the
# workflow then runs `kubectl rollout undo` (docs/runbooks/deploy-rollback.md).
set -euo pipefail

version=$1
base_url=$2
cd "$(dirname "$0")/k8s"

kustomize edit set image \
  "example/pricing=${REGISTRY}/example/pricing:${version}" \
  "example/floors=${REGISTRY}/example/floors:${version}" \
  "example/pricing-migrations=${REGISTRY}/example/pricing-migrations:${version}"

kubectl -n pricing delete job db-migrate --ignore-not-found
kubectl apply -k .
kubectl -n pricing wait --for=condition=complete job/db-migrate --timeout=10m

kubectl -n pricing rollout status deploy/floors --timeout=10m
kubectl -n pricing rollout status deploy/pricing --timeout=10m

curl --fail --silent --show-error --max-time 2 \
  -H 'Content-Type: application/json' \
  -d '{"id":"smoke","tmax":120,"imp":[{"id":"1","bidfloor":0.1}],"site":{"publisher":{"id":"smoke-test"}}}' \
  "${base_url}/v1/price" > /dev/null
echo "deployed ${version}"
