"""Events, ticket types and coupons; also the key's own user (get_self) and the connected account."""

from datetime import datetime, timedelta, timezone
from typing import Any

from autohive_integrations_sdk import ActionHandler, ActionResult, ConnectedAccountHandler, ConnectedAccountInfo

from helpers import (
    InputError,
    LumaClient,
    LumaError,
    LumaInvalidRequestError,
    LumaResponseError,
    LumaUncertainWriteError,
    compact,
    luma_action,
)
from luma import luma
from validation import (
    luma_instant,
    luma_date,
    luma_datetime,
    parse_datetime,
    price_to_minor_units,
    to_luma_datetime,
    validate_timezone,
)


@luma.action("get_self")
class GetSelfAction(ActionHandler):
    @luma_action
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        user = await LumaClient(context).get_object("/v1/users/get-self")
        return ActionResult(data={"user": user})


@luma.connected_account()
class LumaConnectedAccountHandler(ConnectedAccountHandler):
    async def get_account_info(self, context: Any) -> ConnectedAccountInfo:
        user = await LumaClient(context).get_object("/v1/users/get-self")
        return ConnectedAccountInfo(
            email=user.get("email"),
            first_name=user.get("first_name"),
            last_name=user.get("last_name"),
            username=user.get("name"),
            user_id=user.get("id"),
            avatar_url=user.get("avatar_url"),
        )


# ---- Events, ticket types and coupons ----------------------------------------------------------------------

EVENTS_DEFAULT_LIMIT = 50
COUPONS_DEFAULT_LIMIT = 100
# Luma's remaining_count has no "unlimited" flag: 1,000,000 uses is its documented stand-in.
UNLIMITED_COUPON_USES = 1_000_000
# A created event's created_at comes from Luma's clock; allow it to run a little behind ours.
CLOCK_SKEW = timedelta(seconds=5)
RECONCILE_WINDOW = timedelta(minutes=1)
# Luma does not document the minor unit of its crypto currencies: amounts for them must come in Luma's units.
NO_DECIMAL_CONVERSION = {"solana_sol", "solana_usdc"}
# Fields whose sent value can be read back from the event object (others cannot be verified after an update).
_READBACK_FIELDS = ("name", "timezone", "description_md", "meeting_url", "visibility", "cover_url", "coordinate")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _later(start: datetime, length: timedelta) -> datetime:
    """start + length in elapsed time: aware-datetime arithmetic is wall-clock, which is an hour off across DST."""
    return start.astimezone(timezone.utc) + length


def _event_end(start: datetime, end_at: str | None, duration_minutes: int | None, zone: str | None) -> datetime | None:
    if end_at is not None and duration_minutes is not None:
        raise InputError("Give either end_at or duration_minutes, not both.")
    if duration_minutes is not None:
        end = _later(start, timedelta(minutes=duration_minutes))
    elif end_at is None:
        return None
    else:
        end = parse_datetime(end_at, "end_at", zone, require_time=True)
    if end <= start:
        raise InputError(
            f"end_at ({to_luma_datetime(end)}) must be after start_at ({to_luma_datetime(start)}). "
            "Correct one of them, or give duration_minutes instead of end_at."
        )
    return end


def _minor_units(amount: Any, currency: str, field: str) -> int:
    if currency in NO_DECIMAL_CONVERSION:
        raise InputError(
            f"{field} cannot be converted for {currency}: give the amount in Luma's smallest unit "
            f"({'cents_off' if field == 'amount_off' else 'cents'}) instead."
        )
    return price_to_minor_units(amount, currency, field)


async def _find_created_event(client: LumaClient, body: dict[str, Any], started: datetime) -> Any:
    """The event this run created: same name and start, created no earlier than the run began, and no
    structured field sent (end, timezone, visibility) showing another value."""
    # Compare with the start as sent (Luma keeps milliseconds, the input may have had more).
    start = luma_instant(body["start_at"])
    window = {
        "after": to_luma_datetime(start - RECONCILE_WINDOW),
        "before": to_luma_datetime(start + RECONCILE_WINDOW),
    }
    async for page in client.pages("/v1/calendars/events/list", window):
        for entry in page.entries:
            created = luma_instant(entry.get("created_at"))
            if (
                str(entry.get("name", "")).strip() == body["name"].strip()
                and luma_instant(entry.get("start_at")) == start
                and created is not None
                and created >= started - CLOCK_SKEW
                and not _created_event_differs(entry, body)
            ):
                return entry
    return None


