"""Builds config.json, the one file the Autohive platform reads, from the sources under schemas/.

    schemas/integration.json        every top-level key except actions and polling_triggers
    schemas/actions/<name>.json     {display_name, description, input_schema, output_schema, example, luma_routes}
    schemas/triggers/<name>.json    the same plus polling_interval; written under polling_triggers
    schemas/fragments/<topic>.json  named schema pieces, included with {"$ref": "fragments/<topic>.json#/<name>"}

The SDK validates every schema on its own, without a resolver, so each $ref is replaced by a copy of what it
points at (a path relative to schemas/ and a JSON pointer). Keys next to a $ref override the fragment's keys of
the same name (shallow), for the rare use that needs another default or bound; other keys next to it are added,
in the order written. `example` (one valid input, read by the tests) and `luma_routes` (the Luma routes the action
calls, "GET /v1/events/get") stay in the sources; the README's table of actions is written from them too.

    python -m tools.build_config            writes config.json
    python -m tools.build_config --check    exit 1 naming what is stale when config.json differs from the build
    python -m tools.build_config --format   also rewrites the sources in their canonical layout (short objects
                                            and lists on one line), for files written or edited by a script

Exit status 2 means the sources cannot be built (a missing key, a $ref that resolves to nothing, a cycle, a
required name that is not a property); the message names the file and the place in it.
"""

import argparse
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import SchemaError

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS_DIR = "schemas"
CONFIG_FILE = "config.json"
ACTION_KEYS = ("display_name", "description", "input_schema", "output_schema")
TRIGGER_KEYS = ("display_name", "description", "polling_interval", "input_schema", "output_schema")
# In the sources for the tests, never sent to the platform.
SOURCE_ONLY_KEYS = ("example", "luma_routes")
LUMA_ROUTE = re.compile(r"^(GET|POST) /v[0-9]+/[a-z0-9/_-]+$")
README_FILE = "README.md"
TABLE_START = "<!-- actions table: written by tools/build_config.py from schemas/; edit the sources, not this -->"
TABLE_END = "<!-- end of actions table -->"
# The SDK reads a polling interval as a whole number and a unit: 30s, 5m, 1h, 1d.
POLLING_INTERVAL = re.compile(r"^[1-9][0-9]*[smhd]$")
# Action and trigger names become Python decorator arguments and tool names for agents.
ENTRY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Keys that combine schemas about the same instance, and keys that hold the schema of a part of it.
COMBINING_LISTS = ("anyOf", "oneOf", "allOf")
COMBINING_KEYS = ("if", "then", "else", "not")
PART_KEYS = ("additionalProperties", "contains", "propertyNames")


class BuildError(Exception):
    """The sources cannot be built; the message says which file and where."""


