from __future__ import annotations

from pathlib import Path

from readiness.model import Answer, Outcome, Severity
from tests.support import locations, run_check, write_tree

CHECK = "disaster-recovery/failover"

BIDDER_BARE = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: bidder
spec:
  replicas: 3
  template:
    metadata:
      labels: {app: bidder}
    spec:
      containers:
        - name: bidder
          image: bidder:1.0
"""

# Spread over nodes only, with a PDB: a recommendation (zones are the next step).
API_NODES_ONLY = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    metadata:
      labels: {app: api, tier: web}
    spec:
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector: {matchLabels: {app: api}}
      containers:
        - name: api
          image: api:1.0
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 2
  maxReplicas: 6
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: api
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: api}
"""

ZONE_SPREAD = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pricing
spec:
  replicas: 3
  template:
    metadata:
      labels: {app: pricing}
    spec:
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: DoNotSchedule
          labelSelector: {matchLabels: {app: pricing}}
      containers:
        - name: pricing
          image: pricing:1.0
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: pricing
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: pricing}
"""

SINGLE_REDIS = """
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: redis
spec:
  replicas: 1
  template:
    metadata:
      labels: {app: redis}
    spec:
      containers:
        - name: redis
          image: redis:7.2
"""

SINGLE_TIMESCALE = """
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: timescaledb
spec:
  template:
    metadata:
      labels: {app: timescaledb}
    spec:
      containers:
        - name: timescaledb
          image: timescale/timescaledb:2.14.2-pg16
"""

CNPG_CLUSTER = """
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: timescale
spec:
  instances: 3
"""

SENTINEL_CONF = (
    "sentinel monitor mymaster redis-0.redis 6379 2\nsentinel down-after-milliseconds mymaster 5000\n"
)

DR_DOC = """
# Disaster recovery

| component | RPO | RTO |
|---|---|---|
| TimescaleDB | 24 h | 1 h |

## Region failover
Restore the newest dump in eu-central-1 and switch DNS.
The standby cluster runs the same manifests scaled to zero.
Rehearsed every quarter.
"""

DR_DOC_NO_OBJECTIVES = """
# Failover

We restore the database from last night's backup into the standby region.
Then we point DNS at the standby cluster.
Redis starts empty and refills from the database.
"""


def test_gaps_are_reported_per_workload_and_data_store(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "k8s/bidder.yaml": BIDDER_BARE,
            "k8s/api.yaml": API_NODES_ONLY,
            "k8s/redis.yaml": SINGLE_REDIS,
            "k8s/timescaledb.yaml": SINGLE_TIMESCALE,
        },
    )
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert locations(result) == [
        ("k8s/api.yaml", 1),
        ("k8s/bidder.yaml", 6),
        ("k8s/redis.yaml", 6),
        ("k8s/timescaledb.yaml", 1),
        (None, None),
    ]
    api, bidder, redis, timescale, strategy = result.failures
    assert "no PodDisruptionBudget" in bidder.message and "no topology spread" in bidder.message
    assert bidder.severity is Severity.RISK
    assert "2 replicas" in api.message and "not zones" in api.message
    assert api.severity is Severity.RECOMMENDATION
    assert "single redis instance" in redis.message
    assert "single postgres instance" in timescale.message
    assert "no failover or regional strategy" in strategy.message


def test_spread_budgets_replication_and_a_plan_pass(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "k8s/pricing.yaml": ZONE_SPREAD,
            "k8s/redis.yaml": SINGLE_REDIS,
            "k8s/sentinel.conf": SENTINEL_CONF,
            "k8s/timescaledb.yaml": SINGLE_TIMESCALE,
            "k8s/cnpg.yaml": CNPG_CLUSTER,
            "docs/disaster-recovery.md": DR_DOC,
        },
    )
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.PASS, result.failures
    located = {(e.path, e.line) for e in result.evidence}
    assert ("k8s/pricing.yaml", 20) in located  # the PodDisruptionBudget
    assert ("k8s/pricing.yaml", 13) in located  # the zone spread
    assert ("k8s/sentinel.conf", 1) in located  # Redis fails over through Sentinel
    assert ("k8s/cnpg.yaml", 1) in located  # three CloudNativePG instances
    assert ("docs/disaster-recovery.md", 5) in located  # the single TimescaleDB has a plan
    assert ("docs/disaster-recovery.md", 3) in located  # RTO/RPO


def test_a_strategy_without_objectives_is_a_recommendation(tmp_path: Path) -> None:
    write_tree(tmp_path, {"k8s/redis.yaml": SINGLE_REDIS, "docs/failover.md": DR_DOC_NO_OBJECTIVES})
    result = run_check(CHECK, tmp_path)
    # The failover document names Redis, so the single instance has a plan.
    assert locations(result) == [("docs/failover.md", 1)]
    assert result.failures[0].severity is Severity.RECOMMENDATION
    assert "RTO/RPO" in result.failures[0].message


def test_without_kubernetes_there_is_nothing_to_judge(tmp_path: Path) -> None:
    write_tree(tmp_path, {"docker-compose.yml": "services:\n  redis:\n    image: redis:7\n"})
    assert run_check(CHECK, tmp_path).outcome is Outcome.NOT_APPLICABLE


def test_a_managed_database_with_zone_failover_is_a_partial_answer(tmp_path: Path) -> None:
    terraform = (
        'resource "google_sql_database_instance" "db" {\n'
        '  settings {\n    availability_type = "REGIONAL"\n  }\n}\n'
    )
    single = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 1\n"
    write_tree(tmp_path, {"iac/db.tf": terraform, "k8s/api.yaml": single})
    result = run_check(CHECK, tmp_path)
    assert result.outcome is Outcome.FAIL
    assert result.answer is Answer.PARTIAL
    assert ("iac/db.tf", 3) in [(e.path, e.line) for e in result.evidence]
