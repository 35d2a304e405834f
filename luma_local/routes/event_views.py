"""What Luma shows of an event: the full object of events/get, the calendar's list entries (``access: manage``
for its own events, ``access: view`` for events listed on it but managed elsewhere) and the organization's.

Luma refreshes ``spots_remaining`` and ``display_price`` with a background job ("can lag a few seconds");
the emulator computes them on every read, and with ``spots_lag`` shows a new event's ``spots_remaining`` as null
until that many seconds have passed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from ..clock import parse_dt
from ..state import CalendarData, EmulatorState, person, public

if TYPE_CHECKING:
    from ..server import LumaEmulator

COUNTED = ("approved", "pending_approval", "waitlist", "invited", "declined")
# Text Luma leaves out of list entries (only events/get has it).
DETAIL_ONLY = ("description", "description_md")
# What a calendar that only lists an event may see of it; the location is blurred to the city.
VIEW_FIELDS = (
    "platform",
    "id",
    "user_id",
    "calendar_id",
    "start_at",
    "duration_interval",
    "end_at",
    "created_at",
    "timezone",
    "name",
    "cover_url",
    "url",
    "visibility",
    "location_type",
    "location_visibility",
    "waitlist_status",
)


def guest_counts(state: EmulatorState, event_id: str) -> dict:
    counts = {status: {"guests": 0, "tickets": 0} for status in (*COUNTED, "checked_in")}
    for g in state.guests[event_id].values():
        status, tickets = g["approval_status"], len(g["event_tickets"])
        if status in COUNTED:  # "session" guests are not part of Luma's breakdown
            counts[status]["guests"] += 1
            # Luma: "pending approval and waitlist count at least one ticket per guest".
            counts[status]["tickets"] += max(1, tickets) if status in ("pending_approval", "waitlist") else tickets
        checked_in = sum(1 for t in g["event_tickets"] if t["checked_in_at"])
        if checked_in:
            counts["checked_in"]["guests"] += 1
            counts["checked_in"]["tickets"] += checked_in
    return counts


def capacity_used(state: EmulatorState, ev: dict) -> int:
    """What counts against max_capacity: approved guests, or their tickets when guests may hold several."""
    approved = [g for g in state.guests[ev["id"]].values() if g["approval_status"] == "approved"]
    if ev.get("_can_register_for_multiple_tickets"):
        return sum(len(g["event_tickets"]) for g in approved)
    return len(approved)


def spots_remaining(state: EmulatorState, ev: dict) -> int | None:
    cap = ev["_max_capacity"]
    return None if cap is None else max(0, cap - capacity_used(state, ev))


def on_sale(state: EmulatorState, ev: dict, today: str) -> list[dict]:
    """The ticket types a guest could pick today: visible, and within their validity dates."""
    return [
        t
        for t in state.live_ticket_types(ev["id"])
        if not t["is_hidden"] and (t["valid_start_at"] or today) <= today <= (t["valid_end_at"] or today)
    ]


def price_of(ticket_type: dict) -> int:
    # For pay-what-you-want types Luma shows the suggested price (cents), else the minimum.
    return ticket_type["cents"] or ticket_type["min_cents"] or 0


def display_price(types: list[dict]) -> dict | None:
    """The starting price on the event card; null when registration can be free or nothing is on sale."""
    if not types or any(t["type"] == "free" for t in types):
        return None
    cheapest = min(types, key=price_of)
    return {
        "amount": price_of(cheapest),
        "currency": (cheapest["currency"] or "usd").lower(),
        "is_flexible": cheapest["is_flexible"],
    }


def registration(emu: LumaEmulator, ev: dict) -> dict:
    now = emu.clock.now()
    types = on_sale(emu.state, ev, now.date().isoformat())
    lagging = emu.spots_lag and now < parse_dt(ev["created_at"]) + timedelta(seconds=emu.spots_lag)
    return {
        "registration_open": ev["registration_open"],
        "require_approval": any(t["require_approval"] for t in types),
        "spots_remaining": None if lagging else spots_remaining(emu.state, ev),
        "display_price": display_price(types),
    }


def event_out(emu: LumaEmulator, ev: dict) -> dict:
    """The event as events/get returns it: everything, with hosts and the guest counts."""
    return {
        **public(ev),
        **registration(emu, ev),
        "access": "manage",
        "hosts": [person(emu.state.users[h["user_id"]]) for h in ev["_hosts"]],
        "guest_counts": guest_counts(emu.state, ev["id"]),
    }


def summary(emu: LumaEmulator, ev: dict) -> dict:
    """The event as lists show it to those who manage it."""
    out = {k: v for k, v in public(ev).items() if k not in DETAIL_ONLY}
    return {**out, **registration(emu, ev)}


def tags_on(calendar: CalendarData, ev: dict) -> list[dict]:
    """The calendar's tags on an event (an event carries the tags of every calendar that tagged it)."""
    return [{"id": t, "name": calendar.event_tags[t]["name"]} for t in ev["_tags"] if t in calendar.event_tags]


def _city_only(geo: dict | None) -> dict | None:
    if geo is None or not (geo["city_state"] or geo["city"]):
        return None  # we do not geocode, so an address without a known city shows nothing
    hidden = dict.fromkeys(("full_address", "google_maps_place_id", "apple_maps_place_id", "description"))
    city = {k: geo[k] for k in ("city", "region", "country", "city_state")}
    return {**city, **hidden, "address": geo["city_state"] or geo["city"]}


def _coarse(coordinate: dict | None) -> dict | None:
    if coordinate is None:
        return None
    return {k: round(v, 2) for k, v in coordinate.items()}  # about a kilometre: city level


def calendar_entry(emu: LumaEmulator, calendar: CalendarData, ev: dict, submitted_by: str | None) -> dict:
    """A Luma event in the calendar's list: in full when the calendar manages it, blurred when it only lists it."""
    if ev["calendar_id"] == calendar.id:
        out = {**summary(emu, ev), "access": "manage"}
    else:
        out = {k: ev[k] for k in VIEW_FIELDS}
        out.update(
            access="view", geo_address_json=_city_only(ev["geo_address_json"]), coordinate=_coarse(ev["coordinate"])
        )
    submitter = emu.state.users.get(submitted_by) if submitted_by else None
    return {**out, "tags": tags_on(calendar, ev), "submitted_by": person(submitter) if submitter else None}
