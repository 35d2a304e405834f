"""Ticket types of an event, with Luma's price rules: integer minor units, exact conversion from decimals."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import routes
from helpers import (
    InputError,
    LumaClient,
    LumaError,
    LumaInvalidRequestError,
    LumaNotFoundError,
    compact,
    lean,
    luma_said,
    not_found,
    or_none,
)
from operations.removals import gone_or_unknown, remove
from validation import currency_exponent, luma_date, price_to_minor_units, visible_text
from writes import FindNew, ReadBack, gone_check, not_in

# Luma does not document the minor unit of its crypto currencies: amounts for them must come in Luma's units.
NO_DECIMAL_CONVERSION = {"solana_sol", "solana_usdc"}


def minor_units(amount: Any, currency: str, field: str, minor_field: str) -> int:
    """A decimal amount as Luma's integer minor units (cents), exactly."""
    if currency.lower() in NO_DECIMAL_CONVERSION:
        raise InputError(
            f"{field} cannot be converted for {currency}: give the amount in Luma's smallest unit ({minor_field}) "
            "instead."
        )
    return price_to_minor_units(amount, currency, field)


def decimal_text(minor: Any, currency: Any) -> str | None:
    """Luma's minor units as a decimal in currency units ("19.99" for 1999 usd, "1500" for 1500 jpy); None where
    the unit is not known (no currency, or one whose minor unit Luma does not document)."""
    if not isinstance(minor, (int, float)) or isinstance(minor, bool) or not isinstance(currency, str):
        return None
    if not currency or currency.lower() in NO_DECIMAL_CONVERSION:
        return None
    try:
        amount = Decimal(str(minor))
    except InvalidOperation:
        return None
    if not amount.is_finite():
        return None
    exponent = currency_exponent(currency)
    return f"{amount.scaleb(-exponent):.{exponent}f}"


def ticket_price(
    kind: str | None,
    *,
    price: Any = None,
    cents: int | None = None,
    currency: str | None = None,
    is_flexible: bool | None = None,
    min_cents: int | None = None,
) -> dict[str, Any]:
    """The price fields Luma takes for a ticket type of `kind` (free or paid): cents from a decimal price or as
    given, the currency, and pay-what-you-want settings. Only the fields given come back."""
    if cents is not None and price is not None:
        raise InputError("Give the price either as cents or as price, not both.")
    if kind == "free":
        priced = [
            name
            for name, value in (("cents", cents), ("price", price), ("currency", currency), ("min_cents", min_cents))
            if value is not None
        ] + (["is_flexible"] if is_flexible else [])
        if priced:
            raise InputError(f"A free ticket type takes no price: remove {', '.join(priced)}, or set type to paid.")
    elif kind == "paid":
        if currency is None:
            raise InputError("A paid ticket type needs a currency (lowercase ISO code such as usd, eur, jpy).")
        if price is not None:
            cents = minor_units(price, currency, "price", "cents")
        if cents is None or cents <= 0:
            raise InputError(
                "A paid ticket type needs a price above zero: give price (e.g. 25.00) or cents (e.g. 2500). "
                "For a no-cost ticket use type free."
            )
    elif price is not None:
        if currency is None:
            raise InputError("price needs currency to convert it to minor units; give currency, or give cents.")
        cents = minor_units(price, currency, "price", "cents")
    # On an update (no kind) the ticket may already be pay-what-you-want, so only an explicit false conflicts.
    if min_cents is not None and (is_flexible is False or (kind is not None and not is_flexible)):
        raise InputError("min_cents applies only to pay-what-you-want tickets: set is_flexible to true.")
    if min_cents is not None and cents is not None and min_cents > cents:
        raise InputError(f"min_cents ({min_cents}) cannot be above the ticket's price in cents ({cents}).")
    return compact(
        {"type": kind, "cents": cents, "currency": currency, "is_flexible": is_flexible, "min_cents": min_cents}
    )


def ticket_validity(valid_start_at: str | None, valid_end_at: str | None) -> dict[str, Any]:
    """Ticket sale window: Luma takes ISO dates here, not date-times."""
    start = luma_date(valid_start_at, "valid_start_at")
    end = luma_date(valid_end_at, "valid_end_at")
    if start and end and end < start:
        raise InputError(f"valid_end_at ({end}) cannot be before valid_start_at ({start}).")
    return compact({"valid_start_at": start, "valid_end_at": end})


