"""Discount codes of an event and of the whole calendar: one shape and one set of rules in two places, told apart by
`event_id` (None for the calendar's)."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import routes
from helpers import (
    InputError,
    LumaClient,
    LumaError,
    LumaNotFoundError,
    LumaResponseError,
    WriteConflict,
    compact,
    has_id,
    lean,
    not_found,
)
from operations.calendar import get_calendar
from operations.events import get_event
from operations.ticket_types import decimal_text, minor_units
from validation import (
    known_zone,
    lacks_offset,
    luma_datetime,
    luma_instant,
    parse_datetime,
    utf16_length,
    visible_text,
    without_format_characters,
)
from writes import Absent, Landed, Outcome, ReadBack

# Luma's remaining_count has no "unlimited" flag: 1,000,000 uses is its documented stand-in.
UNLIMITED_COUPON_USES = 1_000_000
# Luma counts a code's length as JavaScript does (UTF-16 units).
MAX_CODE_LENGTH = 20
VALIDITY = ("valid_start_at", "valid_end_at")


@dataclass(frozen=True)
class CouponPlace:
    """Where coupons live: an event, or the calendar (a code is unique case-insensitively within its place)."""

    list_path: str
    create_path: str
    update_path: str
    params: dict[str, Any]  # names the place in a list query and in a write's body
    where: str  # for messages: "event evt-...", "the calendar"
    listing: str  # the action that lists them
    zone: Callable[[LumaClient], Awaitable[str | None]]  # the time zone a time without offset is read in
    zone_name: str  # that time zone, for messages


def coupon_place(event_id: str | None) -> CouponPlace:
    if event_id is None:
        return CouponPlace(
            routes.CALENDAR_COUPONS_LIST,
            routes.CALENDAR_COUPONS_CREATE,
            routes.CALENDAR_COUPONS_UPDATE,
            {},
            "the calendar",
            "list_calendar_coupons",
            calendar_zone,
            "the calendar's time zone, else UTC",
        )
    return CouponPlace(
        routes.EVENT_COUPONS_LIST,
        routes.EVENT_COUPONS_CREATE,
        routes.EVENT_COUPONS_UPDATE,
        {"event_id": event_id},
        f"event {event_id}",
        "list_coupons",
        lambda client: event_zone(client, event_id),
        "the event's time zone",
    )


async def event_zone(client: LumaClient, event_id: str) -> str:
    """The event's time zone, in which its coupons' times without an offset are read (as its own times are)."""
    zone = known_zone((await get_event(client, event_id)).get("timezone"))
    if zone is None:
        raise LumaResponseError(
            f"Luma did not give event {event_id}'s time zone, so a time without a UTC offset cannot be read in it; "
            "give valid_start_at / valid_end_at with an offset, e.g. 2026-03-01T18:00:00Z."
        )
    return zone


async def calendar_zone(client: LumaClient) -> str | None:
    """The calendar's time zone when Luma ties it to a city (location.timezone); None (UTC) otherwise."""
    location = (await get_calendar(client)).get("location")
    return known_zone(location.get("timezone")) if isinstance(location, dict) else None


def coupon_code(code: Any, *, new: bool = False) -> str:
    text = visible_text(code, "code")
    if new:
        # Only a new code: one Luma already holds is looked up as it is.
        text = without_format_characters(text, "code")
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
        if 0 < percent_off < 1:
            # A fraction is almost always a percentage written as a ratio (0.2 for 20%).
            raise InputError(
                f"percent_off {percent_off} is read as a percentage: 20 means 20%; {percent_off} would be a "
                f"{percent_off}% discount. Give the percentage (e.g. {percent_off * 100:g} for {percent_off * 100:g}% "
                "off); discounts between 0 and 1% are refused as a likely mistake."
            )
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


