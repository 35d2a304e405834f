"""Ticket types of an event, with Luma's price rules: integer minor units, exact conversion from decimals."""

from typing import Any

import routes
from helpers import InputError, LumaClient, compact
from validation import luma_date, price_to_minor_units, visible_text
from writes import FindNew, not_in

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
