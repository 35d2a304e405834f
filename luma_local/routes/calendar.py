"""The calendar itself, its admins, the events it lists (its own, external ones and submissions)."""

from __future__ import annotations

import re
from typing import Any

from ..clock import iso, parse_dt, parse_duration
from ..errors import bad_request, not_found
from ..paging import sort_items
from ..state import DEFAULT_AVATAR, CalendarData, EmulatorState, new_id, new_slug, public
from .base import Ctx, RouteTable
from .events import geo_out, list_entry, slug_taken


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


def get_calendar(ctx: Ctx) -> dict:
    return public(ctx.calendar.calendar)


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


def list_admins(ctx: Ctx) -> dict:
    return {"entries": [{**ctx.state.user, "api_id": ctx.state.user["id"]}]}


def in_window(start_at: str, query: dict[str, Any]) -> bool:
    start = parse_dt(start_at)
    return ("after" not in query or start >= parse_dt(query["after"])) and (
        "before" not in query or start < parse_dt(query["before"])
    )


def list_events(ctx: Ctx) -> dict:
    q, calendar = ctx.query, ctx.calendar
    platforms = set(q.get("platforms") or ["luma"])
    status = q.get("status") or "approved"
    items: list[dict] = []
    if "luma" in platforms:
        items += [ev for ev in ctx.state.events.values() if ev["_status"] == status]
    if "external" in platforms:
        items += [ev for ev in calendar.external_events.values() if ev["_status"] == status]
    items = sort_items(
        [ev for ev in items if in_window(ev["start_at"], q)], lambda ev: ev["start_at"], q.get("sort_direction")
    )

    def render(ev: dict) -> dict:
        if ev["platform"] == "external":
            return {**public(ev), "tags": []}
        return list_entry(ctx.state, calendar, ev)

    return ctx.page(items, render)


def lookup_event(ctx: Ctx) -> dict:
    q = ctx.query
    event_id, url = q.get("event_id") or q.get("event_api_id"), q.get("url")
    for calev_id, sub in ctx.calendar.submissions.items():
        if (event_id and sub["event_id"] == event_id) or (url and sub.get("url") == url):
            return {"event": {"id": calev_id, "api_id": calev_id, "status": sub["status"]}}
    for ev in ctx.state.events.values():
        if ev["id"] == event_id or (url and ev["url"] == url):
            return {"event": {"id": ev["id"], "api_id": ev["id"], "status": ev["_status"]}}
    return {"event": None}


def add_event(ctx: Ctx) -> dict:
    b, calendar = ctx.body, ctx.calendar
    status = "pending" if b.get("submission_mode") == "pending" else "approved"
    calev_id = new_id("calev")
    if b.get("platform") == "luma":
        event_id = b.get("event_id") or b.get("event_api_id")
        if event_id not in ctx.state.events:
            raise not_found(f"Event {event_id}")
        if any(s["event_id"] == event_id for s in calendar.submissions.values()):
            raise bad_request("This event is already on the calendar")
        calendar.submissions[calev_id] = {"event_id": event_id, "status": status}
    else:
        start = parse_dt(b["start_at"])
        calendar.external_events[calev_id] = {
            "platform": "external",
            "id": calev_id,
            "calendar_id": calendar.id,
            "start_at": iso(start),
            "duration_interval": b["duration_interval"],
            "end_at": iso(start + parse_duration(b["duration_interval"])),
            "created_at": ctx.emu.clock.now_iso(),
            "timezone": b["timezone"],
            "name": b["name"],
            "geo_address_json": geo_out(b.get("geo_address_json")),
            "coordinate": b.get("coordinate"),
            "url": b["url"],
            "host": b.get("host"),
            "_status": status,
        }
        calendar.submissions[calev_id] = {"event_id": calev_id, "status": status, "url": b["url"]}
    return {"id": calev_id, "api_id": calev_id, "status": status}


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


ROUTES: RouteTable = {
    ("GET", "/v1/calendars/get"): get_calendar,
    ("POST", "/v1/calendars/update"): update_calendar,
    ("GET", "/v1/calendar/admins/list"): list_admins,
    ("GET", "/v1/calendars/events/list"): list_events,
    ("GET", "/v1/calendar/lookup-event"): lookup_event,
    ("POST", "/v1/calendar/add-event"): add_event,
    ("POST", "/v1/calendar/approve-event"): lambda ctx: _set_submission_status(ctx, "approved"),
    ("POST", "/v1/calendar/reject-event"): lambda ctx: _set_submission_status(ctx, "rejected"),
}
