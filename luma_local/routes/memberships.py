"""Calendar membership tiers and members; a member is a contact with a ``membership``."""

from __future__ import annotations

from ..errors import bad_request, not_found
from ..state import CalendarData, new_id, public
from . import contacts
from .base import Ctx, RouteTable, routes_of


ROUTES: RouteTable = {}
route = routes_of(ROUTES)


def add_tier(
    calendar: CalendarData,
    name: str,
    access_info: dict | None = None,
    *,
    description: str | None = None,
    tint_color: str = "#6d28d9",
) -> dict:
    """A tier as a host sets one up in Luma (the API cannot create tiers), returned as tiers/list shows it.
    ``access_info`` is Luma's: ``{"type": "free", "require_approval": False}`` (the default), ``{"type":
    "payment-once", "amount", "currency", "require_approval"}`` or ``{"type": "payment-recurring", "currency",
    "stripe_account_id", "stripe_product_id", "amount_monthly", "amount_yearly", ..., "require_approval"}``."""
    tier = {
        "id": new_id("cmt"),
        "name": name,
        "description": description,
        "tint_color": tint_color,
        "access_info": access_info or {"type": "free", "require_approval": False},
    }
    calendar.membership_tiers[tier["id"]] = tier
    return public(tier)


@route("GET", "/v1/memberships/tiers/list")
def list_tiers(ctx: Ctx) -> dict:
    return ctx.page(list(ctx.calendar.membership_tiers.values()), public)


@route("POST", "/v1/memberships/members/add")
def add_member(ctx: Ctx) -> dict:
    b = ctx.body
    tier = ctx.calendar.membership_tiers.get(b["membership_tier_id"])
    if tier is None:
        raise not_found(f"Membership tier {b['membership_tier_id']}")
    access = tier["access_info"]
    if access["type"] != "free" and not b.get("skip_payment"):
        raise bad_request("skip_payment is required for a paid membership tier")
    status = "pending" if access["require_approval"] else "approved"
    if contacts.is_blocked(ctx.state, ctx.calendar.id, b["email"]):
        raise bad_request(f"{b['email']} is blocked from this calendar")
    contact = contacts.ensure_contact(ctx.emu, ctx.calendar.id, ctx.state.user_for(b["email"]))
    contact["membership"] = {"status": status, "calendar_membership_tier_id": tier["id"]}
    contact["_membership_id"] = contact.get("_membership_id") or new_id("mem")
    return {"membership_id": contact["_membership_id"], "status": status}


@route("POST", "/v1/memberships/members/update-status")
def update_member_status(ctx: Ctx) -> dict:
    user = ctx.state.user_by_id_or_email(ctx.body["user_id"])
    contact = ctx.calendar.contacts.get(user["id"]) if user else None
    if contact is None or contact["membership"] is None:
        raise not_found(f"Member {ctx.body['user_id']}")
    contact["membership"]["status"] = ctx.body["status"]
    return {}