async def coupon_times(
    client: LumaClient, place: CouponPlace, valid_start_at: str | None, valid_end_at: str | None
) -> dict[str, Any]:
    """The validity times as Luma takes them (UTC). A time without an offset is read in the place's time zone, which
    is only looked up when such a time is given; a malformed time, or a bare end date, is refused before that. A bare
    start date is that day's first moment, as "valid from 2027-01-31" means."""
    given = {field: value for field, value in zip(VALIDITY, (valid_start_at, valid_end_at)) if value is not None}
    for field, value in given.items():
        # A bare end date would mean its midnight, so "valid until 2027-01-31" would lose that whole day.
        end = field == "valid_end_at"
        parse_datetime(value, field, require_time=end, time_example="23:59", read_in=place.zone_name)
    zone = await place.zone(client) if any(lacks_offset(value) for value in given.values()) else None
    return coupon_validity(valid_start_at, valid_end_at, zone)


def discount_text(coupon: dict[str, Any]) -> str:
    """The discount as a person says it: "20% off", "4.99 USD off"."""
    percent, cents, currency = coupon.get("percent_off"), coupon.get("cents_off"), coupon.get("currency")
    if isinstance(percent, (int, float)) and not isinstance(percent, bool):
        return f"{percent:g}% off"
    code = str(currency or "").upper()
    amount = decimal_text(cents, currency)
    if amount is not None:
        return f"{amount} {code} off"
    return f"{cents} minor units of {code or 'an unknown currency'} off"


def coupon_summary(coupon: dict[str, Any]) -> dict[str, Any]:
    """What a person scans in a list of coupons; detail "full" gives Luma's whole object."""
    return {
        "id": coupon.get("id"),
        "code": coupon.get("code"),
        "discount": discount_text(coupon),
        **lean({key: coupon.get(key) for key in ("percent_off", "cents_off", "currency")}),
        "remaining_count": coupon.get("remaining_count"),
        **lean({key: coupon.get(key) for key in (*VALIDITY, "event_ticket_type_id")}),
    }


async def list_coupons(
    client: LumaClient, event_id: str | None, *, limit: int | None = None, cursor: str | None = None
) -> dict[str, Any]:
    place = coupon_place(event_id)
    return await client.collect(place.list_path, place.params, limit=limit, cursor=cursor)


async def find_coupon(client: LumaClient, place: CouponPlace, code: str) -> dict[str, Any] | None:
    """The coupon holding code (Luma compares codes case-insensitively), or None."""
    return await client.find(
        place.list_path, place.params, match=lambda entry: str(entry.get("code", "")).lower() == code.lower()
    )


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
    if entry.get("event_ticket_type_id") != body.get("event_ticket_type_id"):
        return False
    return coupon_shows(entry, body)


def coupon_shows(entry: dict[str, Any], body: dict[str, Any]) -> bool:
    """True when the coupon holds the uses and validity times that were sent."""
    if "remaining_count" in body and not _same_number(entry.get("remaining_count"), body["remaining_count"]):
        return False
    return all(luma_instant(entry.get(key)) == luma_instant(body[key]) for key in VALIDITY if key in body)


