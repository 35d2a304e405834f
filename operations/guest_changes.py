"""What changed on the guest lists of watched events since the last poll: registrations, tickets, approval
statuses and check-ins, each as records the polling triggers return.

Registrations and check-ins carry their time, so they are read newest first and only back to the last poll, and
each is reported by the poll whose window holds it. A
status change carries none (Luma keeps no time of it), so those are found by reading the whole guest list and
naming each record after the guest and the status it now has: the platform's de-duplication on the record id
makes each change fire once.
"""

import difflib
from datetime import datetime
from typing import Any

import routes
from helpers import ACTION_BUDGET_SECONDS, InputError, LumaClient, has_id
from operations.ticket_types import has_type_named, list_ticket_types, require_ticket_type
from operations.changes import (
    Record,
    Window,
    all_or_error,
    each_event,
    every_entry,
    money,
    newer_than,
    per_event,
    poll_window,
    record,
    stamp_of,
    watched_events,
)
from operations.guests import answers_by_label, checked_in_at, ticket_names, tickets_of
from validation import luma_instant

# Luma puts guests without the sorted time first in a descending sort unless told otherwise.
NEWEST_FIRST = "desc nulls last"


def guest_fields(event: dict[str, Any], guest: dict[str, Any]) -> dict[str, Any]:
    """Who the guest is, on which event, in what status and with which tickets: flat, for a workflow's next step."""
    names = ticket_names(guest)
    return {
        "event_api_id": event["id"],
        "event_name": event.get("name"),
        "guest_api_id": guest.get("id"),
        "guest_name": guest.get("user_name"),
        "guest_first_name": guest.get("user_first_name"),
        "guest_last_name": guest.get("user_last_name"),
        "guest_email": guest.get("user_email"),
        "approval_status": guest.get("approval_status"),
        "registered_at": guest.get("registered_at"),
        "ticket_type": ", ".join(names) or None,
        "ticket_types": names,
    }


def registration(event: dict[str, Any], guest: dict[str, Any]) -> dict[str, Any]:
    tickets = tickets_of(guest)
    paid = sum(ticket.get("amount") or 0 for ticket in tickets if isinstance(ticket.get("amount"), (int, float)))
    currency = next((ticket["currency"] for ticket in tickets if ticket.get("currency")), None)
    return {
        **guest_fields(event, guest),
        "phone_number": guest.get("phone_number"),
        "ticket_count": len(tickets),
        **money(paid, currency),
        "answers": answers_by_label(guest),
        "utm_source": guest.get("utm_source"),
    }


def _latest_check_in(guest: dict[str, Any]) -> datetime | None:
    stamps = [luma_instant(ticket.get("checked_in_at")) for ticket in tickets_of(guest)]
    return max((stamp for stamp in stamps if stamp is not None), default=None)


async def _registered_in(client: LumaClient, event: dict[str, Any], window: Window) -> list[dict[str, Any]]:
    params = {"event_id": event["id"], "sort_column": "registered_at", "sort_direction": NEWEST_FIRST}
    guests = await newer_than(client, routes.GUESTS_LIST, params, window.since, stamp_of("registered_at"))
    return [guest for guest in guests if window.holds(guest.get("registered_at"))]


@all_or_error
async def new_guests(
    client: LumaClient, last_poll_ts: str | None, *, event_id: str | None, statuses: list[str] | None
) -> list[Record]:
    """One record per registration since the last poll (a re-registration after declining is a new one), for the
    guests whose status is one of `statuses` when the poll runs."""
    window = poll_window(last_poll_ts)

    async def find(event: dict[str, Any]) -> list[dict[str, Any]]:
        guests = await _registered_in(client, event, window)
        return [guest for guest in guests if statuses is None or guest.get("approval_status") in statuses]

    def shape(event: dict[str, Any], guest: dict[str, Any]) -> Record:
        return record(f"{guest['id']}:registered:{guest['registered_at']}", registration(event, guest))

    return await per_event(client, event_id, find, shape, "registered_at")


