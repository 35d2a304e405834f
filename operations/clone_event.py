"""A new event like an existing one at another time: its settings, length, registration questions, ticket types and
coupons, copied in one run with one time budget. Every write is confirmed after a lost answer; a run that cannot
finish says what the clone has and what it lacks, and a second run with the clone as target finishes it."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import routes
from helpers import (
    WRITE_MIN_SECONDS,
    InputError,
    LumaClient,
    LumaError,
    LumaInvalidRequestError,
    LumaTimeoutError,
    LumaUnconfirmedWriteError,
    compact,
    has_id,
)
from operations.coupons import UNLIMITED_COUPON_USES, create_coupon, list_coupons
from operations.event_summary import guest_counts
from operations.events import create_event, event_summary, get_event, later
from operations.guests import first_error
from operations.ticket_types import create_ticket_type, list_ticket_types, ticket_type_shows
from validation import known_zone, luma_instant, parse_datetime, to_luma_datetime, validate_timezone
from writes import ReadBack

# Event settings Luma's API takes on create but never shows on an event, so a clone cannot read them to copy.
NOT_SHOWN = (
    "slug",
    "tint_color",
    "can_register_for_multiple_tickets",
    "show_guest_list",
    "reminders_disabled",
    "name_requirement",
    "phone_number_requirement",
    "hosts",
    "tags",
)
# Settings the event object shows and events/create takes, copied as they are.
COPIED = (
    "description_md",
    "cover_url",
    "meeting_url",
    "coordinate",
    "visibility",
    "location_visibility",
    "waitlist_status",
    "feedback_email",
    "registration_questions",
)
TICKET_FIELDS = (
    "name",
    "type",
    "cents",
    "currency",
    "is_flexible",
    "min_cents",
    "max_capacity",
    "description",
    "require_approval",
    "is_hidden",
)
DONE = ("created", "updated", "updated_default", "unchanged", "skipped", "kept")
UNCONFIRMED = (
    "Sent, but Luma's answer was lost and a check did not show it; it was not sent again. Run clone_event again "
    "with target_event_api_id: it finds it if it landed and creates it otherwise."
)


def location(geo: Any) -> dict[str, Any] | None:
    """The address Luma shows, as events/create takes it: its Google place when it has one, else the text."""
    if not isinstance(geo, dict):
        return None
    if geo.get("google_maps_place_id"):
        place = {"type": "google", "place_id": geo["google_maps_place_id"], "description": geo.get("description")}
        return compact(place)
    address = geo.get("full_address") or geo.get("address")
    return {"type": "manual", "address": address} if address else None


def capacity(event: dict[str, Any]) -> tuple[int | None, bool]:
    """The event's max_capacity, which Luma does not show: spots_remaining plus what counts against it (approved
    guests, or their tickets when guests may hold several). (capacity, known); unknown when those two differ,
    because whether guests may hold several tickets is not shown either."""
    spots = event.get("spots_remaining")
    if not isinstance(spots, (int, float)) or isinstance(spots, bool):
        return None, True  # no capacity limit
    approved = guest_counts(event)["approved"]
    if approved["guests"] != approved["tickets"]:
        return None, False
    return int(spots) + approved["guests"], True


def event_fields(source: dict[str, Any], start: datetime, zone: str, name: str | None) -> dict[str, Any]:
    """create_event's fields for the clone: the source's settings at the new start, with the same length."""
    old_start, old_end = luma_instant(source.get("start_at")), luma_instant(source.get("end_at"))
    end = later(start, old_end - old_start) if old_start and old_end and old_end > old_start else None
    limit, _ = capacity(source)
    return compact(
        {
            "name": name if name is not None else source.get("name"),
            "start_at": to_luma_datetime(start),
            "end_at": to_luma_datetime(end) if end else None,
            "timezone": zone,
            "geo_address_json": location(source.get("geo_address_json")),
            "max_capacity": limit,
            **{key: source.get(key) for key in COPIED if source.get(key) not in (None, "", [])},
        }
    )


def shift_date(value: Any, days: int) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return (date.fromisoformat(value.strip()[:10]) + timedelta(days=days)).isoformat()
    except ValueError:
        return None


def shift_moment(value: Any, by: timedelta) -> str | None:
    moment = luma_instant(value)
    return to_luma_datetime(moment + by) if moment else None


def ticket_fields(ticket_type: dict[str, Any], days: int) -> dict[str, Any]:
    """A source ticket type as the clone's: the same fields, its sale dates moved with the event."""
    fields = {key: ticket_type.get(key) for key in TICKET_FIELDS}
    for key in ("cents", "min_cents", "max_capacity"):
        if isinstance(fields[key], float) and fields[key].is_integer():
            fields[key] = int(fields[key])
    fields["valid_start_at"] = shift_date(ticket_type.get("valid_start_at"), days)
    fields["valid_end_at"] = shift_date(ticket_type.get("valid_end_at"), days)
    if fields["type"] == "free":
        fields.update(cents=None, currency=None, is_flexible=None, min_cents=None)
    return compact(fields)


