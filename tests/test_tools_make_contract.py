"""tools/make_contract.py: Luma's OpenAPI document in, structure-only contract.json out, and --check."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tools import make_contract

PROSE_KEYS = {"description", "summary", "title", "example", "examples", "$schema"}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Luma API", "version": "1.0.0", "description": "Prose about rate limits."},
    "components": {
        "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "x-luma-api-key"}},
        "schemas": {"Tag": {"type": "object", "title": "Tag", "properties": {"id": {"type": "string"}}}},
    },
    "paths": {
        "/v1/things/update": {
            "post": {
                "summary": "Update a thing",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "$schema": "https://json-schema.org/draft/2020-12/schema",
                                "type": "object",
                                "properties": {
                                    # property names that look like prose keywords must stay
                                    "description": {"type": "string", "description": "The thing's text."},
                                    "title": {"type": "string", "examples": ["x"]},
                                },
                                "required": ["description"],
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "Empty response",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {},
                                    "additionalProperties": False,
                                    "x-stainless-empty-object": True,
                                }
                            }
                        },
                    }
                },
            }
        },
        "/v1/things/list": {
            "get": {
                "description": "Lists things.",
                "parameters": [
                    {
                        "name": "tags",
                        "in": "query",
                        "description": "Repeat me.",
                        "schema": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
                    },
                    {"name": "limit", "in": "query", "required": True, "schema": {"type": "number", "example": 5}},
                    {"name": "x-trace", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "entries": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}
                                    },
                                }
                            }
                        },
                    }
                },
            }
        },
    },
}


def prose_keys(node: Any, where: str = "") -> list[str]:
    """Every prose keyword in a schema position; names inside ``properties`` are data, not keywords."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in PROSE_KEYS or key.startswith("x-"):
                found.append(f"{where}/{key}")
            if key == "properties" and isinstance(value, dict):
                for name, sub in value.items():
                    found += prose_keys(sub, f"{where}/properties/{name}")
            else:
                found += prose_keys(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found += prose_keys(item, f"{where}[{i}]")
    return found


def write(path: Path, document: dict) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_keeps_structure_and_drops_prose(tmp_path: Path) -> None:
    out = tmp_path / "contract.json"
    assert make_contract.main([str(write(tmp_path / "openapi.json", DOCUMENT)), "--output", str(out)]) == 0
    contract = json.loads(out.read_text())
    assert list(contract["routes"]) == ["GET /v1/things/list", "POST /v1/things/update"]  # sorted
    assert contract["auth_header"] == "x-luma-api-key" and "sha256" in contract["source"]
    listing = contract["routes"]["GET /v1/things/list"]
    assert listing["query"] == [
        {
            "name": "tags",
            "required": False,
            "schema": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
        },
        {"name": "limit", "required": True, "schema": {"type": "number"}},
    ]
    assert listing["response"]["properties"]["entries"]["items"] == {
        "type": "object",
        "properties": {"id": {"type": "string"}},
    }
    update = contract["routes"]["POST /v1/things/update"]
    assert update["body_required"] is True
    assert update["body"] == {
        "type": "object",
        "properties": {"description": {"type": "string"}, "title": {"type": "string"}},
        "required": ["description"],
    }
    assert update["response"] == {"type": "object", "properties": {}, "additionalProperties": False}
    assert prose_keys(contract["routes"]) == []


def test_check_passes_when_up_to_date_and_fails_after_a_change(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    document = write(tmp_path / "openapi.json", DOCUMENT)
    out = tmp_path / "contract.json"
    assert make_contract.main([str(document), "--output", str(out), "--check"]) == 1  # nothing written yet
    assert not out.exists()
    make_contract.main([str(document), "--output", str(out)])
    written = out.read_bytes()
    assert make_contract.main([str(document), "--output", str(out), "--check"]) == 0
    changed = copy.deepcopy(DOCUMENT)
    changed["paths"]["/v1/things/list"]["get"]["parameters"][1]["required"] = False
    assert make_contract.main([str(write(document, changed)), "--output", str(out), "--check"]) == 1
    assert out.read_bytes() == written  # --check writes nothing
    assert "out of date" in capsys.readouterr().err


def test_output_is_deterministic(tmp_path: Path) -> None:
    shuffled = copy.deepcopy(DOCUMENT)
    shuffled["paths"] = dict(reversed(list(DOCUMENT["paths"].items())))
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    make_contract.main([str(write(tmp_path / "doc.json", DOCUMENT)), "--output", str(first)])
    make_contract.main([str(write(tmp_path / "doc.json", shuffled)), "--output", str(second)])
    strip = [json.loads(p.read_text()) for p in (first, second)]
    assert strip[0]["routes"] == strip[1]["routes"]
    assert list(strip[0]["routes"]) == list(strip[1]["routes"])
    again = tmp_path / "c.json"
    make_contract.main([str(tmp_path / "doc.json"), "--output", str(again)])
    assert again.read_bytes() == second.read_bytes()


def test_refuses_what_the_emulator_cannot_serve(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    broken = copy.deepcopy(DOCUMENT)
    broken["paths"]["/v1/things/{id}"] = {
        "get": {"parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]}
    }
    out = tmp_path / "contract.json"
    assert make_contract.main([str(write(tmp_path / "doc.json", broken)), "--output", str(out)]) == 2
    assert "path parameters" in capsys.readouterr().err and not out.exists()


def test_the_project_contract_holds_structure_only() -> None:
    contract = json.loads(make_contract.CONTRACT.read_text())
    assert len(contract["routes"]) == 66  # Luma's document of 2026-08-07
    assert prose_keys(contract["routes"]) == []
    assert make_contract.render(contract) == make_contract.CONTRACT.read_text()  # the tool's own formatting