def _created_event_differs(entry: dict[str, Any], body: dict[str, Any]) -> bool:
    """True when the event shows another end, timezone or visibility than was sent: then another run made it.

    Only structured fields count, and only when Luma shows a value: free text (description_md, meeting_url,
    addresses) may come back re-rendered, and a false mismatch here would re-send the create, i.e. a duplicate.
    What remains: an event with the same name, start and these fields created by another run within seconds."""
    if (
        "end_at" in body
        and entry.get("end_at") is not None
        and luma_instant(entry["end_at"]) != luma_instant(body["end_at"])
    ):
        return True
    return any(
        key in body and entry.get(key) is not None and entry[key] != body[key] for key in ("timezone", "visibility")
    )


def _update_landed(event: dict[str, Any], body: dict[str, Any]) -> bool:
    """True when every field sent can be read back from the event with the sent value."""
    for key, sent in body.items():
        if key in ("event_id", "suppress_notifications"):
            continue
        if key in ("start_at", "end_at"):
            if luma_instant(event.get(key)) != luma_instant(sent):
                return False
        elif key not in _READBACK_FIELDS or event.get(key) != sent:
            return False
    return True


@luma.action("get_events")
class GetEventsAction(ActionHandler):
    @luma_action
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        event_api_id = inputs.get("event_api_id")
        filters = {
            "after": inputs.get("after"),
            "before": inputs.get("before"),
            "sort_direction": inputs.get("sort_direction"),
            "status": inputs.get("status"),
            "platforms": inputs.get("platforms"),
            "limit": inputs.get("limit"),
            "cursor": inputs.get("cursor"),
        }
        if event_api_id is not None:
            given = [name for name, value in filters.items() if value is not None]
            if given:
                raise InputError(
                    "event_api_id fetches one event, so list filters cannot be used with it "
                    f"(got: {', '.join(given)}). Remove event_api_id to list the calendar's events, "
                    "or remove the filters."
                )
            event = await LumaClient(context).get_object("/v1/events/get", {"event_id": event_api_id})
            return ActionResult(data={"event": event})

        after = parse_datetime(filters["after"], "after") if filters["after"] is not None else None
        before = parse_datetime(filters["before"], "before") if filters["before"] is not None else None
        if after is not None and before is not None and after >= before:
            raise InputError(
                f"after ({to_luma_datetime(after)}) must be earlier than before ({to_luma_datetime(before)})."
            )
        sort_direction = filters["sort_direction"]
        params = {
            "after": to_luma_datetime(after) if after else None,
            "before": to_luma_datetime(before) if before else None,
            "status": filters["status"],
            "platforms": filters["platforms"],
            # start_at is the only column Luma sorts events by.
            "sort_column": "start_at" if sort_direction else None,
            "sort_direction": sort_direction,
        }
        limit = filters["limit"] if filters["limit"] is not None else EVENTS_DEFAULT_LIMIT
        found = await LumaClient(context).collect(
            "/v1/calendars/events/list", params, limit=limit, cursor=filters["cursor"]
        )
        return ActionResult(
            data={"events": found["entries"], "has_more": found["has_more"], "next_cursor": found["next_cursor"]}
        )


