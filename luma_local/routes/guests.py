"""Guests: list, get (by id, guest key or email), add, update status and tickets, send invites."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import bad_request, not_found
from ..paging import sort_items
from ..state import EmulatorState, new_id, public
from . import answers, contacts, ticket_types
from .base import Ctx, RouteTable, routes_of
from .event_views import capacity_used, price_of
from .users import check_email

if TYPE_CHECKING:
    from ..server import LumaEmulator

WEEK_SECONDS = 7 * 24 * 3600


ROUTES: RouteTable = {}
route = routes_of(ROUTES)


def guest_out(state: EmulatorState, g: dict, *, with_orders: bool) -> dict:
    user = state.users[g["user_id"]]
    out = public(g)
    out.update(
        user_email=user["email"],
        user_name=user["name"],
        user_first_name=user["first_name"],
        user_last_name=user["last_name"],
    )
    if not with_orders:
        out.pop("event_ticket_orders", None)
    return out


def guest_or_404(state: EmulatorState, event_id: str, ident: str) -> dict:
    guest = state.find_guest(event_id, ident)
    if guest is None:
        raise not_found(f"Guest {ident}")
    return guest


def check_capacity(state: EmulatorState, ev: dict, guests: int, tickets_each: int = 1) -> None:
    """Room for ``guests`` more approved guests; each ticket counts when guests may hold several (Luma)."""
    extra = guests * tickets_each if ev.get("_can_register_for_multiple_tickets") else guests
    cap = ev.get("_max_capacity")
    if cap is not None and extra > 0 and capacity_used(state, ev) + extra > cap:
        raise bad_request(f"Event is at capacity ({cap} approved guests)")


def check_not_blocked(state: EmulatorState, ev: dict, email: str) -> None:
    if contacts.is_blocked(state, ev["calendar_id"], email):
        raise bad_request(f"{email} is blocked from this calendar and cannot join its events")


def make_tickets(
    state: EmulatorState, type_ids: list[str], *, charge: bool, captured: bool = True
) -> tuple[list[dict], list[dict]]:
    """One ticket per type id and the order that bought them; free unless ``charge`` (then at the type's price)."""
    tickets = []
    for tid in type_ids:
        tt = state.ticket_types[tid]
        # Ticket types keep the currency as sent; guests' tickets use Luma's lowercase codes.
        currency = tt["currency"].lower() if tt["currency"] else None
        tickets.append(
            {
                "id": new_id("tkt"),
                "amount": price_of(tt) if charge else 0,
                "amount_discount": 0,
                "amount_tax": 0,
                "currency": currency,
                "checked_in_at": None,
                "event_ticket_type_id": tid,
                "is_captured": captured,
                "name": tt["name"],
            }
        )
    order = {
        "id": new_id("ord"),
        "amount": sum(t["amount"] for t in tickets),
        "amount_discount": 0,
        "amount_tax": 0,
        "currency": next((t["currency"] for t in tickets if t["currency"]), None),
        "coupon_info": None,
        "is_captured": captured,
    }
    return tickets, [order]


def register(
    state: EmulatorState, guest: dict, status: str, type_ids: list[str], at: str, *, charge: bool = False
) -> None:
    """A guest (new, invited, or back after declining) registers: fresh tickets and a registration time."""
    # Paid registrations that wait for the host are only captured on approval, as Luma does with payments.
    tickets, orders = make_tickets(state, type_ids, charge=charge, captured=status == "approved" or not charge)
    guest.update(approval_status=status, registered_at=at, event_tickets=tickets, event_ticket_orders=orders)


def new_guest(emu: LumaEmulator, ev: dict, user: dict, status: str, at: str | None = None) -> dict:
    """A guest record with no tickets yet: invited, or about to be registered."""
    state, now = emu.state, at or emu.clock.now_iso()
    gid, key = new_id("gst"), new_id("g", 10)
    guest = {
        "id": gid,
        "user_id": user["id"],
        "user_email": user["email"],
        "user_name": user["name"],
        "user_first_name": user["first_name"],
        "user_last_name": user["last_name"],
        "approval_status": status,
        "check_in_qr_code": f"https://luma.com/check-in/{ev['id']}?pk={key}",
        "eth_address": None,
        "invited_at": now if status == "invited" else None,
        "joined_at": None,
        "phone_number": None,
        "registered_at": None,
        "registration_answers": None,
        "solana_address": None,
        "utm_source": None,
        "event_tickets": [],
        "event_ticket_orders": [],
        "_key": key,
        "_created_at": now,
    }
    state.guests[ev["id"]][gid] = guest
    state.guest_ids_by_email[ev["id"]][user["email"].lower()] = gid
    state.guest_keys[key] = [ev["id"], gid]
    return guest


def default_ticket_types(state: EmulatorState, ev: dict) -> list[str]:
    """Luma gives each added guest one ticket of the event's first visible type."""
    visible = [t for t in state.live_ticket_types(ev["id"]) if not t["is_hidden"]]
    return [visible[0]["id"]] if visible else []


def _requested_ticket_types(state: EmulatorState, ev: dict, b: dict) -> list[str]:
    if b.get("ticket") is not None and b.get("tickets") is not None:
        raise bad_request("Use either ticket or tickets, not both")
    if b.get("ticket") is not None:
        wanted = [b["ticket"]["event_ticket_type_id"]]
    elif b.get("tickets"):
        wanted = [t["event_ticket_type_id"] for t in b["tickets"]]
    else:
        return default_ticket_types(state, ev)
    return [ticket_types.of_event(state, ev["id"], tid)["id"] for tid in wanted]


def add_guests(
    emu: LumaEmulator,
    event_id: str,
    guests: list[dict],
    approval_status: str = "approved",
    *,
    ticket_type_ids: list[str] | None = None,
    charge: bool = False,
) -> list[dict]:
    """guests/add without the HTTP layer (also used by seeding); returns the stored guests touched."""
    state = emu.state
    ev = state.event_or_404(event_id)
    type_ids = ticket_type_ids if ticket_type_ids is not None else default_ticket_types(state, ev)
    plan: list[tuple[dict, dict | None, list[dict] | None]] = []
    seen: set[str] = set()
    for i, g in enumerate(guests):
        email = g["email"].strip()
        check_email(email, f"guests[{i}].email")
        check_not_blocked(state, ev, email)
        given = answers.recorded(ev, g.get("registration_answers"), f"guests[{i}].registration_answers")
        if email.lower() in seen:
            continue
        seen.add(email.lower())
        plan.append((g, state.find_guest(event_id, email), given))
    upgrades = [old for _, old, _ in plan if old is not None and old["approval_status"] == "invited"]
    new = [g for g, old, _ in plan if old is None]
    if approval_status == "approved":
        check_capacity(state, ev, len(new) + len(upgrades), len(type_ids))
    touched = []
    now = emu.clock.now_iso()
    for g, existing, given in plan:
        user = state.user_for(g["email"], g.get("name"))
        guest = existing or new_guest(emu, ev, user, approval_status, now)
        if approval_status != "invited" and (existing is None or existing["approval_status"] == "invited"):
            register(state, guest, approval_status, type_ids, now, charge=charge)
        if guest["registration_answers"] is None:  # Luma keeps the answers a guest already gave
            guest["registration_answers"] = given
        if approval_status != "invited":
            contacts.ensure_contact(emu, ev["calendar_id"], user)
        touched.append(guest)
    return touched


@route("POST", "/v1/events/guests/add")
def add(ctx: Ctx) -> dict:
    b = ctx.body
    ev = ctx.event(b["event_id"])
    type_ids = _requested_ticket_types(ctx.state, ev, b)
    add_guests(ctx.emu, ev["id"], b["guests"], b.get("approval_status") or "approved", ticket_type_ids=type_ids)
    return {}


@route("GET", "/v1/events/guests/get")
def get_guest(ctx: Ctx) -> dict:
    ev = ctx.event(ctx.query["event_id"])
    return guest_out(ctx.state, guest_or_404(ctx.state, ev["id"], ctx.query["id"]), with_orders=True)


def first_check_in(g: dict) -> str | None:
    return min((t["checked_in_at"] for t in g["event_tickets"] if t["checked_in_at"]), default=None)


@route("GET", "/v1/events/guests/list")
def list_guests(ctx: Ctx) -> dict:
    q = ctx.query
    ev = ctx.event(q["event_id"])
    items = list(ctx.state.guests[ev["id"]].values())
    if "approval_status" in q:
        items = [g for g in items if g["approval_status"] == q["approval_status"]]
    users = ctx.state.users
    keys: dict[str, Callable[[dict], Any]] = {
        "name": lambda g: (users[g["user_id"]]["name"] or "").lower() or None,
        "email": lambda g: users[g["user_id"]]["email"].lower(),
        "created_at": lambda g: g["_created_at"],
        "registered_at": lambda g: g["registered_at"],
        "checked_in_at": first_check_in,
    }
    items = sort_items(items, keys[q.get("sort_column", "created_at")], q.get("sort_direction"))
    return ctx.page(items, lambda g: guest_out(ctx.state, g, with_orders=False))


def change_status(emu: LumaEmulator, ev: dict, guest: dict, status: str, at: str | None = None) -> None:
    """What update-status does, and what a host's click in Luma's guest list does."""
    state, now = emu.state, at or emu.clock.now_iso()
    if status == "approved" and guest["approval_status"] != "approved":
        check_capacity(state, ev, 1, max(1, len(guest["event_tickets"])))
    if guest["approval_status"] == "invited" and status != "declined":
        register(state, guest, status, default_ticket_types(state, ev), now)
    guest["approval_status"] = status
    if status == "approved":
        for paid in (*guest["event_tickets"], *guest["event_ticket_orders"]):
            paid["is_captured"] = True
    if status != "declined":
        contacts.ensure_contact(emu, ev["calendar_id"], state.users[guest["user_id"]], now)


@route("POST", "/v1/events/guests/update-status")
def update_status(ctx: Ctx) -> dict:
    b = ctx.body
    ev = ctx.event(b["event_id"])
    if b.get("message") is not None and b.get("send_email") is False:
        raise bad_request("message cannot be used when send_email is false")
    change_status(ctx.emu, ev, guest_or_404(ctx.state, ev["id"], b["guest_id"]), b["status"])
    return {}


@route("POST", "/v1/events/guests/send-invites")
def send_invites(ctx: Ctx) -> dict:
    b = ctx.body
    state = ctx.state
    ev = ctx.event(b["event_id"])
    to_invite: dict[str, dict] = {}
    for i, g in enumerate(b["guests"]):
        check_email(g["email"], f"guests[{i}].email")
        # Blocked people stop receiving the calendar's invites (Luma), so they are skipped.
        blocked = contacts.is_blocked(state, ev["calendar_id"], g["email"])
        if state.find_guest(ev["id"], g["email"]) is None and not blocked:
            to_invite.setdefault(g["email"].strip().lower(), g)
    now = ctx.emu.clock()
    quota = ctx.emu.invite_quota_per_week
    sent = state.calendars[ev["calendar_id"]].invites_sent
    sent[:] = [t for t in sent if now - t < WEEK_SECONDS]
    if len(sent) + len(to_invite) > quota:
        left = max(0, quota - len(sent))
        raise bad_request(f"Weekly invite limit reached: {quota} invites per week, {left} left this week")
    for g in to_invite.values():
        new_guest(ctx.emu, ev, state.user_for(g["email"], g.get("name")), "invited")
        sent.append(now)
    # Someone already on the list is neither re-invited nor downgraded; only the timestamp is set.
    for g in b["guests"]:
        guest = state.find_guest(ev["id"], g["email"])
        if guest is not None and guest["invited_at"] is None:
            guest["invited_at"] = ctx.emu.clock.now_iso()
    return {}


@route("POST", "/v1/events/guests/update-tickets")
def update_tickets(ctx: Ctx) -> dict:
    """Luma's administrative ticket change: added tickets are free, removed ones are not refunded, and
    capacity does not apply; at least one ticket must remain."""
    b, state = ctx.body, ctx.state
    ev = ctx.event(b["event_id"])
    guest = guest_or_404(state, ev["id"], b["guest_id"])
    to_add, to_remove = b.get("tickets_to_add") or [], set(b.get("ticket_ids_to_remove") or [])
    if not to_add and not to_remove:
        raise bad_request("Nothing to change: give tickets_to_add or ticket_ids_to_remove")
    if guest["approval_status"] == "invited":
        raise bad_request("This guest was invited and has not registered, so holds no tickets to change")
    held = {t["id"] for t in guest["event_tickets"]}
    strangers = sorted(to_remove - held)
    if strangers:
        raise bad_request(f"Invalid ticket_ids_to_remove: {', '.join(strangers)} not a ticket of this guest")
    type_ids = [ticket_types.of_event(state, ev["id"], t["event_ticket_type_id"])["id"] for t in to_add]
    kept = [t for t in guest["event_tickets"] if t["id"] not in to_remove]
    if not kept and not type_ids:
        raise bad_request("At least one valid ticket must remain on the guest")
    tickets, orders = make_tickets(state, type_ids, charge=False)
    guest["event_tickets"] = kept + tickets
    if tickets:
        guest["event_ticket_orders"] += orders
    return {}
