"""Calendar contacts: list with filters, import, block, remove, restore.

Guests and members become contacts of the event's calendar. A contact's ``id`` is its user's ``usr-`` id, as
Luma's document says of ``contact_id``. Luma's contact object has no status field, so a blocked or removed
contact leaves contacts/list (and tag apply/unapply skips it) until restored. A removed contact comes back
by itself when it joins again (added as a guest, imported, made a member); a blocked one only by restore, and
meanwhile cannot be added to the calendar's events (400) and is skipped by send-invites.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..errors import bad_request, not_found
from ..paging import sort_items
from ..state import ACTIVE, BLOCKED, REMOVED, CalendarData, EmulatorState
from . import tags
from .base import Ctx, RouteTable, routes_of
from .users import check_email

if TYPE_CHECKING:
    from ..server import LumaEmulator


ROUTES: RouteTable = {}
route = routes_of(ROUTES)


def ensure_contact(emu: LumaEmulator, calendar_id: str, user: dict, at: str | None = None) -> dict:
    """The user's contact on the calendar, created (or brought back after a remove) when they join."""
    contacts = emu.state.calendars[calendar_id].contacts
    contact = contacts.get(user["id"])
    if contact is None:
        contact = {
            "id": user["id"],
            "user_id": user["id"],
            "created_at": at or emu.clock.now_iso(),
            "membership": None,
            "_tags": [],
            "_standing": ACTIVE,
        }
        contacts[user["id"]] = contact
    elif contact["_standing"] == REMOVED:
        contact["_standing"] = ACTIVE
    return contact


def active(calendar: CalendarData) -> list[dict]:
    return [c for c in calendar.contacts.values() if c["_standing"] == ACTIVE]


def is_blocked(state: EmulatorState, calendar_id: str, email: str) -> bool:
    user = state.user_by_id_or_email(email)
    contact = state.calendars[calendar_id].contacts.get(user["id"]) if user else None
    return contact is not None and contact["_standing"] == BLOCKED


def _stats(state: EmulatorState, calendar: CalendarData, user_id: str) -> tuple[int, int, int]:
    """Approved events, checked-in events and USD revenue of one person on one calendar."""
    approved = checked_in = revenue = 0
    email = state.users[user_id]["email"].lower()
    for event_id, ev in state.events.items():
        gid = state.guest_ids_by_email[event_id].get(email) if ev["calendar_id"] == calendar.id else None
        if gid is None:
            continue
        g = state.guests[event_id][gid]
        if g["approval_status"] == "approved":
            approved += 1
            revenue += sum(t["amount"] for t in g["event_tickets"] if t["currency"] == "usd")
        if any(t["checked_in_at"] for t in g["event_tickets"]):
            checked_in += 1
    return approved, checked_in, revenue


def contact_out(state: EmulatorState, calendar: CalendarData, c: dict) -> dict:
    user = state.users[c["user_id"]]
    approved, checked_in, revenue = _stats(state, calendar, c["user_id"])
    return {
        "id": c["id"],
        "user_id": user["id"],
        "created_at": c["created_at"],
        "event_approved_count": approved,
        "event_checked_in_count": checked_in,
        "revenue_usd_cents": revenue,
        "tags": tags.tags_of(calendar.contact_tags, c),
        "membership": copy.deepcopy(c["membership"]),
        "name": user["name"],
        "avatar_url": user["avatar_url"],
        "email": user["email"],
        "first_name": user["first_name"],
        "last_name": user["last_name"],
    }


def _matches(state: EmulatorState, calendar: CalendarData, c: dict, q: dict) -> bool:
    user = state.users[c["user_id"]]
    if q.get("query"):
        needle = q["query"].lower()
        if needle not in (user["name"] or "").lower() and needle not in user["email"].lower():
            return False
    if q.get("tags"):
        wanted = {t["id"] for t in (tags.by_id_or_name(calendar.contact_tags, v) for v in q["tags"]) if t}
        if not wanted.intersection(c["_tags"]):
            return False
    membership = c["membership"] or {}
    if q.get("membership_status") and membership.get("status") != q["membership_status"]:
        return False
    tier = q.get("calendar_membership_tier_id")
    return not tier or membership.get("calendar_membership_tier_id") == tier


@route("GET", "/v1/calendars/contacts/list")
def list_contacts(ctx: Ctx) -> dict:
    q, state, calendar = ctx.query, ctx.state, ctx.calendar
    items = [c for c in active(calendar) if _matches(state, calendar, c, q)]
    column = q.get("sort_column", "created_at")
    render = functools.partial(contact_out, state, calendar)
    if column in ("created_at", "name"):
        keys: dict[str, Callable[[dict], Any]] = {
            "created_at": lambda c: c["created_at"],
            "name": lambda c: (state.users[c["user_id"]]["name"] or "").lower() or None,
        }
        return ctx.page(sort_items(items, keys[column], q.get("sort_direction")), render)
    # The counts are computed, so sort the rendered contacts.
    rendered = sort_items([render(c) for c in items], lambda c: c[column], q.get("sort_direction"))
    return ctx.page(rendered, lambda c: c)


def import_contacts(
    emu: LumaEmulator, calendar_id: str, people: list[dict], tag_refs: Iterable[str] = ()
) -> list[dict]:
    state = emu.state
    resolved = tags.resolve(state.calendars[calendar_id].contact_tags, tag_refs)
    for i, c in enumerate(people):
        check_email(c["email"], f"contacts[{i}].email")
    out = []
    for c in people:
        contact = ensure_contact(emu, calendar_id, state.user_for(c["email"], c.get("name")))
        if contact["_standing"] == BLOCKED:
            continue
        for tag in resolved:
            if tag["id"] not in contact["_tags"]:
                contact["_tags"].append(tag["id"])
        out.append(contact)
    return out


@route("POST", "/v1/calendars/contacts/import")
def import_(ctx: Ctx) -> dict:
    import_contacts(ctx.emu, ctx.calendar.id, ctx.body["contacts"], ctx.body.get("tags") or [])
    return {}


def _named(ctx: Ctx) -> dict:
    """The contact a block/remove/restore body names by ``contact_id`` or ``email`` (or both, agreeing)."""
    b, contacts = ctx.body, ctx.calendar.contacts
    if not b.get("contact_id") and not b.get("email"):
        raise bad_request("Provide contact_id or email")
    named = []
    if b.get("contact_id"):
        named.append(contacts.get(b["contact_id"]))
    if b.get("email"):
        user = ctx.state.user_by_id_or_email(b["email"])
        named.append(contacts.get(user["id"]) if user else None)
    if None in named:
        raise not_found(f"Contact {b.get('contact_id') or b.get('email')}")
    if len(named) == 2 and named[0] is not named[1]:
        raise bad_request("contact_id and email name different contacts")
    return named[0]


def _set_standing(ctx: Ctx, standing: str) -> dict:
    _named(ctx)["_standing"] = standing
    return {}


@route("POST", "/v1/calendars/contacts/block")
def block(ctx: Ctx) -> dict:
    return _set_standing(ctx, BLOCKED)


@route("POST", "/v1/calendars/contacts/remove")
def remove(ctx: Ctx) -> dict:
    return _set_standing(ctx, REMOVED)


@route("POST", "/v1/calendars/contacts/restore")
def restore(ctx: Ctx) -> dict:
    return _set_standing(ctx, ACTIVE)