@luma.action("create_event")
class CreateEventAction(ActionHandler):
    @luma_action
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        started = _utc_now()
        zone = validate_timezone(inputs["timezone"])
        start = parse_datetime(inputs["start_at"], "start_at", zone, require_time=True)
        end = _event_end(start, inputs.get("end_at"), inputs.get("duration_minutes"), zone)
        body = compact(
            {
                "name": inputs["name"],
                "start_at": to_luma_datetime(start),
                "end_at": to_luma_datetime(end) if end else None,
                "timezone": zone,
                "description_md": inputs.get("description_md"),
                "geo_address_json": inputs.get("geo_address_json"),
                "coordinate": inputs.get("coordinate"),
                "meeting_url": inputs.get("meeting_url"),
                "visibility": inputs.get("visibility"),
                "max_capacity": inputs.get("max_capacity"),
                "cover_url": inputs.get("cover_url"),
                "slug": inputs.get("slug"),
                "tint_color": inputs.get("tint_color"),
                "can_register_for_multiple_tickets": inputs.get("can_register_for_multiple_tickets"),
                "show_guest_list": inputs.get("show_guest_list"),
                "reminders_disabled": inputs.get("reminders_disabled"),
                "name_requirement": inputs.get("name_requirement"),
                "phone_number_requirement": inputs.get("phone_number_requirement"),
                "feedback_email": inputs.get("feedback_email"),
                "registration_questions": inputs.get("registration_questions"),
            }
        )
        client = LumaClient(context)

        async def reconcile(accepted: bool) -> Any:
            return await _find_created_event(client, body, started)

        created = await client.post("/v1/events/create", body, reconcile=reconcile)
        if not _has_id(created):
            created = await _find_after_accepted(
                reconcile, "event", "get_events (filter by its start_at with after/before)"
            )
        return ActionResult(data={"event": await _read_back(client, created["id"], body)})


@luma.action("update_event")
class UpdateEventAction(ActionHandler):
    @luma_action
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        event_id = inputs["event_api_id"]
        start_in, end_in, duration = inputs.get("start_at"), inputs.get("end_at"), inputs.get("duration_minutes")
        zone_in = inputs.get("timezone")
        changes = compact(
            {
                "name": inputs.get("name"),
                "timezone": zone_in,
                "start_at": start_in,
                "end_at": end_in,
                "duration_minutes": duration,
                "description_md": inputs.get("description_md"),
                "geo_address_json": inputs.get("geo_address_json"),
                "coordinate": inputs.get("coordinate"),
                "meeting_url": inputs.get("meeting_url"),
                "visibility": inputs.get("visibility"),
                "max_capacity": inputs.get("max_capacity"),
                "cover_url": inputs.get("cover_url"),
                "slug": inputs.get("slug"),
                "tint_color": inputs.get("tint_color"),
                "can_register_for_multiple_tickets": inputs.get("can_register_for_multiple_tickets"),
                "show_guest_list": inputs.get("show_guest_list"),
                "reminders_disabled": inputs.get("reminders_disabled"),
                "name_requirement": inputs.get("name_requirement"),
                "phone_number_requirement": inputs.get("phone_number_requirement"),
                "feedback_email": inputs.get("feedback_email"),
                "registration_questions": inputs.get("registration_questions"),
            }
        )
        if not changes:
            raise InputError(
                "Nothing to update: give at least one field to change besides event_api_id "
                "(suppress_notifications alone changes nothing)."
            )
        if end_in is not None and duration is not None:
            raise InputError("Give either end_at or duration_minutes, not both.")
        zone = validate_timezone(zone_in) if zone_in is not None else None
        if zone is not None:
            changes["timezone"] = zone
        client = LumaClient(context)
        if start_in is not None or end_in is not None or duration is not None:
            start, end = await _updated_times(client, event_id, start_in, end_in, duration, zone)
            changes["start_at"] = to_luma_datetime(start) if start else None
            changes["end_at"] = to_luma_datetime(end) if end else None
        changes.pop("duration_minutes", None)
        body = compact(
            {"event_id": event_id, **changes, "suppress_notifications": inputs.get("suppress_notifications")}
        )

        async def reconcile(accepted: bool) -> Any:
            # An update is safe to send again: re-read the event and accept it only if every sent field shows.
            event = await client.get_object("/v1/events/get", {"event_id": event_id})
            return event if _update_landed(event, body) else None

        landed = await client.post("/v1/events/update", body, reconcile=reconcile)
        event = landed if isinstance(landed.get("id"), str) and landed["id"] else None
        return ActionResult(data={"event": event or await _read_back(client, event_id, body)})