def load_json(path: Path, shown: str) -> Any:
    def refuse_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        # json keeps the last of two equal keys without a word: a pasted fragment would hide an edit.
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                raise BuildError(f"{shown}: the key {key!r} appears twice in one object")
            seen[key] = value
        return seen

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise BuildError(f"{shown}: cannot be read ({error.strerror})") from None
    try:
        return json.loads(text, object_pairs_hook=refuse_repeats)
    except json.JSONDecodeError as error:
        raise BuildError(f"{shown}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None


def pointer_token(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


class Fragments:
    """Replaces every $ref with a copy of what it points at, loading each file under schemas/ once."""

    def __init__(self, schemas: Path):
        self.schemas = schemas.resolve()
        self.files: dict[str, Any] = {}

    def inline(self, node: Any, where: str, chain: tuple[str, ...] = ()) -> Any:
        """`where` is the place of `node` for messages; `chain` the refs being inlined around it (for cycles)."""
        if isinstance(node, list):
            return [self.inline(item, f"{where}/{index}", chain) for index, item in enumerate(node)]
        if not isinstance(node, dict):
            return node
        if "$ref" not in node:
            return {key: self.inline(value, f"{where}/{pointer_token(key)}", chain) for key, value in node.items()}
        target, ref = self.lookup(node["$ref"], where)
        if ref in chain:
            loop = " -> ".join(chain[chain.index(ref) :] + (ref,))
            raise BuildError(f"{where}: $ref cycle: {loop}")
        resolved = self.inline(target, f"{SCHEMAS_DIR}/{ref}", chain + (ref,))
        overrides = {
            key: self.inline(value, f"{where}/{pointer_token(key)}", chain)
            for key, value in node.items()
            if key != "$ref"
        }
        if not overrides:
            return resolved
        if not isinstance(resolved, dict):
            raise BuildError(f"{where}: keys next to $ref {ref!r} need an object to override, and it is not one")
        # Written order is kept: the fragment's keys stand where the $ref is (an override in the fragment's place),
        # so {"event_api_id": ..., "$ref": <fields>} lists the id first, as an agent should read it.
        merged: dict[str, Any] = {}
        for key in node:
            if key == "$ref":
                merged.update((name, overrides.get(name, value)) for name, value in resolved.items())
            elif key not in resolved:
                merged[key] = overrides[key]
        return merged

    def lookup(self, ref: Any, where: str) -> tuple[Any, str]:
        """What `ref` points at, and the ref spelled canonically (so a cycle is seen however it is written)."""
        if not isinstance(ref, str) or "#" not in ref or ref.startswith("#"):
            raise BuildError(
                f"{where}: $ref must be 'fragments/<file>.json#/<name>' (a file under {SCHEMAS_DIR}/ and a JSON "
                f"pointer), got {ref!r}"
            )
        relative, _, pointer = ref.partition("#")
        path = (self.schemas / relative).resolve()
        if not path.is_relative_to(self.schemas):
            raise BuildError(f"{where}: $ref {ref!r} points outside {SCHEMAS_DIR}/")
        name = path.relative_to(self.schemas).as_posix()
        if name not in self.files:
            if not path.is_file():
                raise BuildError(f"{where}: $ref {ref!r}: there is no file {SCHEMAS_DIR}/{name}")
            self.files[name] = load_json(path, f"{SCHEMAS_DIR}/{name}")
        if pointer and not pointer.startswith("/"):
            raise BuildError(f"{where}: $ref {ref!r}: the part after # must start with / (a JSON pointer)")
        node = self.files[name]
        for token in pointer.split("/")[1:]:
            key = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise BuildError(f"{where}: $ref {ref!r}: {SCHEMAS_DIR}/{name} has nothing at {pointer}")
        return node, f"{name}#{pointer}"


def combined(schema: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """The schemas that apply to the same instance as `schema` (anyOf, if/then/else, ...), with their places."""
    for key in COMBINING_LISTS:
        yield from ((f"{key}/{index}", branch) for index, branch in enumerate(schema.get(key, [])))
    for key in COMBINING_KEYS:
        if isinstance(schema.get(key), dict):
            yield key, schema[key]


def subschemas(schema: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for name, value in schema.get("properties", {}).items():
        yield f"properties/{pointer_token(name)}", value
    items = schema.get("items")
    if isinstance(items, list):
        yield from ((f"items/{index}", item) for index, item in enumerate(items))
    elif items is not None:
        yield "items", items
    for key in PART_KEYS:
        if isinstance(schema.get(key), dict):
            yield key, schema[key]
    yield from combined(schema)


def describes_an_object(schema: dict[str, Any]) -> bool:
    return "properties" in schema or schema.get("type") == "object"


def required_names(schema: dict[str, Any]) -> list[str]:
    """The names `schema` requires, with those of branches (anyOf, if/then, ...) that add no properties of their
    own: {"anyOf": [{"required": ["id"]}]} requires a property of the object it sits in."""
    names = list(schema.get("required", []))
    for _, branch in combined(schema):
        if isinstance(branch, dict) and not describes_an_object(branch):
            names += required_names(branch)
    return names


def check_required(schema: Any, where: str) -> None:
    """A required name missing from properties makes every input fail (or is a misspelt promise)."""
    if not isinstance(schema, dict):
        return
    if describes_an_object(schema):
        properties = schema.get("properties", {})
        missing = [name for name in required_names(schema) if name not in properties]
        if missing:
            raise BuildError(f"{where}: required {', '.join(missing)} not in properties")
    for key, sub in subschemas(schema):
        check_required(sub, f"{where}/{key}")


def build_entry(source: Any, shown: str, keys: tuple[str, ...], fragments: Fragments) -> dict[str, Any]:
    if not isinstance(source, dict):
        raise BuildError(f"{shown}: must be a JSON object with {', '.join(keys + SOURCE_ONLY_KEYS)}")
    missing = [key for key in keys + SOURCE_ONLY_KEYS if key not in source]
    if missing:
        raise BuildError(f"{shown}: missing {', '.join(missing)}")
    unknown = [key for key in source if key not in keys + SOURCE_ONLY_KEYS]
    if unknown:
        raise BuildError(f"{shown}: unknown keys {', '.join(unknown)} (allowed: {', '.join(keys + SOURCE_ONLY_KEYS)})")
    entry = {key: fragments.inline(source[key], f"{shown}#/{key}") for key in keys}
    for key in ("display_name", "description"):
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise BuildError(f"{shown}: {key} must be a non-empty string")
    if "polling_interval" in entry and not POLLING_INTERVAL.match(str(entry["polling_interval"])):
        raise BuildError(f"{shown}: polling_interval must be a number and a unit (s, m, h, d) such as 5m")
    if not isinstance(source["example"], dict):
        raise BuildError(f"{shown}: example must be an object: one valid input of this action")
    routes = source["luma_routes"]
    if (
        not isinstance(routes, list)
        or not routes
        or not all(isinstance(r, str) and LUMA_ROUTE.match(r) for r in routes)
    ):
        raise BuildError(f'{shown}: luma_routes must list the Luma routes it calls, e.g. ["GET /v1/events/get"]')
    for key in ("input_schema", "output_schema"):
        schema = entry[key]
        if not isinstance(schema, dict) or schema.get("type") != "object":
            raise BuildError(f"{shown}: {key} must be a schema of type object")
        try:
            Draft7Validator.check_schema(schema)
        except SchemaError as error:
            place = "/".join(str(part) for part in error.path)
            raise BuildError(f"{shown}#/{key}/{place}: not a valid Draft 7 schema: {error.message}") from None
        check_required(schema, f"{shown}#/{key}")
    return entry


def build_entries(schemas: Path, folder: str, keys: tuple[str, ...], fragments: Fragments) -> dict[str, Any]:
    entries = {}
    for path in sorted((schemas / folder).glob("*.json")):
        shown = f"{SCHEMAS_DIR}/{folder}/{path.name}"
        if not ENTRY_NAME.match(path.stem):
            raise BuildError(f"{shown}: the file name must be the name: lowercase letters, digits and _")
        entries[path.stem] = build_entry(load_json(path, shown), shown, keys, fragments)
    return entries


def build_config(root: Path = ROOT) -> dict[str, Any]:
    """config.json as the sources under root/schemas describe it."""
    schemas = root / SCHEMAS_DIR
    shown = f"{SCHEMAS_DIR}/integration.json"
    integration = load_json(schemas / "integration.json", shown)
    if not isinstance(integration, dict):
        raise BuildError(f"{shown}: must be a JSON object")
    for key, folder in (("actions", "actions"), ("polling_triggers", "triggers")):
        if key in integration:
            raise BuildError(f"{shown}: {key} are built from {SCHEMAS_DIR}/{folder}/, not written here")
    fragments = Fragments(schemas)
    config = fragments.inline(integration, f"{shown}#")
    config["actions"] = build_entries(schemas, "actions", ACTION_KEYS, fragments)
    triggers = build_entries(schemas, "triggers", TRIGGER_KEYS, fragments)
    # Written only when there is one, so a config without triggers keeps the platform's usual shape.
    if triggers:
        config["polling_triggers"] = triggers
    return config


# Source files keep short objects and lists on one line (a $ref, an enum), so a fragment reads at a glance.
SOURCE_LINE = 110


def render_source(value: Any, indent: int = 0) -> str:
    """A schemas/ source file in its canonical layout: what fits on one line stays there; a long list of plain
    values (an enum) is packed several to a line."""
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, (dict, list)) or not value or indent + len(flat) <= SOURCE_LINE:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        pairs = [
            f"{pad}{json.dumps(key, ensure_ascii=False)}: {render_source(item, indent + 2)}"
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(pairs) + "\n" + " " * indent + "}"
    if all(not isinstance(item, (dict, list)) for item in value):
        lines, line = [], ""
        for item in (json.dumps(item, ensure_ascii=False) for item in value):
            if line and len(pad) + len(line) + len(item) + 2 > SOURCE_LINE:
                lines.append(line + ",")
                line = ""
            line = f"{line}, {item}" if line else item
        lines.append(line)
        return "[\n" + "\n".join(pad + text for text in lines) + "\n" + " " * indent + "]"
    items = [pad + render_source(item, indent + 2) for item in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def format_sources(root: Path = ROOT) -> list[str]:
    """Rewrites every source under schemas/ in the canonical layout; returns the files that changed."""
    changed = []
    for path in sorted((root / SCHEMAS_DIR).rglob("*.json")):
        text = render_source(load_json(path, path.name)) + "\n"
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path.relative_to(root).as_posix())
    return changed


# The README groups actions by the Luma resource of the first route each calls (most specific prefix first).
GROUPS = (
    ("/v1/events/guests/", "Guests"),
    ("/v1/events/ticket-types/", "Ticket types"),
    ("/v1/events/coupons/", "Coupons"),
    ("/v1/calendars/coupons/", "Coupons"),
    ("/v1/events/hosts/", "Hosts"),
    ("/v1/calendars/contact-tags/", "Tags"),
    ("/v1/calendars/event-tags/", "Tags"),
    ("/v1/calendars/contacts/", "People"),
    ("/v1/memberships/", "Memberships"),
    ("/v1/webhooks/", "Webhooks"),
    ("/v2/webhooks/", "Webhooks"),
    ("/v1/organizations/", "Organizations"),
    ("/v2/organizations/", "Organizations"),
    ("/v1/events/", "Events"),
    ("/v1/images/", "Events"),
    ("/v1/calendars/events/", "Calendar"),
    ("/v1/calendars/", "Calendar"),
    ("/v1/entities/", "Calendar"),
    ("/v1/users/", "Account"),
)
GROUP_ORDER = [name for _, name in GROUPS]


def group_of(routes: list[str]) -> str:
    path = routes[0].split(" ", 1)[1]
    return next((name for prefix, name in GROUPS if path.startswith(prefix)), "Other")


def first_sentence(text: str) -> str:
    sentence = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return sentence if len(sentence) <= 140 else sentence[:137].rstrip() + "…"


def readme_table(root: Path = ROOT) -> str:
    """The README's table of actions and triggers, from their sources: what each does, its inputs, its answer and
    the Luma routes it calls."""
    rows: dict[str, list[tuple[str, str]]] = {}
    schemas = root / SCHEMAS_DIR
    for folder, kind in (("actions", "action"), ("triggers", "trigger")):
        for path in sorted((schemas / folder).glob("*.json")):
            source = load_json(path, f"{SCHEMAS_DIR}/{folder}/{path.name}")
            fragments = Fragments(schemas)
            schema = fragments.inline(source["input_schema"], path.name)
            output = fragments.inline(source["output_schema"], path.name)
            required = set(schema.get("required", []))
            inputs = ", ".join(f"`{k}`{'*' if k in required else ''}" for k in schema.get("properties", {})) or "none"
            answer = ", ".join(f"`{k}`" for k in output.get("properties", {})) or "records"
            routes = "<br>".join(f"`{route}`" for route in source["luma_routes"])
            group = "Triggers" if kind == "trigger" else group_of(source["luma_routes"])
            cells = [f"`{path.stem}`", first_sentence(source["description"]), inputs, answer, routes]
            rows.setdefault(group, []).append((path.stem, "| " + " | ".join(cells) + " |"))
    lines = [
        TABLE_START,
        "",
        "| Action | What it does | Inputs (* required) | Returns | Luma routes |",
        "|---|---|---|---|---|",
    ]
    for group in sorted(rows, key=lambda name: (GROUP_ORDER + ["Other", "Triggers"]).index(name)):
        lines.append(f"| **{group}** | | | | |")
        lines += [row for _, row in sorted(rows[group])]
    return "\n".join(lines + ["", TABLE_END])


def with_table(readme: str, table: str) -> str:
    if TABLE_START not in readme or TABLE_END not in readme:
        raise BuildError(f"{README_FILE}: the markers of the actions table are missing ({TABLE_START} ... {TABLE_END})")
    head, rest = readme.split(TABLE_START, 1)
    return head + table + rest.split(TABLE_END, 1)[1]


def render(config: dict[str, Any]) -> str:
    return json.dumps(config, indent=2, ensure_ascii=False) + "\n"


def stale_parts(built: dict[str, Any], current: Any) -> list[str]:
    """What differs between the config the sources build and the one on disk, by top-level key and entry name."""
    if not isinstance(current, dict):
        return ["the whole file (not a JSON object)"]
    parts = []
    for key in dict.fromkeys([*built, *current]):
        if key not in current:
            parts.append(f"{key} (missing from {CONFIG_FILE})")
        elif key not in built:
            parts.append(f"{key} (not in the sources)")
        elif key in ("actions", "polling_triggers") and isinstance(current[key], dict):
            for name in dict.fromkeys([*built[key], *current[key]]):
                if name not in current[key]:
                    parts.append(f"{key}.{name} (missing from {CONFIG_FILE})")
                elif name not in built[key]:
                    parts.append(f"{key}.{name} (not in the sources)")
                elif built[key][name] != current[key][name]:
                    parts.append(f"{key}.{name}")
        elif built[key] != current[key]:
            parts.append(key)
    return parts


def check(root: Path = ROOT) -> list[str]:
    """Empty when config.json is exactly what the sources build; otherwise what is stale."""
    config_path = root / CONFIG_FILE
    built = build_config(root)
    readme = root / README_FILE
    stale_readme = []
    if readme.is_file():
        text = readme.read_text(encoding="utf-8")
        if with_table(text, readme_table(root)) != text:
            stale_readme = [f"{README_FILE}'s actions table"]
    if not config_path.is_file():
        return [f"{CONFIG_FILE} does not exist", *stale_readme]
    text = config_path.read_text(encoding="utf-8")
    if text == render(built):
        return stale_readme
    try:
        current = json.loads(text)
    except json.JSONDecodeError:
        return [f"{CONFIG_FILE} is not valid JSON", *stale_readme]
    # Same content written another way (key order, indentation, a hand edit undone) is still stale.
    return (stale_parts(built, current) or ["formatting or key order"]) + stale_readme


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.build_config", description="Build config.json from the sources under schemas/."
    )
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if config.json is stale")
    parser.add_argument("--root", type=Path, default=ROOT, help="the integration folder (default: this one)")
    parser.add_argument("--format", action="store_true", help="also rewrite the sources in their canonical layout")
    args = parser.parse_args(argv)
    try:
        if args.format:
            for name in format_sources(args.root):
                print(f"formatted {name}")
        if args.check:
            stale = check(args.root)
            if stale:
                print(f"{CONFIG_FILE} is stale: {'; '.join(stale)}.", file=sys.stderr)
                print("Rebuild it with: .venv/bin/python -m tools.build_config", file=sys.stderr)
                return 1
            print(f"{CONFIG_FILE} is up to date.")
            return 0
        config = build_config(args.root)
        text = render(config)
        (args.root / CONFIG_FILE).write_text(text, encoding="utf-8")
        readme = args.root / README_FILE
        if readme.is_file():
            readme.write_text(with_table(readme.read_text(encoding="utf-8"), readme_table(args.root)), encoding="utf-8")
    except BuildError as error:
        print(f"build_config: {error}", file=sys.stderr)
        return 2
    triggers = len(config.get("polling_triggers", {}))
    print(f"wrote {CONFIG_FILE}: {len(config['actions'])} actions, {triggers} triggers, {len(text.encode())} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
