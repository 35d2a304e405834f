"""The calendar itself, its admins, and the events it lists: its own (``access: manage``), Luma events managed
elsewhere that were added or submitted to it (``access: view``) and external events (``platform: external``).

A submission records who submitted it (``submitted_by``); for the calendar's own events that is the creator.
Adding a Luma event the calendar already manages is a 400, as is adding an event twice.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..clock import instant, iso, parse_dt, parse_duration
from ..errors import bad_request, not_found
from ..paging import sort_items
from ..state import DEFAULT_AVATAR, CalendarData, EmulatorState, new_id, new_slug, person, public
from .base import Ctx, RouteTable, routes_of
from .event_views import calendar_entry
from .events import geo_out, slug_taken

if TYPE_CHECKING:
    from ..server import LumaEmulator


ROUTES: RouteTable = {}
route = routes_of(ROUTES)


def create_calendar(
    state: EmulatorState,
    name: str,
    *,
    slug: str | None = None,
    description: str | None = None,
    avatar_url: str | None = None,
    tint_color: str = "#6d28d9",
) -> CalendarData:
    slug = slug or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or new_slug()
    calendar = {
        "id": new_id("cal"),
        "name": name,
        "slug": slug,
        "avatar_url": avatar_url or DEFAULT_AVATAR,
        "url": f"https://luma.com/{slug}",
        "description": description,
        "social_image_url": None,
        "cover_image_url": None,
        "is_personal": False,
        "location": None,
        "coordinate": None,
        "instagram_handle": None,
        "twitter_handle": None,
        "youtube_handle": None,
        "website": None,
        "_tint_color": tint_color,
    }
    data = CalendarData(calendar)
    tier_id = new_id("cmt")
    data.membership_tiers[tier_id] = {
        "id": tier_id,
        "name": "Community Member",
        "description": None,
        "tint_color": tint_color,
        "access_info": {"type": "free", "require_approval": False},
    }
    state.calendars[calendar["id"]] = data
    return data


@route("GET", "/v1/calendars/get")
def get_calendar(ctx: Ctx) -> dict:
    return public(ctx.calendar.calendar)


@route("POST", "/v1/calendars/update")
def update_calendar(ctx: Ctx) -> dict:
    b = ctx.body
    cal = ctx.calendar.calendar
    if b["calendar_id"] != cal["id"]:
        raise not_found(f"Calendar {b['calendar_id']}")
    if "slug" in b and b["slug"].lower() != (cal["slug"] or "").lower():
        if slug_taken(ctx.state, b["slug"]) or not re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9-]*", b["slug"]):
            raise bad_request(f"Slug '{b['slug']}' is invalid or already taken")
        cal["slug"], cal["url"] = b["slug"], f"https://luma.com/{b['slug']}"
    for key in ("name", "description", "avatar_url"):
        if key in b:
            cal[key] = b[key]
    if "tint_color" in b:
        cal["_tint_color"] = b["tint_color"]
    return public(cal)


@route("GET", "/v1/calendars/admins/list")
def list_admins(ctx: Ctx) -> dict:
    return {"entries": [person(ctx.state.user)], "has_more": False}


def in_window(start_at: str, query: dict[str, Any]) -> bool:
    start = parse_dt(start_at)
    return ("after" not in query or start >= parse_dt(query["after"])) and (
        "before" not in query or start < parse_dt(query["before"])
    )


def _submitter(state: EmulatorState, user_id: str | None) -> dict | None:
    user = state.users.get(user_id) if user_id else None
    return person(user) if user else None


def _listed(ctx: Ctx, platforms: set[str], access: set[str], status: str) -> list[tuple[dict, str | None]]:
    """(event, submitter's user id) for everything the calendar lists with these filters."""
    state, calendar = ctx.state, ctx.calendar
    found: list[tuple[dict, str | None]] = []
    if "luma" in platforms and "manage" in access:
        own = (ev for ev in state.events.values() if ev["calendar_id"] == calendar.id)
        found += [(ev, ev["user_id"]) for ev in own if ev["_status"] == status]
    for sub in calendar.submissions.values():
        if sub["status"] != status or sub["platform"] not in platforms:
            continue
        if sub["platform"] == "external":
            found.append((calendar.external_events[sub["event_id"]], sub["submitted_by"]))
            continue
        ev = state.events.get(sub["event_id"])
        # Luma never shows a private event to a calendar that does not manage it.
        if "view" in access and ev is not None and ev["calendar_id"] != calendar.id and ev["visibility"] != "private":
            found.append((ev, sub["submitted_by"]))
    return found


@route("GET", "/v1/calendars/events/list")
def list_events(ctx: Ctx) -> dict:
    q, calendar = ctx.query, ctx.calendar
    status = q.get("status") or "approved"
    found = _listed(ctx, set(q.get("platforms") or ["luma"]), set(q.get("access") or ["manage"]), status)
    found = [item for item in found if in_window(item[0]["start_at"], q)]
    found = sort_items(found, lambda item: item[0]["start_at"], q.get("sort_direction"))

    def render(item: tuple[dict, str | None]) -> dict:
        ev, submitted_by = item
        if ev["platform"] == "external":
            return {**public(ev), "tags": [], "submitted_by": _submitter(ctx.state, submitted_by)}
        return calendar_entry(ctx.emu, calendar, ev, submitted_by)

    return ctx.page(found, render)


@route("GET", "/v1/calendars/events/lookup")
def lookup_event(ctx: Ctx) -> dict:
    q, state = ctx.query, ctx.state
    event_id, url, platform = q.get("event_id") or q.get("event_api_id"), q.get("url"), q.get("platform")

    def answer(event_or_submission_id: str, status: str, submitted_by: str | None) -> dict:
        return {
            "event": {"id": event_or_submission_id, "status": status, "submitted_by": _submitter(state, submitted_by)}
        }

    for calev_id, sub in ctx.calendar.submissions.items():
        if platform and sub["platform"] != platform:
            continue
        if (event_id and sub["event_id"] == event_id) or (url and sub.get("url") == url):
            return answer(calev_id, sub["status"], sub["submitted_by"])
    if platform != "external":
        for ev in state.events.values():
            if ev["calendar_id"] == ctx.calendar.id and (ev["id"] == event_id or (url and ev["url"] == url)):
                return answer(ev["id"], ev["_status"], ev["user_id"])
    return {"event": None}


def add_to_calendar(
    emu: LumaEmulator, calendar: CalendarData, b: dict, submitted_by: str, at: datetime | str | None = None
) -> dict:
    """calendars/events/add, and a submission through the calendar's page (``submitted_by``: a user id)."""
    status = "pending" if b.get("submission_mode") == "pending" else "approved"
    calev_id = new_id("calev")
    submission = {"status": status, "submitted_by": submitted_by, "created_at": instant(at, emu.clock)}
    if b.get("platform") == "luma":
        event_id = b.get("event_id") or b.get("event_api_id")
        ev = emu.state.event_or_404(event_id)
        if ev["calendar_id"] == calendar.id:
            raise bad_request(f"Event {event_id} is managed by this calendar, so it is on it already")
        if any(s["event_id"] == event_id for s in calendar.submissions.values()):
            raise bad_request("This event is already on the calendar")
        calendar.submissions[calev_id] = {**submission, "platform": "luma", "event_id": event_id}
    else:
        start = parse_dt(b["start_at"])
        calendar.external_events[calev_id] = {
            "platform": "external",
            "id": calev_id,
            "calendar_id": calendar.id,
            "start_at": iso(start),
            "duration_interval": b["duration_interval"],
            "end_at": iso(start + parse_duration(b["duration_interval"])),
            "created_at": submission["created_at"],
            "timezone": b["timezone"],
            "name": b["name"],
            "geo_address_json": geo_out(b.get("geo_address_json")),
            "coordinate": b.get("coordinate"),
            "url": b["url"],
            "host": b.get("host"),
            "_status": status,
        }
        calendar.submissions[calev_id] = {**submission, "platform": "external", "event_id": calev_id, "url": b["url"]}
    return {"id": calev_id, "status": status}


@route("POST", "/v1/calendars/events/add")
def add_event(ctx: Ctx) -> dict:
    return add_to_calendar(ctx.emu, ctx.calendar, ctx.body, ctx.state.user_id)


def _set_submission_status(ctx: Ctx, status: str) -> dict:
    ident = ctx.body["calendar_event_id"]
    calendar = ctx.calendar
    sub = calendar.submissions.get(ident)
    if sub is None:  # Luma also takes the evt- id of the submitted event
        sub = next((s for s in calendar.submissions.values() if s["event_id"] == ident), None)
    if sub is None:
        raise not_found(f"Calendar event {ident}")
    sub["status"] = status
    external = calendar.external_events.get(sub["event_id"])
    if external is not None:
        external["_status"] = status
    return {}


@route("POST", "/v1/calendars/events/approve")
def approve_event(ctx: Ctx) -> dict:
    return _set_submission_status(ctx, "approved")


@route("POST", "/v1/calendars/events/reject")
def reject_event(ctx: Ctx) -> dict:
    return _set_submission_status(ctx, "rejected")