def _has_id(found: Any) -> bool:
    return isinstance(found, dict) and isinstance(found.get("id"), str) and bool(found["id"])


async def _find_after_accepted(find: Any, what: str, check: str) -> dict[str, Any]:
    """After a 2xx create whose answer has no id: the object is looked up. If the lookup cannot show it, the
    error says it was (most likely) created: an agent told to retry would create a duplicate."""
    try:
        found = await find(True)
    except LumaError:
        found = None
    if _has_id(found):
        return found
    raise LumaUncertainWriteError(
        f"Luma accepted the new {what} (2xx) but its answer had no id, and it could not be found yet. It was most "
        f"likely created: check {check} before creating it again."
    )


async def _read_back(client: LumaClient, event_id: str, sent: dict[str, Any]) -> dict[str, Any]:
    """The event in full after a write that succeeded. If only this read fails, the write still happened:
    answer with what was sent (a failure here would invite a retry, and a retried create is a duplicate)."""
    try:
        return await client.get_object("/v1/events/get", {"event_id": event_id})
    except LumaError:
        fields = {key: value for key, value in sent.items() if key not in ("event_id", "suppress_notifications")}
        return {**fields, "id": event_id}


async def _updated_times(
    client: LumaClient, event_id: str, start_in: str | None, end_in: str | None, duration: int | None, zone: str | None
) -> tuple[datetime | None, datetime | None]:
    """The new start and end of an updated event, checked against its current times where only one is given.

    A lone start keeps the event's length; the new end is sent explicitly so the result does not depend on
    how Luma treats a lone start (undocumented). A lone end or duration counts from the current start."""
    for value, field in ((start_in, "start_at"), (end_in, "end_at")):
        if value is not None:
            parse_datetime(value, field, zone, require_time=True)  # reject it before anything is sent
    current: dict[str, Any] = {}
    # A time without offset and without a new timezone is read in the event's own timezone.
    if zone is None or start_in is None or (end_in is None and duration is None):
        current = await client.get_object("/v1/events/get", {"event_id": event_id})
        zone = zone or _known_zone(current.get("timezone"))
    start = parse_datetime(start_in, "start_at", zone, require_time=True) if start_in is not None else None
    end = parse_datetime(end_in, "end_at", zone, require_time=True) if end_in is not None else None
    old_start, old_end = luma_instant(current.get("start_at")), luma_instant(current.get("end_at"))
    base = start or old_start
    if duration is not None:
        if base is None:
            raise LumaResponseError("Luma did not return the event's start, so duration_minutes cannot be applied.")
        end = _later(base, timedelta(minutes=duration))
    elif end is None and start is not None and old_start is not None and old_end is not None:
        end = _later(start, old_end - old_start)
    if base is not None and end is not None and end <= base:
        raise InputError(
            f"end_at ({to_luma_datetime(end)}) must be after the event's start ({to_luma_datetime(base)}). "
            "Give a later end_at, or give start_at as well."
        )
    return start, end


def _known_zone(value: Any) -> str | None:
    try:
        return validate_timezone(value) if isinstance(value, str) else None
    except InputError:
        return None


@luma.action("list_ticket_types")
class ListTicketTypesAction(ActionHandler):
    @luma_action
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        # Luma types include_hidden as a string and may read any non-empty value (even "false") as true:
        # it is sent only to ask for hidden ones.
        include_hidden = "true" if inputs.get("include_hidden") else None
        data = await LumaClient(context).get(
            "/v1/events/ticket-types/list", {"event_id": inputs["event_api_id"], "include_hidden": include_hidden}
        )
        entries = data.get("entries")
        if not isinstance(entries, list):
            raise LumaResponseError("Luma's answer listing ticket types had no list of entries; retry later.")
        return ActionResult(data={"ticket_types": entries})


