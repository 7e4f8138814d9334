"""Legal documents: are the terms of service and the DPA ready for publishers to sign?"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from readiness import seed
from readiness.context import CheckContext
from readiness.facts.documents import (
    DOCUMENT_SUFFIXES,
    MIN_CONTENT_LINES,
    document_paths,
    normalise,
    read_document,
)
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check

# Contracts are often kept as PDFs or Word files; the repository view skips binaries, so their
# presence is read from the list of skipped files (they are never opened).
_BINARY_DOCUMENTS = (".pdf", ".docx", ".doc", ".odt", ".html", ".htm")
# Matched against the normalised path and title. A bare "terms" only counts as a file name
# (TERMS.md, legal/terms.pdf): "Glossary of terms" is not a contract, nor is a "data processing" pipeline.
KINDS: list[tuple[str, re.Pattern[str]]] = [
    (
        "terms of service",
        re.compile(
            r"\bterms (of (service|use)|and conditions)\b"
            r"|\bterms (md|markdown|rst|txt|adoc|pdf|html?|docx?|odt)\b"
            r"|\b(tos|eula|msa)\b|\b(publisher|master|services?|subscription|customer) agreement\b"
        ),
    ),
    ("data processing agreement (DPA)", re.compile(r"\b(dpa|data processing (agreement|addendum))\b")),
    ("privacy policy", re.compile(r"\bprivacy (policy|notice)\b")),
]
_REQUIRED = ("terms of service", "data processing agreement (DPA)")


def _legal_documents(ctx: CheckContext) -> list[tuple[str, int | None, str]]:
    """(path, title line, normalised path + title) of candidate legal documents."""
    repo = ctx.repo
    found: list[tuple[str, int | None, str]] = []
    for path in document_paths(repo):
        document = read_document(repo, path)
        if len(document.content_lines) >= MIN_CONTENT_LINES:  # a title over "TBD" is not a contract
            title = document.title
            found.append(
                (
                    path,
                    title.line if title else 1,
                    f"{normalise(path)} {normalise(title.text if title else '')}",
                )
            )
    binaries = [p for p in [*repo.paths, *repo.skipped] if p.lower().endswith(_BINARY_DOCUMENTS)]
    found += [
        (path, None, normalise(path))
        for path in sorted(set(binaries))
        if not path.endswith(DOCUMENT_SUFFIXES)
    ]
    return found


@check(
    id="compliance/legal-docs",
    question=seed.LEGAL_DOCS,
    title="Terms of service and a data processing agreement exist for publishers",
    severity=Severity.RECOMMENDATION,
    rationale="""
        Publishers will not send traffic without terms that define liability, payment and
        acceptable use, and GDPR (Art. 28) requires a data processing agreement before an
        exchange processes their users' personal data. Launching without them delays revenue
        or exposes the company to fines.
    """,
    looks_at="""
        Documents (Markdown/rst/text with content, or PDF/Word/HTML files) whose path or title
        names terms of service, terms and conditions, a publisher/master services agreement,
        a DPA or data processing addendum, or a privacy policy, including everything under a
        `legal/` folder.
    """,
    remediation="""
        Keep the current publisher terms and the DPA (with the sub-processor list: cloud
        provider, bidders) under `legal/`, versioned with the service, and link them from the
        publisher onboarding docs.
    """,
    example="""
        legal/publisher-terms.md
        legal/dpa.pdf
        legal/privacy-policy.md
    """,
    core=True,
)
def legal_docs(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    candidates = _legal_documents(ctx)
    found: dict[str, Evidence] = {}
    in_legal_folder: list[Evidence] = []
    for path, line, text in candidates:
        for kind, pattern in KINDS:
            if pattern.search(text):
                found.setdefault(kind, repo.evidence(path, line, note=kind))
        if "legal" in PurePosixPath(path).parts[:-1] and not any(e.path == path for e in found.values()):
            in_legal_folder.append(repo.evidence(path, line, note="legal document"))
    if not found and not in_legal_folder:
        note = "no terms of service, DPA or privacy policy document and no legal/ folder with documents"
        return CheckResult.failed([Failure("no legal documents for publishers", (Evidence.absent(note),))])
    failures = [
        Failure(f"no {kind} found", (Evidence.absent(f"no document whose path or title names a {kind}"),))
        for kind in _REQUIRED
        if kind not in found
    ]
    return CheckResult.from_failures(
        failures, "terms of service and DPA are in the repository", *found.values(), *in_legal_folder
    )
