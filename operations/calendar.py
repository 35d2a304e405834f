"""The calendar itself (read, update, its admins), what a luma.com slug names, and the events listed on the calendar:
added (a Luma event managed elsewhere, or an event on another site), approved or rejected."""

import re
from typing import Any
from urllib.parse import unquote, urlsplit

import routes
from helpers import (
    InputError,
    LumaClient,
    LumaInvalidRequestError,
    LumaNotFoundError,
    LumaResponseError,
    compact,
    has_id,
    not_found,
)
from validation import parse_datetime, to_luma_datetime, validate_timezone, visible_text
from writes import FindNew, ReadBack, ReadBackChanges, not_in

# The calendar fields calendars/update takes besides calendar_id. Luma's calendar object shows all but tint_color.
CALENDAR_FIELDS = ("name", "slug", "description", "avatar_url", "tint_color")
_NOT_SHOWN = {"calendar_id", "tint_color"}
# Where luma.com pages live: a calendar's or an event's page is https://luma.com/<slug> (lu.ma is the old domain).
LUMA_HOSTS = {"luma.com", "www.luma.com", "lu.ma", "www.lu.ma"}
# Luma's own links to an event by its id (the event page's share link, and its manage page), which the calendar
# lookup by url does not know: they name the event by id.
_EVENT_ID_PATH = re.compile(r"^/event(?:/manage)?/(evt-[A-Za-z0-9]+)(?:/.*)?$")
_LUMA_ADDRESS = re.compile(r"^(?:www\.)?(?:luma\.com|lu\.ma)(?:[/?#]|$)", re.IGNORECASE)
# What an external event needs; Luma's add-event refuses an external event without any of these.
EXTERNAL_REQUIRED = ("url", "name", "start_at", "timezone", "duration_minutes")
SUBMISSION_LISTING = "get_events with status pending and platforms [luma, external]"


