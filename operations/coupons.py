"""Discount codes of an event (and, with the same rules, of the calendar)."""

from typing import Any

import routes
from helpers import InputError, LumaClient, WriteConflict, compact
from operations.ticket_types import minor_units
from validation import luma_datetime, luma_instant, utf16_length, visible_text
from writes import Absent, Landed, Outcome

# Luma's remaining_count has no "unlimited" flag: 1,000,000 uses is its documented stand-in.
UNLIMITED_COUPON_USES = 1_000_000
# Luma counts a code's length as JavaScript does (UTF-16 units).
MAX_CODE_LENGTH = 20


def coupon_code(code: Any) -> str:
    text = visible_text(code, "code")
    if utf16_length(text) > MAX_CODE_LENGTH:
        raise InputError(
            f"code '{text}' is {utf16_length(text)} characters long as Luma counts them (emoji count as two); "
            f"at most {MAX_CODE_LENGTH}."
        )
    return text


def coupon_discount(
    *, percent_off: Any = None, cents_off: int | None = None, amount_off: Any = None, currency: str | None = None
) -> dict[str, Any]:
    """Luma's `discount` object: a percentage, or an amount in minor units (cents_off, or a decimal amount_off
    converted exactly) with its currency."""
    amount_given = cents_off is not None or amount_off is not None
    if percent_off is not None and amount_given:
        raise InputError("Give one discount: percent_off, or an amount (cents_off or amount_off), not both.")
    if percent_off is None and not amount_given:
        raise InputError("Give a discount: percent_off (0-100), or cents_off / amount_off together with currency.")
    if cents_off is not None and amount_off is not None:
        raise InputError("Give the amount either as cents_off or as amount_off, not both.")
    if percent_off is not None:
        if currency is not None:
            raise InputError("currency applies only to amount discounts; remove it for a percent_off coupon.")
        return {"discount_type": "percent", "percent_off": percent_off}
    if currency is None:
        raise InputError("An amount discount needs currency (lowercase ISO code such as usd).")
    if amount_off is not None:
        cents_off = minor_units(amount_off, currency, "amount_off", "cents_off")
    return {"discount_type": "amount", "cents_off": cents_off, "currency": currency}


def coupon_validity(valid_start_at: str | None, valid_end_at: str | None, zone: str | None = None) -> dict[str, Any]:
    start = luma_datetime(valid_start_at, "valid_start_at", zone)
    end = luma_datetime(valid_end_at, "valid_end_at", zone)
    if start and end and luma_instant(end) <= luma_instant(start):
        raise InputError(f"valid_end_at ({end}) must be after valid_start_at ({start}).")
    return compact({"valid_start_at": start, "valid_end_at": end})


async def list_coupons(
    client: LumaClient, event_id: str, *, limit: int | None = None, cursor: str | None = None
) -> dict[str, Any]:
    return await client.collect(routes.EVENT_COUPONS_LIST, {"event_id": event_id}, limit=limit, cursor=cursor)


def coupon_terms_match(entry: dict[str, Any], body: dict[str, Any]) -> bool:
    """True when the coupon found carries the terms that were sent (discount, uses, ticket type, validity)."""
    discount = body["discount"]
    if discount["discount_type"] == "percent":
        if not _same_number(entry.get("percent_off"), discount["percent_off"]):
            return False
    else:
        currency = entry.get("currency")
        if not _same_number(entry.get("cents_off"), discount["cents_off"]) or not (
            isinstance(currency, str) and currency.lower() == discount["currency"].lower()
        ):
            return False
    if not _same_number(entry.get("remaining_count"), body["remaining_count"]):
        return False
    if entry.get("event_ticket_type_id") != body.get("event_ticket_type_id"):
        return False
    return all(
        luma_instant(entry.get(key)) == luma_instant(body[key])
        for key in ("valid_start_at", "valid_end_at")
        if key in body
    )


def _same_number(value: Any, sent: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == sent


def code_taken(entry: dict[str, Any], where: str, listing: str) -> WriteConflict:
    if entry.get("percent_off") is not None:
        terms = f"{entry['percent_off']}% off"
    else:
        terms = f"cents_off {entry.get('cents_off')} {str(entry.get('currency') or '').upper()}".strip()
    return WriteConflict(
        f"Coupon code '{entry.get('code')}' already exists on {where} with different terms ({terms}, "
        f"{entry.get('remaining_count')} uses left, id {entry.get('id')}); no coupon with the terms sent exists. "
        f"Codes are case-insensitive, so choose another code, or use the existing coupon (see {listing})."
    )


class CodeLookup:
    """Write-safety check for a coupon create: a code is unique (case-insensitively) where it lives, so the coupon
    holding it either carries the terms sent (landed) or proves the code is taken by another coupon."""

    def __init__(self, client: LumaClient, path: str, params: dict[str, Any], body: dict[str, Any], where: str):
        self.client, self.path, self.params, self.body, self.where = client, path, params, body, where
        self.listing = "list_coupons" if "event_id" in params else "list_calendar_coupons"
        self.checked = f"the coupons of {where} for code '{body['code']}'"
        self.verify = f"Look for the code with {self.listing}"

    async def check(self, client: LumaClient, sent_at: Any) -> Outcome:
        async for page in self.client.pages(self.path, self.params):
            for entry in page.entries:
                if str(entry.get("code", "")).lower() == self.body["code"].lower():
                    if coupon_terms_match(entry, self.body):
                        return Landed(entry)
                    raise code_taken(entry, self.where, self.listing)
        return Absent()


async def create_coupon(client: LumaClient, event_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    remaining = fields.get("remaining_count")
    body = compact(
        {
            "event_id": event_id,
            "code": coupon_code(fields["code"]),
            "discount": coupon_discount(
                percent_off=fields.get("percent_off"),
                cents_off=fields.get("cents_off"),
                amount_off=fields.get("amount_off"),
                currency=fields.get("currency"),
            ),
            # Sent explicitly so "unlimited" holds whatever Luma's own default is.
            "remaining_count": remaining if remaining is not None else UNLIMITED_COUPON_USES,
            **coupon_validity(fields.get("valid_start_at"), fields.get("valid_end_at")),
            "event_ticket_type_id": fields.get("event_ticket_type_id"),
        }
    )
    confirm = CodeLookup(client, routes.EVENT_COUPONS_LIST, {"event_id": event_id}, body, f"event {event_id}")
    return await client.post(routes.EVENT_COUPONS_CREATE, body, confirm=confirm, expect_id=True)