async def list_ticket_types(client: LumaClient, event_id: str, *, include_hidden: bool = False) -> list[dict]:
    # Luma types include_hidden as a string and may read any non-empty value (even "false") as true:
    # it is sent only to ask for hidden ones.
    params = {"event_id": event_id, "include_hidden": "true" if include_hidden else None}
    return await client.get_entries(routes.TICKET_TYPES_LIST, params)


async def require_ticket_type(
    client: LumaClient, event_id: str, *, type_id: str | None = None, type_name: str | None = None
) -> None:
    """Refuses a ticket type (by id, or by name in any case, or both: one type with that id and name) the event
    does not have: as a filter it would match nobody, silently. The error lists the event's ticket types, hidden
    ones included."""
    if type_id is None and type_name is None:
        return
    types = await list_ticket_types(client, event_id, include_hidden=True)
    if any(
        (type_id is None or entry.get("id") == type_id) and (type_name is None or has_type_named([entry], type_name))
        for entry in types
    ):
        return
    given = " with ".join(
        text
        for text in (
            f"event_ticket_type_id '{type_id}'" if type_id is not None else "",
            f"ticket_type_name '{type_name}'" if type_name is not None else "",
        )
        if text
    )
    known = ", ".join(f"'{entry.get('name')}' ({entry.get('id')})" for entry in types) or "none"
    raise InputError(f"{given} is not a ticket type of event {event_id}; its ticket types are: {known}.")


def has_type_named(types: list[dict[str, Any]], type_name: str) -> bool:
    """Whether one of the ticket types bears the name, in any case and spacing around it (as filters match)."""
    folded = type_name.strip().casefold()
    return any(str(entry.get("name") or "").strip().casefold() == folded for entry in types)


def ticket_type_shows(entry: dict[str, Any], body: dict[str, Any]) -> bool:
    """True when every field sent shows on the ticket type with the sent value."""
    for key, sent in body.items():
        value = entry.get(key)
        if key in ("event_id", "event_ticket_type_id"):
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


