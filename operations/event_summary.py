"""One event's numbers in one answer: guests by status, tickets sold and complimentary per ticket type, revenue per
currency and check-ins, read in as few requests as Luma allows."""

import asyncio
from typing import Any

import routes
from helpers import LumaClient
from operations.events import get_event
from operations.guests import first_error, tickets_of
from operations.ticket_types import decimal_text, list_ticket_types

# Luma's guest_counts, in the order a person reads them.
STATUSES = ("approved", "pending_approval", "waitlist", "invited", "declined", "checked_in")
# Guests whose tickets are sold (or given away): going. Pending and waitlisted guests hold a ticket that is not
# theirs yet (Luma captures the payment on approval); invited guests hold none; declined guests gave theirs up.
GOING = "approved"
WAITING = ("pending_approval", "waitlist")


def _count(value: Any) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _type_entry(ticket_type: dict[str, Any]) -> dict[str, Any]:
    capacity = ticket_type.get("max_capacity")
    return {
        "id": ticket_type.get("id"),
        "name": ticket_type.get("name"),
        "type": ticket_type.get("type"),
        "capacity": int(capacity) if isinstance(capacity, (int, float)) else None,
        "sold": 0,
        "complimentary": 0,
        "pending": 0,
    }


def _shown(entry: dict[str, Any]) -> dict[str, Any]:
    """Null figures and zero complimentary / pending are left out (an agent pays for every key it reads); sold
    and remaining stay, 0 included (remaining 0 is sold out)."""
    return {
        key: value
        for key, value in entry.items()
        if value is not None and not (value == 0 and key in ("complimentary", "pending"))
    }


def ticket_sales(guests: list[dict[str, Any]], ticket_types: list[dict[str, Any]]) -> dict[str, Any]:
    """Per ticket type: sold, complimentary, pending, capacity and remaining; revenue per currency.

    A ticket of a going guest is complimentary when its type is paid and Luma records no amount for it (added by a
    host, which bypasses payment, or a 100%-off code); every other ticket of a going guest is sold, free types
    included (a free registration is sold at 0). Revenue adds the amounts of sold tickets whose payment Luma
    captured."""
    types = {t.get("id"): _type_entry(t) for t in ticket_types if isinstance(t.get("id"), str)}
    paid = {t.get("id"): t for t in ticket_types if t.get("type") == "paid"}
    revenue: dict[str, int] = {}
    for guest in guests:
        status = guest.get("approval_status")
        if status != GOING and status not in WAITING:
            continue
        for ticket in tickets_of(guest):
            type_id = ticket.get("event_ticket_type_id")
            if type_id not in types:
                # A ticket type deleted after it sold: still counted, under the name on the ticket.
                types[type_id] = _type_entry({"id": type_id, "name": ticket.get("name"), "type": None})
            entry = types[type_id]
            amount = _count(ticket.get("amount"))
            if status in WAITING:
                entry["pending"] += 1
            elif type_id in paid and amount == 0:
                entry["complimentary"] += 1
            else:
                entry["sold"] += 1
                currency = ticket.get("currency") or (paid.get(type_id) or {}).get("currency")
                if amount and currency and ticket.get("is_captured") is not False:
                    revenue[currency.lower()] = revenue.get(currency.lower(), 0) + amount
    for entry in types.values():
        used = entry["sold"] + entry["complimentary"]
        entry["remaining"] = max(0, entry["capacity"] - used) if entry["capacity"] is not None else None
    return {
        "ticket_types": [_shown(entry) for entry in types.values()],
        "tickets_sold": sum(entry["sold"] for entry in types.values()),
        "complimentary": sum(entry["complimentary"] for entry in types.values()),
        "revenue": [
            {"currency": currency, "cents": cents, "amount": decimal_text(cents, currency)}
            for currency, cents in sorted(revenue.items())
        ],
    }


# What ticket_sales reads of a guest and of each ticket: a guest list is kept as little more than these.
_TICKET_FIELDS = ("event_ticket_type_id", "name", "amount", "currency", "is_captured")


def sales_fields(guest: dict[str, Any]) -> dict[str, Any]:
    """The part of a guest the summary counts, kept page by page as the list is read (a few per cent of Luma's
    record), so a long guest list holds one raw page at a time."""
    return {
        "approval_status": guest.get("approval_status"),
        "event_tickets": [{key: ticket.get(key) for key in _TICKET_FIELDS} for ticket in tickets_of(guest)],
    }


def guest_counts(event: dict[str, Any]) -> dict[str, dict[str, int]]:
    counts = event.get("guest_counts") if isinstance(event.get("guest_counts"), dict) else {}
    return {
        status: {"guests": _count(entry.get("guests")), "tickets": _count(entry.get("tickets"))}
        for status in STATUSES
        for entry in [counts.get(status) if isinstance(counts.get(status), dict) else {}]
    }


async def event_summary(client: LumaClient, event_id: str) -> dict[str, Any]:
    """The event, its ticket types and its whole guest list, read at once: 2 + ceil(guests / 100) requests."""
    try:
        async with asyncio.TaskGroup() as group:
            event_task = group.create_task(get_event(client, event_id))
            types_task = group.create_task(list_ticket_types(client, event_id, include_hidden=True))
            guests_task = group.create_task(
                client.collect(routes.GUESTS_LIST, {"event_id": event_id}, shape=sales_fields)
            )
    except BaseExceptionGroup as errors:
        raise first_error(errors) from None
    event, guests = event_task.result(), guests_task.result()
    summary = {
        "event": {
            "id": event.get("id"),
            "name": event.get("name"),
            "start_at": event.get("start_at"),
            "spots_remaining": event.get("spots_remaining"),
        },
        "guests": guest_counts(event),
        **ticket_sales(guests["entries"], types_task.result()),
        "guests_read": len(guests["entries"]),
        "complete": not guests["has_more"],
    }
    return summary
