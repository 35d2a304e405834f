"""Webhook subscriptions of the calendar (the emulator stores them; it does not deliver)."""

from __future__ import annotations

import re
import secrets

from ..errors import bad_request, not_found
from ..state import new_id, public
from .base import Ctx, RouteTable, routes_of


ROUTES: RouteTable = {}
route = routes_of(ROUTES)


def _webhook_or_404(ctx: Ctx, webhook_id: str) -> dict:
    webhook = ctx.calendar.webhooks.get(webhook_id)
    if webhook is None:
        raise not_found(f"Webhook {webhook_id}")
    return webhook


@route("GET", "/v1/webhooks/list")
def list_webhooks(ctx: Ctx) -> dict:
    return ctx.page(list(ctx.calendar.webhooks.values()), public)


@route("GET", "/v2/webhooks/get")
def get_webhook(ctx: Ctx) -> dict:
    return public(_webhook_or_404(ctx, ctx.query["id"]))


@route("POST", "/v2/webhooks/create")
def create(ctx: Ctx) -> dict:
    b = ctx.body
    if not re.match(r"^https?://[^\s/]+", b["url"]):
        raise bad_request("Invalid url: must be an absolute http(s) URL")
    webhook = {
        "id": new_id("wh"),
        "url": b["url"],
        "event_types": list(dict.fromkeys(b["event_types"])),
        "status": "active",
        "secret": "whsec_" + secrets.token_urlsafe(24),
        "created_at": ctx.emu.clock.now_iso(),
    }
    ctx.calendar.webhooks[webhook["id"]] = webhook
    return public(webhook)


@route("POST", "/v2/webhooks/update")
def update(ctx: Ctx) -> dict:
    b = ctx.body
    webhook = _webhook_or_404(ctx, b["id"])
    if "event_types" in b:
        webhook["event_types"] = list(dict.fromkeys(b["event_types"]))
    if "status" in b:
        webhook["status"] = b["status"]
    return public(webhook)


@route("POST", "/v1/webhooks/delete")
def delete(ctx: Ctx) -> dict:
    _webhook_or_404(ctx, ctx.body["id"])
    del ctx.calendar.webhooks[ctx.body["id"]]
    return {}
