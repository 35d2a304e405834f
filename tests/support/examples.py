"""Each action's and polling trigger's example input (the `example` of schemas/actions/<name>.json or
schemas/triggers/<name>.json), its ids filled in from a seeded local Luma, so that the contract tests can run every
action and trigger without being told about it.

An example names the ids it needs as placeholders, such as "$event_api_id". `seed(emulator)` makes the objects
most examples point at (an event, a pending guest on it, its ticket type) and PLACEHOLDERS says where each id comes
from: a function of (emulator, seeded) that returns the value. A function is only called when an example uses its
placeholder, so it may also make what it needs in the emulator.

A new action whose example needs an id no example used before adds one line to PLACEHOLDERS, e.g.

    "$webhook_id": lambda emulator, seeded: emulator.call("POST", "/v2/webhooks/create", body={...})["id"],

and nothing else: the contract tests then run it, sweep its inputs and fault its writes.
"""

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from luma_local import LumaEmulator

SOURCES = Path(__file__).resolve().parents[2] / "schemas" / "actions"
TRIGGER_SOURCES = SOURCES.parent / "triggers"
# "$event_api_id": a placeholder; "$5 off" is text.
PLACEHOLDER = re.compile(r"^\$[a-z][a-z0-9_]*$")

PLACEHOLDERS: dict[str, Callable[[LumaEmulator, dict[str, Any]], Any]] = {
    "$event_api_id": lambda emulator, seeded: seeded["event"]["id"],
    "$guest_api_id": lambda emulator, seeded: seeded["guest"]["id"],
    "$event_ticket_type_id": lambda emulator, seeded: seeded["ticket_type"]["id"],
}


class ExampleError(Exception):
    """An action's example cannot be used; the message says what to add."""


def seed(emulator: LumaEmulator) -> dict[str, Any]:
    """Fresh objects for the placeholders to point at. Fresh each call, so that examples creating something unique
    (a coupon code) or changing something (a guest's status) can run again on the same emulator."""
    # Room for every guest an example or an input sweep adds.
    event = emulator.seed_events(1, max_capacity=1000)[0]
    # Pending, so that approving it (update_guest_status's example) is a change Luma's state can show.
    guest = emulator.seed_guests(event["id"], 1, approval_status="pending_approval")[0]
    return {"event": event, "guest": guest, "ticket_type": emulator.ticket_types(event["id"])[0]}


def source_path(name: str) -> str:
    """Where the source of an action or trigger lives, as the messages name it."""
    folder = "triggers" if (TRIGGER_SOURCES / f"{name}.json").exists() else "actions"
    return f"schemas/{folder}/{name}.json"


def source_of(action: str) -> dict[str, Any]:
    """The action's source, schemas/actions/<action>.json (a polling trigger's: schemas/triggers/<name>.json)."""
    source = SOURCES / f"{action}.json"
    if not source.exists() and (TRIGGER_SOURCES / f"{action}.json").exists():
        source = TRIGGER_SOURCES / f"{action}.json"
    if not source.exists():
        raise ExampleError(
            f"{action} has no source schemas/actions/{action}.json: add it (display_name, description, "
            "input_schema, output_schema, example, luma_routes) and rebuild config.json with "
            "python -m tools.build_config."
        )
    return json.loads(source.read_text(encoding="utf-8"))


def luma_routes_of(action: str) -> set[str]:
    """The Luma routes the action's source says it calls ("GET /v1/events/get"), as the README's table shows them."""
    return set(source_of(action).get("luma_routes") or [])


def example_of(action: str) -> dict[str, Any]:
    """The example exactly as its source writes it, placeholders and all."""
    entry = source_of(action)
    if not isinstance(entry.get("example"), dict):
        raise ExampleError(
            f'{source_path(action)} has no "example": add one valid input object, with ids as placeholders '
            f"such as {sorted(PLACEHOLDERS)[0]!r}; the contract tests run it against the local Luma."
        )
    return entry["example"]


def fill(value: Any, emulator: LumaEmulator, seeded: dict[str, Any], action: str = "an example") -> Any:
    """value with every placeholder replaced by the id PLACEHOLDERS gives for it."""
    if isinstance(value, str) and PLACEHOLDER.match(value):
        if value not in PLACEHOLDERS:
            raise ExampleError(
                f"{action}: unknown placeholder {value!r}. Add it to PLACEHOLDERS in tests/support/examples.py as "
                f'"{value}": lambda emulator, seeded: <the id, made in the emulator if seed() has none>. '
                f"Known: {', '.join(sorted(PLACEHOLDERS))}."
            )
        return PLACEHOLDERS[value](emulator, seeded)
    if isinstance(value, dict):
        return {key: fill(item, emulator, seeded, action) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, emulator, seeded, action) for item in value]
    return value


def example_inputs(action: str, emulator: LumaEmulator, seeded: dict[str, Any] | None = None) -> dict[str, Any]:
    """The action's example, ready to run against `emulator` (seeded now unless `seeded` is given)."""
    return fill(example_of(action), emulator, seeded if seeded is not None else seed(emulator), action)
