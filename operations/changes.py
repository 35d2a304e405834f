"""Changes since the last poll: the machinery every polling trigger shares, apart from the platform.

A poll either reports every change since `last_poll_ts` or fails with a clear error, and the platform then polls
again from the same point: a change is never lost to a poll that ran out of time or met an error halfway. Each
record's `id` is stable and unique per change, because the platform de-duplicates on it (the SDK keeps no state).
A change that carries a time is reported by the one poll whose window holds it: after the last poll's time (taken
to be when that poll started), up to this poll's start. A change made while a poll runs belongs to the next poll,
so those triggers stay right without the platform's de-duplication, also when one poll runs while the previous one
is still running. Two polls given the same `last_poll_ts` (a retry) report the same changes under the same ids,
which the platform's de-duplication drops.
"""

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import helpers
import routes
from helpers import (
    ACTION_BUDGET_SECONDS,
    TRANSIENT_FAILURES,
    InputError,
    LumaClient,
    LumaError,
    LumaNotFoundError,
    LumaRateLimitError,
    LumaResponseError,
    LumaTimeoutError,
    Page,
    has_id,
)
from operations import events
from operations.batches import look_up_each
from operations.ticket_types import decimal_text
from validation import luma_instant, to_luma_datetime

# A first poll has no last poll to start from: it reports what changed in this recent window.
FIRST_POLL_WINDOW = timedelta(hours=1)
# A change shows in Luma's lists a moment after the time it carries (the write still in flight when the list was read,
# or Luma's clock a little behind ours). Each window therefore ends this long before its poll started, and the next
# window starts exactly there: a late-showing change falls in the next poll's window, and none falls in two.
VISIBILITY_LAG = timedelta(seconds=3)
# "Every upcoming event": every event by start time, counting from events that started up to STARTED_WITHIN ago,
# because check-ins and late approvals happen during and just after an event. At most WATCHED_EVENTS: one page of
# Luma's events, and a poll of 101 requests every 5 minutes leaves the key's 200 a minute to everything else. A
# calendar with more is refused rather than watched in part: a registration on an event left out would be lost.
WATCHED_EVENTS = 100
STARTED_WITHIN = timedelta(hours=24)
# Independent events are read together, every watched event at once as far as the key's window allows (every
# request still goes through the key's one pacer, and the client keeps at most MAX_IN_FLIGHT in flight): a poll of 50
# events takes two round trips, not eleven, and one of 100 three.
EVENT_CONCURRENCY = WATCHED_EVENTS
# Between two polls a few things change: a small first page of a newest-first list usually holds them all.
FIRST_PAGE = 25

Record = dict[str, Any]
Stamp = Callable[[dict[str, Any]], datetime | None]


class PollIncomplete(LumaError):
    """A poll stopped before it had read every change; it reported nothing, so nothing is lost."""


def record(record_id: str, data: dict[str, Any]) -> Record:
    return {"id": record_id, "data": data}


def now() -> datetime:
    # The client's wall clock, read through helpers so that tests pin or move one clock for the whole run.
    return helpers._utc_now()


@dataclass(frozen=True)
class Window:
    """The changes one poll reports: after `since`, up to and including `until`: the last poll's time and this
    poll's start, both VISIBILITY_LAG earlier."""

    since: datetime
    until: datetime

    def holds(self, value: Any) -> bool:
        moment = luma_instant(value) if not isinstance(value, datetime) else value
        return moment is not None and self.since < moment <= self.until


def poll_window(last_poll_ts: str | None) -> Window:
    """From the last poll's time, or for a first poll from FIRST_POLL_WINDOW ago, to now (both less the lag)."""
    until = now() - VISIBILITY_LAG
    if last_poll_ts is None:
        return Window(until - FIRST_POLL_WINDOW, until)
    since = luma_instant(last_poll_ts)
    if since is None:
        raise InputError(
            f"last_poll_ts '{last_poll_ts}' is not an ISO 8601 date-time (e.g. 2026-11-01T09:00:00Z); give the time "
            "of the last poll, or none for a first poll."
        )
    return Window(since - VISIBILITY_LAG, until)


