"""Distils Luma's published OpenAPI document into luma_local/contract.json, keeping structure only.

    python -m tools.make_contract PATH_TO_OPENAPI.json           # writes luma_local/contract.json
    python -m tools.make_contract PATH_TO_OPENAPI.json --check   # exits 1 when contract.json differs

Kept: each route and method, its query parameters (name, required, schema: types, enums, array-ness), the
JSON request body schema and the 200 response schema. Dropped: every description, summary, example, title,
``$schema`` and vendor extension (``x-...``), so the file holds Luma's shapes but none of its prose. The
output is deterministic: routes sorted by path then method, the same document always gives the same bytes.
The emulator reads only the result; nothing reads the OpenAPI document at run or test time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

CONTRACT = Path(__file__).resolve().parents[1] / "luma_local" / "contract.json"
PROSE = frozenset({"description", "summary", "title", "example", "examples", "$schema", "$comment"})
# Keywords whose value maps names of the user's choosing (property names) to schemas: the names stay.
NAMED_SCHEMAS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
METHODS = ("get", "post", "put", "patch", "delete")


class ContractError(ValueError):
    pass


def _resolve(document: dict, ref: str) -> Any:
    if not ref.startswith("#/"):
        raise ContractError(f"only local $refs are supported, got {ref!r}")
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def structure(schema: Any, document: dict, seen: tuple[str, ...] = ()) -> Any:
    """The schema without prose, with local $refs inlined (the emulator's validator sees no components)."""
    if isinstance(schema, list):
        return [structure(item, document, seen) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        ref = schema["$ref"]
        if ref in seen:
            raise ContractError(f"recursive schema through {ref} cannot be inlined")
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        return structure({**_resolve(document, ref), **siblings}, document, (*seen, ref))
    out = {}
    for key, value in schema.items():
        if key in PROSE or key.startswith("x-"):
            continue
        if key in NAMED_SCHEMAS and isinstance(value, dict):
            out[key] = {name: structure(sub, document, seen) for name, sub in value.items()}
        else:
            out[key] = structure(value, document, seen)
    return out


def _json_schema(holder: dict, what: str) -> dict:
    content = holder.get("content", {})
    if "application/json" not in content:
        raise ContractError(f"{what} has no application/json schema")
    return content["application/json"]["schema"]


def _route(path: str, method: str, operation: dict, document: dict) -> dict:
    where = f"{method.upper()} {path}"
    query = []
    for parameter in operation.get("parameters", []):
        parameter = structure(parameter, document)
        if parameter["in"] == "path":
            raise ContractError(f"{where}: path parameters are not supported ({parameter['name']})")
        if parameter["in"] != "query":
            continue  # headers: auth is described by the security scheme
        query.append(
            {
                "name": parameter["name"],
                "required": parameter.get("required", False),
                "schema": parameter.get("schema", {}),
            }
        )
    route: dict[str, Any] = {"query": query}
    body = operation.get("requestBody")
    if body is not None:
        body = structure(body, document)
        route["body_required"] = body.get("required", False)
        route["body"] = _json_schema(body, f"{where} request body")
    responses = operation.get("responses", {})
    if "200" not in responses:
        raise ContractError(f"{where} has no 200 response")
    route["response"] = structure(_json_schema(_resolve_if_ref(responses["200"], document), where), document)
    return route


def _resolve_if_ref(node: dict, document: dict) -> dict:
    return _resolve(document, node["$ref"]) if "$ref" in node else node


def _auth_header(document: dict) -> str | None:
    schemes = document.get("components", {}).get("securitySchemes", {})
    headers = sorted(s["name"] for s in schemes.values() if s.get("type") == "apiKey" and s.get("in") == "header")
    return headers[0] if headers else None


def distil(document: dict, raw: bytes) -> dict:
    routes = {}
    for path in sorted(document.get("paths", {})):
        operations = document["paths"][path]
        for method in METHODS:
            if method in operations:
                routes[f"{method.upper()} {path}"] = _route(path, method, operations[method], document)
    info = document.get("info", {})
    return {
        "source": (
            f"{info.get('title', 'OpenAPI document')} {info.get('version', '')} (OpenAPI {document.get('openapi')}), "
            f"sha256 {hashlib.sha256(raw).hexdigest()}; structure only, made by tools/make_contract.py"
        ),
        "auth_header": _auth_header(document),
        "routes": routes,
    }


def render(contract: dict) -> str:
    return json.dumps(contract, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.make_contract", description=__doc__.split("\n\n")[0])
    parser.add_argument("openapi", type=Path, help="Luma's OpenAPI document (JSON)")
    parser.add_argument("--output", type=Path, default=CONTRACT, help=f"default: {CONTRACT}")
    parser.add_argument("--check", action="store_true", help="exit 1 when the output file differs, write nothing")
    args = parser.parse_args(argv)
    raw = args.openapi.read_bytes()
    try:
        text = render(distil(json.loads(raw), raw))
    except (ContractError, KeyError, ValueError) as error:
        print(f"make_contract: {args.openapi}: {error}", file=sys.stderr)
        return 2
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if args.check:
        if current != text:
            print(f"{args.output} is out of date with {args.openapi}; run without --check", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date ({len(json.loads(text)['routes'])} routes)")
        return 0
    if current != text:
        args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(json.loads(text)['routes'])} routes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