@luma.action("create_ticket_type")
class CreateTicketTypeAction(ActionHandler):
    @luma_action
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        event_id = inputs["event_api_id"]
        kind = inputs["type"]
        cents, price, currency = inputs.get("cents"), inputs.get("price"), inputs.get("currency")
        is_flexible, min_cents = inputs.get("is_flexible"), inputs.get("min_cents")
        if cents is not None and price is not None:
            raise InputError("Give the price either as cents or as price, not both.")
        if kind == "free":
            priced = [
                name
                for name, value in (
                    ("cents", cents),
                    ("price", price),
                    ("currency", currency),
                    ("min_cents", min_cents),
                )
                if value is not None
            ] + (["is_flexible"] if is_flexible else [])
            if priced:
                raise InputError(f"A free ticket type takes no price: remove {', '.join(priced)}, or set type to paid.")
        else:
            if currency is None:
                raise InputError("A paid ticket type needs a currency (lowercase ISO code such as usd, eur, jpy).")
            if price is not None:
                cents = _minor_units(price, currency, "price")
            if cents is None or cents <= 0:
                raise InputError(
                    "A paid ticket type needs a price above zero: give price (e.g. 25.00) or cents (e.g. 2500). "
                    "For a no-cost ticket use type free."
                )
        if min_cents is not None and not is_flexible:
            raise InputError("min_cents applies only to pay-what-you-want tickets: set is_flexible to true.")
        if min_cents is not None and cents is not None and min_cents > cents:
            raise InputError(f"min_cents ({min_cents}) cannot be above the ticket's price in cents ({cents}).")
        valid_start = luma_date(inputs.get("valid_start_at"), "valid_start_at")
        valid_end = luma_date(inputs.get("valid_end_at"), "valid_end_at")
        if valid_start and valid_end and valid_end < valid_start:
            raise InputError(f"valid_end_at ({valid_end}) cannot be before valid_start_at ({valid_start}).")
        body = compact(
            {
                "event_id": event_id,
                "name": inputs["name"],
                "type": kind,
                "cents": cents,
                "currency": currency,
                "is_flexible": is_flexible,
                "min_cents": min_cents,
                "max_capacity": inputs.get("max_capacity"),
                "description": inputs.get("description"),
                "require_approval": inputs.get("require_approval"),
                "is_hidden": inputs.get("is_hidden"),
                "valid_start_at": valid_start,
                "valid_end_at": valid_end,
            }
        )
        client = LumaClient(context)
        # Luma has no idempotency key: what exists before the write can never be taken for what this run made.
        existing = {entry.get("id") for entry in await _ticket_types(client, event_id)}

        async def reconcile(accepted: bool) -> Any:
            for entry in await _ticket_types(client, event_id):
                if entry.get("id") not in existing and _ticket_type_matches(entry, body):
                    return entry
            return None

        ticket_type = await client.post("/v1/events/ticket-types/create", body, reconcile=reconcile)
        if not _has_id(ticket_type):
            ticket_type = await _find_after_accepted(
                reconcile, "ticket type", f"list_ticket_types (event_api_id {event_id}, include_hidden true)"
            )
        return ActionResult(data={"ticket_type": ticket_type})


async def _ticket_types(client: LumaClient, event_id: str) -> list[dict[str, Any]]:
    # Luma types include_hidden as a string, not a boolean.
    data = await client.get("/v1/events/ticket-types/list", {"event_id": event_id, "include_hidden": "true"})
    entries = data.get("entries")
    if not isinstance(entries, list):
        raise LumaResponseError("Luma's answer listing ticket types had no list of entries; retry later.")
    return [entry for entry in entries if isinstance(entry, dict)]


def _ticket_type_matches(entry: dict[str, Any], body: dict[str, Any]) -> bool:
    """True when every field sent shows on the ticket type with the sent value."""
    for key, sent in body.items():
        value = entry.get(key)
        if key == "event_id":
            continue
        if key == "currency":
            same = isinstance(value, str) and value.lower() == sent.lower()
        elif key in ("valid_start_at", "valid_end_at"):
            # A date may come back as a date-time at midnight.
            same = isinstance(value, str) and value.strip()[:10] == sent
        elif isinstance(sent, bool):
            same = bool(value) == sent
        elif key == "name":
            same = isinstance(value, str) and value.strip() == sent.strip()
        else:
            same = value == sent
        if not same:
            return False
    return True


