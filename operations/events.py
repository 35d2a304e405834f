"""Events: read, list, look up, create, update and cancel, with Luma's time rules and a safe check after a lost
answer."""

from datetime import datetime, timedelta, timezone
from typing import Any, Unpack
from urllib.parse import urlsplit

import routes
from helpers import (
    InputError,
    LumaClient,
    LumaError,
    LumaNotFoundError,
    LumaResponseError,
    LumaUnconfirmedWriteError,
    Paging,
    compact,
    has_id,
    lean,
    or_none,
)
from operations.calendar import LUMA_HOSTS, event_id_in_link
from operations.removals import gone_or_unknown, remove
from operations.tags import tag_names
from validation import (
    known_zone,
    lacks_offset,
    luma_instant,
    parse_datetime,
    start_window,
    to_luma_datetime,
    validate_timezone,
    visible_text,
)
from writes import FindNew, ReadBackChanges, created_after, gone_check

# When a create's answer is lost, the calendar's events starting this close to the sent start are candidates.
FIND_WINDOW = timedelta(minutes=1)
# Fields an update or create sends that never show on the event object, so a check cannot compare them.
_NOT_SHOWN = {"event_id", "suppress_notifications"}
# Fields an event shows as null exactly when they are unset: null there means the sent value did not land. Not the
# capacity: Luma fills spots_remaining by a background job that "can lag a few seconds", so a new event's null
# spots_remaining says nothing about its limit.
_NULL_WHEN_UNSET = {"meeting_url", "geo_address_json"}


def event_summary(event: dict[str, Any]) -> dict[str, Any]:
    """What a person scans in a list of events; detail "full" gives Luma's whole event."""
    address = event.get("geo_address_json")
    return {
        "id": event.get("id"),
        "name": event.get("name"),
        **lean(
            {
                "start_at": event.get("start_at"),
                "end_at": event.get("end_at"),
                "timezone": event.get("timezone"),
                "url": event.get("url"),
                "visibility": event.get("visibility"),
                "platform": event.get("platform") if event.get("platform") not in (None, "luma") else None,
                "address": (address.get("full_address") or address.get("address"))
                if isinstance(address, dict)
                else None,
                "meeting_url": event.get("meeting_url"),
                "tags": tag_names(event),
            }
        ),
    }


async def get_event(client: LumaClient, event_id: str) -> dict[str, Any]:
    event = await client.get_object(routes.EVENTS_GET, {"event_id": event_id})
    # Another event's answer would pass for this one's, its numbers and all (a summary of the wrong event).
    if isinstance(event.get("id"), str) and event["id"] != event_id:
        raise LumaResponseError(
            f"Luma answered GET {routes.EVENTS_GET} for event {event_id} with another event ({event['id']}); retry "
            "later."
        )
    return event


def event_page(url: str) -> tuple[str, str]:
    """(platform, url) as the calendar lookup takes them: a Luma page in Luma's own spelling of event URLs, any other
    site's page as given (an external event is matched by the URL it was submitted with)."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
    except ValueError:
        host = ""
    if not host:
        raise InputError(f"url '{text}' is not a web address; give the event page's full URL, e.g. https://luma.com/x.")
    if host not in LUMA_HOSTS:
        return "external", text
    path = parts.path.rstrip("/")
    if not path:
        raise InputError(
            f"url '{text}' is Luma's home page, not an event; give the event's page, e.g. https://luma.com/x."
        )
    # Luma names an event's page https://luma.com/<slug>, whichever of its addresses was pasted.
    return "luma", f"https://luma.com{path}"


async def lookup_event(client: LumaClient, *, url: str | None = None, event_id: str | None = None) -> dict | None:
    """The event's entry on the connected calendar ({id, status, submitted_by}), or None when it is not on it."""
    if (url is None) == (event_id is None):
        raise InputError(
            "Give the event as url or as event_api_id"
            + (", not both." if url is not None else " (the event's page, or its evt- id).")
        )
    event_id = event_id if event_id is not None else event_id_in_link(url or "")
    if event_id is not None:
        params = {"event_id": event_id}
    else:
        platform, page = event_page(url)
        params = {"platform": platform, "url": page}
    data = await client.get(routes.CALENDAR_EVENTS_LOOKUP, params)
    found = data.get("event", False)
    if found is not None and not has_id(found):
        # A missing key or an entry without id is Luma misbehaving: never report that as "not on the calendar".
        raise LumaResponseError(
            f"GET {routes.CALENDAR_EVENTS_LOOKUP}: Luma's answer had no event entry and no null. Retry later."
        )
    return found


