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

import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from luma_local import LumaEmulator
from luma_local.routes.memberships import add_tier

SOURCES = Path(__file__).resolve().parents[2] / "schemas" / "actions"
TRIGGER_SOURCES = SOURCES.parent / "triggers"
# "$event_api_id": a placeholder; "$5 off" is text.
PLACEHOLDER = re.compile(r"^\$[a-z][a-z0-9_]*$")


def person_tag(emulator: LumaEmulator, name: str = "VIP") -> str:
    """The name of a tag of the calendar's people, made when the calendar lacks it."""
    if not any(tag["name"].lower() == name.lower() for tag in emulator.contact_tags()):
        emulator.call("POST", "/v1/calendars/contact-tags/create", body={"name": name})
    return name


def submitted_event(emulator: LumaEmulator) -> str:
    """The evt- id of a Luma event managed by another calendar of the organization, submitted to this calendar and
    waiting for its approval."""
    partner = emulator.call("POST", "/v2/organizations/calendars/create", body={"name": "Partner Calendar"})
    body = {"name": "Partner Night", "start_at": "2026-12-01T06:00:00.000Z", "timezone": "Pacific/Auckland"}
    event = emulator.call("POST", "/v1/events/create", body=body, calendar_id=partner["id"])
    emulator.submit_calendar_event(event_id=event["id"])
    return event["id"]


def removed_person(emulator: LumaEmulator) -> str:
    """The email of someone removed from the calendar's people."""
    email = emulator.seed_contacts(1)[0]["email"]
    emulator.call("POST", "/v1/calendars/contacts/remove", body={"email": email})
    return email


PLACEHOLDERS: dict[str, Callable[[LumaEmulator, dict[str, Any]], Any]] = {
    "$event_api_id": lambda emulator, seeded: seeded["event"]["id"],
    "$guest_api_id": lambda emulator, seeded: seeded["guest"]["id"],
    "$event_ticket_type_id": lambda emulator, seeded: seeded["ticket_type"]["id"],
    "$spare_ticket_type_id": lambda emulator, seeded: add_ticket_type(emulator, seeded["event"]["id"])["id"],
    "$coupon_code": lambda emulator, seeded: add_coupon(emulator, seeded["event"]["id"])["code"],
    "$calendar_coupon_code": lambda emulator, seeded: add_coupon(emulator, None)["code"],
    "$new_calendar_coupon_code": lambda emulator, seeded: unused_code(emulator, None),
    "$person_tag_id": lambda emulator, seeded: new_tag(emulator, "contact-tags"),
    "$event_tag_id": lambda emulator, seeded: new_tag(emulator, "event-tags"),
    "$contact_email": lambda emulator, seeded: emulator.seed_contacts(1)[0]["email"],
    "$vip_contact_email": lambda emulator, seeded: emulator.seed_contacts(1, tags=["VIP"])[0]["email"],
    "$community_event_api_id": lambda emulator, seeded: tagged_event(emulator, seeded, "Community"),
    "$membership_tier_id": lambda emulator, seeded: next(iter(emulator.state.home.membership_tiers)),
    "$pending_member": lambda emulator, seeded: pending_member(emulator),
    "$webhook_id": lambda emulator, seeded: emulator.call(
        "POST", "/v2/webhooks/create", body={"url": "https://hooks.example.com/luma", "event_types": ["*"]}
    )["id"],
    "$other_calendar_id": lambda emulator, seeded: emulator.call(
        "POST", "/v2/organizations/calendars/create", body={"name": "Other Calendar"}
    )["id"],
    "$event_slug": lambda emulator, seeded: seeded["event"]["url"].rsplit("/", 1)[-1],
    "$person_tag_name": lambda emulator, seeded: person_tag(emulator),
    "$person_email": lambda emulator, seeded: emulator.seed_contacts(1)[0]["email"],
    "$removed_person_email": lambda emulator, seeded: removed_person(emulator),
    "$submitted_event_id": lambda emulator, seeded: submitted_event(emulator),
    "$event_to_clone_api_id": lambda emulator, seeded: event_to_clone(emulator)["id"],
    "$host_email": lambda emulator, seeded: add_host(emulator, seeded["event"]["id"], "cohost@example.com"),
}
_tag_serial = itertools.count(1)


