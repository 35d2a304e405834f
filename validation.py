"""Input checks the JSON schema cannot express; each raises InputError before anything is sent to Luma."""

import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from email_validator import EmailNotValidError, validate_email

from emails import email_key
from helpers import InputError

# Largest integer a JavaScript client (Luma's API) holds exactly; amounts beyond it would be silently rounded.
MAX_MINOR_UNITS = 9_007_199_254_740_991

# Event dates outside this range are typing mistakes, and beyond year 9999 date arithmetic overflows.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200

# Names zoneinfo knows that are not places: an event's time zone must be a real IANA location.
_NOT_PLACES = {"localtime", "factory", "posixrules"}
_ZONE_BY_LOWER: dict[str, str] = {}

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
    """The address as Luma should get it: trimmed, Unicode-composed (NFC), domain lowercased; the dot, length and
    internationalised-domain rules are email-validator's."""
    text = unicodedata.normalize("NFC", value.strip()) if isinstance(value, str) else ""
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise InputError(
            f"'{value}' in {field} is not a valid email address ({error}); expected name@example.com."
        ) from None
    # An internationalised domain given in its ASCII form (xn--...) stays so: Luma matches the text it stored, and
    # the Unicode form would not find the guest it already has.
    if text.rsplit("@", 1)[-1].isascii():
        return f"{checked.local_part}@{checked.ascii_domain}"
    return checked.normalized


def normalize_guests(entries: Any, field: str = "guests", max_count: int | None = None) -> list[dict[str, str]]:
    """Accepts emails or {email, name}; validates, trims, and drops repeats (by email_key) keeping the first.

    The size cap is checked here, not with the schema's maxItems: the SDK's message for that repeats the whole
    list and never says what the limit is."""
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{field} is empty: give at least one email address or {{email, name}} object.")
    if max_count is not None and len(entries) > max_count:
        raise InputError(
            f"{field} has {len(entries)} entries; at most {max_count} fit in one call (one run must answer within "
            f"Autohive's time limit). Send the first {max_count}, then call again with the rest."
        )
    guests: dict[str, dict[str, str]] = {}
    for position, entry in enumerate(entries):
        raw = entry.get("email") if isinstance(entry, dict) else entry
        email = normalize_email(raw, f"{field}[{position}]")
        name = entry.get("name") if isinstance(entry, dict) else None
        name = name.strip() if isinstance(name, str) and shows(name) else None
        guest = guests.setdefault(email_key(email), {"email": email})
        # A repeat is one person sent once, with the first name any mention gives: a CRM export's duplicate rows
        # often spell the name differently, and refusing the whole list for that would stop a sync.
        if name is not None:
            guest.setdefault("name", name)
    return list(guests.values())


# What people type for a zone, and the Area/City names they most likely mean.
_ABBREVIATION_HINTS = {
    **dict.fromkeys(("EST", "EDT", "ET", "EST5EDT"), "America/New_York (US Eastern)"),
    **dict.fromkeys(("CST", "CDT", "CT", "CST6CDT"), "America/Chicago (US Central)"),
    **dict.fromkeys(("MST", "MDT", "MT", "MST7MDT"), "America/Denver, or America/Phoenix (no daylight saving)"),
    **dict.fromkeys(("PST", "PDT", "PT", "PST8PDT"), "America/Los_Angeles (US Pacific)"),
    **dict.fromkeys(("HST",), "Pacific/Honolulu"),
    **dict.fromkeys(("GMT", "BST", "WET"), "Europe/London, or UTC"),
    **dict.fromkeys(("CET", "CEST", "MET"), "Europe/Berlin or Europe/Paris"),
    **dict.fromkeys(("EET", "EEST"), "Europe/Athens or Europe/Helsinki"),
    **dict.fromkeys(("IST",), "Asia/Kolkata (India) or Europe/Dublin (Ireland)"),
    **dict.fromkeys(("JST",), "Asia/Tokyo"),
    **dict.fromkeys(("AEST", "AEDT"), "Australia/Sydney"),
    **dict.fromkeys(("NZST", "NZDT"), "Pacific/Auckland"),
}