# Failures that pass: the next poll, from the same point, may well succeed.
PASSING_FAILURES = (*TRANSIENT_FAILURES, LumaRateLimitError, LumaResponseError)


def all_or_error(poll: Callable[..., Awaitable[list[Record]]] | None = None, *, too_much: str | None = None) -> Any:
    """A poll reports every change or fails, never some of them. A failure that passes (Luma down, slow, rate
    limited, answering garbage) says that nothing was lost; any other (a wrong id, a revoked key) says what to fix.
    `too_much` is said when the poll ran out of time or requests: how to make it read less."""
    if poll is None:
        return functools.partial(all_or_error, too_much=too_much)

    @functools.wraps(poll)
    async def run(client: LumaClient, *args: Any, **kwargs: Any) -> list[Record]:
        try:
            return await poll(client, *args, **kwargs)
        except PASSING_FAILURES as error:
            out_of_time = isinstance(error, LumaTimeoutError) and client.time_left() < 1.0
            said = f"its time budget ({ACTION_BUDGET_SECONDS:.0f} s) ran out." if out_of_time else error.message
            if too_much and (out_of_time or isinstance(error, LumaRateLimitError)):
                said = f"{said} {too_much}"
            raise PollIncomplete(
                f"The poll stopped before it had read every change: {said} It reported nothing, so the next poll "
                "covers the same changes again and none is lost.",
                status=error.status,
                luma_message=error.luma_message,
            ) from None

    return run


# ---- Reading Luma's lists -----------------------------------------------------------------------------------


async def _newest_first_pages(client: LumaClient, path: str, params: dict[str, Any]) -> AsyncIterator[Page]:
    """A small first page, then Luma's largest pages, following the first page's cursor."""
    first = client.pages(path, params, limit=FIRST_PAGE)
    try:
        page = await anext(first)
    finally:
        await first.aclose()
    yield page
    if page.has_more:
        async for page in client.pages(path, params, cursor=page.next_cursor):
            yield page


async def newer_than(
    client: LumaClient, path: str, params: dict[str, Any], since: datetime, stamp: Stamp
) -> list[dict[str, Any]]:
    """The entries of a list Luma sorts newest first (by `stamp`, empty stamps last) that are newer than since. It
    reads until the first entry that is not, so in steady state one small page. An entry that new ones pushed
    onto the next page during the read is listed twice; callers key records by id. Entries made since this poll
    started are among them: callers keep those their window holds."""
    found: list[dict[str, Any]] = []
    async for page in _newest_first_pages(client, path, params):
        for entry in page.entries:
            moment = stamp(entry)
            if moment is None or moment <= since:
                return found
            if has_id(entry):
                found.append(entry)
    return found