def new_tag(emulator: LumaEmulator, kind: str) -> str:
    """A new tag of a kind ("contact-tags", "event-tags"), with a name no other tag has."""
    body = {"name": f"Example tag {next(_tag_serial)}", "color": "blue"}
    return emulator.call("POST", f"/v1/calendars/{kind}/create", body=body)["id"]


def tagged_event(emulator: LumaEmulator, seeded: dict[str, Any], name: str) -> str:
    """The seeded event, carrying the event tag `name` (made when the calendar has none of that name)."""
    tags = emulator.call("GET", "/v1/calendars/event-tags/list")["entries"]
    if not any(tag["name"] == name for tag in tags):
        emulator.call("POST", "/v1/calendars/event-tags/create", body={"name": name})
    emulator.call("POST", "/v1/calendars/event-tags/apply", body={"tag": name, "event_ids": [seeded["event"]["id"]]})
    return seeded["event"]["id"]


def unused_code(emulator: LumaEmulator, event_id: str | None) -> str:
    """A coupon code not yet on the event (or the calendar, which outlives one seed() on a shared emulator)."""
    taken = {coupon["code"].lower() for coupon in emulator.coupons(event_id)}
    return next(f"SAVE{n}" for n in itertools.count(1) if f"save{n}" not in taken)


def add_coupon(emulator: LumaEmulator, event_id: str | None) -> dict[str, Any]:
    """A 10% coupon with an unused code, on the event or (event_id None) on the calendar."""
    body = {"code": unused_code(emulator, event_id), "discount": {"discount_type": "percent", "percent_off": 10}}
    if event_id is None:
        return emulator.call("POST", "/v1/calendars/coupons/create", body=body)
    return emulator.call("POST", "/v1/events/coupons/create", body={**body, "event_id": event_id})


def add_ticket_type(emulator: LumaEmulator, event_id: str) -> dict[str, Any]:
    """A free ticket type nobody holds, beside the event's visible one: Luma lets it be deleted."""
    body = {"event_id": event_id, "name": "Spare", "type": "free"}
    return emulator.call("POST", "/v1/events/ticket-types/create", body=body)


def pending_member(emulator: LumaEmulator) -> str:
    """The email of a new member waiting for approval in a tier that requires it."""
    tier = add_tier(emulator.state.home, "Approved Members", {"type": "free", "require_approval": True})
    (person,) = emulator.seed_contacts(1)
    body = {"email": person["email"], "membership_tier_id": tier["id"]}
    emulator.call("POST", "/v1/memberships/members/add", body=body)
    return person["email"]


def add_host(emulator: LumaEmulator, event_id: str, email: str) -> str:
    """A host of the event besides its creator (who cannot be changed or removed); returns the email."""
    emulator.call("POST", "/v1/events/hosts/add", body={"event_id": event_id, "email": email, "name": "Co Host"})
    return email


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


def event_to_clone(emulator: LumaEmulator) -> dict[str, Any]:
    """An event whose copy exercises every step of clone_event: a paid type and no free one (so Luma's default type
    of the clone is turned into it), a hidden type, a coupon for all and one limited to the hidden type."""
    event = emulator.seed_events(1, max_capacity=50)[0]
    (default,) = emulator.ticket_types(event["id"])
    paid = {"name": "Early Bird", "type": "paid", "cents": 1500, "currency": "usd"}
    emulator.call("POST", "/v1/events/ticket-types/create", body={"event_id": event["id"], **paid})
    crew = {"event_id": event["id"], "name": "Crew", "type": "free", "is_hidden": True}
    crew_id = emulator.call("POST", "/v1/events/ticket-types/create", body=crew)["id"]
    emulator.call("POST", "/v1/events/ticket-types/delete", body={"event_ticket_type_id": default["id"]})
    for code, tied in (("EARLY10", None), ("CREW", crew_id)):
        coupon = {"event_id": event["id"], "code": code, "discount": {"discount_type": "percent", "percent_off": 10}}
        emulator.call(
            "POST", "/v1/events/coupons/create", body={**coupon, **({"event_ticket_type_id": tied} if tied else {})}
        )
    return emulator.event(event["id"])


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
