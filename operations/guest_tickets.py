"""A guest's tickets, changed by a host: complimentary tickets added, tickets invalidated, with no payment or refund."""

from collections import Counter
from typing import Any

import routes
from helpers import InputError, LumaClient, LumaError, LumaNotFoundError, compact, has_id
from operations.guests import describe_guest, find_guest, get_guest, guest_not_found, tickets_of
from validation import has_id_form
from writes import ReadBack


def new_tickets(guest: dict[str, Any], held_before: set[str]) -> list[dict[str, Any]]:
    return [ticket for ticket in tickets_of(guest) if ticket.get("id") not in held_before]


def shows_change(guest: dict[str, Any], held_before: set[str], adds: list[str], removes: list[str]) -> bool:
    """True when the guest holds none of the tickets removed and, of each ticket type added, at least as many new
    tickets (ids not held before the write) as were asked for."""
    held = {ticket.get("id") for ticket in tickets_of(guest)}
    if held & set(removes):
        return False
    added = Counter(ticket.get("event_ticket_type_id") for ticket in new_tickets(guest, held_before))
    return all(added[type_id] >= wanted for type_id, wanted in Counter(adds).items())


def ticket_view(guest: dict[str, Any]) -> dict[str, Any]:
    """The guest as this action reports them: who, their status and the tickets they hold."""
    return compact(
        {
            "id": guest.get("id"),
            "user_email": guest.get("user_email"),
            "user_name": guest.get("user_name"),
            "approval_status": guest.get("approval_status"),
            "event_tickets": tickets_of(guest),
        }
    )


async def update_guest_tickets(
    client: LumaClient,
    event_id: str,
    identifier: str,
    *,
    add_ticket_type_ids: list[str] | None = None,
    remove_ticket_ids: list[str] | None = None,
    send_email: bool | None = None,
) -> dict[str, Any]:
    """Adds complimentary tickets of the given types to a guest and invalidates the given tickets of theirs."""
    adds, removes = list(add_ticket_type_ids or []), list(dict.fromkeys(remove_ticket_ids or []))
    if not adds and not removes:
        raise InputError(
            "Nothing to change: give add_ticket_type_ids (ticket types to give the guest a ticket of) and/or "
            "remove_ticket_ids (ids of tickets the guest holds)."
        )
    guest = await get_guest(client, event_id, identifier)
    held_before = {ticket.get("id") for ticket in tickets_of(guest)}
    # A ticket the guest does not hold is already gone (removed earlier) or was never theirs: nothing to send.
    to_remove = [ticket_id for ticket_id in removes if ticket_id in held_before]
    already_absent = [ticket_id for ticket_id in removes if ticket_id not in held_before]
    # An id the guest does not hold counts as removed earlier only when it is a ticket id at all: an order id or a
    # mistyped one never named a ticket, and the ticket meant would stay.
    stray = next((ticket_id for ticket_id in already_absent if not has_id_form("remove_ticket_ids", ticket_id)), None)
    if stray is not None:
        raise InputError(
            f"remove_ticket_ids holds '{stray}', which is neither a ticket this guest holds nor a ticket id (tkt-…), "
            "so nothing was changed: get the ids of their tickets from get_guests with detail full "
            "(event_tickets[].id)."
        )
    if held_before and not adds and set(to_remove) == held_before:
        raise InputError(
            f"remove_ticket_ids would remove every ticket the guest holds ({len(held_before)}), and Luma keeps at "
            "least one on a guest. To take the guest off the event, decline them with update_guest_status (status "
            "declined); to swap tickets, add the new ticket type in the same call (add_ticket_type_ids)."
        )
    report = {"added_tickets": [], "removed_ticket_ids": to_remove, "already_absent_ticket_ids": already_absent}
    if not adds and not to_remove:
        return {"guest": ticket_view(guest), **report, "already_absent": True}
    guest_id = guest.get("id") if isinstance(guest.get("id"), str) else identifier
    body = compact(
        {
            "event_id": event_id,
            "guest_id": guest_id,
            "tickets_to_add": [{"event_ticket_type_id": type_id} for type_id in adds] or None,
            "ticket_ids_to_remove": to_remove or None,
            "send_email": send_email,
        }
    )
    # Every ticket has its own id, so tickets held before the write never count as ones it added.
    confirm = ReadBack(
        read=lambda: find_guest(client, event_id, guest_id),
        matches=lambda found: shows_change(found, held_before, adds, to_remove),
        checked=f"the tickets of the guest with {describe_guest(guest_id)} on event {event_id}",
        verify=(
            f"Read the guest's event_tickets with get_guests ({describe_guest(guest_id)}, event {event_id}): adding "
            "again gives a second ticket"
        ),
    )
    try:
        landed = await client.post(routes.GUESTS_UPDATE_TICKETS, body, confirm=confirm)
    except LumaNotFoundError as error:
        raise guest_not_found(identifier, event_id, error) from None
    after = landed if has_id(landed) else None  # the guest, when the check after a lost answer read it
    if after is None:
        try:
            after = await find_guest(client, event_id, guest_id)
        except LumaError:
            after = None  # the change landed; an error now would invite a retry that adds the tickets twice
    if after is None:
        # The tickets held now are unknown, so none are shown rather than the ones held before.
        unread = {key: value for key, value in ticket_view(guest).items() if key != "event_tickets"}
        return {"guest": unread, **report, "already_absent": False}
    return {
        "guest": ticket_view(after),
        **report,
        "added_tickets": new_tickets(after, held_before) if adds else [],
        "already_absent": False,
    }
