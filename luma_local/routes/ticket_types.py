"""Ticket types: list (``include_hidden`` is a string in Luma's document), get, create, update, soft delete."""

from __future__ import annotations

import re
from typing import Any

from ..errors import bad_request, not_found
from ..state import EmulatorState, new_id, public
from .base import Ctx, RouteTable, routes_of

EDITABLE = (
    "name",
    "require_approval",
    "is_hidden",
    "description",
    "valid_start_at",
    "valid_end_at",
    "max_capacity",
    "type",
    "cents",
    "currency",
    "is_flexible",
    "min_cents",
)


ROUTES: RouteTable = {}
route = routes_of(ROUTES)


def ticket_type_or_404(state: EmulatorState, tid: str) -> dict:
    tt = state.ticket_types.get(tid)
    if tt is None or tt["_deleted"]:
        raise not_found(f"Ticket type {tid}")
    return tt


def of_event(state: EmulatorState, event_id: str, tid: str) -> dict:
    """A live ticket type of this event, or the 400 Luma gives for a type from elsewhere."""
    tt = state.ticket_types.get(tid)
    if tt is None or tt["_deleted"] or tt["_event_id"] != event_id:
        raise bad_request(f"Invalid event_ticket_type_id: {tid} is not a ticket type of this event")
    return tt


def _normalise_price(tt: dict) -> None:
    if tt["type"] == "free":
        tt.update(cents=None, currency=None, is_flexible=False, min_cents=None)
    elif not tt["currency"]:
        tt["currency"] = "usd"


def _check(tt: dict) -> None:
    if tt["type"] == "paid":
        if not tt["is_flexible"] and not tt["cents"]:
            raise bad_request("Invalid cents: a paid ticket type needs a price above 0")
        if tt["cents"] is not None and tt["cents"] < 0:
            raise bad_request("Invalid cents: must not be negative")
        if tt["is_flexible"] and tt["min_cents"] is not None and tt["cents"] is not None:
            if tt["min_cents"] > tt["cents"]:
                raise bad_request("Invalid min_cents: must not exceed cents")
    if tt["max_capacity"] is not None and tt["max_capacity"] < 0:
        raise bad_request("Invalid max_capacity: must not be negative")
    for key in ("valid_start_at", "valid_end_at"):
        if tt[key] is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", tt[key]):
            raise bad_request(f"Invalid {key}: expected an ISO 8601 date such as 2025-09-01")
    if tt["valid_start_at"] and tt["valid_end_at"] and tt["valid_end_at"] < tt["valid_start_at"]:
        raise bad_request("Invalid valid_end_at: before valid_start_at")


def create_ticket_type(state: EmulatorState, ev: dict, b: dict) -> dict:
    tt: dict[str, Any] = {
        "id": new_id("ttype"),
        "name": b["name"],
        "require_approval": False,
        "is_hidden": False,
        "description": None,
        "valid_start_at": None,
        "valid_end_at": None,
        "max_capacity": None,
        "type": b["type"],
        "cents": None,
        "currency": None,
        "is_flexible": False,
        "min_cents": None,
        "_event_id": ev["id"],
        "_deleted": False,
    }
    tt.update({k: b[k] for k in EDITABLE if k in b})
    _normalise_price(tt)
    _check(tt)
    state.ticket_types[tt["id"]] = tt
    return tt


def tickets_sold(state: EmulatorState, tid: str) -> int:
    event_id = state.ticket_types[tid]["_event_id"]
    return sum(
        1
        for g in state.guests.get(event_id, {}).values()
        for t in g["event_tickets"]
        if t["event_ticket_type_id"] == tid
    )


def _ensure_other_visible(state: EmulatorState, tt: dict, verb: str) -> None:
    others = [t for t in state.live_ticket_types(tt["_event_id"]) if t["id"] != tt["id"] and not t["is_hidden"]]
    if not tt["is_hidden"] and not others:
        raise bad_request(f"Cannot {verb} the last visible ticket type of an event")


def _own(ctx: Ctx, tid: str) -> dict:
    tt = ticket_type_or_404(ctx.state, tid)
    ctx.event(tt["_event_id"])
    return tt


@route("GET", "/v1/events/ticket-types/list")
def list_types(ctx: Ctx) -> dict:
    ctx.event(ctx.query["event_id"])
    flag = ctx.query.get("include_hidden", "false")
    if flag not in ("true", "false"):
        raise bad_request("Invalid query parameter 'include_hidden': expected 'true' or 'false'")
    types = ctx.state.live_ticket_types(ctx.query["event_id"])
    return {"entries": [public(t) for t in types if flag == "true" or not t["is_hidden"]]}


@route("GET", "/v1/events/ticket-types/get")
def get_type(ctx: Ctx) -> dict:
    return public(_own(ctx, ctx.query["event_ticket_type_id"]))


@route("POST", "/v1/events/ticket-types/create")
def create(ctx: Ctx) -> dict:
    return public(create_ticket_type(ctx.state, ctx.event(ctx.body["event_id"]), ctx.body))


@route("POST", "/v1/events/ticket-types/update")
def update(ctx: Ctx) -> dict:
    b = ctx.body
    tt = _own(ctx, b["event_ticket_type_id"])
    staged = dict(tt)
    staged.update({k: b[k] for k in EDITABLE if k in b})
    _normalise_price(staged)
    _check(staged)
    if staged["is_hidden"] and not tt["is_hidden"]:
        _ensure_other_visible(ctx.state, tt, "hide")
    tt.update(staged)
    return public(tt)


@route("POST", "/v1/events/ticket-types/delete")
def delete(ctx: Ctx) -> dict:
    tt = _own(ctx, ctx.body["event_ticket_type_id"])
    sold = tickets_sold(ctx.state, tt["id"])
    if sold:
        raise bad_request(f"Cannot delete a ticket type with tickets sold ({sold})")
    _ensure_other_visible(ctx.state, tt, "delete")
    tt["_deleted"] = True  # Luma soft-deletes
    return {}