def event_id_in_link(url: str) -> str | None:
    """The evt- id a luma.com/event/evt-… or luma.com/event/manage/evt-… link names, else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if (parts.hostname or "").lower() not in LUMA_HOSTS:
        return None
    found = _EVENT_ID_PATH.match(parts.path.rstrip("/"))
    return found.group(1) if found else None


# ---- the calendar -------------------------------------------------------------------------------------------


async def get_calendar(client: LumaClient) -> dict[str, Any]:
    """The calendar the key acts for (an organization key: the calendar its connection names)."""
    return await client.get_object(routes.CALENDARS_GET)


def _same(key: str, shown: Any, sent: Any) -> bool:
    if not isinstance(sent, str):
        return shown == sent
    if shown is None:
        return not sent.strip()
    if not isinstance(shown, str):
        return False
    if key == "slug":
        return shown.strip().lower() == sent.strip().lower()
    return shown.strip() == sent.strip()


def calendar_shows(calendar: dict[str, Any], body: dict[str, Any]) -> bool:
    """True when the calendar is the one updated and every field sent that it shows holds the sent value; at least
    one such field must be compared (tint_color alone cannot be seen)."""
    if calendar.get("id") != body["calendar_id"]:
        return False
    compared = [key for key in body if key not in _NOT_SHOWN and key in calendar]
    return bool(compared) and all(_same(key, calendar[key], body[key]) for key in compared)


async def update_calendar(
    client: LumaClient, changes: dict[str, Any], calendar_id: str | None = None
) -> dict[str, Any]:
    """Changes the given fields of the calendar (the key's own unless calendar_id is given) and returns it."""
    fields = compact({key: changes.get(key) for key in CALENDAR_FIELDS})
    if not fields:
        raise InputError(
            "Nothing to update: give at least one of name, slug, description, avatar_url or tint_color "
            "(calendar_id alone changes nothing)."
        )
    if "name" in fields:
        fields["name"] = visible_text(fields["name"], "name")
    if "slug" in fields:
        fields["slug"] = fields["slug"].strip()
    # The calendar as it is before the change: its id when none is given, and what a check after a lost answer
    # compares with (a field that already held the sent value proves nothing).
    before = await get_calendar(client)
    calendar_id = calendar_id or before["id"]
    body = {"calendar_id": calendar_id, **fields}

    async def read_updated() -> dict[str, Any] | None:
        calendar = await get_calendar(client)
        return calendar if calendar.get("id") == calendar_id else None

    confirm = ReadBackChanges(
        read=read_updated,
        before=before if before.get("id") == calendar_id else {},
        sent=fields,
        same=_same,
        unseen=frozenset(_NOT_SHOWN),
        checked=f"calendar {calendar_id} for the fields this update changes",
        verify="Read the calendar with get_calendar",
    )
    return await client.post(routes.CALENDARS_UPDATE, body, confirm=confirm, expect_id=True)


def admin_summary(admin: dict[str, Any]) -> dict[str, Any]:
    """What a person scans in a list of calendar or organization admins (Luma gives them no role or access level);
    detail "full" gives Luma's whole user."""
    return {"id": admin.get("id"), "name": admin.get("name"), "email": admin.get("email")}


async def list_admins(client: LumaClient) -> dict[str, Any]:
    # Luma's admin list is not paginated: it answers every admin at once.
    return {"entries": await client.get_entries(routes.CALENDAR_ADMINS_LIST), "has_more": False, "next_cursor": None}


# ---- slugs --------------------------------------------------------------------------------------------------


def entity_slug(value: str) -> str:
    """The slug of a luma.com page: the text given, or the path of a luma.com / lu.ma address."""
    text = value.strip()
    example = "e.g. my-community, or https://luma.com/my-community"
    address = text if "://" in text else f"https://{text}" if _LUMA_ADDRESS.match(text) else None
    if address is not None:
        try:
            parts = urlsplit(address)
            host = (parts.hostname or "").lower()
        except ValueError:
            raise InputError(f"slug '{value}' is not a readable address; give {example}.") from None
        if host not in LUMA_HOSTS:
            raise InputError(f"slug '{value}' is an address on {host or 'no site'}, not on luma.com; give {example}.")
        segments = [unquote(part) for part in parts.path.split("/") if part]
        if len(segments) != 1:
            raise InputError(
                f"slug '{value}' is not the address of a calendar or event page (luma.com/<slug>, one part after "
                f"the domain); give {example}."
            )
        text = segments[0]
    text = text.strip("/")
    if not text or any(char.isspace() or char in "/?#" for char in text):
        raise InputError(f"slug '{value}' is not a luma.com slug: one word without spaces or slashes, {example}.")
    return text


async def lookup_entity(client: LumaClient, slug: str) -> dict[str, Any]:
    """What the slug names on Luma: {slug, found, type, calendar | event}, or found false with a message."""
    slug = entity_slug(slug)
    data = await client.get(routes.ENTITIES_LOOKUP, {"slug": slug})
    if "entity" not in data:
        raise LumaResponseError(f"GET {routes.ENTITIES_LOOKUP}: Luma's answer had no entity; retry later.")
    entity = data["entity"]
    if entity is None and re.match(r"(?i)^evt-", slug):
        return {
            "slug": slug,
            "found": False,
            "type": None,
            "message": f"'{slug}' is an event id, not a slug: read the event with get_events (event_api_id "
            f"{slug}), or see whether it is on the calendar with lookup_event.",
        }
    if entity is None:
        return {
            "slug": slug,
            "found": False,
            "type": None,
            "message": f"Nothing on Luma has the slug '{slug}': no calendar and no event. Check the spelling (the "
            "part after luma.com/).",
        }
    kind = entity.get("type") if isinstance(entity, dict) else None
    if kind not in ("calendar", "event") or not has_id(entity.get(kind)):
        raise LumaResponseError(
            f"GET {routes.ENTITIES_LOOKUP}: Luma answered an entity this integration does not know ({kind!r})."
        )
    return {"slug": slug, "found": True, "type": kind, kind: entity[kind]}


# ---- events listed on the calendar --------------------------------------------------------------------------


async def find_submission(client: LumaClient, query: dict[str, Any]) -> dict[str, Any] | None:
    """The calendar's entry for an event ({id, status, submitted_by}), or None when the calendar does not list it.

    Luma's lookup is documented for an event's evt- id or its url; for a calev- id (which its answers carry) Luma
    may answer nothing or refuse the id, which is no proof the submission does not exist: callers treat None as
    "unknown" and let the write itself say."""
    try:
        data = await client.get(routes.CALENDAR_EVENTS_LOOKUP, query)
    except (LumaNotFoundError, LumaInvalidRequestError):
        if str(query.get("event_id", "")).startswith("evt-") or "url" in query:
            raise
        return None
    if "event" not in data:
        raise LumaResponseError(f"GET {routes.CALENDAR_EVENTS_LOOKUP}: Luma's answer had no event; retry later.")
    found = data["event"]
    return found if has_id(found) else None


def iso_duration(minutes: int) -> str:
    """Minutes as Luma's ISO 8601 duration_interval, in hours and minutes of elapsed time (PT1H30M, PT36H): a day
    (P1D) is a calendar day in ISO 8601, which a daylight-saving change stretches or shortens."""
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


def is_luma_page(url: str) -> bool:
    """Whether the address is on luma.com or lu.ma (any case, with or without www. or a scheme)."""
    text = url.strip()
    try:
        host = (urlsplit(text if "://" in text else f"https://{text}").hostname or "").rstrip(".")
    except ValueError:
        return False
    return any(host == domain or host.endswith(f".{domain}") for domain in ("luma.com", "lu.ma"))


def _add_body(event_id: str | None, external: dict[str, Any], submission_mode: str | None) -> dict[str, Any]:
    given = [key for key, value in external.items() if value is not None]
    if event_id is not None:
        if given:
            raise InputError(
                f"event_api_id adds a Luma event, which brings its own details, so {', '.join(given)} cannot be given "
                "with it. Remove them, or remove event_api_id to add an event from another site."
            )
        return compact({"platform": "luma", "event_id": event_id, "submission_mode": submission_mode})
    if not given:
        raise InputError(
            "Give the event to add: event_api_id for a Luma event, or url, name, start_at, timezone and "
            "duration_minutes for an event on another site."
        )
    if external["url"] is not None and is_luma_page(external["url"]):
        # Luma would list it as an external event: the same Luma event twice on the calendar.
        linked = event_id_in_link(external["url"])
        where = f"give event_api_id {linked}" if linked else "lookup_entity with this link gives it"
        raise InputError(
            f"url '{external['url'].strip()}' is a page on Luma: a Luma event is added by its event_api_id alone "
            f"({where}), not as an event on another site."
        )
    missing = [key for key in EXTERNAL_REQUIRED if external[key] is None]
    if missing:
        raise InputError(
            f"An event from another site needs url, name, start_at, timezone and duration_minutes; missing: "
            f"{', '.join(missing)}. (To add a Luma event, give event_api_id alone.)"
        )
    zone = validate_timezone(external["timezone"])
    start = parse_datetime(external["start_at"], "start_at", zone, require_time=True)
    return compact(
        {
            "platform": "external",
            "url": external["url"].strip(),
            "name": visible_text(external["name"], "name"),
            "start_at": to_luma_datetime(start),
            "duration_interval": iso_duration(external["duration_minutes"]),
            "timezone": zone,
            "geo_address_json": external["geo_address_json"],
            "host": visible_text(external["host"], "host") if external["host"] is not None else None,
            "submission_mode": submission_mode,
        }
    )


async def add_event_to_calendar(
    client: LumaClient,
    *,
    event_id: str | None = None,
    external: dict[str, Any],
    submission_mode: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Lists an event on the calendar: a Luma event by id, or an event on another site (`external`: url, name,
    start_at, timezone, duration_minutes, geo_address_json, host). Returns (the calendar's entry, whether it was
    on the calendar already); an event already there is not sent again."""
    body = _add_body(event_id, external, submission_mode)
    if body["platform"] == "luma":
        query, what = {"platform": "luma", "event_id": event_id}, f"event {event_id}"
    else:
        query, what = {"platform": "external", "url": body["url"]}, f"the event at {body['url']}"
    before = await find_submission(client, query)
    if before is not None:
        return before, True

    async def candidates() -> list[dict[str, Any]]:
        found = await find_submission(client, query)
        return [found] if found is not None else []

    # The calendar did not list the event before this request, so an entry found now is this request's. With
    # submission_mode auto, Luma approves at once for a calendar admin, else the entry waits as pending.
    expected = {"pending"} if submission_mode == "pending" else {"approved", "pending"}
    confirm = FindNew(
        candidates=candidates,
        is_new=not_in(set()),
        matches=lambda entry: entry.get("status") in expected,
        checked=f"the calendar for {what}",
        verify=f"Look for it with {SUBMISSION_LISTING}, or run add_event_to_calendar again (it reports an event "
        "already on the calendar without adding it twice)",
    )
    added = await client.post(routes.CALENDAR_EVENTS_ADD, body, confirm=confirm, expect_id=True)
    return added, False


async def set_submission_status(
    client: LumaClient, calendar_event_id: str, status: str, *, message: str | None = None
) -> tuple[dict[str, Any], bool]:
    """Approves or rejects (`status`) an event listed on the calendar; returns (its entry, whether it was in that
    status already). An entry already in the status is not sent again."""
    query = {"event_id": calendar_event_id}
    before = await find_submission(client, query)
    if before is not None and before.get("status") == status:
        return before, True
    if before is not None and before.get("id") == calendar_event_id and calendar_event_id.startswith("evt-"):
        # The calendar's entry for an event it manages carries the event's own id; a submission carries a calev- id.
        raise InputError(
            f"{calendar_event_id} is an event this calendar manages, not a submission to it, so it cannot be "
            f"{status}: to take it off the calendar, cancel it with cancel_event."
        )
    path = routes.CALENDAR_EVENTS_APPROVE if status == "approved" else routes.CALENDAR_EVENTS_REJECT
    body = compact({"calendar_event_id": calendar_event_id, "message": message})
    confirm = ReadBack(
        read=lambda: find_submission(client, query),
        matches=lambda entry: entry.get("status") == status,
        checked=f"the status of {calendar_event_id} on the calendar",
        verify=f"Check the calendar's pending submissions with {SUBMISSION_LISTING}: one still listed there was "
        f"not {status}",
    )
    try:
        await client.post(path, body, confirm=confirm)
    except LumaNotFoundError as error:
        raise not_found(
            f"Nothing submitted to this calendar has the id {calendar_event_id} (Luma answered 404)",
            "Give the calev- id from add_event_to_calendar, or the event's evt- id; list pending submissions with "
            f"{SUBMISSION_LISTING}.",
            error,
        ) from None
    return {**(before or {"id": calendar_event_id}), "status": status}, False