async def list_events(
    client: LumaClient,
    *,
    after: str | None = None,
    before: str | None = None,
    sort_direction: str | None = None,
    status: str | None = None,
    platforms: list[str] | None = None,
    **paging: Unpack[Paging],
) -> dict[str, Any]:
    """The calendar's events: {entries, has_more, next_cursor}, each entry passed through `shape` when given."""
    params = {
        **start_window(after, before),
        "status": status,
        "platforms": platforms,
        # start_at is the only column Luma sorts events by.
        "sort_column": "start_at" if sort_direction else None,
        "sort_direction": sort_direction,
    }
    return await client.collect(routes.CALENDAR_EVENTS_LIST, params, **paging)


def later(start: datetime, length: timedelta) -> datetime:
    """start + length in elapsed time: aware-datetime arithmetic is wall-clock, which is an hour off across DST."""
    return start.astimezone(timezone.utc) + length


def _event_end(start: datetime, end_at: str | None, duration_minutes: int | None, zone: str | None) -> datetime | None:
    if end_at is not None and duration_minutes is not None:
        raise InputError("Give either end_at or duration_minutes, not both.")
    if duration_minutes is not None:
        end = later(start, timedelta(minutes=duration_minutes))
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


FEEDBACK_DELAY_DEFAULT = "PT0M"


def _lines(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines() if line.strip()]


def _same(key: str, shown: Any, sent: Any) -> bool:
    """Whether a field Luma shows holds the value that was sent."""
    if key in ("start_at", "end_at"):
        return luma_instant(shown) == luma_instant(sent)
    if key == "geo_address_json" and isinstance(sent, dict):
        # Luma answers a richer address object than the one sent: the sent address or place id must be in it.
        if not isinstance(shown, dict):
            return False
        wanted = sent.get("address") if sent.get("type") == "manual" else sent.get("place_id")
        return wanted in (shown.get("address"), shown.get("full_address"), shown.get("google_maps_place_id"))
    if key == "description_md" and isinstance(sent, str) and isinstance(shown, str):
        # Luma keeps the description in its own rich format and writes the markdown anew, so spacing within a line,
        # line ends and blank lines of a round trip may differ; the words, their order and the lines they stand on
        # (a list item, a paragraph) may not.
        return _lines(shown) == _lines(sent)
    if key == "feedback_email" and isinstance(sent, dict) and isinstance(shown, dict):
        # Luma fills in the delay it defaults to (PT0M, right after the event) when none was sent.
        return {"delay": FEEDBACK_DELAY_DEFAULT, **shown} == {"delay": FEEDBACK_DELAY_DEFAULT, **sent}
    if isinstance(sent, str) and isinstance(shown, str):
        return shown.strip() == sent.strip()
    return shown == sent


def event_view(event: dict[str, Any]) -> dict[str, Any]:
    """The event with what Luma shows under another name, so sent fields can be compared: the slug is the last part
    of its url; the capacity is the spots remaining plus the approved guests (unknown while Luma shows none)."""
    view = dict(event)
    url = event.get("url")
    if isinstance(url, str) and url.strip("/"):
        view["slug"] = url.rstrip("/").rsplit("/", 1)[-1]
    counts = event.get("guest_counts")
    approved = counts.get("approved") if isinstance(counts, dict) else None
    spots = event.get("spots_remaining")
    if isinstance(spots, int) and isinstance(approved, dict) and isinstance(approved.get("guests"), int):
        view["max_capacity"] = spots + approved["guests"]
    return view


def event_shows(event: dict[str, Any], body: dict[str, Any]) -> bool:
    """True when every field sent that the event shows (under its own name or another) holds the sent value, and at
    least one does. A field Luma shows as null only when it is unset (no meeting URL or address) does not hold a sent
    value; a capacity is compared only when Luma shows the spots remaining."""
    view = event_view(event)
    compared = 0
    for key, sent in body.items():
        if key in _NOT_SHOWN or key not in view or (view[key] is None and key not in _NULL_WHEN_UNSET):
            continue
        if view[key] is None or not _same(key, view[key], sent):
            return False
        compared += 1
    return compared > 0


