"""Membership tiers of the calendar and their members. Luma has no read of one membership: a member is one of the
calendar's people (contacts/list) whose `membership` names the tier and the status, so that is where adds and status
changes are checked."""

from typing import Any

import routes
from helpers import InputError, LumaClient, LumaNotFoundError, LumaResponseError, compact, lean, not_found
from operations.people import find_person, is_person
from validation import normalize_email
from writes import ReadBack

PAID_ACCESS = ("payment-once", "payment-recurring")
# Statuses of someone who holds a tier; declined is the one that does not.
HOLDS_TIER = ("approved", "pending", "approved-pending-payment")
# Approving a paid member captures the payment; one whose payment is still being collected shows this status.
SHOWS_APPROVED = ("approved", "approved-pending-payment")


def tier_summary(tier: dict[str, Any]) -> dict[str, Any]:
    """What a person scans in the tiers; detail "full" gives Luma's whole tier (with its Stripe ids)."""
    access = tier.get("access_info")
    shown = ("type", "require_approval", "amount", "currency", "amount_monthly", "amount_yearly")
    return {
        "id": tier.get("id"),
        **lean({"name": tier.get("name"), "description": tier.get("description")}),
        **({"access_info": compact({key: access.get(key) for key in shown})} if isinstance(access, dict) else {}),
    }


async def list_tiers(client: LumaClient, *, limit: int | None = None, cursor: str | None = None) -> dict[str, Any]:
    return await client.collect(routes.MEMBERSHIP_TIERS_LIST, limit=limit, cursor=cursor)


async def find_tier(client: LumaClient, tier_id: str) -> dict[str, Any] | None:
    return await client.find(routes.MEMBERSHIP_TIERS_LIST, match=lambda tier: tier.get("id") == tier_id)


def _price(access: dict[str, Any]) -> str:
    currency = str(access.get("currency") or "").upper()
    if access.get("type") == "payment-once":
        return f"{access.get('amount')} {currency} minor units once"
    periods = [
        f"{access[key]} {currency} minor units {period}"
        for key, period in (("amount_monthly", "a month"), ("amount_yearly", "a year"))
        if access.get(key) is not None
    ]
    return " or ".join(periods) or "a subscription"


async def _refuse_unpaid_add(client: LumaClient, tier_id: str) -> None:
    tier = await find_tier(client, tier_id)
    if tier is None:
        raise InputError(
            f"membership_tier_id {tier_id} is not a membership tier of this calendar; list_membership_tiers shows "
            "the tiers and their ids."
        )
    access = tier.get("access_info") if isinstance(tier.get("access_info"), dict) else {}
    if access.get("type") in PAID_ACCESS:
        raise InputError(
            f"Membership tier '{tier.get('name')}' ({tier_id}) is paid ({access['type']}: {_price(access)}), and "
            "Luma adds members to a paid tier only when the payment is handled outside Luma. Set skip_payment true "
            "if you collected the payment yourself; otherwise let the person join and pay on the calendar's page."
        )


async def find_member(client: LumaClient, user_id: str, status: str) -> dict[str, Any] | None:
    """The person a usr- id names, among the members with `status` (Luma searches names and emails, not ids)."""
    return await client.find(routes.CONTACTS_LIST, {"membership_status": status}, match=is_person(user_id))


def membership_in(person: dict[str, Any] | None, tier_id: str) -> dict[str, Any] | None:
    membership = person.get("membership") if isinstance(person, dict) else None
    if isinstance(membership, dict) and membership.get("calendar_membership_tier_id") == tier_id:
        return membership
    return None


async def add_member(client: LumaClient, email: str, tier_id: str, *, skip_payment: bool | None = None) -> dict:
    """Adds the person to the tier, or reports them as already there; {membership_id, status, email, ...}."""
    email = normalize_email(email, "email")
    if not skip_payment:
        await _refuse_unpaid_add(client, tier_id)
    result = {"email": email, "membership_tier_id": tier_id}
    held = membership_in(await find_person(client, email=email), tier_id)
    if held is not None and held.get("status") in HOLDS_TIER:
        return {**result, "membership_id": None, "status": held["status"], "already_member": True}

    async def read() -> dict[str, Any] | None:
        # The person held no live membership of this tier before the request, so one seen now is its effect.
        found = membership_in(await find_person(client, email=email), tier_id)
        return None if found is None else {"membership_id": None, "status": found.get("status")}

    confirm = ReadBack(
        read=read,
        matches=lambda membership: membership["status"] in HOLDS_TIER,
        checked=f"the calendar's people for {email} with membership tier {tier_id}",
        verify=f"Look for the person with list_people (query {email})",
    )
    body = compact({"email": email, "membership_tier_id": tier_id, "skip_payment": skip_payment})
    try:
        answer = await client.post(routes.MEMBERS_ADD, body, confirm=confirm)
    except LumaNotFoundError as error:
        raise not_found(
            f"membership_tier_id {tier_id} is not a membership tier of this calendar (404)",
            "list_membership_tiers shows the tiers and their ids.",
            error,
        ) from None
    if not isinstance(answer.get("status"), str):
        answer = await read() or {}
        if not isinstance(answer.get("status"), str):
            raise LumaResponseError(
                f"POST {routes.MEMBERS_ADD}: Luma accepted the request (2xx) without saying the membership's status, "
                f"and {email} shows no membership of tier {tier_id} yet. Check with list_people (query {email}) "
                "before adding them again."
            )
    return {**result, "membership_id": answer.get("membership_id"), "status": answer["status"], "already_member": False}


def _shows(status: str) -> tuple[str, ...]:
    return SHOWS_APPROVED if status == "approved" else (status,)


async def update_member_status(client: LumaClient, user_id: str, status: str) -> dict[str, Any]:
    """Approves or declines a member; {user_id, status}."""
    by_email = "@" in user_id
    user_id = normalize_email(user_id, "user_id") if by_email else user_id

    async def read() -> dict[str, Any] | None:
        person = await find_person(client, email=user_id) if by_email else await find_member(client, user_id, status)
        membership = person.get("membership") if isinstance(person, dict) else None
        return membership if isinstance(membership, dict) else None

    confirm = ReadBack(
        read=read,
        matches=lambda membership: membership.get("status") in _shows(status),
        checked=f"the membership of {user_id}",
        verify=(
            f"Look for the person with list_people (query {user_id})"
            if by_email
            else f"Look for them with list_people (membership_status {status})"
        ),
    )
    try:
        answer = await client.post(
            routes.MEMBERS_UPDATE_STATUS, {"user_id": user_id, "status": status}, confirm=confirm
        )
    except LumaNotFoundError as error:
        raise not_found(
            f"{user_id} holds no membership of this calendar, so there is no status to change (404)",
            "Add them with add_member, or check the user id or email with list_people.",
            error,
        ) from None
    shown = answer.get("status") if isinstance(answer, dict) else None
    return {"user_id": user_id, "status": shown if isinstance(shown, str) else status}