def coupon_fields(coupon: dict[str, Any], shift: timedelta, ticket_type_id: str | None) -> dict[str, Any]:
    by_percent = coupon.get("percent_off") is not None
    return {
        "code": coupon.get("code"),
        "percent_off": coupon.get("percent_off") if by_percent else None,
        "cents_off": None if by_percent else coupon.get("cents_off"),
        "currency": None if by_percent else coupon.get("currency"),
        # A source coupon without a count is unlimited; create_coupon sends the count it is given.
        "remaining_count": coupon.get("remaining_count")
        if coupon.get("remaining_count") is not None
        else UNLIMITED_COUPON_USES,
        "valid_start_at": shift_moment(coupon.get("valid_start_at"), shift),
        "valid_end_at": shift_moment(coupon.get("valid_end_at"), shift),
        "event_ticket_type_id": ticket_type_id,
    }


async def update_ticket_type(client: LumaClient, event_id: str, type_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Turns a ticket type into the one described by fields (the clone's copy of a source type, already in
    Luma's form); read back after a lost answer."""
    body = {"event_ticket_type_id": type_id, **fields}

    async def read() -> dict[str, Any] | None:
        found = await list_ticket_types(client, event_id, include_hidden=True)
        return next((entry for entry in found if entry.get("id") == type_id), None)

    confirm = ReadBack(
        read=read,
        matches=lambda entry: ticket_type_shows(entry, body),
        checked=f"ticket type {type_id} of event {event_id} for the fields sent",
        verify=f"List them with list_ticket_types (event_api_id {event_id}, include_hidden true)",
    )
    updated = await client.post(routes.TICKET_TYPES_UPDATE, body, confirm=confirm)
    return updated if has_id(updated) else {**fields, "id": type_id}


class CloneRun:
    """The writes after the event exists: each is tried while the run has time and Luma has not stopped it;
    what was not done is reported, never silently dropped."""

    def __init__(self, client: LumaClient):
        self.client = client
        self.stopped: str | None = None

    async def step(self, item: dict[str, Any], write: Callable[[], Awaitable[dict[str, Any]]], done: str) -> Any:
        if self.stopped is None and self.client.time_left() < WRITE_MIN_SECONDS:
            self.stopped = "This run's time budget ran out."
        if self.stopped is not None:
            item.update(status="not_done", message=self.stopped)
            return None
        try:
            made = await write()
        except LumaUnconfirmedWriteError:
            item.update(status="unconfirmed", message=UNCONFIRMED)
        except (InputError, LumaInvalidRequestError) as error:
            item.update(status="failed", message=error.message)
        except LumaError as error:
            self.stopped = error.message
            item.update(status="not_done", message=error.message)
        else:
            item.update(status=done, id=made.get("id"))
            return made
        return None


def _match_by_name(source_types: list[dict[str, Any]], target_types: list[dict[str, Any]]) -> dict[int, dict]:
    """Source type index → the target type of the same name (each target type used once): on a fresh clone only
    Luma's default can match; on a second run, what the first one made."""
    free = list(target_types)
    matched: dict[int, dict] = {}
    for index, ticket_type in enumerate(source_types):
        name = str(ticket_type.get("name") or "").strip()
        twin = next((entry for entry in free if str(entry.get("name") or "").strip() == name), None)
        if twin is not None:
            free.remove(twin)
            matched[index] = twin
    return matched


async def copy_ticket_types(
    run: CloneRun, target_id: str, source_types: list[dict[str, Any]], items: list[dict[str, Any]], days: int
) -> dict[str, str]:
    """Copies the source's ticket types; Luma's default free type of a new event becomes the first visible one
    (it cannot be deleted while it is the only visible type, and this way no extra free type is left over)."""
    target_types = await list_ticket_types(run.client, target_id, include_hidden=True)
    matched = _match_by_name(source_types, target_types)
    spare = [entry for entry in target_types if all(entry is not twin for twin in matched.values())]
    visible = [n for n, t in enumerate(source_types) if not t.get("is_hidden") and n not in matched]
    # Only Luma's own default (one free type, left over) is turned into a source type; a type someone made on the
    # clone is never renamed or repriced.
    if len(spare) == 1 and spare[0].get("type") == "free" and visible:
        matched[visible[0]] = spare.pop(0)
    ids: dict[str, str] = {}
    # Creates first: hiding a matched type may need another visible type to exist (Luma keeps one visible).
    for index in sorted(range(len(source_types)), key=lambda n: n in matched):
        ticket_type, item, twin = source_types[index], items[index], matched.get(index)
        fields = ticket_fields(ticket_type, days)
        if twin is None:
            made = await run.step(item, _bind(create_ticket_type, run.client, target_id, fields), "created")
        elif ticket_type_shows(twin, fields):
            made = await run.step(item, _ready(twin), "unchanged")
        else:
            # A twin of another name is Luma's default type of the new event, turned into this one.
            same_name = str(twin.get("name") or "").strip() == str(fields.get("name")).strip()
            done = "updated" if same_name else "updated_default"
            made = await run.step(item, _bind(update_ticket_type, run.client, target_id, twin["id"], fields), done)
        if made is not None and isinstance(ticket_type.get("id"), str):
            ids[ticket_type["id"]] = str(made.get("id"))
    for entry in spare:
        items.append(
            {
                "name": entry.get("name"),
                "id": entry.get("id"),
                "status": "kept",
                "message": "On the clone but not on the source (Luma's default type of a new event, when the "
                "source has no visible ticket type to turn it into); left as it is.",
            }
        )
    return ids


async def copy_coupons(
    run: CloneRun,
    target_id: str,
    source_coupons: list[dict[str, Any]],
    items: list[dict[str, Any]],
    existing: list[dict[str, Any]],
    shift: timedelta,
    type_ids: dict[str, str] | None,
) -> None:
    """Copies the source's coupons (codes are unique per event, so each keeps its code); a code the clone already
    has is left as it is."""
    have = {str(entry.get("code") or "").lower(): entry for entry in existing}
    for coupon, item in zip(source_coupons, items):
        tied = coupon.get("event_ticket_type_id")
        if str(coupon.get("code") or "").lower() in have:
            await run.step(item, _ready(have[str(coupon["code"]).lower()]), "unchanged")
        elif tied and type_ids is None:
            item.update(status="skipped", message="Limited to a ticket type, and ticket types were not copied.")
        elif tied and tied not in type_ids:
            item.update(status="not_done", message=f"Its ticket type ({tied}) was not copied; see ticket_types.")
        else:
            fields = coupon_fields(coupon, shift, type_ids.get(tied) if tied and type_ids else None)
            await run.step(item, _bind(_new_coupon, run.client, target_id, fields), "created")


async def _new_coupon(client: LumaClient, event_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    return (await create_coupon(client, event_id, fields))["coupon"]


def _ready(found: dict[str, Any]) -> Callable[[], Awaitable[dict[str, Any]]]:
    async def already() -> dict[str, Any]:
        return found

    return already


def _bind(write: Callable[..., Awaitable[Any]], *args: Any) -> Callable[[], Awaitable[Any]]:
    return lambda: write(*args)


async def read_source(
    client: LumaClient, event_id: str, with_types: bool, with_coupons: bool
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The source event, its ticket types (hidden ones too) and all its coupons, read at once before any write."""
    try:
        async with asyncio.TaskGroup() as group:
            event = group.create_task(get_event(client, event_id))
            types = group.create_task(list_ticket_types(client, event_id, include_hidden=True)) if with_types else None
            coupons = group.create_task(list_coupons(client, event_id)) if with_coupons else None
    except BaseExceptionGroup as errors:
        raise first_error(errors) from None
    found = coupons.result() if coupons else {"entries": [], "has_more": False}
    if found["has_more"]:
        raise LumaTimeoutError(
            f"Read {len(found['entries'])} of event {event_id}'s coupons before the run's time ran out; nothing was "
            "created. Retry, or clone without coupons (include_coupons false)."
        )
    return event.result(), types.result() if types else [], found["entries"]


async def clone_event(
    client: LumaClient,
    source_id: str,
    start_at: str,
    *,
    timezone: str | None = None,
    name: str | None = None,
    include_ticket_types: bool,
    include_coupons: bool,
    target_id: str | None = None,
) -> dict[str, Any]:
    if target_id is not None and target_id == source_id:
        raise InputError("target_event_api_id is the event being cloned; give the clone's id (from the first run).")
    source, source_types, source_coupons = await read_source(client, source_id, include_ticket_types, include_coupons)
    zone = validate_timezone(timezone or str(source.get("timezone") or ""))
    start = parse_datetime(start_at, "start_at", zone, require_time=True)
    old_start = luma_instant(source.get("start_at"))
    shift = start - old_start if old_start else timedelta(0)
    # Ticket sale dates are calendar days: they move by the days the event's local date moves.
    days = (
        (start.astimezone(_zone(zone)).date() - old_start.astimezone(_zone(source.get("timezone"))).date()).days
        if old_start
        else 0
    )
    if target_id is None:
        target = await create_event(client, event_fields(source, start, zone, name))
        existing_coupons: list[dict[str, Any]] = []
    else:
        target = await get_event(client, target_id)
        check_target(target, start, name if name is not None else source.get("name"))
        existing_coupons = (await list_coupons(client, target_id))["entries"] if source_coupons else []
    run = CloneRun(client)
    types = [{"name": t.get("name"), "source_id": t.get("id")} for t in source_types] if include_ticket_types else []
    coupons = [{"code": coupon.get("code")} for coupon in source_coupons]
    try:
        type_ids = None
        if include_ticket_types:
            type_ids = await copy_ticket_types(run, target["id"], source_types, types, days)
        await copy_coupons(run, target["id"], source_coupons, coupons, existing_coupons, shift, type_ids)
    except LumaError as error:
        # A read between the writes failed: the clone exists, so say what it has rather than only the error.
        run.stopped = run.stopped or error.message
        for item in types + coupons:
            item.setdefault("status", "not_done")
    complete = all(item.get("status") in DONE for item in types + coupons)
    return {
        "event": event_summary(target),
        "complete": complete,
        "ticket_types": types,
        "coupons": coupons,
        "not_copied": list(NOT_SHOWN) + ([] if capacity(source)[1] else ["max_capacity"]),
        "stopped_because": None if complete else run.stopped,
    }


def check_target(target: dict[str, Any], start: datetime, name: Any) -> None:
    """A run that finishes a clone must be given that clone: same start and name as this run would make, so that
    an unrelated event (with guests and sales of its own) is never rewritten into a copy."""
    differs = []
    # Compared as Luma keeps times (to the millisecond), as the clone was created.
    if luma_instant(target.get("start_at")) != luma_instant(to_luma_datetime(start)):
        differs.append(f"starts at {target.get('start_at')}, not at {to_luma_datetime(start)}")
    if str(target.get("name") or "").strip() != str(name or "").strip():
        differs.append(f"is named {target.get('name')!r}, not {name!r}")
    if differs:
        raise InputError(
            f"target_event_api_id {target.get('id')} is not the clone these inputs make (it {' and '.join(differs)}): "
            "give it only to finish an earlier clone_event run, with that run's start_at, timezone and name, or "
            "leave it out to make a new clone."
        )


def _zone(name: Any) -> ZoneInfo:
    return ZoneInfo(known_zone(name) or "UTC")