def validate_timezone(value: str, field: str = "timezone") -> str:
    """The canonical IANA name; case and surrounding spaces are forgiven (america/new_york → America/New_York)."""
    if not _ZONE_BY_LOWER:
        # Only Area/City names (and UTC): the legacy names without a slash are fixed offsets or country aliases
        # ("EST" is UTC-5 all year, so an "EST" evening in July would be an hour off), never what an agent means.
        _ZONE_BY_LOWER.update(
            {
                name.lower(): name
                for name in available_timezones()
                if "/" in name and name.lower() not in _NOT_PLACES and not name.startswith(("posix/", "right/"))
            }
        )
        _ZONE_BY_LOWER["utc"] = "UTC"
    text = value.strip() if isinstance(value, str) else ""
    zone = _ZONE_BY_LOWER.get(text.lower())
    if zone is None:
        hint = _ABBREVIATION_HINTS.get(text.upper().replace(" ", ""), "America/New_York, Europe/London or Asia/Tokyo")
        raise InputError(
            f"'{value}' in {field} is not an IANA time zone (an Area/City name, so daylight saving is right). "
            f"Use a name such as {hint}."
        )
    return zone


def known_zone(value: Any) -> str | None:
    """A time zone as Luma reports it (an event's, a calendar's), canonical; None when missing or not IANA's."""
    try:
        return validate_timezone(value) if isinstance(value, str) else None
    except InputError:
        return None


