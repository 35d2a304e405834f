"""Events: create, get, update and the two-step cancel (what Luma shows of an event is in event_views.py)."""

from __future__ import annotations

import copy
import functools
import re
import secrets
import zoneinfo
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..clock import iso, iso_duration, parse_dt
from ..errors import bad_request
from ..state import CDN, CalendarData, EmulatorState, new_id, new_slug
from . import event_views, ticket_types
from .base import Ctx, RouteTable, routes_of

if TYPE_CHECKING:
    from ..server import LumaEmulator

CANCEL_TOKEN_TTL = 15 * 60
DEFAULT_COVER = f"{CDN}/gallery-images/default-cover.png"
# Luma derives location_type from the meeting link's host.
MEETING_PLATFORMS = {
    "zoom.": "zoom",
    "meet.google": "meet",
    "youtube.": "youtube",
    "twitch.": "twitch",
    "discord.": "discord",
    "twitter.": "twitter",
    "x.com": "twitter",
}
# Create/update fields stored as sent.
PLAIN_FIELDS = (
    "name",
    "timezone",
    "cover_url",
    "visibility",
    "registration_questions",
    "registration_open",
    "waitlist_status",
    "location_visibility",
)
# Create/update fields we accept and keep but Luma does not return on the event object.
HIDDEN_SETTINGS = (
    "tint_color",
    "can_register_for_multiple_tickets",
    "show_guest_list",
    "reminders_disabled",
    "name_requirement",
    "phone_number_requirement",
)


ROUTES: RouteTable = {}
route = routes_of(ROUTES)


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _known_timezone(name: str) -> bool:
    # Without a tz database on the host we cannot tell; accept any non-blank name then.
    zones = _zone_names()
    return name in zones or name == "UTC" if zones else bool(name.strip())


def _set_location_type(ev: dict) -> None:
    meeting = (ev.get("meeting_url") or "").lower()
    if meeting:
        ev["location_type"] = next((v for k, v in MEETING_PLATFORMS.items() if k in meeting), "unknown")
    elif ev.get("geo_address_json"):
        ev["location_type"] = "offline"
    else:
        ev["location_type"] = "missing"


def geo_out(geo: dict | None) -> dict | None:
    if geo is None:
        return None
    if geo["type"] == "manual":
        address, place, desc = geo["address"], None, None
    else:
        desc = geo.get("description")
        address, place = desc or geo["place_id"], geo["place_id"]
    return {
        "address": address,
        "city": None,
        "region": None,
        "country": None,
        "city_state": None,
        "full_address": address,
        "google_maps_place_id": place,
        "apple_maps_place_id": None,
        "description": desc,
    }


def slug_taken(state: EmulatorState, slug: str, event_id: str | None = None) -> bool:
    lowered = slug.lower()
    owner = state.slugs.get(lowered)
    calendar_slugs = {(c.calendar.get("slug") or "").lower() for c in state.calendars.values()}
    return (owner is not None and owner != event_id) or lowered in calendar_slugs


def _check_slug(state: EmulatorState, slug: str, event_id: str | None = None) -> None:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug.lower()):
        raise bad_request("Invalid slug: use letters, digits and dashes")
    if slug_taken(state, slug, event_id):
        raise bad_request(f"Slug '{slug}' is already taken")


