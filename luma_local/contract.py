"""Luma's contract (``contract.json``, distilled from the published OpenAPI document by tools/make_contract.py):
the routes, the checks of every request against it, and the optional check of our own answers."""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import relevance

from .errors import ApiError, bad_request

CONTRACT_PATH = Path(__file__).with_name("contract.json")


def _strictify(schema: Any) -> Any:
    """Close every object schema of a request body so that unknown properties are rejected."""
    if isinstance(schema, list):
        return [_strictify(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    s = dict(schema)
    parts = s.get("allOf")
    if parts and all(isinstance(p, dict) and p.get("type") == "object" and "properties" in p for p in parts):
        # allOf of plain objects (ticket-types create/update): merge, otherwise each closed part
        # would reject the other part's properties.
        merged: dict[str, Any] = {}
        required: list[str] = []
        for p in parts:
            merged.update(p["properties"])
            required += [r for r in p.get("required", []) if r not in required]
        del s["allOf"]
        s.update({"type": "object", "properties": merged, "required": required})
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        if key in s:
            s[key] = _strictify(s[key])
    if isinstance(s.get("items"), dict):
        s["items"] = _strictify(s["items"])
    if isinstance(s.get("properties"), dict):
        s["properties"] = {k: _strictify(v) for k, v in s["properties"].items()}
        s.setdefault("additionalProperties", False)
    return s


def _schema_types(schema: dict) -> set[str]:
    types: set[str] = set()
    t = schema.get("type")
    if isinstance(t, str):
        types.add(t)
    elif isinstance(t, list):
        types.update(t)
    for key in ("anyOf", "oneOf"):
        for sub in schema.get(key, []):
            types |= _schema_types(sub)
    return types


def _array_items(schema: dict) -> dict | None:
    if schema.get("type") == "array":
        return schema.get("items", {})
    for key in ("anyOf", "oneOf"):
        for sub in schema.get(key, []):
            items = _array_items(sub)
            if items is not None:
                return items
    return None


def _explain(error: Any) -> Any:
    """Descend into anyOf/oneOf failures, following the branch the instance was evidently meant for."""
    while error.context:
        branches: dict[Any, list[Any]] = {}
        for e in error.context:
            branches.setdefault(e.relative_schema_path[0], []).append(e)

        def plausible(errs: list[Any]) -> bool:
            # a branch whose discriminator (const) or top-level type failed is not the one meant
            return not any(e.validator == "const" or (e.validator == "type" and not e.relative_path) for e in errs)

        candidates = [errs for errs in branches.values() if plausible(errs)]
        if not candidates:
            break
        error = max(min(candidates, key=len), key=relevance)
    return error


def _first_error(validator: Draft202012Validator, instance: Any) -> Any:
    errors = list(validator.iter_errors(instance))
    # Not jsonschema's best_match: it descends into anyOf/oneOf on its own and often picks the wrong branch.
    return max(errors, key=relevance) if errors else None


def _format_error(error: Any, root: str) -> str:
    error = _explain(error)
    where = root
    for part in error.absolute_path:
        where += f"[{part}]" if isinstance(part, int) else f".{part}"
    fmt = error.schema.get("format") if isinstance(error.schema, dict) else None
    if error.validator == "pattern" and fmt:
        message = f"{error.instance!r} is not a valid {fmt} (ISO 8601, e.g. 2026-03-01T18:00:00.000Z)"
    else:
        message = error.message
    if len(message) > 240:
        message = message[:237] + "..."
    return f"Invalid {where}: {message}"


def _coerce(value: str, schema: dict, name: str) -> Any:
    types = _schema_types(schema)
    if "string" in types or not types:
        return value
    if types & {"number", "integer"}:
        try:
            number = float(value)
        except ValueError:
            raise bad_request(f"Invalid query parameter '{name}': expected a number, got {value!r}") from None
        if not math.isfinite(number):
            raise bad_request(f"Invalid query parameter '{name}': expected a finite number")
        return int(number) if number.is_integer() else number
    if "boolean" in types:
        if value in ("true", "false"):
            return value == "true"
        raise bad_request(f"Invalid query parameter '{name}': expected true or false, got {value!r}")
    return value


@dataclass
class QueryParam:
    name: str
    required: bool
    schema: dict
    items: dict | None  # item schema when the parameter is an array (sent as repeated keys)
    validator: Draft202012Validator


@dataclass
class RouteSpec:
    method: str
    path: str
    params: dict[str, QueryParam]
    body_validator: Draft202012Validator | None
    response_validator: Draft202012Validator


@dataclass
class CheckedRequest:
    query: dict[str, Any]
    body: dict[str, Any]
    filter_key: str  # binds pagination cursors to the filters they were issued for


class Contract:
    def __init__(self, data: dict, *, strict: bool):
        self.strict = strict
        self.routes: dict[tuple[str, str], RouteSpec] = {}
        checker = FormatChecker()
        for key, spec in data["routes"].items():
            method, path = key.split(" ", 1)
            params = {}
            for p in spec.get("query", []):
                params[p["name"]] = QueryParam(
                    name=p["name"],
                    required=p["required"],
                    schema=p["schema"],
                    items=_array_items(p["schema"]),
                    validator=Draft202012Validator(p["schema"], format_checker=checker),
                )
            body_validator = None
            if "body" in spec:
                body_schema = _strictify(spec["body"]) if strict else spec["body"]
                body_validator = Draft202012Validator(body_schema, format_checker=checker)
            self.routes[(method, path)] = RouteSpec(
                method=method,
                path=path,
                params=params,
                body_validator=body_validator,
                response_validator=Draft202012Validator(spec["response"]),
            )
        self.paths = {p for (_, p) in self.routes}

    @classmethod
    def load(cls, *, strict: bool) -> Contract:
        # Compiling ~60 validators is the slow part of construction; they are read-only, so share them.
        return _load_contract(strict)

    def route(self, method: str, path: str) -> RouteSpec:
        """The route, or the 404/405 Luma answers for an unknown path or a wrong method."""
        spec = self.routes.get((method, path))
        if spec is not None:
            return spec
        if path in self.paths:
            allowed = sorted(m for (m, p) in self.routes if p == path)
            raise ApiError(405, f"Method {method} is not allowed for {path}", {"Allow": ", ".join(allowed)})
        raise ApiError(404, f"Route not found: {method} {path}")

    def check_request(self, spec: RouteSpec, pairs: list[tuple[str, str]], body: Any) -> CheckedRequest:
        grouped: dict[str, list[str]] = {}
        for k, v in pairs:
            grouped.setdefault(k, []).append(v)
        query: dict[str, Any] = {}
        for name, values in grouped.items():
            param = spec.params.get(name)
            if param is None:
                if self.strict:
                    known = ", ".join(sorted(spec.params)) or "none"
                    raise bad_request(f"Unknown query parameter '{name}' (allowed: {known})")
                continue
            if param.items is not None:
                value: Any = [_coerce(v, param.items, name) for v in values]
            else:
                if len(values) > 1:
                    raise bad_request(f"Query parameter '{name}' must be given once, got {len(values)} values")
                value = _coerce(values[0], param.schema, name)
            error = _first_error(param.validator, value)
            if error is not None:
                raise bad_request(_format_error(error, f"query parameter '{name}'"))
            query[name] = value
        for name, param in spec.params.items():
            if param.required and name not in query:
                raise bad_request(f"Missing required query parameter '{name}'")
        if spec.method == "POST":
            if not isinstance(body, dict):
                raise bad_request("Request body must be a JSON object")
            if spec.body_validator is not None:
                error = _first_error(spec.body_validator, body)
                if error is not None:
                    raise bad_request(_format_error(error, "body"))
        else:
            body = {}
        filters = sorted((k, json.dumps(v)) for k, v in query.items() if not k.startswith("pagination_"))
        return CheckedRequest(query=query, body=body, filter_key=f"{spec.method} {spec.path} {filters}")

    @staticmethod
    def check_response(spec: RouteSpec, payload: Any) -> None:
        error = _first_error(spec.response_validator, payload)
        if error is not None:
            message = _format_error(error, "response")
            raise ApiError(500, f"Emulator bug, response violates the contract: {message}")


@functools.cache
def _load_contract(strict: bool) -> Contract:
    return Contract(json.loads(CONTRACT_PATH.read_text(encoding="utf-8")), strict=strict)
