"""Slug lookup: a slug names a calendar or an event, never both (Luma refuses a taken slug)."""

from __future__ import annotations

from .base import Ctx, RouteTable


def lookup(ctx: Ctx) -> dict:
    slug = ctx.query["slug"].strip().lower()
    for data in ctx.state.calendars.values():
        cal = data.calendar
        if slug and slug == (cal["slug"] or "").lower():
            fields = {k: cal[k] for k in ("id", "name", "slug", "avatar_url")}
            return {"entity": {"type": "calendar", "calendar": {**fields, "api_id": cal["id"]}}}
    event_id = ctx.state.slugs.get(slug)
    if event_id is None:
        return {"entity": None}
    ev = ctx.state.events[event_id]
    fields = {k: ev[k] for k in ("id", "name", "cover_url", "start_at", "end_at")}
    return {"entity": {"type": "event", "event": {**fields, "api_id": ev["id"], "slug": ev["_slug"]}}}


ROUTES: RouteTable = {("GET", "/v1/entity/lookup"): lookup}