def markdown_to_text(md: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", md)
    return re.sub(r"[#*_`>]", "", text).strip()


def _apply_times(ev: dict, b: dict) -> None:
    start = parse_dt(b["start_at"]) if "start_at" in b else parse_dt(ev["start_at"])
    if "end_at" in b:
        end = parse_dt(b["end_at"])
    elif ev.get("start_at"):  # moving an existing event keeps its duration
        end = start + (parse_dt(ev["end_at"]) - parse_dt(ev["start_at"]))
    else:
        end = start + timedelta(hours=1)  # Luma's default length for a new event
    if end <= start:
        raise bad_request("Invalid end_at: must be after start_at")
    ev.update(start_at=iso(start), end_at=iso(end), duration_interval=iso_duration((end - start).total_seconds()))


def _apply_event_fields(ev: dict, b: dict) -> None:
    if "start_at" in b or "end_at" in b:
        _apply_times(ev, b)
    if "timezone" in b and not _known_timezone(b["timezone"]):
        raise bad_request(f"Invalid timezone: {b['timezone']!r} is not an IANA time zone name")
    for key in PLAIN_FIELDS:
        if key in b:
            ev[key] = copy.deepcopy(b[key])
    if "name" in b and not b["name"].strip():
        raise bad_request("Invalid name: must not be empty")
    if "description_md" in b:
        ev["description_md"] = b["description_md"]
        ev["description"] = markdown_to_text(b["description_md"])
    if "meeting_url" in b:
        ev["meeting_url"] = b["meeting_url"] or None
    if "geo_address_json" in b:
        ev["geo_address_json"] = geo_out(b["geo_address_json"])
    if "coordinate" in b:
        ev["coordinate"] = dict(b["coordinate"])
    if "feedback_email" in b:
        fe = b["feedback_email"]
        ev["feedback_email"] = {"enabled": fe["enabled"], "delay": fe.get("delay") or "PT0M"}
    if "max_capacity" in b:
        cap = b["max_capacity"]
        if cap is not None and (cap < 1 or cap != int(cap)):
            raise bad_request("Invalid max_capacity: must be a whole number of at least 1, or null")
        cap = None if cap is None else int(cap)
        ev["_max_capacity"] = cap
    for key in HIDDEN_SETTINGS:
        if key in b:
            ev["_" + key] = b[key]
    _set_location_type(ev)


def create_event(emu: LumaEmulator, calendar: CalendarData, b: dict) -> dict:
    state = emu.state
    event_id = new_id("evt")
    slug = b.get("slug") or new_slug()
    _check_slug(state, slug)
    owner = state.user
    ev: dict[str, Any] = {
        "platform": "luma",
        "id": event_id,
        "user_id": owner["id"],
        "calendar_id": calendar.id,
        "start_at": None,
        "duration_interval": None,
        "end_at": None,
        "created_at": emu.clock.now_iso(),
        "timezone": b["timezone"],
        "name": b["name"],
        "description": "",
        "description_md": "",
        "geo_address_json": None,
        "coordinate": None,
        "meeting_url": None,
        "location_type": "missing",
        "location_visibility": "public",
        "cover_url": DEFAULT_COVER,
        "registration_questions": [],
        "url": f"https://luma.com/{slug}",
        "visibility": "public",
        "waitlist_status": "disabled",
        "registration_open": True,
        "feedback_email": {"enabled": False, "delay": "PT0M"},
        "_slug": slug,
        "_status": "approved",
        "_max_capacity": None,
        "_tags": [],
        "_hosts": [{"user_id": owner["id"], "access_level": "manager", "is_visible": True, "creator": True}],
    }
    _apply_event_fields(ev, b)
    state.events[event_id] = ev
    state.slugs[slug.lower()] = event_id
    state.guests[event_id] = {}
    state.guest_ids_by_email[event_id] = {}
    state.event_coupons[event_id] = {}
    ticket_types.create_ticket_type(state, ev, {"name": "General Admission", "type": "free"})
    return ev


def delete_event(state: EmulatorState, event_id: str) -> None:
    ev = state.events.pop(event_id)
    state.slugs.pop(ev["_slug"].lower(), None)
    for g in state.guests.pop(event_id, {}).values():
        state.guest_keys.pop(g["_key"], None)
    state.guest_ids_by_email.pop(event_id, None)
    state.event_coupons.pop(event_id, None)
    for tid in [t for t, tt in state.ticket_types.items() if tt["_event_id"] == event_id]:
        del state.ticket_types[tid]
    for calendar in state.calendars.values():
        for calev_id in [c for c, s in calendar.submissions.items() if s["event_id"] == event_id]:
            del calendar.submissions[calev_id]


@route("GET", "/v1/events/get")
def get_event(ctx: Ctx) -> dict:
    return event_views.event_out(ctx.emu, ctx.event(ctx.query["event_id"]))


@route("POST", "/v1/events/create")
def create(ctx: Ctx) -> dict:
    return {"id": create_event(ctx.emu, ctx.calendar, ctx.body)["id"]}


@route("POST", "/v1/events/update")
def update(ctx: Ctx) -> dict:
    b = ctx.body
    ev = ctx.event(b["event_id"])
    staged = copy.deepcopy(ev)
    if "slug" in b:
        _check_slug(ctx.state, b["slug"], ev["id"])
        staged["_slug"] = b["slug"]
        staged["url"] = f"https://luma.com/{b['slug']}"
    _apply_event_fields(staged, b)
    cap = staged.get("_max_capacity")
    if cap is not None and cap < event_views.capacity_used(ctx.state, staged):
        raise bad_request("Invalid max_capacity: lower than the number of approved guests")
    ctx.state.slugs.pop(ev["_slug"].lower(), None)
    ctx.state.slugs[staged["_slug"].lower()] = ev["id"]
    ev.clear()
    ev.update(staged)
    return {}


@route("POST", "/v1/events/cancel/request")
def cancel_request(ctx: Ctx) -> dict:
    ev = ctx.event(ctx.body["event_id"])
    guests = ctx.state.guests[ev["id"]].values()
    is_paid = any(t["amount"] > 0 for g in guests for t in g["event_tickets"])
    token = secrets.token_urlsafe(24)
    ev["_cancel"] = {"token": token, "expires": ctx.emu.clock() + CANCEL_TOKEN_TTL, "is_paid": is_paid}
    # Luma: "The number of approved guests for this event."
    approved = [g for g in guests if g["approval_status"] == "approved"]
    return {"cancellation_token": token, "is_paid": is_paid, "guest_count": len(approved)}


@route("POST", "/v1/events/cancel")
def cancel(ctx: Ctx) -> dict:
    b = ctx.body
    ev = ctx.event(b["event_id"])
    pending = ev.get("_cancel")
    if not pending or not secrets.compare_digest(pending["token"], b["cancellation_token"]):
        raise bad_request("Invalid cancellation_token: request one with /v1/events/cancel/request")
    if ctx.emu.clock() > pending["expires"]:
        raise bad_request("cancellation_token has expired, request a new one")
    if pending["is_paid"] and "should_refund" not in b:
        raise bad_request("should_refund is required for an event with paid guests")
    delete_event(ctx.state, ev["id"])
    return {}
