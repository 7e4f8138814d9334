"""How often readiness agrees with a strict reviewer on real repositories.

Scans each repository of ``../shared/corpus`` (a snapshot tarball beside its reviewer's answer
key) with the real scanners, and compares the answers, lights, verdict and blockers with the key.
Prints per repository and overall: answer agreement (the key's answer or one of its defensible
alternatives), lights matched, verdict, blocker findings and how many of them the key contradicts
(their question answered yes or n/a, or their evidence listed under ``not_findings``), and every
mismatch as one line. Asserts nothing: it measures.

    python benchmarks/accuracy.py [--only NAME ...] [--json FILE] [--corpus DIR] [--keep DIR]

Dependency scanners run offline against the vulnerability snapshots in ``../shared/vulndb`` when
they are there (a local OSV server and a file:// Go database), as the test suite does.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import re
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from readiness import config, registry, seed  # noqa: E402
from readiness.engine import ScanRequest, assess, load_catalogue  # noqa: E402
from readiness.model import Assessment, Severity  # noqa: E402
from readiness.scanners import default_scanners  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
VULNDB = ROOT.parent / "shared" / "vulndb"
_LOCATION = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.[\w]+|(?:[\w.-]+/)+[\w.-]+)(?::(\d+))?")


@dataclass
class Mismatch:
    question: str
    key: str
    readiness: str
    reasoning: str


@dataclass
class RepoScore:
    name: str
    answers_total: int = 0
    answers_agreed: int = 0
    lights_total: int = 0
    lights_matched: int = 0
    verdict_key: str = ""
    verdict: str = ""
    blockers: int = 0
    key_blockers: int = 0
    contradicted: list[str] = field(default_factory=list)
    yes_where_no: list[str] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)
    light_mismatches: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def agreement(self) -> float:
        return self.answers_agreed / self.answers_total if self.answers_total else 0.0


def main(argv: Sequence[str] | None = None) -> int:
    load_catalogue()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of <name>.tar.gz + <name>.yaml")
    parser.add_argument("--only", action="append", default=[], help="score only this repository (repeatable)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--keep", type=Path, help="write each scan's JSON assessment into this folder")
    parser.add_argument("--quiet", action="store_true", help="figures only, no mismatch lines")
    args = parser.parse_args(argv)

    names = sorted(p.name[: -len(".yaml")] for p in args.corpus.glob("*.yaml"))
    names = [n for n in names if not args.only or n in args.only]
    if not names:
        print(f"no corpus repositories in {args.corpus}", file=sys.stderr)
        return 2
    scores: list[RepoScore] = []
    with (
        tempfile.TemporaryDirectory(prefix="readiness-accuracy-") as work,
        _offline_sources(Path(work)) as sources,
    ):
        for name in names:
            key = yaml.safe_load((args.corpus / f"{name}.yaml").read_text(encoding="utf-8"))
            root = _extract(args.corpus / f"{name}.tar.gz", Path(work) / "trees", name)
            started = time.perf_counter()
            assessment = _scan(root, **sources)
            score = compare(name, assessment, key)
            score.seconds = time.perf_counter() - started
            scores.append(score)
            if args.keep:
                from readiness.render import json_report

                args.keep.mkdir(parents=True, exist_ok=True)
                (args.keep / f"{name}.json").write_text(json_report.render(assessment), encoding="utf-8")
            _print_repo(score, quiet=args.quiet)
    _print_total(scores)
    if args.json:
        args.json.write_text(json.dumps(_as_json(scores), indent=2) + "\n", encoding="utf-8")
    return 0


@contextlib.contextmanager
def _offline_sources(work: Path) -> Iterator[dict[str, str | None]]:
    """A local OSV server and Go database from ../shared/vulndb, when it is there."""
    if not VULNDB.is_dir():
        yield {"osv_url": None, "go_db": None}
        return
    from tests.scanners import offline

    with offline.osv_service(work / "osv") as server:
        yield {"osv_url": server.url, "go_db": str(offline.go_database(work / "go"))}


def _extract(archive: Path, target: Path, name: str) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target / name


def _scan(root: Path, osv_url: str | None, go_db: str | None) -> Assessment:
    policy = config.load(root, known_checks=registry.known_ids())
    policy = dataclasses.replace(
        policy,
        vulnerabilities=dataclasses.replace(
            policy.vulnerabilities,
            osv_url=osv_url or policy.vulnerabilities.osv_url,
            go_db=go_db or policy.vulnerabilities.go_db,
        ),
    )
    request = ScanRequest(
        root=root,
        config=policy,
        scanners=default_scanners(osv_url=policy.vulnerabilities.osv_url, go_db=policy.vulnerabilities.go_db),
    )
    return assess(request)


def compare(name: str, assessment: Assessment, key: dict[str, Any]) -> RepoScore:
    """The scan's answers, lights, verdict and blockers against the reviewer's key."""
    score = RepoScore(name)
    answers = {a.question: a for c in assessment.categories for a in c.answers}
    for question in seed.ALL:
        expected = (key.get("answers") or {}).get(question.key)
        if expected is None:
            continue
        accepted = [str(expected["answer"]), *(str(a) for a in expected.get("alt") or [])]
        got = answers.get(question.key)
        value = got.answer.value if got else "missing"
        score.answers_total += 1
        if value in accepted:
            score.answers_agreed += 1
        else:
            score.mismatches.append(
                Mismatch(question.key, "/".join(accepted), value, got.reasoning if got else "")
            )
        if value == "yes" and str(expected["answer"]) == "no":
            score.yes_where_no.append(question.key)

    lights = key.get("lights") or {}
    for result in assessment.categories:
        wanted = lights.get(result.category.value)
        if wanted is None:
            continue
        score.lights_total += 1
        if result.light.value == wanted:
            score.lights_matched += 1
        else:
            score.light_mismatches.append(
                f"{result.category.value}: key {wanted}, readiness {result.light.value}"
            )
    score.verdict_key = str(key.get("verdict", ""))
    score.verdict = assessment.verdict.value
    score.key_blockers = len(key.get("blockers") or [])

    not_findings = _locations(key.get("not_findings") or [])
    question_of = {spec.id: spec.question.key for spec in registry.all_checks()}
    for finding in assessment.active(Severity.BLOCKER):
        score.blockers += 1
        expected = (key.get("answers") or {}).get(question_of.get(finding.check_id, ""), {})
        where = ", ".join(e.location() for e in finding.evidence[:2]) or "(repository)"
        if str(expected.get("answer")) in ("yes", "n/a"):
            score.contradicted.append(f"{finding.check_id} {where}: the key answers {expected['answer']}")
        elif any(_listed(e.path, e.line, not_findings) for e in finding.evidence if e.path):
            score.contradicted.append(f"{finding.check_id} {where}: listed under not_findings")
    return score


def _locations(texts: Sequence[object]) -> list[tuple[str, int | None]]:
    """The places a not_findings entry clears: every `path:line` it names, and a bare path only
    when the entry starts with it (a file named in passing is not what the entry is about)."""
    found: list[tuple[str, int | None]] = []
    for text in texts:
        for index, match in enumerate(_LOCATION.finditer(str(text))):
            path, line = match.group(1), match.group(2)
            if ("/" in path or "." in path) and (line or (index == 0 and match.start() == 0)):
                found.append((path.rstrip("."), int(line) if line else None))
    return found


def _listed(path: str | None, line: int | None, listed: Sequence[tuple[str, int | None]]) -> bool:
    return any(
        path == where and (expected is None or line is None or abs(expected - line) <= 2)
        for where, expected in listed
    )


def _print_repo(score: RepoScore, quiet: bool) -> None:
    print(
        f"{score.name:30} answers {score.answers_agreed:2}/{score.answers_total} ({score.agreement:5.1%})  "
        f"lights {score.lights_matched}/{score.lights_total}  "
        f"verdict {score.verdict} (key {score.verdict_key})  "
        f"blockers {score.blockers} (key lists {score.key_blockers}), "
        f"contradicted {len(score.contradicted)}  "
        f"yes-where-no {len(score.yes_where_no)}  [{score.seconds:.0f} s]"
    )
    if quiet:
        return
    for m in score.mismatches:
        print(f"    ✗ {m.question:40} key {m.key:14} readiness {m.readiness:8} {m.reasoning}")
    for light in score.light_mismatches:
        print(f"    ◐ light {light}")
    for blocker in score.contradicted:
        print(f"    ✚ contradicted blocker {blocker}")


def _print_total(scores: Sequence[RepoScore]) -> None:
    answers = sum(s.answers_total for s in scores)
    agreed = sum(s.answers_agreed for s in scores)
    lights = sum(s.lights_total for s in scores)
    matched = sum(s.lights_matched for s in scores)
    blockers = sum(s.blockers for s in scores)
    contradicted = sum(len(s.contradicted) for s in scores)
    verdicts = sum(1 for s in scores if s.verdict == s.verdict_key)
    over = [s.name for s in scores if s.blockers > 2 * s.key_blockers]
    print()
    print(
        f"overall: answers {agreed}/{answers} ({agreed / answers if answers else 0:.1%}), lowest "
        f"{min(s.agreement for s in scores):.1%}; lights {matched}/{lights}; "
        f"verdicts {verdicts}/{len(scores)}; blockers {blockers}, "
        f"contradicted {contradicted} ({contradicted / blockers if blockers else 0:.1%}); "
        f"over twice the key's blockers: {', '.join(over) or 'none'}; "
        f"yes where the key says no: {sum(len(s.yes_where_no) for s in scores)}"
    )


def _as_json(scores: Sequence[RepoScore]) -> dict[str, Any]:
    answers = sum(s.answers_total for s in scores)
    blockers = sum(s.blockers for s in scores)
    contradicted = sum(len(s.contradicted) for s in scores)
    return {
        "repositories": [
            {
                **{k: v for k, v in dataclasses.asdict(s).items() if k != "mismatches"},
                "agreement": s.agreement,
                "mismatches": [dataclasses.asdict(m) for m in s.mismatches],
            }
            for s in scores
        ],
        "overall": {
            "answers": answers,
            "agreed": sum(s.answers_agreed for s in scores),
            "agreement": sum(s.answers_agreed for s in scores) / answers if answers else 0.0,
            "lowest_agreement": min(s.agreement for s in scores),
            "lights": sum(s.lights_total for s in scores),
            "lights_matched": sum(s.lights_matched for s in scores),
            "verdicts_matched": sum(1 for s in scores if s.verdict == s.verdict_key),
            "blockers": blockers,
            "contradicted_blockers": contradicted,
            "contradicted_share": contradicted / blockers if blockers else 0.0,
            "over_twice_key_blockers": [s.name for s in scores if s.blockers > 2 * s.key_blockers],
            "yes_where_key_says_no": sum(len(s.yes_where_no) for s in scores),
        },
    }


if __name__ == "__main__":
    sys.exit(main())