async def every_entry(client: LumaClient, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every entry of a paginated list that has an id, or an error: unlike `collect`, never a part of it."""
    return [entry async for page in client.pages(path, params) for entry in page.entries if has_id(entry)]


def stamp_of(field: str) -> Stamp:
    return lambda entry: luma_instant(entry.get(field))


def in_order(records: list[Record], when: Callable[[dict[str, Any]], Any]) -> list[Record]:
    """Each record once (a change seen on two pages, or by two overlapping reads, is one change), oldest first."""
    unique = {item["id"]: item for item in records}
    return sorted(unique.values(), key=lambda item: _sort_key(when(item["data"])))


def _sort_key(value: Any) -> tuple[int, str]:
    moment = luma_instant(value)
    return (0, moment.isoformat()) if moment is not None else (1, "")


# ---- Which events a trigger watches -------------------------------------------------------------------------


def _from_a_day_ago() -> dict[str, str]:
    """The calendar's events by start time, from those that started up to STARTED_WITHIN ago."""
    return {"after": to_luma_datetime(now() - STARTED_WITHIN), "sort_column": "start_at", "sort_direction": "asc"}


async def watched_events(client: LumaClient, event_id: str | None) -> list[dict[str, Any]]:
    """The one event asked for (no request: reading its guests says whether it exists), or every event of the
    calendar that starts later than STARTED_WITHIN ago, when there are at most WATCHED_EVENTS of them."""
    if event_id is not None:
        return [{"id": event_id}]
    params = _from_a_day_ago()
    found: list[dict[str, Any]] = []
    listed = 0
    # Every page or an error (never `collect`, which hands back part of a list): a watched event missing from one
    # poll would lose its registrations for good.
    pages = client.pages(routes.CALENDAR_EVENTS_LIST, params, limit=WATCHED_EVENTS)
    try:
        async for page in pages:
            found += [event for event in page.entries if has_id(event)]
            listed += len(page.entries)
            if listed >= WATCHED_EVENTS and page.has_more:
                raise InputError(
                    f"The calendar has more than {WATCHED_EVENTS} events from the last 24 hours on, more than one "
                    "poll can watch without missing any, so nothing was reported: watch the events that matter one "
                    "by one with event_api_id (one trigger per event)."
                )
    finally:
        await pages.aclose()
    return found


async def upcoming_events(client: LumaClient) -> list[dict[str, Any]]:
    """Every event of the calendar that starts later than STARTED_WITHIN ago, all pages."""
    params = _from_a_day_ago()
    return await every_entry(client, routes.CALENDAR_EVENTS_LIST, params)


async def each_event(
    watched: list[dict[str, Any]],
    read: Callable[[dict[str, Any]], Awaitable[list[Record]]],
    *,
    one_asked: bool,
    concurrency: int = EVENT_CONCURRENCY,
) -> list[Record]:
    """What `read` finds in each watched event, `concurrency` events at a time. An event of the calendar that is
    gone since it was listed (cancelled: Luma deletes it) has nothing more to report; the one event a trigger was
    asked to watch must exist."""

    async def one(event: dict[str, Any]) -> list[Record]:
        try:
            return await read(event)
        except LumaNotFoundError:
            if one_asked:
                raise
            return []

    found = await look_up_each(watched, one, concurrency=concurrency)
    return [item for records in found for item in records]


async def per_event(
    client: LumaClient,
    event_id: str | None,
    find: Callable[[dict[str, Any]], Awaitable[list[Any]]],
    shape: Callable[[dict[str, Any], Any], Record],
    when: str,
    *,
    watched: list[dict[str, Any]] | None = None,
) -> list[Record]:
    """What `find` finds in each watched event (`watched`, when the caller has listed them already), shaped into
    records with the event's name, oldest first by `when`."""
    if watched is None:
        watched = await watched_events(client, event_id)

    async def read(event: dict[str, Any]) -> list[Record]:
        found = await find(event)
        if not found:
            return []
        event = await named(client, event)
        return [shape(event, item) for item in found]

    concurrency = client.concurrency(min(EVENT_CONCURRENCY, len(watched)))
    found = await each_event(watched, read, one_asked=event_id is not None, concurrency=concurrency)
    return in_order(found, lambda data: data[when])


async def named(client: LumaClient, event: dict[str, Any]) -> dict[str, Any]:
    """The event with its name: a watched event given by id alone is read once, and only when it has changes."""
    if "name" in event:
        return event
    return await events.get_event(client, event["id"])


# ---- Shaping -----------------------------------------------------------------------------------------------


def money(cents: Any, currency: Any) -> dict[str, Any]:
    """An amount as Luma keeps it (integer minor units) and as a person reads it ("15.00", "1500" for JPY)."""
    minor = int(cents) if isinstance(cents, (int, float)) and not isinstance(cents, bool) else 0
    code = currency.lower() if isinstance(currency, str) and currency else None
    # Nothing paid reads "0" in any currency; otherwise None where the unit is unknown (no currency, or a crypto one).
    shown = "0" if code is None and minor == 0 else decimal_text(minor, code)
    return {"amount_cents": minor, "amount": shown, "currency": code}


def utc_text(value: Any) -> str | None:
    """A Luma time as one spelling (UTC, milliseconds, Z), so that the same instant always reads the same."""
    moment = luma_instant(value)
    return to_luma_datetime(moment) if moment is not None else None


def location_of(event: dict[str, Any]) -> str | None:
    address = event.get("geo_address_json")
    if not isinstance(address, dict):
        return None
    return address.get("full_address") or address.get("address") or address.get("city_state") or None
