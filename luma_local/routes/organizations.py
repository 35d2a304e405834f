"""Organization routes: the organization's admins, calendars and events across its calendars."""

from __future__ import annotations

from ..errors import bad_request, not_found
from ..paging import sort_items
from ..state import new_slug, person, public
from .base import Ctx, RouteTable, routes_of
from .calendar import create_calendar, in_window
from .event_views import summary
from .events import slug_taken


ROUTES: RouteTable = {}
route = routes_of(ROUTES)


@route("GET", "/v1/organizations/admins/list")
def list_admins(ctx: Ctx) -> dict:
    return {"entries": [{**person(ctx.state.user), "api_id": ctx.state.user_id}]}


@route("GET", "/v1/organizations/calendars/list")
def list_calendars(ctx: Ctx) -> dict:
    return ctx.page([data.calendar for data in ctx.state.calendars.values()], public)


@route("GET", "/v1/organizations/events/list")
def list_events(ctx: Ctx) -> dict:
    q, state = ctx.query, ctx.state
    items = [ev for ev in state.events.values() if in_window(ev["start_at"], q)]
    items = sort_items(items, lambda ev: ev["start_at"], q.get("sort_direction"))

    def render(ev: dict) -> dict:
        coord = ev["coordinate"]
        managing = state.calendars[ev["calendar_id"]].calendar
        return {
            **summary(ctx.emu, ev),
            # The deprecated names this route still returns beside the new ones.
            "api_id": ev["id"],
            "user_api_id": ev["user_id"],
            "calendar_api_id": ev["calendar_id"],
            "zoom_meeting_url": ev["meeting_url"] if ev["location_type"] == "zoom" else None,
            "geo_latitude": str(coord["latitude"]) if coord else None,
            "geo_longitude": str(coord["longitude"]) if coord else None,
            "managing_calendars": [{**public(managing), "status": "approved"}],
        }

    return ctx.page(items, render)


@route("POST", "/v1/organizations/events/transfer-calendar")
def transfer_event(ctx: Ctx) -> dict:
    ev = ctx.state.event_or_404(ctx.body["event_id"])
    target = ctx.body["calendar_id"]
    if target not in ctx.state.calendars:
        raise not_found(f"Calendar {target}")
    ev["calendar_id"] = target
    return {}


@route("POST", "/v2/organizations/calendars/create")
def create(ctx: Ctx) -> dict:
    b = ctx.body
    slug = b.get("slug") or new_slug()
    if slug_taken(ctx.state, slug):
        raise bad_request(f"Slug '{slug}' is already taken")
    data = create_calendar(
        ctx.state, b["name"], slug=slug, description=b.get("description"), avatar_url=b.get("avatar_url")
    )
    if "tint_color" in b:
        data.calendar["_tint_color"] = b["tint_color"]
    return public(data.calendar)


CALENDAR_FREE = frozenset(ROUTES)  # they act for the organization, not one of its calendars
