"""Coupons of an event and of the calendar: one shape, codes unique case-insensitively within their owner."""

from __future__ import annotations

from typing import Any

from ..clock import parse_dt
from ..errors import bad_request, not_found
from ..state import new_id, public
from . import ticket_types
from .base import Ctx, RouteTable, routes_of

UNLIMITED = 1_000_000  # Luma's "unlimited" remaining_count


ROUTES: RouteTable = {}
route = routes_of(ROUTES)


def _store(ctx: Ctx, event_id: str | None) -> dict[str, dict]:
    if event_id is None:
        return ctx.calendar.coupons
    return ctx.state.event_coupons[ctx.event(event_id)["id"]]


def _check_validity(start: str | None, end: str | None) -> None:
    if start and end and parse_dt(end) <= parse_dt(start):
        raise bad_request("Invalid valid_end_at: must be after valid_start_at")


def _create(ctx: Ctx, event_id: str | None) -> dict:
    b = ctx.body
    store = _store(ctx, event_id)
    code = b["code"].strip()
    if not code:
        raise bad_request("Invalid code: must not be blank")
    if code.lower() in store:
        raise bad_request(f"Coupon code '{code}' already exists (codes are case-insensitive)")
    _check_validity(b.get("valid_start_at"), b.get("valid_end_at"))
    discount = b["discount"]
    by_amount = discount["discount_type"] == "amount"
    coupon: dict[str, Any] = {
        "id": new_id("ecp" if event_id else "ccp"),
        "code": code,
        "remaining_count": b.get("remaining_count", UNLIMITED),
        "valid_start_at": b.get("valid_start_at"),
        "valid_end_at": b.get("valid_end_at"),
        "percent_off": None if by_amount else discount.get("percent_off"),
        "cents_off": discount.get("cents_off") if by_amount else None,
        "currency": discount.get("currency") if by_amount else None,
    }
    if event_id is not None:
        tid = b.get("event_ticket_type_id")
        if tid is not None:
            ticket_types.of_event(ctx.state, event_id, tid)
        coupon["event_ticket_type_id"] = tid
    store[code.lower()] = coupon
    return public(coupon)


def _update(ctx: Ctx, event_id: str | None) -> dict:
    b = ctx.body
    coupon = _store(ctx, event_id).get(b["code"].strip().lower())
    if coupon is None:
        raise not_found(f"Coupon {b['code']}")
    if "remaining_count" in b and not 0 <= b["remaining_count"] <= UNLIMITED:
        raise bad_request(f"Invalid remaining_count: must be between 0 and {UNLIMITED}")
    _check_validity(b.get("valid_start_at", coupon["valid_start_at"]), b.get("valid_end_at", coupon["valid_end_at"]))
    for key in ("remaining_count", "valid_start_at", "valid_end_at"):
        if key in b:
            coupon[key] = b[key]
    return {}


def _list(ctx: Ctx, event_id: str | None) -> dict:
    return ctx.page(list(_store(ctx, event_id).values()), public)


@route("GET", "/v1/events/coupons/list")
def list_event_coupons(ctx: Ctx) -> dict:
    return _list(ctx, ctx.query["event_id"])


@route("POST", "/v1/events/coupons/create")
def create_event_coupon(ctx: Ctx) -> dict:
    return _create(ctx, ctx.body["event_id"])


@route("POST", "/v1/events/coupons/update")
def update_event_coupon(ctx: Ctx) -> dict:
    return _update(ctx, ctx.body["event_id"])


@route("GET", "/v1/calendars/coupons/list")
def list_calendar_coupons(ctx: Ctx) -> dict:
    return _list(ctx, None)


@route("POST", "/v1/calendars/coupons/create")
def create_calendar_coupon(ctx: Ctx) -> dict:
    return _create(ctx, None)


@route("POST", "/v1/calendars/coupons/update")
def update_calendar_coupon(ctx: Ctx) -> dict:
    return _update(ctx, None)
