"""What changed on the calendar since the last poll: events created or changed, people added, events submitted
for approval, each as records the polling triggers return."""

import hashlib
import json
from typing import Any

import routes
from helpers import LumaClient, LumaNotFoundError
from operations import events, people
from operations.tags import tag_names
from operations.changes import (
    Record,
    all_or_error,
    every_entry,
    in_order,
    location_of,
    newer_than,
    poll_window,
    record,
    stamp_of,
    upcoming_events,
    utc_text,
)

# The fields whose change fires event_updated. Luma shows no capacity, only the spots remaining, which move with
# every registration: whether the event has a limit and is full stands in for it.
WATCHED_FIELDS = (
    "event_name",
    "start_at",
    "end_at",
    "timezone",
    "location",
    "meeting_url",
    "visibility",
    "registration_open",
    "capacity_status",
    "status",
)
FINGERPRINT_LENGTH = 16


def _tag_names(entry: dict[str, Any]) -> list[str]:
    return [str(name) for name in tag_names(entry) or [] if name]


def event_fields(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "event_api_id": event.get("id"),
        "event_name": event.get("name"),
        "start_at": utc_text(event.get("start_at")),
        "end_at": utc_text(event.get("end_at")),
        "timezone": event.get("timezone"),
        "url": event.get("url"),
        "location": location_of(event),
        "meeting_url": event.get("meeting_url"),
        "visibility": event.get("visibility"),
    }


@all_or_error
async def new_events(client: LumaClient, last_poll_ts: str | None) -> list[Record]:
    """One record per event the calendar manages that was created since the last poll and starts later than a
    day ago. Luma lists events by start time only, so every upcoming event is read (one request per 100)."""
    window = poll_window(last_poll_ts)
    created = [event for event in await upcoming_events(client) if window.holds(event.get("created_at"))]
    found = [
        record(
            event["id"],
            {**event_fields(event), "created_at": event.get("created_at"), "tags": _tag_names(event)},
        )
        for event in created
    ]
    return in_order(found, lambda data: data["created_at"])


def event_state(event: dict[str, Any], status: str = "scheduled") -> dict[str, Any]:
    spots = event.get("spots_remaining")
    capacity = "unlimited" if not isinstance(spots, (int, float)) else "full" if spots <= 0 else "available"
    return {
        **event_fields(event),
        "registration_open": event.get("registration_open"),
        "capacity_status": capacity,
        "spots_remaining": spots if isinstance(spots, (int, float)) else None,
        "status": status,
    }


def fingerprint(state: dict[str, Any]) -> str:
    watched = json.dumps({field: state.get(field) for field in WATCHED_FIELDS}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(watched.encode()).hexdigest()[:FINGERPRINT_LENGTH]


def _state_record(state: dict[str, Any]) -> Record:
    return record(f"{state['event_api_id']}:{fingerprint(state)}", state)


def _gone(event_id: str) -> dict[str, Any]:
    # Luma deletes a cancelled event, and an event moved to another calendar is out of this key's sight too: from
    # here the two cannot be told apart, so neither is claimed.
    gone = {field: None for field in event_state({})}
    return {**gone, "event_api_id": event_id, "capacity_status": None, "status": "gone"}


@all_or_error
async def event_updates(client: LumaClient, last_poll_ts: str | None, *, event_id: str | None) -> list[Record]:
    """Each watched event as it stands, named after a fingerprint of its watched fields: a record id changes only
    when one of those fields does, so the platform's de-duplication reports each change once. Luma keeps no time
    of a change, so `last_poll_ts` cannot narrow this. Luma deletes a cancelled event: one watched by id is then
    reported gone (cancelled, or moved to another calendar); calendar-wide, it just leaves the list."""
    poll_window(last_poll_ts)  # a malformed last_poll_ts is refused like on every other trigger
    if event_id is None:
        return [_state_record(event_state(event)) for event in await upcoming_events(client)]
    try:
        event = await events.get_event(client, event_id)
    except LumaNotFoundError:
        if last_poll_ts is None:
            raise  # a first poll of an id Luma does not know: the id is wrong, not an event that was cancelled
        return [_state_record(_gone(event_id))]
    return [_state_record(event_state(event))]


def person(contact: dict[str, Any]) -> dict[str, Any]:
    membership = contact.get("membership")
    return {
        "contact_id": contact.get("id"),
        "email": contact.get("email"),
        "name": contact.get("name"),
        "first_name": contact.get("first_name"),
        "last_name": contact.get("last_name"),
        "created_at": contact.get("created_at"),
        "tags": _tag_names(contact),
        "membership_status": membership.get("status") if isinstance(membership, dict) else None,
        "event_approved_count": contact.get("event_approved_count"),
        "event_checked_in_count": contact.get("event_checked_in_count"),
    }


@all_or_error
async def new_people(client: LumaClient, last_poll_ts: str | None, *, tags: list[str] | None) -> list[Record]:
    """One record per person added to the calendar since the last poll (subscribed, imported, or joined through
    an event), optionally only those with any of `tags`; read newest first, back to the last poll."""
    window = poll_window(last_poll_ts)
    # Luma answers a tag it does not know with nobody, so a misspelt tag would never fire: names become ids first.
    tag_ids = [tag["id"] for tag in await people.resolve_tags(client, tags)] or None
    params = {"sort_column": "created_at", "sort_direction": "desc nulls last", "tags": tag_ids}
    added = await newer_than(client, routes.CONTACTS_LIST, params, window.since, stamp_of("created_at"))
    found = [
        record(f"{contact['id']}:{contact['created_at']}", person(contact))
        for contact in added
        if window.holds(contact.get("created_at"))
    ]
    return in_order(found, lambda data: data["created_at"])


def submission(entry: dict[str, Any]) -> dict[str, Any]:
    submitter = entry.get("submitted_by")
    submitter = submitter if isinstance(submitter, dict) else {}
    platform = entry.get("platform")
    return {
        "calendar_event_id": entry.get("id"),
        "platform": platform,
        **event_fields(entry),
        "event_api_id": entry.get("id") if platform == "luma" else None,
        "created_at": entry.get("created_at"),
        "submitted_by_name": submitter.get("name"),
        "submitted_by_email": submitter.get("email"),
    }


@all_or_error
async def submissions(client: LumaClient, last_poll_ts: str | None) -> list[Record]:
    """One record per event waiting for the calendar's approval. An external event is created by its submission,
    so its created_at says when it was submitted and only those since the last poll are reported. A Luma event
    managed elsewhere carries its own creation time, not its submission's: it is reported on every poll while it
    waits, under the same record id, and the platform's de-duplication reports it once."""
    window = poll_window(last_poll_ts)
    params = {"status": "pending", "platforms": ["luma", "external"], "access": ["manage", "view"]}
    waiting = [
        entry
        for entry in await every_entry(client, routes.CALENDAR_EVENTS_LIST, params)
        if entry.get("platform") != "external" or window.holds(entry.get("created_at"))
    ]
    return in_order([record(entry["id"], submission(entry)) for entry in waiting], lambda data: data["created_at"])