def ticket(event: dict[str, Any], guest: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    fields = guest_fields(event, guest)
    amount = money(item.get("amount"), item.get("currency"))
    return {
        "ticket_id": item.get("id"),
        "event_ticket_type_id": item.get("event_ticket_type_id"),
        "ticket_type": item.get("name"),
        **amount,
        "discount_cents": money(item.get("amount_discount"), None)["amount_cents"],
        "tax_cents": money(item.get("amount_tax"), None)["amount_cents"],
        "is_free": amount["amount_cents"] == 0,
        "payment_captured": item.get("is_captured"),
        **{key: fields[key] for key in ("guest_api_id", "guest_name", "guest_email", "approval_status")},
        "registered_at": fields["registered_at"],
        "event_api_id": fields["event_api_id"],
        "event_name": fields["event_name"],
    }


def _ticket_wanted(item: dict[str, Any], type_id: str | None, type_name: str | None, paid_only: bool) -> bool:
    if type_id is not None and item.get("event_ticket_type_id") != type_id:
        return False
    if type_name is not None and not has_type_named([item], type_name):
        return False
    return not paid_only or bool(item.get("amount"))


@all_or_error
async def new_tickets(
    client: LumaClient,
    last_poll_ts: str | None,
    *,
    event_id: str | None,
    ticket_type_id: str | None,
    ticket_type_name: str | None,
    paid_only: bool,
) -> list[Record]:
    """One record per ticket of the registrations since the last poll, paid or free, optionally of one ticket type
    (by id or by name) or paid only. Luma stamps a ticket with its guest's registration time only."""
    window = poll_window(last_poll_ts)
    if event_id is not None:
        # A ticket type the watched event lacks would make a trigger that never fires.
        await require_ticket_type(client, event_id, type_id=ticket_type_id, type_name=ticket_type_name)
    watched = await watched_events(client, event_id)
    if event_id is None and ticket_type_name is not None and last_poll_ts is None:
        await refuse_a_misspelt_name(client, watched, ticket_type_name)

    async def find(event: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        return [
            (guest, item)
            for guest in await _registered_in(client, event, window)
            for item in tickets_of(guest)
            if has_id(item) and _ticket_wanted(item, ticket_type_id, ticket_type_name, paid_only)
        ]

    def shape(event: dict[str, Any], held: tuple[dict[str, Any], dict[str, Any]]) -> Record:
        guest, item = held
        return record(item["id"], ticket(event, guest, item))

    return await per_event(client, event_id, find, shape, "registered_at", watched=watched)


async def refuse_a_misspelt_name(client: LumaClient, watched: list[dict[str, Any]], type_name: str) -> None:
    """Refuses a ticket type name that none of the watched events has but one of them nearly has: a misspelt filter
    would never fire. A name no event has or nearly has may belong to an event made later, so it passes, and so does
    every name when the key's window cannot also afford the check (the poll itself comes first)."""
    if client.affordable(reserve=ACTION_BUDGET_SECONDS / 2) < 2 * len(watched):
        return

    async def types_of(event: dict[str, Any]) -> list[dict[str, Any]]:
        return await list_ticket_types(client, event["id"], include_hidden=True)

    found = await each_event(watched, types_of, one_asked=False, concurrency=client.concurrency(len(watched)))
    if has_type_named(found, type_name):
        return
    # Near in any case, as the filter matches in any case: "vipp" is as near to "VIP" as "VIPP" is.
    names = {str(entry.get("name") or "").strip().casefold(): str(entry.get("name")).strip() for entry in found}
    names.pop("", None)
    folded = difflib.get_close_matches(type_name.strip().casefold(), sorted(names), n=3, cutoff=0.6)
    nearest = [names[name] for name in folded]
    if nearest:
        raise InputError(
            f"ticket_type_name {type_name!r} is not the name of a ticket type of any watched event, so it would "
            f"never fire: did you mean {' or '.join(repr(name) for name in nearest)}?"
        )


@all_or_error
async def check_ins(client: LumaClient, last_poll_ts: str | None, *, event_id: str | None) -> list[Record]:
    """One record per guest who checked in since the last poll (their first ticket scanned)."""
    window = poll_window(last_poll_ts)

    async def find(event: dict[str, Any]) -> list[dict[str, Any]]:
        params = {"event_id": event["id"], "sort_column": "checked_in_at", "sort_direction": NEWEST_FIRST}
        # Read until no ticket of a guest was scanned after the last poll, whichever scan Luma sorts guests by;
        # report a guest whose first scan is new (a second ticket scanned later is not a new arrival).
        scanned = await newer_than(client, routes.GUESTS_LIST, params, window.since, _latest_check_in)
        return [guest for guest in scanned if window.holds(checked_in_at(guest))]

    def shape(event: dict[str, Any], guest: dict[str, Any]) -> Record:
        return record(f"{guest['id']}:checked_in:{checked_in_at(guest)}", arrival(event, guest))

    return await per_event(client, event_id, find, shape, "checked_in_at")


def arrival(event: dict[str, Any], guest: dict[str, Any]) -> dict[str, Any]:
    tickets = tickets_of(guest)
    return {
        **guest_fields(event, guest),
        "checked_in_at": checked_in_at(guest),
        "ticket_count": len(tickets),
        "checked_in_ticket_count": sum(1 for item in tickets if item.get("checked_in_at")),
    }


@all_or_error(
    too_much="This trigger reads every guest of the watched events on every poll: watch one event (event_api_id), "
    "or a single approval_status, to read fewer."
)
async def status_changes(
    client: LumaClient, last_poll_ts: str | None, *, event_id: str | None, statuses: list[str]
) -> list[Record]:
    """Every guest of the watched events whose approval status is one of `statuses`, as a record named after the
    guest and that status: a guest keeps the same record id until their status changes, so the platform's
    de-duplication reports each change once. Luma keeps no time of a status change, so `last_poll_ts` cannot
    narrow this: every poll reads the whole guest lists."""
    poll_window(last_poll_ts)  # a malformed last_poll_ts is refused like on every other trigger

    async def find(event: dict[str, Any]) -> list[dict[str, Any]]:
        # Oldest first: new registrations join the end, so a status changing during the read moves no one
        # between pages (a guest filtered out by status would; then the next poll reports what this one missed).
        params = {"event_id": event["id"], "sort_column": "created_at", "sort_direction": "asc"}
        if len(statuses) == 1:
            params["approval_status"] = statuses[0]
        return [
            guest
            for guest in await every_entry(client, routes.GUESTS_LIST, params)
            if guest.get("approval_status") in statuses
        ]

    def shape(event: dict[str, Any], guest: dict[str, Any]) -> Record:
        return record(f"{guest['id']}:{guest['approval_status']}", guest_fields(event, guest))

    return await per_event(client, event_id, find, shape, "registered_at")
