"""External tools behind one interface (see :mod:`readiness.scanners.base`)."""

from __future__ import annotations

from readiness.scanners.base import Scanner
from readiness.scanners.govulncheck import Govulncheck
from readiness.scanners.npm_audit import NpmAudit
from readiness.scanners.pip_audit import PipAudit
from readiness.scanners.safety import Safety
from readiness.scanners.semgrep import Semgrep


def default_scanners(*, osv_url: str | None = None, go_db: str | None = None) -> list[Scanner]:
    """Every scanner a scan may use; each runs only when a check that needs it will run.

    ``osv_url`` (an OSV-compatible ``/v1/query`` URL) and ``go_db`` (a Go vulnerability
    database, ``file://`` URL or directory) keep the dependency scanners offline: with them,
    pip-audit and the npm lock-file match ask only that service and govulncheck reads only that
    database. Without them each tool uses its own default service, which needs the network.
    """
    return [
        Semgrep(),
        PipAudit(osv_url),
        Safety(),
        Govulncheck(go_db),
        NpmAudit(osv_url),
    ]
