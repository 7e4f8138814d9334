"""What the scan covered: the repository's files, less what the configuration excluded.

An `exclude` pattern is the cheapest way to make a gate pass: exclude the services and nothing
is left to fail. So what it removes is counted and said in the report, and excluding more than
half of the production files decides the verdict (No-Go, "scope") unless the policy that gates
the run allows it with ``allow_wide_exclude``.
"""

from __future__ import annotations

from dataclasses import dataclass

from readiness.config import Config
from readiness.facts.production import is_production
from readiness.repo import Repo

MOST = 0.5  # a share of production files above this excluded is no longer a scan of the service


@dataclass(frozen=True)
class Coverage:
    listing: str  # "git": tracked files (plus untracked, unignored ones); "walk": the directory
    production_files: int  # production files the scan reads
    excluded: int  # files the configured `exclude` patterns removed
    excluded_production: int
    source: str  # where the patterns came from, for the sentence

    @property
    def excluded_share(self) -> float:
        total = self.production_files + self.excluded_production
        return self.excluded_production / total if total else 0.0

    def statement(self) -> str:
        """The report's sentence, empty when nothing was excluded."""
        if not self.excluded:
            return ""
        return f"{self.excluded} file(s) excluded by `exclude` in {self.source}"

    def problem(self, allowed: bool) -> str | None:
        """Why the scan does not cover the service, or None."""
        if allowed or self.excluded_share <= MOST:
            return None
        total = self.production_files + self.excluded_production
        return (
            f"`exclude` in {self.source} removes {self.excluded_production} of {total} production files "
            f"({self.excluded_share:.0%}) from the scan; a gate that does not look at most of the code "
            "cannot say Go (the gating policy may allow it with allow_wide_exclude: true)"
        )


def coverage(repo: Repo, config: Config) -> Coverage:
    test_paths = tuple(config.test_paths)
    return Coverage(
        listing=repo.listing,
        production_files=sum(1 for path in repo.paths if is_production(path, test_paths)),
        excluded=len(repo.excluded),
        excluded_production=sum(1 for path in repo.excluded if is_production(path, test_paths)),
        source=config.source or "the configuration",
    )
