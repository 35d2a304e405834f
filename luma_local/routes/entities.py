"""Slug lookup: a slug names a calendar or an event, never both (Luma refuses a taken slug)."""

from __future__ import annotations

from .base import Ctx, RouteTable, routes_of


ROUTES: RouteTable = {}
route = routes_of(ROUTES)


@route("GET", "/v1/entities/lookup")
def lookup(ctx: Ctx) -> dict:
    slug = ctx.query["slug"].strip().lower()
    for data in ctx.state.calendars.values():
        cal = data.calendar
        if slug and slug == (cal["slug"] or "").lower():
            return {
                "entity": {"type": "calendar", "calendar": {k: cal[k] for k in ("id", "name", "slug", "avatar_url")}}
            }
    event_id = ctx.state.slugs.get(slug)
    if event_id is None:
        return {"entity": None}
    ev = ctx.state.events[event_id]
    fields = {k: ev[k] for k in ("id", "name", "cover_url", "start_at", "end_at")}
    return {"entity": {"type": "event", "event": {**fields, "slug": ev["_slug"]}}}


CALENDAR_FREE = frozenset(ROUTES)  # the same whichever calendar a call names
