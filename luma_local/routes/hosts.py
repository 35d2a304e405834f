"""Event hosts: add, update, remove; the event's creator keeps its manager access and cannot be removed."""

from __future__ import annotations

from ..errors import bad_request, not_found
from .base import Ctx, RouteTable, routes_of
from .users import check_email


ROUTES: RouteTable = {}
route = routes_of(ROUTES)


def _host(ctx: Ctx, ev: dict, email: str) -> dict | None:
    user = ctx.state.user_by_id_or_email(email)
    if user is None:
        return None
    return next((h for h in ev["_hosts"] if h["user_id"] == user["id"]), None)


def _host_or_404(ctx: Ctx) -> tuple[dict, dict]:
    ev = ctx.event(ctx.body["event_id"])
    host = _host(ctx, ev, ctx.body["email"])
    if host is None:
        raise not_found(f"Host {ctx.body['email']}")
    return ev, host


@route("POST", "/v1/events/hosts/add")
def add(ctx: Ctx) -> dict:
    b = ctx.body
    ev = ctx.event(b["event_id"])
    check_email(b["email"], "email")
    if _host(ctx, ev, b["email"]) is not None:
        raise bad_request(f"{b['email']} is already a host of this event")
    user = ctx.state.user_for(b["email"], b.get("name"))
    ev["_hosts"].append(
        {
            "user_id": user["id"],
            "access_level": b.get("access_level") or "manager",
            "is_visible": b.get("is_visible", True),
            "creator": False,
        }
    )
    return {}


@route("POST", "/v1/events/hosts/update")
def update(ctx: Ctx) -> dict:
    b = ctx.body
    _, host = _host_or_404(ctx)
    if host["creator"] and "access_level" in b and b["access_level"] != host["access_level"]:
        raise bad_request("The access level of the event creator cannot be changed")
    for key in ("access_level", "is_visible"):
        if key in b:
            host[key] = b[key]
    return {}


@route("POST", "/v1/events/hosts/remove")
def remove(ctx: Ctx) -> dict:
    ev, host = _host_or_404(ctx)
    if host["creator"]:
        raise bad_request("The event creator cannot be removed as a host")
    ev["_hosts"].remove(host)
    return {}
