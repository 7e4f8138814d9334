"""Input validation: request bodies are bounded and validated, and OpenRTB bid requests are
checked field by field before anything is priced, stored or forwarded."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from readiness import seed
from readiness.context import CheckContext
from readiness.facts.code import SEMGREP, matches
from readiness.facts.production import is_production
from readiness.model import Answer, CheckResult, Evidence, Failure, Outcome, Severity
from readiness.registry import check
from readiness.repo import Repo, Service
from readiness.results import Match


def _owned(ctx: CheckContext, found: list[Match]) -> dict[Service | None, list[Match]]:
    grouped: dict[Service | None, list[Match]] = {}
    for match in found:
        grouped.setdefault(ctx.repo.owner(match.path), []).append(match)
    return grouped


@check(
    id="security/request-size-limits",
    question=seed.INPUT_VALIDATION,
    title="Go handlers read request bodies through a size limit",
    severity=Severity.RISK,
    rationale="""
        `json.NewDecoder(r.Body)` and `io.ReadAll(r.Body)` read whatever the client sends: one
        client streaming a multi-gigabyte body (or thousands of medium ones) exhausts the pod's
        memory and the OOM killer takes every in-flight auction with it. net/http sets no body
        limit by default; an Ingress `proxy-body-size` does not protect against callers inside
        the cluster.
    """,
    looks_at="""
        Go handlers (functions taking `*http.Request`, gin handlers) that decode or read the
        request body (semgrep), and whether `r.Body = http.MaxBytesReader(...)` precedes the read
        in the same function. A limit for every route counts for the whole service:
        `http.MaxBytesHandler`, chi `middleware.RequestSize`, echo `middleware.BodyLimit`,
        gin-contrib `limits.RequestSizeLimiter`, or a middleware that wraps `r.Body` in
        MaxBytesReader before calling the next handler.
    """,
    remediation="""
        Wrap the body before reading it, with a limit sized to the largest legitimate request
        (an OpenRTB bid request is a few KiB): `r.Body = http.MaxBytesReader(w, r.Body, 64<<10)`,
        and answer 413 when `errors.As(err, &maxBytesErr)`. Or wrap the whole mux once with
        `http.MaxBytesHandler(mux, 64<<10)`.
    """,
    example="""
        r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
        var req BidRequest
        if err := json.NewDecoder(r.Body).Decode(&req); err != nil { ... }
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-body-decode",
        "go-handler-validation",
        "go-body-limit",
        "go-body-limit-middleware",
        "go-unbounded-bind",
        "go-unbounded-body-read",
        "py-raw-json-validated",
    ),
)
def request_size_limits(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    unbounded = matches(ctx, "go-unbounded-body-read", "go-unbounded-bind")
    limits = matches(ctx, "go-body-limit")
    if not unbounded and not limits and not matches(ctx, "go-body-decode"):
        return CheckResult.not_applicable("no Go handler reads a request body")
    service_wide = {repo.owner(m.path) for m in matches(ctx, "go-body-limit-middleware")}
    failures: list[Failure] = []
    covered: list[Evidence] = []
    for service, reads in _owned(ctx, unbounded).items():
        if service is not None and service in service_wide:
            continue
        for read in reads:
            failures.append(
                Failure(
                    f"{read.path}:{read.line} reads the request body with no size limit: one large or "
                    "endless body can exhaust the pod's memory",
                    (repo.evidence(read.path, read.line),),
                )
            )
    covered += [repo.evidence(m.path, m.line) for m in limits]
    result = CheckResult.from_failures(
        failures, f"{len(limits)} body limit(s); every body read is bounded", *covered[:10]
    ).partly(bool(limits or service_wide))
    validated = (
        _validated_decodes(repo, matches(ctx, "go-body-decode"), matches(ctx, "go-handler-validation"))
        or matches(ctx, "py-raw-json-validated")
        or _schema_models(repo)
    )
    if result.outcome is Outcome.PASS and not validated:
        # Bounded bodies are one part of input validation; nothing shows the fields are checked.
        return dataclasses.replace(result, answer=Answer.PARTIAL)
    return result


@check(
    id="security/input-validation",
    question=seed.INPUT_VALIDATION,
    title="Decoded request bodies are validated before use",
    severity=Severity.RISK,
    rationale="""
        JSON decoding only checks types: an empty id, a negative price, ten thousand
        impressions or a 1 MB string all decode fine and flow into pricing, storage and the
        calls to partners. Validation at the edge turns malformed or hostile input into a 400
        instead of a wrong auction, a poisoned cache key or an injection further down.
    """,
    looks_at="""
        Go handlers that decode a request body (`json.NewDecoder(...).Decode(&v)`,
        `json.Unmarshal(body, &v)`) and whether the same function validates `v` afterwards
        (a `Validate()`-style method, `validator.Struct`, a validation helper taking it, or
        explicit checks of its fields), all by semgrep. Python handlers that read raw JSON
        (`await request.json()`, `request.get_json()`, `json.loads(request.body)`) instead of
        declaring a pydantic model, or without passing the data through a schema
        (`Model.model_validate`, `Model(**data)`, marshmallow `load`, DRF serializers,
        `jsonschema.validate`).
    """,
    remediation="""
        Validate every decoded body before using it: in Go, a `Validate() error` method on the
        request type (required fields, ranges, lengths, formats) called right after decoding,
        answering 400 on error; in FastAPI, declare the body as a pydantic model with `Field`
        constraints instead of reading `request.json()`.
    """,
    example="""
        if err := json.NewDecoder(r.Body).Decode(&req); err != nil { http.Error(w, "malformed", 400); return }
        if err := req.Validate(); err != nil { http.Error(w, err.Error(), 400); return }
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-body-decode",
        "go-handler-validation",
        "py-raw-json-body",
        "py-raw-json-validated",
    ),
)
def input_validation(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    decodes = matches(ctx, "go-body-decode")
    raw = _first_per_line(matches(ctx, "py-raw-json-body"))
    schemas = _schema_models(repo)
    if not decodes and not raw:
        if schemas:
            return CheckResult.passed(
                f"request bodies are declared as schema models ({len(schemas)} model file(s)), which the "
                "framework validates before the handler runs",
                *schemas[:5],
            )
        return CheckResult.not_applicable("no handler decodes a request body")
    validated = {(m.path, m.line) for m in matches(ctx, "py-raw-json-validated")}
    validated |= _validated_decodes(repo, decodes, matches(ctx, "go-handler-validation"))
    failures: list[Failure] = []
    checked: list[Evidence] = []
    for decode in decodes:
        if (decode.path, decode.line) in validated:
            checked.append(repo.evidence(decode.path, decode.line))
            continue
        failures.append(
            Failure(
                f"the request body decoded into {decode.capture('$V')!r} is used without any validation "
                "(no Validate call, validator or field check in the handler)",
                (repo.evidence(decode.path, decode.line),),
            )
        )
    for read in raw:
        if (read.path, read.line) in validated:
            checked.append(repo.evidence(read.path, read.line))
            continue
        failures.append(
            Failure(
                "the handler reads the raw JSON body and never passes it through a schema: declare a "
                "pydantic model (or marshmallow/DRF serializer) for it",
                (repo.evidence(read.path, read.line),),
            )
        )
    result = CheckResult.from_failures(
        failures, f"{len(checked)} decoded request body(ies) are validated", *checked[:10]
    )
    return result.partly(bool(checked or schemas or _validation_code(repo)))


def _validated_decodes(repo: Repo, decodes: list[Match], validations: list[Match]) -> set[tuple[str, int]]:
    """(path, line) of each decode that a validation of the same variable follows in the same
    function. A check written before the decode, of another variable, or in another function
    validates nothing that was decoded."""
    by_file: dict[str, list[Match]] = {}
    for validation in validations:
        by_file.setdefault(validation.path, []).append(validation)
    validated: set[tuple[str, int]] = set()
    for decode in decodes:
        name = _root(decode.capture("$V"))
        later = [
            v.line
            for v in by_file.get(decode.path, ())
            if v.line >= decode.line and name and _root(v.capture("$V")) == name
        ]
        if later and _one_function(repo.lines(decode.path), decode.line, min(later)):
            validated.add((decode.path, decode.line))
    return validated


_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def _root(expression: str) -> str:
    """The variable an expression starts from: `&in` → `in`, `req.Imp[0]` → `req`."""
    found = _IDENTIFIER.match(expression.lstrip("&*( "))
    return found.group() if found else ""


def _one_function(lines: list[str], start: int, end: int) -> bool:
    """No top-level function begins between lines ``start`` and ``end`` (1-based): gofmt writes
    every top-level `func` at the start of a line, so one there means the function ended."""
    return not any(line.startswith("func ") for line in lines[start : end - 1])


# Python schema models that web frameworks validate request bodies against.
_SCHEMA_MODEL = re.compile(
    r"^\s*class\s+\w+\s*\([^)]*\b(BaseModel|SQLModel|Schema|Serializer|ModelSerializer)\b"
)
# Code whose job is validation: a validator package or file, or validate functions.
_VALIDATION_FILE = re.compile(r"validat", re.IGNORECASE)
_VALIDATE_FUNCTION = re.compile(
    r"^\s*(?:func\s+(?:\([^)]*\)\s*)?|def\s+|(?:public|private|protected|static|\s)+[\w<>\[\]]+\s+)"
    r"[Vv]alidate\w*\s*\("
)
_SOURCE = (".go", ".py", ".js", ".ts", ".java", ".kt", ".php", ".rb")


def _schema_models(repo: Repo) -> list[Evidence]:
    files = [p for p in repo.with_suffix(".py") if is_production(p)]
    found = repo.search(_SCHEMA_MODEL, files)
    return list({m.path: repo.evidence(m.path, m.line) for m in found}.values())


def _validation_code(repo: Repo) -> bool:
    """Whether the production code has validation of its own (a validator package, validate
    functions): then an unvalidated body is a gap in it, not its absence."""
    sources = [p for p in repo.with_suffix(*_SOURCE) if is_production(p)]
    if any(_VALIDATION_FILE.search(p) for p in sources):
        return True
    return bool(repo.search(_VALIDATE_FUNCTION, sources))


def _first_per_line(found: list[Match]) -> list[Match]:
    seen: set[tuple[str, int]] = set()
    kept = []
    for match in found:
        if (match.path, match.line) not in seen:
            seen.add((match.path, match.line))
            kept.append(match)
    return kept


# ---- OpenRTB ------------------------------------------------------------------------------------

# The fields every exchange must check before trusting a bid request, in report order.
_REQUIRED = (
    ("BidRequest", "id", "non-empty, bounded id"),
    ("BidRequest", "imp", "imp count within bounds"),
    ("BidRequest", "tmax", "tmax within a range"),
    ("Imp", "bidfloor", "bidfloor >= 0"),
)
# Where a field name alone says which object it belongs to.
_FIELD_OWNER = {
    "Imp": "BidRequest", "TMax": "BidRequest", "Cur": "BidRequest", "AT": "BidRequest", "Test": "BidRequest",
    "BidFloor": "Imp", "BidFloorCur": "Imp", "TagID": "Imp", "Secure": "Imp",
    "IP": "Device", "IPv6": "Device", "UA": "Device", "IFA": "Device",
    "Country": "Geo", "Region": "Geo", "Lat": "Geo", "Lon": "Geo",
    "BuyerUID": "User", "Domain": "Site", "Page": "Site", "Bundle": "App",
    "MinDuration": "Video", "MaxDuration": "Video", "Mimes": "Video",
}  # fmt: skip
_OBJECTS = {
    "BidRequest", "Imp", "Banner", "Video", "Audio", "Native", "Site", "App", "Publisher", "Content",
    "Device", "Geo", "User", "Regs", "Source", "Format", "Deal", "PMP",
}  # fmt: skip
_REQUEST_NAMES = {"r", "req", "request", "br", "bidreq", "bidrequest", "breq", "in", "rtb", "ortb"}
_GO_FIELD = re.compile(r"^\s*(\w+)\s+[\w.*\[\]]+\s*`[^`]*json:\"([^\",]*)")
_PY_FIELD = re.compile(r"^\s+(\w+)\s*:\s*(.+)$")
_PY_CONSTRAINT = re.compile(
    r"\b(ge|gt|le|lt|min_length|max_length|pattern|regex|min_items|max_items)\s*=|\bcon(int|str|float|list)\("
)
_PY_VALIDATOR = re.compile(r"@(field_)?validator\(([^)]*)\)")


@dataclass
class _Object:
    name: str
    path: str
    line: int
    fields: dict[str, tuple[str, int]] = field(default_factory=dict)  # Go/Python name -> (json name, line)

    def json_name(self, name: str) -> str:
        return self.fields.get(name, (name.lower(), 0))[0]

    def json_names(self) -> set[str]:
        return {json_name.lower() for json_name, _ in self.fields.values()}


def _go_objects(repo: Repo, structs: list[Match]) -> list[_Object]:
    found = []
    for match in structs:
        obj = _Object(match.capture("$TYPE"), match.path, match.line)
        for number in range(match.line + 1, match.end_line + 1):
            if m := _GO_FIELD.match(repo.lines(match.path)[number - 1]):
                obj.fields[m.group(1)] = (m.group(2) or m.group(1).lower(), number)
        found.append(obj)
    return found


def _py_objects(repo: Repo, models: list[Match]) -> tuple[list[_Object], set[tuple[str, str]]]:
    """Pydantic-style models, and the (object, field) pairs their declarations constrain."""
    found, constrained = [], set()
    for match in models:
        obj = _Object(match.capture("$MODEL"), match.path, match.line)
        lines = repo.lines(match.path)
        for number in range(match.line + 1, min(match.end_line, len(lines)) + 1):
            text = lines[number - 1]
            if validator := _PY_VALIDATOR.search(text):
                for name in re.findall(r"[\"'](\w+)[\"']", validator.group(2)):
                    constrained.add((obj.name, name))
            elif (m := _PY_FIELD.match(text)) and not text.lstrip().startswith(("def ", "@", "#")):
                obj.fields[m.group(1)] = (m.group(1), number)
                if _PY_CONSTRAINT.search(m.group(2)):
                    constrained.add((obj.name, m.group(1)))
        found.append(obj)
    return found, constrained


def _bindings(text: str) -> dict[str, str]:
    """Variable → OpenRTB object it holds, from the declarations in one Go file."""
    names: dict[str, str] = {}
    patterns = (
        r"func \((\w+) \*?(?:\w+\.)?(\w+)\)",  # method receivers
        r"\bvar (\w+) \*?(?:\w+\.)?(\w+)\b",
        r"\b(\w+) := &?(?:\w+\.)?(\w+)\{",
        r"[(,]\s*(\w+) \*?(?:\w+\.)?(\w+)\s*[,)]",  # parameters
        r"\b(\w+) :?= [\w.]*\.(\w+)\s*[;\n]",  # g := r.Device.Geo
        r"for _, (\w+) := range [\w.]*\.(\w+)\b",  # for _, imp := range r.Imp
    )
    for pattern in patterns:
        for variable, kind in re.findall(pattern, text):
            if kind in _OBJECTS:
                names.setdefault(variable, kind)
    return names


def _attribute(selector: str, bindings: dict[str, str]) -> tuple[str, str] | None:
    """`r.Device.IP` → (Device, IP); `imp.BidFloor` → (Imp, BidFloor); unknown → None."""
    parts = selector.strip().split(".")
    if len(parts) < 2:
        return None
    name, holder = parts[-1], parts[:-1]
    if len(holder) > 1 and holder[-1] in _OBJECTS:
        return holder[-1], name
    variable = holder[-1]
    if variable in bindings:
        return bindings[variable], name
    if name in _FIELD_OWNER:
        return _FIELD_OWNER[name], name
    if variable.lower() in _REQUEST_NAMES:
        return "BidRequest", name
    return None


@check(
    id="security/openrtb-validation",
    question=seed.INPUT_VALIDATION,
    title="OpenRTB bid requests are validated field by field",
    severity=Severity.RISK,
    rationale="""
        A bid request comes from a partner's server, not from the exchange's own code: a
        missing id breaks deduplication and logging, an empty or 10,000-entry `imp` array turns
        one request into an empty auction or a fan-out storm, a `tmax` of 0 or 60,000 breaks
        every deadline computed from it, and a negative or NaN `bidfloor` lets a bid under the
        floor win. The seed asks whether all OpenRTB fields are sanitised; this check lists
        which objects are and which are not.
    """,
    looks_at="""
        Go structs named after OpenRTB objects (BidRequest with an `imp` json tag, Imp, Device,
        Site, App, User, ...) or an OpenRTB library import, and Python pydantic models of the
        same names. Checks on their fields anywhere in the service (semgrep): comparisons
        other than nil checks, `len(...)` bounds, NaN/Inf checks, `net.ParseIP`, pattern
        matches; for pydantic, `Field` constraints, `con*` types and field validators. Passes
        only when `id`, the `imp` count, `tmax` and `imp.bidfloor` are all checked; the summary
        names the validated and the unvalidated objects.
    """,
    remediation="""
        Give the bid request a `Validate() error` called right after decoding that rejects (400
        / no-bid) an empty or over-long `id`, `imp` outside 1..N, `tmax` outside a sane range,
        a `bidfloor` that is negative, NaN or absurd, over-long strings, and a `device.ip` that
        is not an IP address.
    """,
    example="""
        func (r *BidRequest) Validate() error {
            if r.ID == "" || len(r.ID) > 64 { return errors.New("id") }
            if n := len(r.Imp); n < 1 || n > 20 { return errors.New("imp count") }
            if r.TMax != 0 && (r.TMax < 20 || r.TMax > 1000) { return errors.New("tmax") }
            for _, imp := range r.Imp {
                if math.IsNaN(imp.BidFloor) || imp.BidFloor < 0 { return errors.New("bidfloor") }
            }
            return nil
        }
    """,
    scanners=(SEMGREP,),
    rules=(
        "go-openrtb-field-check",
        "go-openrtb-import",
        "go-openrtb-struct",
        "py-openrtb-model",
    ),
)
def openrtb_validation(ctx: CheckContext) -> CheckResult:
    repo = ctx.repo
    objects = _go_objects(repo, matches(ctx, "go-openrtb-struct"))
    models, constrained = _py_objects(repo, matches(ctx, "py-openrtb-model"))
    imports = matches(ctx, "go-openrtb-import")
    request = next(
        (o for o in objects + models if o.name == "BidRequest" and ("imp" in o.json_names())), None
    )
    if request is None and not imports:
        return CheckResult.not_applicable("no OpenRTB BidRequest type or library found")
    present = {o.name: o for o in objects + models}
    validated: set[tuple[str, str]] = {(obj, name.lower()) for obj, name in constrained}
    binding_cache: dict[str, dict[str, str]] = {}
    for check_match in matches(ctx, "go-openrtb-field-check"):
        if check_match.path not in binding_cache:
            binding_cache[check_match.path] = _bindings(repo.text(check_match.path))
        selector = f"{check_match.capture('$X')}.{check_match.capture('$FIELD')}"
        owner_field = _attribute(selector, binding_cache[check_match.path])
        if owner_field is not None:
            obj, name = owner_field
            json_name = present[obj].json_name(name) if obj in present else name.lower()
            validated.add((obj, json_name.lower()))

    missing = [(obj, name, what) for obj, name, what in _REQUIRED if (obj, name) not in validated]
    checked_objects = sorted({obj for obj, _ in validated})
    by_object = {obj: sorted(name for o, name in validated if o == obj) for obj in checked_objects}
    shown = "; ".join(f"{obj} ({', '.join(names)})" for obj, names in by_object.items()) or "none"
    unchecked = sorted(set(present) - set(checked_objects))
    summary = f"validated: {shown}; not validated: {', '.join(unchecked) or 'none'}"
    if not missing:
        return CheckResult.passed(summary, *[repo.evidence(o.path, o.line) for o in (objects + models)[:5]])
    evidence = []
    for obj, name, _ in missing:
        declared = present.get(obj)
        if declared is not None:
            lines = [ln for json_name, ln in declared.fields.values() if json_name.lower() == name]
            evidence.append(repo.evidence(declared.path, lines[0] if lines else declared.line))
        elif imports:
            evidence.append(repo.evidence(imports[0].path, imports[0].line))
    names = ", ".join(f"{obj}.{name} ({what})" for obj, name, what in missing)
    failure = Failure(f"OpenRTB fields used without validation: {names}", tuple(evidence))
    return CheckResult.failed([failure], summary)