def _find_created(client: LumaClient, body: dict[str, Any]) -> FindNew:
    start = luma_instant(body["start_at"])
    window = {"after": to_luma_datetime(start - FIND_WINDOW), "before": to_luma_datetime(start + FIND_WINDOW)}

    async def candidates() -> list[dict[str, Any]]:
        return [entry async for page in client.pages(routes.CALENDAR_EVENTS_LIST, window) for entry in page.entries]

    async def in_full(entry: dict[str, Any]) -> dict[str, Any] | None:
        return await event_or_none(client, entry["id"])

    def matches(entry: dict[str, Any]) -> bool:
        # Name and start must be there to compare; every other sent field Luma shows must agree as well, so an
        # event made by another run (another room's "Office Hours") is never taken for this one.
        return entry.get("name") is not None and entry.get("start_at") is not None and event_shows(entry, body)

    return FindNew(
        candidates=candidates,
        is_new=created_after(lambda entry: luma_instant(entry.get("created_at"))),
        matches=matches,
        # The calendar's list shows no description and no guest counts (so no capacity): each remaining candidate
        # is read in full and compared again, so two events that differ only there are never confused.
        in_full=in_full,
        checked=f"the calendar's events named '{body['name']}' starting at {body['start_at']} made after the request",
        verify=f"List the calendar's events around {body['start_at']} with get_events (after/before)",
    )


async def read_back(client: LumaClient, event_id: str, sent: dict[str, Any]) -> dict[str, Any]:
    """The event in full after a write that succeeded. If only this read fails, the write still happened: answer
    with what was sent (a failure here would invite a retry, and a retried create is a duplicate)."""
    try:
        return await get_event(client, event_id)
    except LumaError:
        return {**{key: value for key, value in sent.items() if key not in _NOT_SHOWN}, "id": event_id}


async def create_event(client: LumaClient, fields: dict[str, Any]) -> dict[str, Any]:
    """Creates an event from the action's fields (times as given, duration_minutes or end_at) and returns it."""
    zone = validate_timezone(fields["timezone"])
    start = parse_datetime(fields["start_at"], "start_at", zone, require_time=True)
    end = _event_end(start, fields.get("end_at"), fields.get("duration_minutes"), zone)
    body = compact(
        {
            **{key: value for key, value in fields.items() if key != "duration_minutes"},
            "name": visible_text(fields["name"], "name"),
            "start_at": to_luma_datetime(start),
            "end_at": to_luma_datetime(end) if end else None,
            "timezone": zone,
        }
    )
    created = await client.post(routes.EVENTS_CREATE, body, confirm=_find_created(client, body), expect_id=True)
    # A check after a lost answer found the event read in full; Luma's own answer holds only the id.
    return created if "guest_counts" in created else await read_back(client, created["id"], body)


async def update_event(
    client: LumaClient, event_id: str, fields: dict[str, Any], *, suppress_notifications: bool | None = None
) -> dict[str, Any]:
    """Changes the given fields of an event and returns it. A lone start keeps the event's length; a lone end or
    duration counts from the current start; times without an offset are read in the event's time zone."""
    changes = compact(fields)
    if not changes:
        raise InputError(
            "Nothing to update: give at least one field to change besides event_api_id "
            "(suppress_notifications alone changes nothing)."
        )
    start_in, end_in, duration = changes.get("start_at"), changes.get("end_at"), changes.pop("duration_minutes", None)
    if end_in is not None and duration is not None:
        raise InputError("Give either end_at or duration_minutes, not both.")
    if "name" in changes:
        changes["name"] = visible_text(changes["name"], "name")
    zone = validate_timezone(changes["timezone"]) if "timezone" in changes else None
    if zone is not None:
        changes["timezone"] = zone
    for value, field in ((start_in, "start_at"), (end_in, "end_at")):
        if value is not None:
            parse_datetime(value, field, zone, require_time=True)  # refused before anything is read or sent
    if start_in is not None and end_in is not None and (zone or not (lacks_offset(start_in) or lacks_offset(end_in))):
        # Both moments are known without the event: their order is refused before anything is read.
        _event_end(parse_datetime(start_in, "start_at", zone, require_time=True), end_in, None, zone)
    # The event as it is: its times and zone for times given alone, and what a check after a lost answer compares
    # with (a field that already held the sent value proves nothing).
    current = await get_event(client, event_id)
    if start_in is not None or end_in is not None or duration is not None:
        start, end = _updated_times(current, start_in, end_in, duration, zone)
        changes["start_at"] = to_luma_datetime(start) if start else None
        changes["end_at"] = to_luma_datetime(end) if end else None
    sent = compact(changes)
    body = {"event_id": event_id, **sent, **compact({"suppress_notifications": suppress_notifications})}
    confirm = ReadBackChanges(
        read=lambda: get_event(client, event_id),
        before=current,
        sent=sent,
        same=_same,
        view=event_view,
        checked=f"event {event_id} for the fields this update changes",
        verify=f"Read the event with get_events (event_api_id {event_id})",
    )
    landed = await client.post(routes.EVENTS_UPDATE, body, confirm=confirm)
    return landed if has_id(landed) else await read_back(client, event_id, body)