async def create_ticket_type(client: LumaClient, event_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Creates a ticket type from the action's fields (price as a decimal `price` or integer `cents`)."""
    body = compact(
        {
            "event_id": event_id,
            "name": visible_text(fields["name"], "name"),
            **ticket_price(
                fields["type"],
                price=fields.get("price"),
                cents=fields.get("cents"),
                currency=fields.get("currency"),
                is_flexible=fields.get("is_flexible"),
                min_cents=fields.get("min_cents"),
            ),
            "max_capacity": fields.get("max_capacity"),
            "description": fields.get("description"),
            "require_approval": fields.get("require_approval"),
            "is_hidden": fields.get("is_hidden"),
            **ticket_validity(fields.get("valid_start_at"), fields.get("valid_end_at")),
        }
    )
    # Ticket types carry no creation time: what exists before the write can never be taken for what this run made.
    existing = {entry.get("id") for entry in await list_ticket_types(client, event_id, include_hidden=True)}
    confirm = FindNew(
        candidates=lambda: list_ticket_types(client, event_id, include_hidden=True),
        is_new=not_in(existing),
        matches=lambda entry: ticket_type_shows(entry, body),
        checked=f"event {event_id}'s ticket types for a new one with the fields sent",
        verify=f"List them with list_ticket_types (event_api_id {event_id}, include_hidden true)",
    )
    return await client.post(routes.TICKET_TYPES_CREATE, body, confirm=confirm, expect_id=True)


def ticket_type_summary(ticket_type: dict[str, Any]) -> dict[str, Any]:
    """What a person scans in a list of ticket types; detail "full" gives Luma's whole object."""
    flexible = bool(ticket_type.get("is_flexible"))
    return {
        "id": ticket_type.get("id"),
        "name": ticket_type.get("name"),
        "type": ticket_type.get("type"),
        **lean(
            {
                "cents": ticket_type.get("cents"),
                "currency": ticket_type.get("currency"),
                "price": decimal_text(ticket_type.get("cents"), ticket_type.get("currency")),
                "is_flexible": True if flexible else None,
                "min_cents": ticket_type.get("min_cents") if flexible else None,
                "max_capacity": ticket_type.get("max_capacity"),
            }
        ),
        "is_hidden": bool(ticket_type.get("is_hidden")),
    }


def ticket_type_not_found(ticket_type_id: str, error: LumaNotFoundError) -> LumaNotFoundError:
    return not_found(
        f"No ticket type {ticket_type_id} exists (Luma answered 404; a deleted one is gone too)",
        "Check the id with list_ticket_types (include_hidden true).",
        error,
    )


async def get_ticket_type(client: LumaClient, ticket_type_id: str) -> dict[str, Any]:
    try:
        return await client.get_object(routes.TICKET_TYPES_GET, {"event_ticket_type_id": ticket_type_id})
    except LumaNotFoundError as error:
        raise ticket_type_not_found(ticket_type_id, error) from None


async def find_ticket_type(client: LumaClient, ticket_type_id: str) -> dict[str, Any] | None:
    """The ticket type, or None when Luma has no such (or no longer such) ticket type."""
    return await or_none(client.get_object(routes.TICKET_TYPES_GET, {"event_ticket_type_id": ticket_type_id}))


_PRICE_FIELDS = ("price", "cents", "currency", "is_flexible", "min_cents")


def update_needs_current(fields: dict[str, Any]) -> bool:
    """Whether the price rules of an update depend on what the ticket type is now: a price means nothing without
    knowing whether the type is free or paid and in which currency, and a paid type needs both a price and a
    currency, which it may already have."""
    kind = fields.get("type")
    given = {name for name in _PRICE_FIELDS if fields.get(name) is not None}
    if kind == "free":
        return False  # every price field is refused for a free type, whatever it was before
    if kind is None:
        return bool(given)
    missing_price = not {"price", "cents"} & given
    return "currency" not in given or missing_price or ("min_cents" in given and "is_flexible" not in given)


def updated_price(current: dict[str, Any] | None, fields: dict[str, Any]) -> dict[str, Any]:
    """The price fields an update sends: only those given (a decimal price converted to cents, in the given currency
    or else the ticket type's current one), checked against the ticket type as it will be after the update."""
    kind = fields.get("type")
    price, cents, currency = fields.get("price"), fields.get("cents"), fields.get("currency")
    is_flexible, min_cents = fields.get("is_flexible"), fields.get("min_cents")
    if current is None:
        return ticket_price(
            kind, price=price, cents=cents, currency=currency, is_flexible=is_flexible, min_cents=min_cents
        )
    after = kind or current.get("type")
    was = str(current.get("currency") or "").lower()
    if after == "paid" and price is None and cents is None and currency and was and currency.lower() != was:
        # Luma keeps the amount in minor units: 2500 USD cents would silently become 2500 JPY (25 USD → 2,500 yen).
        raise InputError(
            f"currency changes from {was} to {currency}, but the price stays {current.get('cents')} in minor units, "
            "which means something else in the new currency: give price (or cents) together with currency."
        )
    if after == "paid":
        keeps_price = price is None and cents is None
        checked = ticket_price(
            "paid",
            price=price,
            cents=current.get("cents") if keeps_price else cents,
            currency=currency or current.get("currency"),
            is_flexible=is_flexible if is_flexible is not None else bool(current.get("is_flexible")),
            min_cents=min_cents,
        )
    else:
        checked = ticket_price(
            "free", price=price, cents=cents, currency=currency, is_flexible=is_flexible, min_cents=min_cents
        )
    converted = checked.get("cents") if price is not None else cents
    return compact(
        {"type": kind, "cents": converted, "currency": currency, "is_flexible": is_flexible, "min_cents": min_cents}
    )


async def update_ticket_type(client: LumaClient, ticket_type_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Changes the given fields of a ticket type and returns it as Luma has it afterwards."""
    changes = compact(fields)
    if not changes:
        raise InputError("Nothing to update: give at least one field to change besides event_ticket_type_id.")
    name = visible_text(changes["name"], "name") if "name" in changes else None
    validity = ticket_validity(changes.get("valid_start_at"), changes.get("valid_end_at"))
    # Checked without Luma first, so a price that can never be right is refused before anything is read.
    if fields.get("cents") is not None and fields.get("price") is not None:
        raise InputError("Give the price either as cents or as price, not both.")
    current = await get_ticket_type(client, ticket_type_id) if update_needs_current(changes) else None
    body = compact(
        {
            "event_ticket_type_id": ticket_type_id,
            "name": name,
            **updated_price(current, changes),
            "max_capacity": changes.get("max_capacity"),
            "description": changes.get("description"),
            "require_approval": changes.get("require_approval"),
            "is_hidden": changes.get("is_hidden"),
            **validity,
        }
    )
    confirm = ReadBack(
        read=lambda: find_ticket_type(client, ticket_type_id),
        matches=lambda found: ticket_type_shows(found, body),
        checked=f"ticket type {ticket_type_id} for the fields sent",
        verify=f"Read it with get_ticket_type (event_ticket_type_id {ticket_type_id})",
    )
    try:
        # Luma answers the ticket type: an answer without it is checked like a lost one.
        return await client.post(routes.TICKET_TYPES_UPDATE, body, confirm=confirm, expect_id=True)
    except LumaNotFoundError as error:
        raise ticket_type_not_found(ticket_type_id, error) from None


# Luma's words when it refuses a delete are undocumented: these match the emulator's and the likely phrasings.
_SOLD = re.compile(r"\bsold\b|purchas|issued|\bhas tickets\b|\bhave tickets\b|\bholders?\b", re.IGNORECASE)
_LAST_VISIBLE = re.compile(r"\blast\b|\bvisible\b|\bonly\b", re.IGNORECASE)
HIDE_INSTEAD = (
    "Hide it instead (update_ticket_type with is_hidden true) so nobody can pick it any more, or end its sale "
    "(update_ticket_type with valid_end_at); guests keep the tickets they hold."
)
SOLD_ADVICE = f"Luma cannot delete a ticket type once tickets of it were sold or issued. {HIDE_INSTEAD}"
LAST_VISIBLE_ADVICE = (
    "An event needs at least one visible ticket type and this is its last one. Create the replacement first "
    "(create_ticket_type), then delete this one, or hide it (update_ticket_type with is_hidden true)."
)
EITHER_ADVICE = (
    "Luma cannot delete a ticket type that has tickets sold, nor an event's last visible ticket type. If tickets "
    f"were sold: {HIDE_INSTEAD} If it is the last visible one: create another first (create_ticket_type)."
)


def undeletable(ticket_type_id: str, ticket_type: dict[str, Any], error: LumaInvalidRequestError) -> LumaError:
    """Luma's refusal of a delete, with what to do instead."""
    words = error.luma_message or ""
    if _SOLD.search(words):
        advice = SOLD_ADVICE
    elif _LAST_VISIBLE.search(words):
        advice = LAST_VISIBLE_ADVICE
    else:
        advice = EITHER_ADVICE
    name = f" ('{ticket_type['name']}')" if isinstance(ticket_type.get("name"), str) else ""
    return LumaInvalidRequestError(
        f"Luma refused to delete ticket type {ticket_type_id}{name} ({error.status}); nothing was deleted."
        f"{luma_said(error.luma_message)} "
        f"{advice}",
        status=error.status,
        luma_message=error.luma_message,
    )


async def delete_ticket_type(client: LumaClient, ticket_type_id: str) -> dict[str, Any]:
    """Deletes a ticket type (Luma soft-deletes it: it is gone from every read); one already gone is reported as
    already absent."""
    existing = await find_ticket_type(client, ticket_type_id)

    def deleted(already_absent: bool) -> dict[str, Any]:
        name = existing.get("name") if existing else None
        return compact(
            {"event_ticket_type_id": ticket_type_id, "name": name, "deleted": True, "already_absent": already_absent}
        )

    if existing is None:
        return deleted(already_absent=gone_or_unknown("event_ticket_type_id", ticket_type_id))
    confirm = gone_check(
        lambda: find_ticket_type(client, ticket_type_id),
        checked=f"whether ticket type {ticket_type_id} still exists",
        verify=f"Read it with get_ticket_type (event_ticket_type_id {ticket_type_id}): a 404 means it was deleted",
    )
    try:
        # Already absent here: deleted by someone else between the read and the delete.
        absent = await remove(client, routes.TICKET_TYPES_DELETE, {"event_ticket_type_id": ticket_type_id}, confirm)
    except LumaInvalidRequestError as error:
        raise undeletable(ticket_type_id, existing, error) from None
    return deleted(already_absent=absent)
