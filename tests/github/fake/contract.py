"""GitHub's REST contract, read from ../shared/github/openapi-subset.json (OpenAPI 3.0, dereferenced;
without ../shared, its trimmed copy in tests/data/github: the operations the fake implements, response
schemas cut to their required properties) and contract_supplement.json next to this file: operations
the shared subset lacks, copied unchanged from the same release of the same spec (its ``_provenance``
key says which and why).

It answers three questions for the fake server: which operation does a request address (method and
path template), is the request valid (path and query parameters, JSON body), and is a response the
fake is about to send valid (status, body, declared headers). Schemas are converted from OpenAPI 3.0
to JSON Schema draft 4 (``nullable`` becomes a ``"null"`` type) and checked with ``jsonschema``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jsonschema import Draft4Validator, FormatChecker

from tests import shared_data

SPEC_PATH = shared_data.data("github/openapi-subset.json")
SUPPLEMENT_PATH = Path(__file__).resolve().with_name("contract_supplement.json")

# Keywords of OpenAPI 3.0 schema objects that mean the same in JSON Schema draft 4. The others
# (nullable, example, description, readOnly, x-*, ...) are dropped or translated.
_KEPT = {
    "type",
    "required",
    "enum",
    "format",
    "pattern",
    "default",
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
}
_MAX_MESSAGE = 300


def to_json_schema(schema: Any) -> Any:
    """An OpenAPI 3.0 schema object as JSON Schema draft 4."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {k: v for k, v in schema.items() if k in _KEPT}
    if "properties" in schema:
        out["properties"] = {name: to_json_schema(sub) for name, sub in schema["properties"].items()}
    for key in ("items", "not"):
        if key in schema:
            out[key] = to_json_schema(schema[key])
    if "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        out["additionalProperties"] = extra if isinstance(extra, bool) else to_json_schema(extra)
    for key in ("oneOf", "anyOf", "allOf"):
        if key in schema:
            out[key] = [to_json_schema(sub) for sub in schema[key]]
    if schema.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlsplit(value).scheme)


def _is_email(value: object) -> bool:
    return not isinstance(value, str) or "@" in value


FORMATS = FormatChecker(formats=())
FORMATS.checks("date-time")(_is_datetime)
FORMATS.checks("uri")(_is_uri)
FORMATS.checks("email")(_is_email)


def _short(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def schema_errors(validator: Draft4Validator, instance: Any, where: str) -> list[str]:
    """Readable messages for every way ``instance`` breaks the schema, sorted, each cut to a line."""
    messages = []
    for error in validator.iter_errors(instance):
        location = "/".join(str(part) for part in error.absolute_path)
        message, shown = error.message, repr(error.instance)
        if len(shown) > 80 and message.startswith(shown):  # "'xxxx...' is too long": name the size instead
            size = f" of {len(error.instance)}" if isinstance(error.instance, str | list | dict) else ""
            message = f"a {type(error.instance).__name__}{size}{message[len(shown) :]}"
        messages.append(_short(f"{where}{'/' + location if location else ''}: {message}"))
    return sorted(messages)


_VALIDATORS: dict[int, tuple[Mapping[str, Any], Draft4Validator]] = {}


def validator_for(schema: Mapping[str, Any]) -> Draft4Validator:
    """A compiled validator per schema object (the spec's objects live as long as the process)."""
    cached = _VALIDATORS.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, Draft4Validator(to_json_schema(schema), format_checker=FORMATS))
        _VALIDATORS[id(schema)] = cached
    return cached[1]


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str  # "path" or "query"
    required: bool
    schema: Mapping[str, Any]


@dataclass
class Operation:
    method: str
    template: str
    operation_id: str
    doc_url: str
    parameters: dict[str, Parameter]
    body_schema: Mapping[str, Any] | None
    body_required: bool
    responses: Mapping[str, Any]
    pattern: re.Pattern[str] = field(repr=False)
    literal_length: int = 0

    def response_schema(
        self, status: int, content_type: str = "application/json"
    ) -> Mapping[str, Any] | None:
        content = self.responses.get(str(status), {}).get("content", {})
        media = content.get(content_type) or next(iter(content.values()), None)
        return None if media is None else media.get("schema")

    def response_headers(self, status: int) -> list[str]:
        return list(self.responses.get(str(status), {}).get("headers", {}))


@dataclass
class Route:
    operation: Operation
    path_params: dict[str, str]


class RouteError(Exception):
    """A request that addresses no operation of the contract."""


def _compile(template: str) -> tuple[re.Pattern[str], int]:
    pattern, literal = "", 0
    for piece in re.split(r"(\{[^}]+\})", template):
        if piece.startswith("{"):
            name = piece[1:-1]
            # A file path in the contents API spans segments (and is empty for the repository root).
            pattern += f"(?P<{name}>.*)" if name == "path" else f"(?P<{name}>[^/]+)"
        else:
            pattern += re.escape(piece)
            literal += len(piece)
    return re.compile(pattern + r"\Z"), literal


