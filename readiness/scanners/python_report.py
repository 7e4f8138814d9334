"""The Python dependency layers the audit tools are given, and their findings mapped back.

Shared by the pip-audit and safety adapters: which pinned requirements go to the tool together,
the requirements text it reads, and a DependencyReport that points at the manifest lines.
"""

from __future__ import annotations

from collections.abc import Mapping

from readiness import results
from readiness.parsers.python_manifests import PythonManifest
from readiness.parsers.versions import combined_fix, lowest_fix, pep440_key


def layers(found: list[PythonManifest]) -> list[list[tuple[str, str]]]:
    """The distinct pinned (name, version) pairs, split so no list holds two versions of one
    package: pip-audit refuses duplicate requirements, so each list is one audit run."""
    result: list[list[tuple[str, str]]] = []
    seen: set[tuple[str, str]] = set()
    for manifest in found:
        for requirement in manifest.pinned:
            pair = (requirement.key, str(requirement.version))
            if pair in seen:
                continue
            seen.add(pair)
            for layer in result:
                if all(name != pair[0] for name, _ in layer):
                    layer.append(pair)
                    break
            else:
                result.append([pair])
    return result


def requirements_text(layer: list[tuple[str, str]]) -> str:
    return "".join(f"{name}=={version}\n" for name, version in sorted(layer))


def report(
    tool: str,
    found: list[PythonManifest],
    advisories: Mapping[tuple[str, str], list[results.Advisory]],
    notes: tuple[str, ...] = (),
) -> results.DependencyReport:
    """Put the advisories found for each (name, version) back on the manifest lines that pin it."""
    vulnerabilities: list[results.Vulnerability] = []
    summaries: list[results.Manifest] = []
    for manifest in found:
        vulnerable = 0
        for requirement in manifest.pinned:
            version = str(requirement.version)
            matched = advisories.get((requirement.key, version)) or []
            if not matched:
                continue
            vulnerable += 1
            fixes = [lowest_fix(version, a.fixed, pep440_key) for a in matched]
            vulnerabilities.append(
                results.Vulnerability(
                    ecosystem="PyPI",
                    package=requirement.name,
                    version=version,
                    path=manifest.path,
                    line=requirement.line,
                    advisories=tuple(sorted(matched, key=lambda a: a.id)),
                    fix=combined_fix(fixes, pep440_key),
                    dev=manifest.dev or requirement.dev,
                )
            )
        left_out = []
        if manifest.unpinned:
            left_out.append(f"{len(manifest.unpinned)} unpinned not audited")
        if manifest.direct:
            left_out.append(f"{len(manifest.direct)} URL/VCS/path requirement(s) not audited")
        if manifest.problems:
            left_out.append(f"{len(manifest.problems)} unreadable entr(y/ies)")
        summaries.append(
            results.Manifest(manifest.path, len(manifest.pinned), vulnerable, ", ".join(left_out))
        )
    return results.DependencyReport(tool, tuple(vulnerabilities), tuple(summaries), notes)
