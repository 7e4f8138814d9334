"""Prometheus alerting rules, wherever a repository keeps them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from readiness.parsers.yaml_lines import YMap
from readiness.repo import Repo

# Rule files start with a top-level `groups:`; testing the text first spares parsing every other
# YAML file (and Helm templates, which are not YAML until rendered).
_TOP_LEVEL_GROUPS = re.compile(r"(?m)^groups\s*:")


@dataclass(frozen=True)
class Alert:
    path: str
    line: int  # the `- alert:` line
    name: str
    rule: YMap


def alerts(repo: Repo) -> list[Alert]:
    """Alerting rules from Prometheus (and Loki/Thanos ruler) rule files and PrometheusRule objects."""
    sources: list[tuple[str, Any]] = []
    for path in repo.yaml_paths():
        if _TOP_LEVEL_GROUPS.search(repo.text(path)):
            sources += [(path, doc.get("groups")) for doc in repo.yaml(path) if isinstance(doc, YMap)]
    for obj in repo.k8s_objects():
        spec = obj.body.get("spec")
        if obj.kind == "PrometheusRule" and isinstance(spec, dict):
            sources.append((obj.path, spec.get("groups")))
    found: list[Alert] = []
    for path, groups in sources:
        for group in groups if isinstance(groups, list) else []:
            rules = group.get("rules") if isinstance(group, dict) else None
            for rule in rules if isinstance(rules, list) else []:
                if isinstance(rule, YMap) and rule.get("alert"):
                    found.append(Alert(path, rule.line_of("alert"), str(rule["alert"]), rule))
    return sorted(found, key=lambda alert: (alert.path, alert.line))
