"""Statelessness: can any replica serve any request, or does a pod keep what a client needs?"""

from __future__ import annotations

import ast
import posixpath
import re
from dataclasses import dataclass

from readiness import seed
from readiness.checks.scalability._code import Fact, dotted, facts, is_test_path, python_tree
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP
from readiness.model import CheckResult, Evidence, Failure, Severity
from readiness.registry import check
from readiness.repo import Repo

# Module-level values that hold state: containers and in-process caches.
_PY_CONTAINERS = {
    "dict",
    "list",
    "set",
    "defaultdict",
    "OrderedDict",
    "Counter",
    "deque",
    "WeakValueDictionary",
    "TTLCache",
    "LRUCache",
    "LFUCache",
    "TLRUCache",
    "RRCache",
    "FIFOCache",
    "Cache",
    "ExpiringDict",
}
_PY_LITERALS = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)
_GO_VAR = re.compile(r"^var\s+(?P<name>[A-Za-z_]\w*)\b(?P<rest>.*)$")
_GO_BLOCK_ITEM = re.compile(r"^\s+(?P<name>[A-Za-z_]\w*)\b(?P<rest>.*)$")
_GO_STATEFUL = re.compile(r"\bmap\[|\bsync\.Map\b")


@dataclass(frozen=True)
class _Declaration:
    path: str
    line: int


def _go_package_maps(repo: Repo, directory: str) -> dict[str, _Declaration]:
    """Package-level `var` maps and sync.Maps of the Go package in ``directory``."""
    found: dict[str, _Declaration] = {}
    for path in repo.with_suffix(".go"):
        if posixpath.dirname(path) != directory or path.endswith("_test.go"):
            continue
        in_block = False
        for number, line in enumerate(repo.lines(path), start=1):
            if in_block:
                if line.startswith(")"):
                    in_block = False
                elif (item := _GO_BLOCK_ITEM.match(line)) is not None and _GO_STATEFUL.search(item["rest"]):
                    found.setdefault(item["name"], _Declaration(path, number))
                continue
            if line.startswith("var ("):
                in_block = True
            elif (var := _GO_VAR.match(line)) is not None and _GO_STATEFUL.search(var["rest"]):
                found.setdefault(var["name"], _Declaration(path, number))
    return found


def _py_module_containers(repo: Repo, path: str) -> dict[str, _Declaration]:
    """Names bound at module level to a dict, list, set or cache."""
    tree = python_tree(repo, path)
    found: dict[str, _Declaration] = {}
    for statement in tree.body if tree else []:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign):
            targets, value = [statement.target], statement.value
        stateful = isinstance(value, _PY_LITERALS) or (
            isinstance(value, ast.Call) and dotted(value.func).rsplit(".", 1)[-1] in _PY_CONTAINERS
        )
        for target in targets:
            if stateful and isinstance(target, ast.Name):
                found.setdefault(target.id, _Declaration(path, statement.lineno))
    return found


def _django_local_cache(repo: Repo, path: str) -> bool:
    """The cache session engine keeps sessions in-process only with the local-memory cache,
    which is Django's default when no CACHES are configured."""
    text = repo.text(path)
    return "LocMemCache" in text or "CACHES" not in text


def _shared_state(ctx: CheckContext) -> list[Failure]:
    """Maps and containers that outlive a request, written by request handlers."""
    repo = ctx.repo
    writes: dict[tuple[str, str], list[Fact]] = {}
    declarations: dict[tuple[str, str], _Declaration] = {}
    for fact in facts(ctx, "go-handler-map-write", "py-handler-state-write"):
        name = fact.capture("$M")
        if fact.path.endswith(".go"):
            declared = _go_package_maps(repo, posixpath.dirname(fact.path)).get(name)
        else:
            declared = _py_module_containers(repo, fact.path).get(name)
        if declared is None or is_test_path(ctx, declared.path):
            continue
        key = (declared.path, name)
        declarations[key] = declared
        writes.setdefault(key, []).append(fact)
    failures = []
    for key, found in writes.items():
        declared = declarations[key]
        kind = "package-level map" if declared.path.endswith(".go") else "module-level container"
        service = found[0].service.name
        failures.append(
            Failure(
                f"{service}: request handlers write the {kind} `{key[1]}` (declared at "
                f"{declared.path}:{declared.line}): that state lives in one pod's memory, is lost when the "
                "pod restarts and is invisible to the other replicas",
                (*(f.evidence for f in found), repo.evidence(declared.path, declared.line)),
            )
        )
    return failures


@check(
    id="scalability/stateless",
    question=seed.HORIZONTAL_SCALING,
    title="Services keep no session or client state in the pod",
    severity=Severity.RISK,
    rationale="""
        Horizontal scaling assumes any replica can serve any request. Sessions on the local disk
        or in memory, maps written by request handlers and files written next to the process
        tie a client to one pod: behind a load balancer the next request lands elsewhere and
        the state is missing, a rolling deploy or an OOM kill loses it, and scaling in drops it.
        It is also what pushes teams into sticky sessions.
    """,
    looks_at="""
        Source of each service (semgrep): in-process session stores (gorilla/sessions
        NewFilesystemStore, gin/scs memstores, Flask-Session `filesystem`, Django `file` sessions
        and `cache` sessions on the local-memory cache, express-session without a store);
        package-level Go maps (and sync.Maps) and module-level Python dicts, lists, sets and
        cachetools caches written inside request handlers (net/http, gin, echo, fiber, Flask,
        FastAPI, Django/aiohttp views); and files written to local disk from request handlers.
        Test files are ignored.
    """,
    remediation="""
        Keep sessions and per-client state in Redis or the database (gorilla/sessions with a
        Redis store, Flask-Session `redis`, Django `db`/`cached_db` sessions on a shared cache,
        connect-redis), or in a signed cookie/token. Write uploads and generated files to
        object storage, not the pod's disk. Process-local caches are fine only for data any
        replica can rebuild.
    """,
    example="""
        // Sessions in Redis: any replica can read them.
        store, _ := redisstore.NewRedisStore(ctx, rdb)
        sessions.Save(r, w) // via store
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-handler-disk-write",
        "go-handler-map-write",
        "go-inprocess-session-store",
        "js-memory-session-store",
        "py-handler-disk-write",
        "py-handler-state-write",
        "py-inprocess-session-store",
    ),
)
def stateless(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    services = repo.services()
    if not services:
        return CheckResult.not_applicable("no Go, Python or Node service found")
    failures: list[Failure] = []
    for fact in facts(
        ctx, "go-inprocess-session-store", "py-inprocess-session-store", "js-memory-session-store"
    ):
        if "backends.cache" in repo.line(fact.path, fact.line) and not _django_local_cache(repo, fact.path):
            continue
        failures.append(
            Failure(
                f"{fact.service.name}: sessions are stored in the process or on the pod's disk: a client's "
                "next request on another replica has no session, and a restart logs everyone out",
                (fact.evidence,),
            )
        )
    failures += _shared_state(ctx)
    failures += [
        Failure(
            f"{fact.service.name}: a request handler writes a file to the pod's local disk: other replicas "
            "cannot read it and it is lost when the pod is replaced",
            (fact.evidence,),
        )
        for fact in facts(ctx, "go-handler-disk-write", "py-handler-disk-write")
    ]
    failures.sort(key=lambda f: (f.evidence[0].path or "", f.evidence[0].line or 0))
    names = ", ".join(s.name for s in services)
    return CheckResult.from_failures(
        failures,
        f"no in-process sessions, handler-written globals or local-disk writes in {names}",
        Evidence.absent("no in-process session store or request-path state found by the statelessness rules"),
    )
