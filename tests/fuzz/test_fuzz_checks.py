"""The checks over YAML facts: every registered check (the dependency audits aside: they read only
their scanner's output) returns a CheckResult over a fixture tree whose YAML, JSON, config files
and Dockerfiles hold values of the wrong type; none raises (the engine would make a raising check
*not assessed*, and a crash is still a bug: it hides everything else the check would have said)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given

from readiness import config, registry
from readiness.context import CheckContext
from readiness.model import Outcome
from readiness.repo import Repo
from readiness.results import MatchList
from tests.fuzz import fuzz_settings
from tests.fuzz import strategies as s
from tests.fuzz.targets import run_checks
from tests.support import write_tree


@fuzz_settings(60)
@given(s.repo_trees())
def test_every_check_returns_a_result_over_mistyped_yaml(files: dict[str, str]) -> None:
    run_checks(files)


def test_liveness_independent_declares_the_node_route_rule(tmp_path: Path) -> None:
    # Found by the fuzzer: a Node service with an HTTP liveness probe made the check read
    # js-http-route, which it had not declared (UndeclaredRule: the engine said not assessed).
    write_tree(
        tmp_path,
        {
            "web/package.json": '{"name": "web"}\n',
            "k8s/web.yaml": """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  template:
                    spec:
                      containers:
                        - name: web
                          image: web:1
                          livenessProbe:
                            httpGet: {path: /livez, port: 8080}
            """,
        },
    )
    spec = registry.get("reliability/liveness-independent")
    context = CheckContext(
        Repo(tmp_path), config.default("t"), {"semgrep": MatchList()}, spec.id, frozenset(spec.rules)
    )
    result = spec.function(context)
    assert result.outcome is Outcome.PASS
    assert [(e.path, e.line) for e in result.evidence] == [("k8s/web.yaml", 11)]