def _updated_times(
    current: dict[str, Any], start_in: str | None, end_in: str | None, duration: int | None, zone: str | None
) -> tuple[datetime | None, datetime | None]:
    """The new start and end of an updated event, checked against its current times where only one is given.

    The new end is sent explicitly so the result does not depend on how Luma treats a lone start (undocumented)."""
    # A time without offset and without a new timezone is read in the event's own timezone.
    zone = zone or known_zone(current.get("timezone"))
    start = parse_datetime(start_in, "start_at", zone, require_time=True) if start_in is not None else None
    end = parse_datetime(end_in, "end_at", zone, require_time=True) if end_in is not None else None
    old_start, old_end = luma_instant(current.get("start_at")), luma_instant(current.get("end_at"))
    base = start or old_start
    if duration is not None:
        if base is None:
            raise LumaResponseError("Luma did not return the event's start, so duration_minutes cannot be applied.")
        end = later(base, timedelta(minutes=duration))
    elif end is None and start is not None and old_start is not None and old_end is not None:
        end = later(start, old_end - old_start)
    if base is not None and end is not None and end <= base:
        raise InputError(
            f"end_at ({to_luma_datetime(end)}) must be after the event's start ({to_luma_datetime(base)}). "
            "Give a later end_at, or give start_at as well."
        )
    return start, end


async def event_or_none(client: LumaClient, event_id: str) -> dict[str, Any] | None:
    """The event, or None when Luma has no such event (a cancelled event is deleted)."""
    return await or_none(get_event(client, event_id))


async def cancel_event(client: LumaClient, event_id: str, *, should_refund: bool | None = None) -> dict[str, Any]:
    """Luma's two-step cancel in one: a token from cancel/request (valid 15 minutes, far longer than a run), then
    the cancel. {event_api_id, cancelled, already_absent, guest_count?, is_paid?, should_refund?}."""
    absent = {"event_api_id": event_id, "cancelled": False, "already_absent": True}
    try:
        # Only issues a token: nothing changes for guests until the cancel itself.
        request = await client.post(routes.EVENTS_CANCEL_REQUEST, {"event_id": event_id})
    except LumaNotFoundError as error:
        if gone_or_unknown("event_api_id", event_id, error):
            return absent
    except LumaUnconfirmedWriteError as error:
        raise _no_token(event_id, error.status, error.luma_message) from None
    token = request.get("cancellation_token")
    if not isinstance(token, str) or not token:
        raise _no_token(event_id, None, None)
    is_paid, guest_count = request.get("is_paid"), request.get("guest_count")
    if is_paid is True and should_refund is None:
        raise InputError(
            f"Event {event_id} has paid guests ({guest_count} approved guests in all), so Luma needs should_refund "
            "to cancel it: run cancel_event again with should_refund true to refund them, or false to keep their "
            "payments. Nothing was cancelled."
        )
    body = compact({"event_id": event_id, "cancellation_token": token, "should_refund": should_refund})
    confirm = gone_check(
        lambda: event_or_none(client, event_id),
        checked=f"whether event {event_id} still exists",
        verify=f"Read the event with get_events (event_api_id {event_id}): 'not found' means it was cancelled",
    )
    if await remove(client, routes.EVENTS_CANCEL, body, confirm, named=("event_api_id", event_id)):
        return absent  # cancelled by someone else between the two steps
    return {
        "event_api_id": event_id,
        "cancelled": True,
        "already_absent": False,
        **compact({"guest_count": guest_count, "is_paid": is_paid, "should_refund": should_refund}),
    }


def _no_token(event_id: str, status: int | None, luma_message: str | None) -> LumaUnconfirmedWriteError:
    return LumaUnconfirmedWriteError(
        f"The cancellation of event {event_id} was not confirmed, and did not happen: Luma's answer to the "
        "cancellation request (the first of its two steps, which only issues a token) was lost or unusable, so no "
        "token arrived and the cancel itself was never sent. The event and its guests are unchanged; run "
        "cancel_event again (if the event is gone by then, it says already_absent).",
        status=status,
        luma_message=luma_message,
    )