@luma.action("list_coupons")
class ListCouponsAction(ActionHandler):
    @luma_action
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        limit = inputs.get("limit")
        found = await LumaClient(context).collect(
            "/v1/events/coupons/list",
            {"event_id": inputs["event_api_id"]},
            limit=limit if limit is not None else COUPONS_DEFAULT_LIMIT,
            cursor=inputs.get("cursor"),
        )
        return ActionResult(
            data={"coupons": found["entries"], "has_more": found["has_more"], "next_cursor": found["next_cursor"]}
        )


@luma.action("create_coupon")
class CreateCouponAction(ActionHandler):
    @luma_action
    async def execute(self, inputs: dict[str, Any], context: Any) -> ActionResult:
        event_id = inputs["event_api_id"]
        code = inputs["code"]
        percent_off, cents_off = inputs.get("percent_off"), inputs.get("cents_off")
        amount_off, currency = inputs.get("amount_off"), inputs.get("currency")
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
            discount = {"discount_type": "percent", "percent_off": percent_off}
        else:
            if currency is None:
                raise InputError("An amount discount needs currency (lowercase ISO code such as usd).")
            if amount_off is not None:
                cents_off = _minor_units(amount_off, currency, "amount_off")
            discount = {"discount_type": "amount", "cents_off": cents_off, "currency": currency}
        valid_start = luma_datetime(inputs.get("valid_start_at"), "valid_start_at")
        valid_end = luma_datetime(inputs.get("valid_end_at"), "valid_end_at")
        if valid_start and valid_end and luma_instant(valid_end) <= luma_instant(valid_start):
            raise InputError(f"valid_end_at ({valid_end}) must be after valid_start_at ({valid_start}).")
        remaining = inputs.get("remaining_count")
        body = compact(
            {
                "event_id": event_id,
                "code": code,
                "discount": discount,
                # Sent explicitly so "unlimited" holds whatever Luma's own default is.
                "remaining_count": remaining if remaining is not None else UNLIMITED_COUPON_USES,
                "valid_start_at": valid_start,
                "valid_end_at": valid_end,
                "event_ticket_type_id": inputs.get("event_ticket_type_id"),
            }
        )
        client = LumaClient(context)
        conflicts: list[LumaError] = []

        async def reconcile(accepted: bool) -> Any:
            # Luma treats codes case-insensitively, so a code is unique per event whatever its case.
            async for page in client.pages("/v1/events/coupons/list", {"event_id": event_id}):
                for entry in page.entries:
                    if str(entry.get("code", "")).lower() == code.lower():
                        if _coupon_matches(entry, body):
                            return entry
                        conflicts.append(_code_taken(entry, event_id))
                        raise conflicts[-1]
            return None

        try:
            coupon = await client.post("/v1/events/coupons/create", body, reconcile=reconcile)
        except LumaUncertainWriteError:
            # The client reports any failed recheck as uncertain; a code held by another coupon is certain.
            if conflicts:
                raise conflicts[0] from None
            raise
        if not _has_id(coupon):
            coupon = await _find_after_accepted(reconcile, "coupon", f"list_coupons (event_api_id {event_id})")
        return ActionResult(data={"coupon": coupon})


def _coupon_matches(entry: dict[str, Any], body: dict[str, Any]) -> bool:
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


def _code_taken(entry: dict[str, Any], event_id: str) -> LumaInvalidRequestError:
    if entry.get("percent_off") is not None:
        terms = f"{entry['percent_off']}% off"
    else:
        terms = f"cents_off {entry.get('cents_off')} {str(entry.get('currency') or '').upper()}".strip()
    return LumaInvalidRequestError(
        f"Coupon code '{entry.get('code')}' already exists on event {event_id} with different terms ({terms}, "
        f"{entry.get('remaining_count')} uses left, id {entry.get('id')}); no coupon with the terms sent exists. "
        "Codes are case-insensitive, so choose another code, or use the existing coupon (see list_coupons)."
    )
