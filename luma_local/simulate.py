"""What happens on Luma outside its API, for tests to simulate: a registration through the event page, a
check-in at the door, a host's click in the guest list, an event submitted to the calendar.

The timestamps come from the emulator's clock unless ``at`` says when (an aware datetime or ISO string).
Each function is also a ``LumaEmulator`` method (``emu.check_in(...)``) and answers API-shaped copies.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .clock import instant
from .errors import bad_request
from .routes import calendar as calendar_routes
from .routes import contacts, guests, ticket_types
from .routes.event_views import on_sale, spots_remaining
from .routes.users import check_email

if TYPE_CHECKING:
    from .server import LumaEmulator

When = datetime | str | None


def check_in(
    emu: LumaEmulator, event_id: str, guest_ref: str, at: When = None, *, ticket_id: str | None = None
) -> dict:
    """Scan the guest's tickets (or one of them) at the door; tickets already scanned keep their time.
    ``guest_ref`` is a guest id, guest key or email; returns the guest as guests/get shows it."""
    state = emu.state
    guest = guests.guest_or_404(state, state.event_or_404(event_id)["id"], guest_ref)
    if guest["approval_status"] != "approved":
        raise bad_request(f"Only approved guests can check in; {guest_ref} is {guest['approval_status']}")
    tickets = [t for t in guest["event_tickets"] if ticket_id is None or t["id"] == ticket_id]
    if not tickets:
        raise bad_request(f"{guest_ref} holds no ticket {ticket_id}" if ticket_id else f"{guest_ref} holds no ticket")
    stamp = instant(at, emu.clock)
    for ticket in tickets:
        ticket["checked_in_at"] = ticket["checked_in_at"] or stamp
    return guests.guest_out(state, guest, with_orders=True)


def _status_on_the_page(emu: LumaEmulator, ev: dict, ticket_type: dict, wanted: str | None) -> str:
    status = wanted or ("pending_approval" if ticket_type["require_approval"] else "approved")
    if status == "approved" and spots_remaining(emu.state, ev) == 0:
        if ev["waitlist_status"] != "enabled":
            raise bad_request("Event is sold out and has no waitlist")
        status = "waitlist"  # Luma: "new registrations join the waitlist once the event reaches capacity"
    return status


def register_guest(
    emu: LumaEmulator,
    event_id: str,
    email: str,
    name: str | None = None,
    status: str | None = None,
    ticket_type_id: str | None = None,
    at: When = None,
) -> dict:
    """A registration through the event page: it pays for a paid ticket, waits for approval when the ticket
    type asks for it (unless ``status`` says otherwise), joins the waitlist of a full event that has one."""
    state = emu.state
    ev = state.event_or_404(event_id)
    check_email(email, "email")
    guests.check_not_blocked(state, ev, email)
    if not ev["registration_open"]:
        raise bad_request("Registration is closed for this event")
    if status not in (None, "approved", "pending_approval", "waitlist"):
        raise bad_request(f"A registration is approved, pending_approval or waitlist, not {status}")
    if ticket_type_id is not None:
        ticket_type = ticket_types.of_event(state, ev["id"], ticket_type_id)
    else:
        offered = on_sale(state, ev, emu.clock.now().date().isoformat())
        if not offered:
            raise bad_request("No ticket type of this event is on sale")
        ticket_type = offered[0]
    existing = state.find_guest(ev["id"], email)
    if existing is not None and existing["approval_status"] not in ("invited", "declined"):
        raise bad_request(f"{email} is already registered ({existing['approval_status']})")
    final = _status_on_the_page(emu, ev, ticket_type, status)
    stamp = instant(at, emu.clock)
    user = state.user_for(email, name)
    guest = existing or guests.new_guest(emu, ev, user, final, stamp)
    guests.register(state, guest, final, [ticket_type["id"]], stamp, charge=True)
    contacts.ensure_contact(emu, ev["calendar_id"], user, stamp)
    return guests.guest_out(state, guest, with_orders=True)


def set_guest_status(emu: LumaEmulator, event_id: str, guest_ref: str, status: str, at: When = None) -> dict:
    """The host changes a guest's status in Luma's guest list (the same rules as update-status)."""
    if status not in ("approved", "pending_approval", "waitlist", "declined"):
        raise bad_request(f"Invalid status {status!r}: approved, pending_approval, waitlist or declined")
    ev = emu.state.event_or_404(event_id)
    guest = guests.guest_or_404(emu.state, ev["id"], guest_ref)
    guests.change_status(emu, ev, guest, status, instant(at, emu.clock))
    return guests.guest_out(emu.state, guest, with_orders=True)


def submit_calendar_event(
    emu: LumaEmulator,
    *,
    name: str | None = None,
    start_at: str | None = None,
    url: str | None = None,
    duration_interval: str = "PT1H",
    timezone: str = "UTC",
    host: str | None = None,
    event_id: str | None = None,
    submitted_by: str = "submitter@example.com",
    calendar_id: str | None = None,
    at: When = None,
) -> dict:
    """Someone submits an event to the calendar through its page; it waits for the calendar's approval.

    An external event (``name``, ``start_at``, ``url``), or a Luma event managed elsewhere (``event_id``).
    Returns ``{"id": "calev-...", "status": "pending"}`` as calendars/events/add does.
    """
    state = emu.state
    calendar = state.calendars[calendar_id] if calendar_id else state.home
    if event_id is not None:
        body: dict = {"platform": "luma", "event_id": event_id}
    elif name and start_at and url:
        body = {"platform": "external", "name": name, "start_at": start_at, "url": url, "timezone": timezone}
        body.update(duration_interval=duration_interval, host=host)
    else:
        raise bad_request("Submit a Luma event (event_id) or an external one (name, start_at and url)")
    submitter = state.user_for(submitted_by)
    return calendar_routes.add_to_calendar(emu, calendar, {**body, "submission_mode": "pending"}, submitter["id"], at)