def _same_number(value: Any, sent: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == sent


def code_taken(entry: dict[str, Any], where: str, listing: str) -> WriteConflict:
    return WriteConflict(
        f"Coupon code '{entry.get('code')}' already exists on {where} with different terms ({discount_text(entry)}, "
        f"{entry.get('remaining_count')} uses left, id {entry.get('id')}); no coupon with the terms sent exists. "
        f"Codes are case-insensitive, so choose another code, or use the existing coupon (see {listing})."
    )


class CodeLookup:
    """Write-safety check for a coupon create: a code is unique (case-insensitively) where it lives, so the coupon
    holding it either carries the terms sent (landed) or proves the code is taken by another coupon."""

    def __init__(self, client: LumaClient, place: CouponPlace, body: dict[str, Any]):
        self.client, self.place, self.body = client, place, body
        self.checked = f"the coupons of {place.where} for code '{body['code']}'"
        self.verify = f"Look for the code with {place.listing}"

    async def check(self, client: LumaClient, sent_at: Any) -> Outcome:
        entry = await find_coupon(self.client, self.place, self.body["code"])
        if entry is None:
            return Absent()
        if coupon_terms_match(entry, self.body):
            return Landed(entry)
        raise code_taken(entry, self.place.where, self.place.listing)


async def coupon_before(client: LumaClient, place: CouponPlace, code: str) -> dict[str, Any] | None:
    """The coupon holding the code before a create is sent, if any (apart from the check after a lost answer, which
    looks the same way, so that tests can script the two apart)."""
    return await find_coupon(client, place, code)


async def create_coupon(client: LumaClient, event_id: str | None, fields: dict[str, Any]) -> dict[str, Any]:
    """Creates a coupon on the event, or on the calendar when event_id is None, and returns it."""
    place = coupon_place(event_id)
    code = coupon_code(fields["code"], new=True)
    discount = coupon_discount(
        percent_off=fields.get("percent_off"),
        cents_off=fields.get("cents_off"),
        amount_off=fields.get("amount_off"),
        currency=fields.get("currency"),
    )
    body = compact(
        {
            **place.params,
            "code": code,
            "discount": discount,
            # Always sent (the schema's default is unlimited) so "unlimited" holds whatever Luma's own default is.
            "remaining_count": fields["remaining_count"],
            **await coupon_times(client, place, fields.get("valid_start_at"), fields.get("valid_end_at")),
            "event_ticket_type_id": fields.get("event_ticket_type_id"),
        }
    )
    # Codes are unique where they live, so one look before sending settles it: a coupon already there with these terms
    # is the answer (nothing to create), one with other terms a conflict; and after a lost answer, a coupon holding
    # the code can only be this call's.
    existing = await coupon_before(client, place, code)
    if existing is not None:
        if coupon_terms_match(existing, body):
            return {"coupon": existing, "already_existed": True}
        raise code_taken(existing, place.where, place.listing)
    coupon = await client.post(place.create_path, body, confirm=CodeLookup(client, place, body), expect_id=True)
    return {"coupon": coupon, "already_existed": False}


def coupon_not_found(code: str, place: CouponPlace) -> LumaNotFoundError:
    return not_found(
        f"No coupon with code '{code}' exists on {place.where} (codes are compared case-insensitively)",
        f"See {place.listing} for its codes.",
    )


async def update_coupon(
    client: LumaClient,
    event_id: str | None,
    code: str,
    *,
    remaining_count: int | None = None,
    valid_start_at: str | None = None,
    valid_end_at: str | None = None,
) -> dict[str, Any]:
    """Changes a coupon's uses left and validity (Luma allows nothing else) and returns it as Luma has it after."""
    place = coupon_place(event_id)
    code = coupon_code(code)
    if remaining_count is None and valid_start_at is None and valid_end_at is None:
        raise InputError(
            "Nothing to update: give remaining_count, valid_start_at or valid_end_at. A coupon's code and discount "
            "cannot be changed after creation; create a new coupon for other terms."
        )
    times = await coupon_times(client, place, valid_start_at, valid_end_at)
    current = await find_coupon(client, place, code)
    if current is None:
        raise coupon_not_found(code, place)
    # A window given only in part must still close after it opens, with the coupon's other end as it stands.
    start = times.get("valid_start_at") or current.get("valid_start_at")
    end = times.get("valid_end_at") or current.get("valid_end_at")
    if luma_instant(start) is not None and luma_instant(end) is not None and luma_instant(end) <= luma_instant(start):
        which = "valid_end_at" if "valid_end_at" in times else "the coupon's current valid_end_at"
        since = "valid_start_at" if "valid_start_at" in times else "the coupon's current valid_start_at"
        raise InputError(f"{which} ({end}) must be after {since} ({start}); give both times, or another one.")
    # Luma finds the coupon by code; the stored spelling leaves nothing to its case rules.
    body = compact({**place.params, "code": current.get("code") or code, "remaining_count": remaining_count, **times})
    confirm = ReadBack(
        read=lambda: find_coupon(client, place, code),
        matches=lambda found: coupon_shows(found, body),
        checked=f"coupon '{code}' on {place.where} for the fields sent",
        verify=f"Look at it with {place.listing}",
    )
    try:
        landed = await client.post(place.update_path, body, confirm=confirm)
    except LumaNotFoundError:
        raise coupon_not_found(code, place) from None
    if has_id(landed):
        return landed  # what the check after a lost answer found
    sent = {key: value for key, value in body.items() if key not in ("event_id", "code")}
    try:
        return await find_coupon(client, place, code) or {**current, **sent}
    except LumaError:
        # The change landed: an error now would invite a retry of a write that is done.
        return {**current, **sent}
