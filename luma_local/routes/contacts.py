"""Calendar contacts: list with filters, import; guests and members become contacts of the event's calendar."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..paging import sort_items
from ..state import CalendarData, EmulatorState, new_id
from . import tags
from .base import Ctx, RouteTable
from .users import check_email

if TYPE_CHECKING:
    from ..server import LumaEmulator


def ensure_contact(emu: LumaEmulator, calendar_id: str, user: dict) -> dict:
    contacts = emu.state.calendars[calendar_id].contacts
    contact = contacts.get(user["id"])
    if contact is None:
        contact = {
            "id": new_id("cnt"),
            "user_id": user["id"],
            "created_at": emu.clock.now_iso(),
            "membership": None,
            "_tags": [],
        }
        contacts[user["id"]] = contact
    return contact


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


def list_contacts(ctx: Ctx) -> dict:
    q, state, calendar = ctx.query, ctx.state, ctx.calendar
    items = [c for c in calendar.contacts.values() if _matches(state, calendar, c, q)]
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
        for tag in resolved:
            if tag["id"] not in contact["_tags"]:
                contact["_tags"].append(tag["id"])
        out.append(contact)
    return out


def import_(ctx: Ctx) -> dict:
    import_contacts(ctx.emu, ctx.calendar.id, ctx.body["contacts"], ctx.body.get("tags") or [])
    return {}


ROUTES: RouteTable = {
    ("GET", "/v1/calendars/contacts/list"): list_contacts,
    ("POST", "/v1/calendars/contacts/import"): import_,
}
