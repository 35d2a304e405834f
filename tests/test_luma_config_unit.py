"""config.json is generated from schemas/ by tools/build_config.py: it matches its sources, holds what the platform
reads, and every action's example is a valid input. The builder itself is tested on fake schemas trees."""

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from luma_local import LumaEmulator
from tests.support.examples import example_inputs
from tools.build_config import BuildError, build_config, check, main, render

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
ACTION_SOURCES = sorted((ROOT / "schemas" / "actions").glob("*.json"))


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    return build_config(ROOT)


def entries(config: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{kind}.{name}", entry)
        for kind in ("actions", "polling_triggers")
        for name, entry in config.get(kind, {}).items()
    ]


def walk(node: Any, path: str = "") -> Any:
    """Every object in node, with its place."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}/{index}")


@pytest.fixture(scope="module")
def emulator() -> LumaEmulator:
    """A local Luma used in-process (never started): the placeholders of the examples get real ids from it."""
    return LumaEmulator()


# ---- the real config.json -----------------------------------------------------------------------------------


def test_config_json_is_what_the_sources_build(built):
    # This is how CI fails when someone edits schemas/ without rebuilding, or edits config.json by hand.
    assert check(ROOT) == [], "config.json is stale: run .venv/bin/python -m tools.build_config"
    assert (ROOT / "config.json").read_text(encoding="utf-8") == render(built)


def test_no_ref_or_definitions_is_left(built):
    # The SDK validates each schema on its own, with no resolver: a $ref left behind would fail every call.
    for path, node in walk(built):
        assert not {"$ref", "definitions", "$defs"} & node.keys(), f"left in config.json at {path}"


def test_every_action_has_what_the_platform_reads(built):
    assert built["actions"], "no actions built"
    for where, entry in entries(built):
        for key in ("display_name", "description", "input_schema", "output_schema"):
            assert entry.get(key), f"{where} has no {key}"
        assert entry["input_schema"]["type"] == entry["output_schema"]["type"] == "object"
        assert "example" not in entry, f"{where}: example is for the tests, not the platform"


def test_the_integration_keys_come_first_and_actions_are_sorted(built):
    assert list(built)[:7] == [
        "name",
        "display_name",
        "version",
        "description",
        "entry_point",
        "supports_connected_account",
        "auth",
    ]
    assert list(built["actions"]) == sorted(built["actions"])


def test_every_required_name_is_a_property(built):
    for where, entry in entries(built):
        for key in ("input_schema", "output_schema"):
            for path, schema in walk(entry[key]):
                if "properties" not in schema:
                    continue
                # Branches such as {"anyOf": [{"required": ["event"]}]} require properties of the object around them.
                branches = [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]
                for branch in branches:
                    for name in branch.get("required", []):
                        assert name in schema["properties"], f"{where} {key}{path}: required {name} is no property"


@pytest.mark.parametrize("source", ACTION_SOURCES, ids=lambda path: path.stem)
def test_the_example_is_a_valid_input(built, source, emulator):
    example = example_inputs(source.stem, emulator)
    schema = built["actions"][source.stem]["input_schema"]
    errors = [error.message for error in Draft7Validator(schema).iter_errors(example)]
    assert not errors, f"{source.name}: example does not validate: {errors}"


def test_every_action_has_a_source_and_an_example(built):
    assert sorted(built["actions"]) == [path.stem for path in ACTION_SOURCES]


def test_lists_hand_back_has_more_and_next_cursor(built):
    # An action that takes a cursor must give one back, or a caller cannot continue past the first call.
    lists = [name for name, entry in built["actions"].items() if "cursor" in entry["input_schema"]["properties"]]
    assert {"get_events", "list_coupons", "get_guests", "list_people"} <= set(lists)
    for name in lists:
        output = built["actions"][name]["output_schema"]["properties"]
        assert output.get("has_more", {}).get("type") == "boolean", name
        assert output.get("next_cursor", {}).get("type") == ["string", "null"], name


def test_one_description_per_id(built):
    seen: dict[str, set[str]] = {}
    for _, entry in entries(built):
        for name, schema in entry["input_schema"].get("properties", {}).items():
            if name.endswith("_id"):
                seen.setdefault(name, set()).add(schema.get("description", ""))
    assert seen["event_api_id"] and all(len(descriptions) == 1 for descriptions in seen.values()), seen


# ---- the builder, on fake schemas trees ----------------------------------------------------------------------

FAKE_INTEGRATION = {
    "name": "fake",
    "display_name": "Fake",
    "version": "0.0.1",
    "description": "Fake.",
    "entry_point": "x",
}
FAKE_FRAGMENTS = {
    "ids.json": {"thing_id": {"type": "string", "minLength": 1, "description": "A thing's id (thg-...)."}},
    "paging.json": {
        "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10, "description": "Most things."},
        "cursor": {"type": "string", "description": "Where to go on."},
        "has_more": {"type": "boolean"},
        "next_cursor": {"type": ["string", "null"]},
        "list_output": {
            "type": "object",
            "properties": {
                "has_more": {"$ref": "fragments/paging.json#/has_more"},
                "next_cursor": {"$ref": "fragments/paging.json#/next_cursor"},
            },
        },
    },
}


def fake_entry(**changes: Any) -> dict[str, Any]:
    entry = {
        "display_name": "Get Thing",
        "description": "Gets one thing.",
        "input_schema": {
            "type": "object",
            "properties": {"thing_id": {"$ref": "fragments/ids.json#/thing_id"}},
            "required": ["thing_id"],
            "additionalProperties": False,
        },
        "output_schema": {"type": "object", "properties": {"thing": {"type": "object"}}, "required": ["thing"]},
        "example": {"thing_id": "thg-1"},
        "luma_routes": ["GET /v1/things/get"],
    }
    return {**entry, **changes}


def fake_root(tmp_path: Path, files: dict[str, Any]) -> Path:
    """A folder with schemas/integration.json, the fake fragments and `files` (paths under schemas/)."""
    tree = {
        "integration.json": FAKE_INTEGRATION,
        **{f"fragments/{name}": content for name, content in FAKE_FRAGMENTS.items()},
        **files,
    }
    for name, content in tree.items():
        path = tmp_path / "schemas" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content), encoding="utf-8")
    return tmp_path


def build_error(tmp_path: Path, files: dict[str, Any]) -> str:
    with pytest.raises(BuildError) as raised:
        build_config(fake_root(tmp_path, files))
    return str(raised.value)


def test_a_trigger_is_built_under_polling_triggers(tmp_path):
    trigger = fake_entry(display_name="New Things", description="Things created since the last poll.")
    root = fake_root(
        tmp_path,
        {"actions/get_thing.json": fake_entry(), "triggers/new_things.json": {**trigger, "polling_interval": "5m"}},
    )
    config = build_config(root)
    assert list(config["actions"]) == ["get_thing"]
    assert list(config["polling_triggers"]) == ["new_things"]
    built = config["polling_triggers"]["new_things"]
    assert list(built) == ["display_name", "description", "polling_interval", "input_schema", "output_schema"]
    assert built["polling_interval"] == "5m"
    assert built["input_schema"]["properties"]["thing_id"]["description"] == "A thing's id (thg-...)."


def test_no_polling_triggers_key_without_triggers(tmp_path):
    config = build_config(fake_root(tmp_path, {"actions/get_thing.json": fake_entry()}))
    assert list(config) == [*FAKE_INTEGRATION, "actions"]


def test_a_trigger_needs_a_polling_interval_the_sdk_can_read(tmp_path):
    assert "missing polling_interval" in build_error(tmp_path, {"triggers/new_things.json": fake_entry()})
    message = build_error(tmp_path, {"triggers/new_things.json": {**fake_entry(), "polling_interval": "5 minutes"}})
    assert "polling_interval" in message and "5m" in message


def test_refs_are_inlined_through_fragments_with_overrides_in_place(tmp_path):
    listing = fake_entry(
        input_schema={
            "type": "object",
            "properties": {
                "thing_id": {"$ref": "fragments/ids.json#/thing_id"},
                "limit": {"$ref": "fragments/paging.json#/limit", "maximum": 50, "default": 20},
                "cursor": {"$ref": "fragments/paging.json#/cursor"},
            },
        },
        output_schema={"$ref": "fragments/paging.json#/list_output", "required": ["has_more", "next_cursor"]},
        example={},
    )
    config = build_config(fake_root(tmp_path, {"actions/list_things.json": listing}))
    action = config["actions"]["list_things"]
    limit = action["input_schema"]["properties"]["limit"]
    assert limit == {"type": "integer", "minimum": 1, "maximum": 50, "default": 20, "description": "Most things."}
    assert list(limit) == ["type", "minimum", "maximum", "default", "description"]
    assert action["output_schema"] == {
        "type": "object",
        "properties": {"has_more": {"type": "boolean"}, "next_cursor": {"type": ["string", "null"]}},
        "required": ["has_more", "next_cursor"],
    }


def test_keys_next_to_a_ref_keep_the_order_written(tmp_path):
    fields = {"fields": {"name": {"type": "string"}, "size": {"type": "integer"}}}
    action = fake_entry(
        input_schema={
            "type": "object",
            "properties": {
                "thing_id": {"$ref": "fragments/ids.json#/thing_id"},
                "$ref": "fragments/fields.json#/fields",
                "size": {"type": "integer", "maximum": 9},
                "notify": {"type": "boolean"},
            },
        }
    )
    root = fake_root(tmp_path, {"actions/update_thing.json": action, "fragments/fields.json": fields})
    properties = build_config(root)["actions"]["update_thing"]["input_schema"]["properties"]
    assert list(properties) == ["thing_id", "name", "size", "notify"]
    assert properties["size"] == {"type": "integer", "maximum": 9}


def test_output_is_sorted_and_deterministic(tmp_path):
    root = fake_root(tmp_path, {f"actions/{name}.json": fake_entry() for name in ("zeta", "alpha", "mid")})
    first = render(build_config(root))
    assert list(json.loads(first)["actions"]) == ["alpha", "mid", "zeta"]
    assert first == render(build_config(root))
    assert first.endswith("}\n") and '\n  "actions": {\n    "alpha": {\n      "display_name"' in first


def test_a_ref_cycle_is_named(tmp_path):
    loop = {"loop.json": {"a": {"$ref": "fragments/loop.json#/b"}, "b": {"items": {"$ref": "fragments/loop.json#/a"}}}}
    action = fake_entry(output_schema={"type": "object", "properties": {"x": {"$ref": "fragments/loop.json#/a"}}})
    message = build_error(tmp_path, {"actions/get_thing.json": action, "fragments/loop.json": loop["loop.json"]})
    assert "cycle" in message
    assert "fragments/loop.json#/a -> fragments/loop.json#/b -> fragments/loop.json#/a" in message


@pytest.mark.parametrize(
    "ref, expected",
    [
        ("fragments/nothing.json#/thing_id", "there is no file schemas/fragments/nothing.json"),
        ("fragments/ids.json#/other_id", "schemas/fragments/ids.json has nothing at /other_id"),
        ("#/definitions/thing_id", "must be 'fragments/<file>.json#/<name>'"),
        ("../config.json#/name", "points outside schemas/"),
    ],
)
def test_a_ref_that_resolves_to_nothing_is_named_with_its_place(tmp_path, ref, expected):
    action = fake_entry(input_schema={"type": "object", "properties": {"thing_id": {"$ref": ref}}})
    message = build_error(tmp_path, {"actions/get_thing.json": action})
    assert expected in message
    assert "schemas/actions/get_thing.json#/input_schema/properties/thing_id" in message


def test_an_action_without_a_required_key_is_refused(tmp_path):
    action = fake_entry()
    del action["example"], action["display_name"]
    message = build_error(tmp_path, {"actions/get_thing.json": action})
    assert "schemas/actions/get_thing.json: missing display_name, example" in message


@pytest.mark.parametrize("routes", [[], ["/v1/events/get"], ["GET v1/events/get"], "GET /v1/events/get"])
def test_an_action_names_the_luma_routes_it_calls(tmp_path, routes):
    message = build_error(tmp_path, {"actions/get_thing.json": fake_entry(luma_routes=routes)})
    assert "luma_routes must list the Luma routes it calls" in message


def test_the_readme_table_is_written_from_the_sources(tmp_path):
    from tools.build_config import TABLE_END, TABLE_START, readme_table, with_table

    root = fake_root(tmp_path, {"actions/get_thing.json": fake_entry()})
    table = readme_table(root)
    assert "| `get_thing` | Gets one thing. | `thing_id`* | `thing` | `GET /v1/things/get` |" in table
    readme = f"# T\n\n{TABLE_START}\nold\n{TABLE_END}\n\nafter\n"
    assert with_table(readme, table) == f"# T\n\n{table}\n\nafter\n"


def test_an_unknown_key_in_an_action_is_refused(tmp_path):
    message = build_error(tmp_path, {"actions/get_thing.json": fake_entry(polling_interval="5m")})
    assert "unknown keys polling_interval" in message


def test_a_required_input_that_is_not_a_property_is_refused(tmp_path):
    action = fake_entry(
        input_schema={"type": "object", "properties": {"thing_id": {"type": "string"}}, "required": ["thing"]}
    )
    message = build_error(tmp_path, {"actions/get_thing.json": action})
    assert "input_schema: required thing not in properties" in message


def test_a_required_name_in_an_any_of_branch_is_checked_against_the_object(tmp_path):
    output = {"type": "object", "properties": {"thing": {"type": "object"}}, "anyOf": [{"required": ["things"]}]}
    message = build_error(tmp_path, {"actions/get_thing.json": fake_entry(output_schema=output)})
    assert "output_schema: required things not in properties" in message


def test_a_schema_draft_7_refuses_is_refused(tmp_path):
    action = fake_entry(input_schema={"type": "object", "properties": {"thing_id": {"type": "text"}}})
    message = build_error(tmp_path, {"actions/get_thing.json": action})
    assert "not a valid Draft 7 schema" in message and "input_schema/properties/thing_id/type" in message


def test_a_repeated_key_in_a_source_is_refused(tmp_path):
    root = fake_root(tmp_path, {"actions/get_thing.json": fake_entry()})
    (root / "schemas/fragments/ids.json").write_text('{"thing_id": {"type": "string"}, "thing_id": {}}')
    with pytest.raises(BuildError, match="the key 'thing_id' appears twice"):
        build_config(root)


def test_check_names_what_is_stale_and_writing_fixes_it(tmp_path, capsys):
    root = fake_root(tmp_path, {"actions/get_thing.json": fake_entry(), "actions/list_things.json": fake_entry()})
    assert main(["--root", str(root), "--check"]) == 1
    assert "config.json does not exist" in capsys.readouterr().err

    assert main(["--root", str(root)]) == 0
    assert main(["--root", str(root), "--check"]) == 0

    config = json.loads((root / "config.json").read_text())
    config["actions"]["get_thing"]["description"] = "Edited by hand."
    del config["actions"]["list_things"]
    config["actions"]["old_action"] = fake_entry()
    (root / "config.json").write_text(json.dumps(config, indent=2))
    assert main(["--root", str(root), "--check"]) == 1
    err = capsys.readouterr().err
    assert "actions.get_thing;" in err
    assert "actions.list_things (missing from config.json)" in err
    assert "actions.old_action (not in the sources)" in err
    assert "python -m tools.build_config" in err


def test_check_sees_formatting_that_differs(tmp_path, capsys):
    root = fake_root(tmp_path, {"actions/get_thing.json": fake_entry()})
    main(["--root", str(root)])
    (root / "config.json").write_text(json.dumps(build_config(root)))
    assert main(["--root", str(root), "--check"]) == 1
    assert "formatting or key order" in capsys.readouterr().err


def test_broken_sources_exit_2_with_the_reason(tmp_path, capsys):
    action = fake_entry(input_schema={"type": "object", "properties": {"thing_id": {"$ref": "fragments/ids.json#/x"}}})
    root = fake_root(tmp_path, {"actions/get_thing.json": action})
    assert main(["--root", str(root)]) == 2
    assert "has nothing at /x" in capsys.readouterr().err
    assert not (root / "config.json").exists()