# ISO 8601 / RFC 3339 date-times as people write them: a date, then optionally T (any case) or a space, the hour,
# minutes, seconds and a fraction, then optionally Z or an offset.
_ISO_DATETIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<hour>\d{2})(?::?(?P<minute>\d{2})(?::?(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?)?)?"
    r"\s*(?P<offset>[Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)
# Real UTC offsets run from -12:00 to +14:00; anything beyond is a typing mistake.
MAX_OFFSET, MIN_OFFSET = timedelta(hours=14), timedelta(hours=12)


def parse_datetime(
    value: str,
    field: str,
    zone: str | None = None,
    *,
    require_time: bool = False,
    time_example: str = "18:00",
    read_in: str = "the event's time zone",
) -> datetime:
    """An ISO 8601 date-time; one without an offset is read in `zone` (else UTC). With `require_time`, a bare
    date is refused: an event at midnight is almost never what was meant, and a validity that ends "on" a day
    would end at its first moment. `time_example` and `read_in` word the refusal for the caller's input."""
    text = value.strip() if isinstance(value, str) else ""
    parts = _ISO_DATETIME.match(text)
    example = "2026-03-01T18:00:00Z or 2026-03-01T18:00:00-05:00"
    if parts is None:
        raise InputError(f"'{value}' in {field} is not an ISO 8601 date-time. Use e.g. {example}.")
    if require_time and parts["hour"] is None:
        raise InputError(
            f"'{value}' in {field} has no time of day; give one, e.g. {parts['date']}T{time_example} (read in "
            f"{read_in}) or with an offset such as {parts['date']}T{time_example}:00Z."
        )
    offset = parts["offset"]
    if offset and offset not in "Zz":
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        shift = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        if shift > (MAX_OFFSET if sign > 0 else MIN_OFFSET) or int(digits[2:] or 0) >= 60:
            raise InputError(
                f"'{value}' in {field} has the UTC offset {offset}; real offsets run from -12:00 to +14:00."
            )
        tz: timezone | None = timezone(sign * shift)
    else:
        tz = timezone.utc if offset else None
    try:
        moment = datetime.fromisoformat(parts["date"]).replace(
            hour=int(parts["hour"] or 0),
            minute=int(parts["minute"] or 0),
            second=int(parts["second"] or 0),
            microsecond=int((parts["fraction"] or "0")[:6].ljust(6, "0")),
            tzinfo=tz,
        )
    except ValueError as error:
        raise InputError(f"'{value}' in {field} is not a real date-time ({error}). Use e.g. {example}.") from None
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise InputError(f"'{value}' in {field} is outside {EARLIEST_YEAR}-{LATEST_YEAR}; check the year.")
    if moment.tzinfo is None:
        if zone:
            moment = moment.replace(tzinfo=ZoneInfo(zone))
            # A wall-clock time skipped by a daylight-saving jump does not exist; refuse it rather than guess.
            # A repeated (autumn) time is read as its first occurrence, as calendars do.
            # A bare date means the day's first moment, which is the jump's end when midnight is skipped (as in
            # Santiago or Havana): read as the offset before the jump, it is exactly that instant.
            back = moment.astimezone(timezone.utc).astimezone(moment.tzinfo)
            if parts["hour"] is not None and back.replace(tzinfo=None) != moment.replace(tzinfo=None):
                raise InputError(
                    f"'{value}' in {field} does not exist in {zone}: the clocks jump forward over it. Use a time "
                    f"after the change (e.g. {back.strftime('%H:%M')}), or give an explicit UTC offset."
                )
        else:
            moment = moment.replace(tzinfo=timezone.utc)
    return moment


def lacks_offset(value: Any) -> bool:
    """Whether a date-time is written without a UTC offset (so a time zone decides its moment); False for text
    that is no date-time at all, which `parse_datetime` refuses on its own."""
    parts = _ISO_DATETIME.match(value.strip()) if isinstance(value, str) else None
    return parts is not None and parts["offset"] is None


def luma_instant(value: Any) -> datetime | None:
    """A date-time as Luma returns it, as an aware datetime; None when missing or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def to_luma_datetime(moment: datetime) -> str:
    """Luma stores and returns UTC; send `YYYY-MM-DDTHH:MM:SS.sssZ`."""
    utc = moment.astimezone(timezone.utc)
    return f"{utc.year:04d}-" + utc.strftime("%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def luma_datetime(value: str | None, field: str, zone: str | None = None) -> str | None:
    return None if value is None else to_luma_datetime(parse_datetime(value, field, zone))


def start_window(after: str | None, before: str | None) -> dict[str, str | None]:
    """Luma's after/before filters of a list of events, in UTC; after must come before before."""
    start = parse_datetime(after, "after") if after is not None else None
    end = parse_datetime(before, "before") if before is not None else None
    if start is not None and end is not None and start >= end:
        raise InputError(f"after ({to_luma_datetime(start)}) must be earlier than before ({to_luma_datetime(end)}).")
    return {"after": to_luma_datetime(start) if start else None, "before": to_luma_datetime(end) if end else None}


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
    if minor > MAX_MINOR_UNITS:
        raise InputError(f"{field} {price} is larger than any price Luma can store; check the amount.")
    if minor != minor.to_integral_value():
        raise InputError(
            f"{field} {price} has more decimals than {currency.upper()} allows ({exponent}); "
            f"round it to {exponent} decimal place{'s' if exponent != 1 else ''}."
        )
    return int(minor.to_integral_value(rounding=ROUND_HALF_EVEN))


# Characters that print nothing: format controls (zero-width space and joiners, BOM), control characters, separators,
# and combining marks, which show only on a visible character before them.
_INVISIBLE_CATEGORIES = {"Cf", "Cc", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"}
# Letters and symbols that are drawn blank: the Hangul fillers and the Braille blank.
_BLANK_CHARACTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def shows(text: str) -> bool:
    """Whether the text shows at least one visible character."""
    return any(
        char not in _BLANK_CHARACTERS and unicodedata.category(char) not in _INVISIBLE_CATEGORIES for char in text
    )


def visible_text(value: Any, field: str) -> str:
    """Trimmed text that shows at least one visible character: a name made only of zero-width or other invisible
    characters would look empty on Luma."""
    text = value.strip() if isinstance(value, str) else ""
    if not shows(text):
        raise InputError(f"{field} is empty or has only invisible characters; give visible text.")
    return text


# Characters that draw nothing in any script and change no spelling: zero-width space, word joiner, BOM, soft hyphen,
# Mongolian vowel separator, the invisible math operators, the deprecated format controls and every bidi control
# (Unicode's Bidi_Control). Not the joiners U+200C/U+200D (Persian spelling, emoji sequences such as 👩‍💻), the
# emoji tag characters (🏴 subdivision flags) nor variation selectors: those are part of what a code shows.
INVISIBLE_IN_CODES = frozenset(
    "\u200b\u2060\ufeff\u00ad\u180e\u061c\u200e\u200f"
    + "".join(map(chr, range(0x202A, 0x202F)))
    + "".join(map(chr, range(0x2061, 0x2065)))
    + "".join(map(chr, range(0x2066, 0x2070)))
)


def without_format_characters(text: str, field: str) -> str:
    """Text to be matched later by what it shows (a coupon code): an invisible character in it (a zero-width space
    pasted along) would stay in Luma's copy, which the code as typed would then never find."""
    hidden = next((char for char in text if char in INVISIBLE_IN_CODES), None)
    if hidden is not None:
        label = unicodedata.name(hidden, "a format character").lower()
        raise InputError(
            f"{field} holds an invisible character (U+{ord(hidden):04X}, {label}); give it without: "
            f"'{''.join(char for char in text if char not in INVISIBLE_IN_CODES)}'."
        )
    return text


def utf16_length(text: str) -> int:
    """Length as Luma's JavaScript counts it: characters outside the BMP (most emoji) count twice."""
    return len(text.encode("utf-16-le")) // 2


# ---- Ids ----------------------------------------------------------------------------------------------------

# Luma's ids carry their kind in a prefix, which Luma's document says an id "usually starts with".
ID_KINDS = {
    "evt": "an event id",
    "gst": "a guest id",
    "cal": "a calendar id",
    "calev": "a calendar submission id",
    "tag": "a tag id",
    "ttype": "a ticket type id",
    "tkt": "a ticket id",
    "usr": "a user id",
}

# Every id input: what it takes, the prefixes of the kinds it takes (empty when Luma names none for it), and where to
# get one. Since Luma says "usually", an id without a known prefix is let through; one with the prefix of another
# kind is refused before anything is sent: Luma would answer "not found", which a delete or a poll takes for gone.
ID_INPUTS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "event_api_id": ("an event id", ("evt",), "get_events"),
    "event_api_ids": ("an event id", ("evt",), "get_events"),
    "target_event_api_id": ("an event id", ("evt",), "clone_event's earlier result"),
    "guest_api_id": ("a guest id", ("gst",), "get_guests"),
    "guest_api_ids": ("a guest id", ("gst",), "get_guests"),
    "event_ticket_type_id": ("a ticket type id", ("ttype",), "list_ticket_types"),
    "add_ticket_type_ids": ("a ticket type id", ("ttype",), "list_ticket_types"),
    "remove_ticket_ids": ("a ticket id", ("tkt",), "get_guests with detail full"),
    "calendar_id": ("a calendar id", ("cal",), "get_calendar"),
    "calendar_event_id": ("a calendar submission id", ("calev", "evt"), "add_event_to_calendar or lookup_event"),
    "contact_id": ("a person's id", ("usr",), "list_people"),
    "user_id": ("a user id", ("usr",), "list_people"),
    "user_ids": ("a user id", ("usr",), "list_people"),
    "tag_id": ("a tag id", ("tag",), "list_person_tags or list_event_tags"),
    "webhook_id": ("a webhook id", (), "list_webhooks"),
    "membership_tier_id": ("a membership tier id", (), "list_membership_tiers"),
    "calendar_membership_tier_id": ("a membership tier id", (), "list_membership_tiers"),
}
# Kinds an input also takes without saying so: an external event on the calendar has only its calendar entry's id
# (calev-), which get_events lists and lookup_event and tag_events take as an event's.
ALSO_TAKEN = {"event_api_id": ("calev",), "event_api_ids": ("calev",)}

# Where an input given a link can get the id from one.
_FROM_LINK = {
    "event_api_id": "lookup_event, whose url input takes a link",
    "event_api_ids": "lookup_event, whose url input takes a link",
}
_TAKES_EMAIL = {"user_id"}
_NOT_IN_IDS = re.compile(r"[\s/:]")
# A link: a scheme, www., or a host (a dotted name) before its first "/"; "Q1/Q2" is a name.
_LINK = re.compile(r"(?i)^(?:[a-z][a-z0-9+.-]*://|www\.|[a-z0-9-]+(?:\.[a-z0-9-]+)+/)")


def id_form(name: str) -> str:
    """What an id input takes, with its prefixes: "an event id (evt-…)"."""
    noun, prefixes, _ = ID_INPUTS[name]
    form = f" ({' or '.join(f'{prefix}-…' for prefix in prefixes)})" if prefixes else ""
    return f"{noun}{form}{' or an email' if name in _TAKES_EMAIL else ''}"


def id_problem(name: str, value: Any) -> str | None:
    """The one sentence saying why an id input's value (or one of a list's) cannot be sent, else None: Luma answers
    such a value "not found", which a delete or a poll would take for gone."""
    return wrong_kind(name, value) or not_an_id(name, value)


def _given(name: str, value: Any) -> Iterator[tuple[str, str]]:
    """(where, id) for each text an id input holds: `name`, or `name[i]` in a list."""
    for index, item in enumerate(value) if isinstance(value, list) else [(None, value)]:
        if isinstance(item, str):
            yield (name if index is None else f"{name}[{index}]"), item


def wrong_kind(name: str, value: Any) -> str | None:
    """The sentence for an id input given an id of another kind (by its prefix), else None."""
    if name not in ID_INPUTS:
        return None
    noun, prefixes, source = ID_INPUTS[name]
    for where, item in _given(name, value):
        # user_id also takes an email, whose local part may look like a prefix.
        if "-" not in item or "@" in item:
            continue
        prefix = item.split("-", 1)[0].lower()
        if prefix not in ID_KINDS or prefix in prefixes or prefix in ALSO_TAKEN.get(name, ()):
            continue
        takes = f"starts with {' or '.join(f'{p}-' for p in prefixes)}: get it" if prefixes else "comes"
        return f"input '{where}' is {ID_KINDS[prefix]} ({prefix}-…); {noun} {takes} from {source}."
    return None


def not_an_id(name: str, value: Any) -> str | None:
    """The sentence for an id input given what cannot be an id (a link, a name: Luma's ids hold no whitespace, "/" or
    ":"), else None."""
    if name not in ID_INPUTS:
        return None
    for where, item in _given(name, value):
        if not _NOT_IN_IDS.search(item):
            continue
        if name in _TAKES_EMAIL and "@" in item:
            continue  # an email, which normalize_email judges
        what = "a link" if _LINK.search(item) else "a name" if re.search(r"[\s/]", item) else "text"
        shown = item if len(item) <= 60 else item[:59] + "…"
        source = ID_INPUTS[name][2]
        if what == "a link" and name in _FROM_LINK:
            source = f"{source}, or from {_FROM_LINK[name]}"
        return f"input '{where}' is {what} ('{shown}'), not {id_form(name)}: get the id from {source}."
    return None


def has_id_form(name: str, value: str) -> bool:
    """Whether `value` has the form of the ids `name` takes: its kind's prefix, or, for a kind Luma gives no prefix,
    any value `not_an_id` lets through."""
    prefixes = ID_INPUTS[name][1]
    if _NOT_IN_IDS.search(value):
        return False
    # Luma's ids are its prefix in lower case, a dash and letters and digits: "EVT-…", "tag-….", or one with an
    # invisible character is a mistyped id, never one Luma removed.
    return not prefixes or any(re.fullmatch(f"{prefix}-[A-Za-z0-9]+", value) for prefix in prefixes)
