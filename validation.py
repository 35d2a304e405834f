"""Input checks the JSON schema cannot express; each raises InputError before anything is sent to Luma."""

import re
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from helpers import InputError

# Practical address check (RFC 5322 is far looser); Luma rejects what a mail server would.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})+$")

# ISO 4217 currencies with no minor unit (and the 3-decimal ones): price × 10^exponent gives Luma's `cents`.
_ZERO_DECIMAL = {
    "bif",
    "clp",
    "djf",
    "gnf",
    "jpy",
    "kmf",
    "krw",
    "mga",
    "pyg",
    "rwf",
    "ugx",
    "vnd",
    "vuv",
    "xaf",
    "xof",
    "xpf",
}
_THREE_DECIMAL = {"bhd", "jod", "kwd", "omr", "tnd"}


def normalize_email(value: Any, field: str = "email") -> str:
    email = value.strip() if isinstance(value, str) else ""
    if len(email) > 254 or not _EMAIL.match(email):
        raise InputError(f"'{value}' in {field} is not a valid email address (expected name@example.com).")
    return email


def normalize_guests(entries: Any, field: str = "guests") -> list[dict[str, str]]:
    """Accepts emails or {email, name}; validates, trims, and drops repeats (case-insensitive) keeping the first."""
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{field} is empty: give at least one email address or {{email, name}} object.")
    guests: list[dict[str, str]] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries):
        raw = entry.get("email") if isinstance(entry, dict) else entry
        email = normalize_email(raw, f"{field}[{position}]")
        if email.lower() in seen:
            continue
        seen.add(email.lower())
        guest = {"email": email}
        name = entry.get("name") if isinstance(entry, dict) else None
        if isinstance(name, str) and name.strip():
            guest["name"] = name.strip()
        guests.append(guest)
    return guests


def validate_timezone(value: str, field: str = "timezone") -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"'{value}' in {field} is not an IANA time zone. Use a name such as America/New_York, Europe/London "
            "or Asia/Tokyo."
        ) from None
    if value not in available_timezones() and value != "UTC":
        raise InputError(f"'{value}' in {field} is not an IANA time zone name (for example America/New_York).")
    return value


def parse_datetime(value: str, field: str, zone: str | None = None) -> datetime:
    """An ISO 8601 date-time; one without an offset is read in `zone` (else UTC)."""
    text = value.strip() if isinstance(value, str) else ""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InputError(
            f"'{value}' in {field} is not an ISO 8601 date-time. Use e.g. 2026-03-01T18:00:00Z or "
            "2026-03-01T18:00:00-05:00."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone) if zone else timezone.utc)
    return moment


def to_luma_datetime(moment: datetime) -> str:
    """Luma stores and returns UTC; send `YYYY-MM-DDTHH:MM:SS.sssZ`."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def luma_datetime(value: str | None, field: str, zone: str | None = None) -> str | None:
    return None if value is None else to_luma_datetime(parse_datetime(value, field, zone))


def luma_date(value: str | None, field: str) -> str | None:
    """Ticket validity is an ISO date (2025-09-01), not a date-time."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except (ValueError, AttributeError):
        raise InputError(f"'{value}' in {field} is not an ISO date; use YYYY-MM-DD, e.g. 2026-09-01.") from None


def currency_exponent(currency: str) -> int:
    code = currency.lower()
    return 0 if code in _ZERO_DECIMAL else 3 if code in _THREE_DECIMAL else 2


def price_to_minor_units(price: Any, currency: str, field: str = "price") -> int:
    """A decimal price (19.99 USD, 1500 JPY) to Luma's integer minor units, exactly; no float rounding."""
    try:
        amount = Decimal(str(price))
    except InvalidOperation:
        raise InputError(f"'{price}' in {field} is not a number.") from None
    if not amount.is_finite() or amount < 0:
        raise InputError(f"{field} must be zero or a positive amount, got {price}.")
    exponent = currency_exponent(currency)
    minor = amount.scaleb(exponent)
    if minor != minor.to_integral_value():
        raise InputError(
            f"{field} {price} has more decimals than {currency.upper()} allows ({exponent}); "
            f"round it to {exponent} decimal place{'s' if exponent != 1 else ''}."
        )
    return int(minor.to_integral_value(rounding=ROUND_HALF_EVEN))