def _coerce(raw: str, schema: Mapping[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", raw):
            raise ValueError(f"{raw!r} is not an integer")
        return int(raw)
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise ValueError(f"{raw!r} is not a boolean")
        return raw == "true"
    return raw


class Contract:
    """The operations of the spec, with request and response validation."""

    def __init__(self, spec_path: Path = SPEC_PATH, supplements: Iterable[Path] = (SUPPLEMENT_PATH,)) -> None:
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        paths = dict(spec["paths"])
        for supplement in supplements:
            extra = json.loads(supplement.read_text(encoding="utf-8"))
            if extra["_provenance"]["version"] != spec["info"]["version"]:
                raise ValueError(
                    f"{supplement.name} is from another release of the spec than {spec_path.name}"
                )
            if overlap := set(paths) & set(extra["paths"]):  # a supplement adds, it never overrides
                raise ValueError(f"{supplement.name} redefines {sorted(overlap)}")
            paths.update(extra["paths"])
        self.operations: list[Operation] = []
        for template, item in paths.items():
            shared = item.get("parameters", [])
            for method, op in item.items():
                if method == "parameters":
                    continue
                params = {
                    p["name"]: Parameter(p["name"], p["in"], bool(p.get("required")), p.get("schema", {}))
                    for p in [*shared, *op.get("parameters", [])]
                    if p["in"] in ("path", "query")
                }
                body = op.get("requestBody")
                pattern, literal = _compile(template)
                self.operations.append(
                    Operation(
                        method=method.upper(),
                        template=template,
                        operation_id=op["operationId"],
                        doc_url=op.get("externalDocs", {}).get("url", "https://docs.github.com/rest"),
                        parameters=params,
                        body_schema=None if body is None else body["content"]["application/json"]["schema"],
                        body_required=bool(body and body.get("required")),
                        responses=op.get("responses", {}),
                        pattern=pattern,
                        literal_length=literal,
                    )
                )
        # The most specific template wins: /issues/comments/{id} before /issues/{number}/comments.
        self.operations.sort(key=lambda op: -op.literal_length)

    def operation(self, operation_id: str) -> Operation:
        return next(op for op in self.operations if op.operation_id == operation_id)

    def route(self, method: str, path: str) -> Route:
        """The operation a request addresses; ``path`` is the raw (percent-encoded) path."""
        allowed = []
        for op in self.operations:
            found = op.pattern.match(path)
            if found is None:
                continue
            if op.method != method:
                allowed.append(op.method)
                continue
            return Route(op, {k: unquote(v) for k, v in found.groupdict().items()})
        if allowed:
            raise RouteError(f"the contract has only {', '.join(sorted(set(allowed)))} on this path")
        raise RouteError("no operation of the contract has this path")

    @staticmethod
    def check_parameters(
        route: Route, query: Iterable[tuple[str, str]]
    ) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
        """Path and query parameters typed by their schemas, and the errors found."""
        op, errors = route.operation, []
        path_values: dict[str, Any] = {}
        query_values: dict[str, Any] = {}

        def check(param: Parameter, raw: str, values: dict[str, Any]) -> None:
            where = f"{param.where} parameter {param.name}"
            try:
                values[param.name] = _coerce(raw, param.schema)
            except ValueError as error:
                errors.append(f"{where}: {error}")
                return
            errors.extend(schema_errors(validator_for(param.schema), values[param.name], where))

        for name, raw in route.path_params.items():
            check(op.parameters[name], raw, path_values)
        for name, raw in query:
            param = op.parameters.get(name)
            if param is None or param.where != "query":
                errors.append(f"query parameter {name!r} is not defined for {op.operation_id}")
            else:
                check(param, raw, query_values)
        for param in op.parameters.values():
            if param.where == "query" and param.required and param.name not in query_values:
                errors.append(f"query parameter {param.name} is required")
        return path_values, query_values, errors

    @staticmethod
    def check_body(op: Operation, body: Any, present: bool) -> list[str]:
        if op.body_schema is None:
            return [f"{op.operation_id} takes no request body"] if present else []
        if not present:
            return ["a request body is required"] if op.body_required else []
        return schema_errors(validator_for(op.body_schema), body, "body")

    @staticmethod
    def check_response(op: Operation, status: int, body: Any, headers: Mapping[str, str]) -> list[str]:
        if str(status) not in op.responses:
            return [f"status {status} is not a documented response of {op.operation_id}"]
        lowered = {k.lower() for k in headers}
        errors = [
            f"response header {name} is missing"
            for name in op.response_headers(status)
            if name.lower() not in lowered and name != "Link"  # Link only when there are more pages
        ]
        schema = op.response_schema(status)
        if schema is not None and body is not None:
            errors += schema_errors(validator_for(schema), body, "response")
        return errors
